import Foundation
import ParcServer
import Testing

@Suite struct ExpiringCacheTests {
    /// Loads through the cache and says whether the value had to be loaded (a miss).
    static func missed(_ cache: ExpiringCache<Int, Int>, _ key: Int, at now: Date) async throws -> Bool {
        var loaded = false
        _ = try await cache.value(for: key, now: now) {
            loaded = true
            return key
        }
        return loaded
    }

    @Test func entriesExpireAfterTheirTimeToLive() async throws {
        let cache = ExpiringCache<Int, Int>(ttl: 60, capacity: 10)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        #expect(try await Self.missed(cache, 1, at: t0))
        #expect(try await !Self.missed(cache, 1, at: t0.addingTimeInterval(59)))
        #expect(try await Self.missed(cache, 1, at: t0.addingTimeInterval(60)))
    }

    @Test func aFullCacheFirstForgetsWhatExpired() async throws {
        let cache = ExpiringCache<Int, Int>(ttl: 60, capacity: 4)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for key in 1...3 { _ = try await Self.missed(cache, key, at: t0) }
        _ = try await Self.missed(cache, 4, at: t0.addingTimeInterval(30))
        // Full at t0+61: keys 1–3 have expired and go; key 4 (still live) stays cached.
        _ = try await Self.missed(cache, 5, at: t0.addingTimeInterval(61))
        #expect(try await !Self.missed(cache, 4, at: t0.addingTimeInterval(62)))
        #expect(try await !Self.missed(cache, 5, at: t0.addingTimeInterval(62)))
    }

    @Test func aCacheFullOfLiveEntriesStartsAfresh() async throws {
        let cache = ExpiringCache<Int, Int>(ttl: 60, capacity: 4)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for key in 1...4 { _ = try await Self.missed(cache, key, at: t0) }
        _ = try await Self.missed(cache, 5, at: t0.addingTimeInterval(1))
        #expect(try await !Self.missed(cache, 5, at: t0.addingTimeInterval(2)))
        #expect(try await Self.missed(cache, 1, at: t0.addingTimeInterval(2)))
    }

    /// A revocation that commits while a heartbeat is loading the credential: the loading request gets what it
    /// read, but the cache does not keep it, so the next request reads the store again.
    @Test(arguments: [false, true])
    func aValueLoadedAcrossARemovalIsNotKept(removeAll: Bool) async throws {
        let cache = ExpiringCache<Int, Int>(ttl: 60, capacity: 10)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let value = try await cache.value(for: 1, now: t0) {
            if removeAll { cache.removeAll() } else { cache.remove(1) }
            return 1
        }
        #expect(value == 1)
        #expect(try await Self.missed(cache, 1, at: t0.addingTimeInterval(1)))
        #expect(try await !Self.missed(cache, 1, at: t0.addingTimeInterval(2)))
    }
}
