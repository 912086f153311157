package import Foundation
import Synchronization

/// A small thread-safe cache whose entries expire after `ttl` seconds, bounded to `capacity` entries.
///
/// The heartbeat path reads a device credential and its establishment's check-in interval on every request;
/// without this, each heartbeat would cost two database reads. The node that revokes a token clears its cache;
/// expiry bounds how long the token keeps working on the other nodes (one TTL). The capacity bounds memory
/// whatever the fleet size.
package final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
        var expires: Date
    }

    struct State {
        var entries: [Key: Entry] = [:]
        /// Bumped by every removal, so a value loaded before a removal is not cached after it.
        var generation = 0
    }

    let ttl: TimeInterval
    let capacity: Int
    let state = Mutex(State())

    package init(ttl: TimeInterval, capacity: Int) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached value, or the loaded one (cached when non-nil). Concurrent misses may load twice; harmless.
    package func value(for key: Key, now: Date, load: () async throws -> Value?) async throws -> Value? {
        let (hit, generation) = state.withLock { ($0.entries[key], $0.generation) }
        if let hit, hit.expires > now { return hit.value }
        guard let loaded = try await load() else { return nil }
        state.withLock { s in
            // A revocation or transfer committed while this load ran may have made the value stale: this request
            // was already under way and gets it, but the cache must not keep it for a whole TTL.
            guard s.generation == generation else { return }
            // Full: forget what has expired. If live entries still fill three quarters, drop everything rather than
            // track recency (refilling costs one read per active device); the quarter left free means a scan runs
            // at most once per `capacity / 4` insertions.
            if s.entries.count >= capacity {
                // In place: a filtered copy would double a full cache's memory for a moment.
                for key in s.entries.compactMap({ $0.value.expires > now ? nil : $0.key }) { s.entries.removeValue(forKey: key) }
                if s.entries.count >= capacity - capacity / 4 { s.entries.removeAll(keepingCapacity: true) }
            }
            s.entries[key] = Entry(value: loaded, expires: now.addingTimeInterval(ttl))
        }
        return loaded
    }

    package func remove(_ key: Key) {
        state.withLock {
            $0.entries.removeValue(forKey: key)
            $0.generation &+= 1
        }
    }

    package func removeAll() {
        state.withLock {
            $0.entries.removeAll()
            $0.generation &+= 1
        }
    }
}
