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

    let ttl: TimeInterval
    let capacity: Int
    let entries = Mutex<[Key: Entry]>([:])

    package init(ttl: TimeInterval, capacity: Int) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached value, or the loaded one (cached when non-nil). Concurrent misses may load twice; harmless.
    package func value(for key: Key, now: Date, load: () async throws -> Value?) async throws -> Value? {
        if let hit = entries.withLock({ $0[key] }), hit.expires > now { return hit.value }
        guard let loaded = try await load() else { return nil }
        entries.withLock { entries in
            // Full: forget what has expired. If live entries still fill three quarters, drop everything rather than
            // track recency (refilling costs one read per active device); the quarter left free means a scan runs
            // at most once per `capacity / 4` insertions.
            if entries.count >= capacity {
                // In place: a filtered copy would double a full cache's memory for a moment.
                for key in entries.compactMap({ $0.value.expires > now ? nil : $0.key }) { entries.removeValue(forKey: key) }
                if entries.count >= capacity - capacity / 4 { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(value: loaded, expires: now.addingTimeInterval(ttl))
        }
        return loaded
    }

    package func remove(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    package func removeAll() { entries.withLock { $0.removeAll() } }
}
