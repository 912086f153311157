public import ParcCore

/// The heartbeats one request brought, for one enrolled device.
public struct IngestItem: Sendable {
    public var deviceKey: Int64
    public var heartbeats: [Heartbeat]
    /// Server time of arrival; presence and retention use this clock.
    public var receivedAtMs: Int64

    public init(deviceKey: Int64, heartbeats: [Heartbeat], receivedAtMs: Int64) {
        self.deviceKey = deviceKey
        self.heartbeats = heartbeats
        self.receivedAtMs = receivedAtMs
    }
}

/// Writes a group of requests' heartbeats in one transaction: every heartbeat into the history (once per
/// device and sequence number), and the newest heartbeat of each device into its latest state. This is the
/// one hot write path, so each backend has its own implementation built for batches; both share the columns.
public protocol HeartbeatWriter: Sendable {
    /// Commits all items or none; returns, per item, how many heartbeats were new (the rest were retries).
    func commit(_ items: [IngestItem]) async throws -> [Int]
}

/// The measurement columns of `device_state` and `heartbeats`, in the order both writers bind them.
enum TelemetryColumns {
    static let names = [
        "device_key", "seq", "observed_ms", "received_ms", "battery_level", "battery_health", "battery_cycles", "charging", "storage_free",
        "storage_total", "os_name", "os_version", "agent_version", "uptime_s", "ssid", "bssid", "rssi", "band", "link_mbps", "ip",
        "down_mbps", "up_mbps", "cart_id", "cart_slot",
    ]
    static let list = names.joined(separator: ", ")

    /// The latest state keeps the newest heartbeat by device clock, then sequence number; an older heartbeat
    /// arriving late (store and forward, a retry, another node) never overwrites a newer one.
    static let upsertTail: String = {
        let updates = names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return """
             ON CONFLICT (device_key) DO UPDATE SET \(updates)
             WHERE (excluded.observed_ms, excluded.seq) > (device_state.observed_ms, device_state.seq)
            """
    }()

    /// Picks, per device, the heartbeat that would win in the latest state, so each device is upserted once per group.
    static func newestPerDevice(_ items: [IngestItem]) -> [(key: Int64, heartbeat: Heartbeat, receivedAtMs: Int64)] {
        var newest: [Int64: (Heartbeat, Int64)] = [:]
        newest.reserveCapacity(items.count)
        for item in items {
            for h in item.heartbeats {
                if let (current, _) = newest[item.deviceKey], (current.observedAtMs, current.seq) >= (h.observedAtMs, h.seq) { continue }
                newest[item.deviceKey] = (h, item.receivedAtMs)
            }
        }
        // Sorted: concurrent writers (several PostgreSQL nodes) then lock rows in the same order and cannot deadlock.
        return newest.map { (key: $0.key, heartbeat: $0.value.0, receivedAtMs: $0.value.1) }.sorted { $0.key < $1.key }
    }
}
