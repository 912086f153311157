import Foundation
import ParcCore
import PostgresNIO

/// The PostgreSQL heartbeat path: one transaction per group with multi-row statements (a few round trips for
/// thousands of heartbeats). Several `parc serve` nodes may write at once: history rows are deduplicated by
/// their primary key, the latest state only moves forward (see `TelemetryColumns.upsertTail`), and rows are
/// written in key order so two nodes lock them in the same order.
struct PostgresHeartbeatWriter: HeartbeatWriter {
    let database: PostgresDatabase
    /// PostgreSQL takes at most 65 535 parameters per statement; 24 columns × 1 000 rows stays well below.
    static let rowsPerStatement = 1000

    func commit(_ items: [IngestItem]) async throws -> [Int] {
        var rows: [(item: Int, key: Int64, heartbeat: Heartbeat, receivedAtMs: Int64)] = []
        for (n, item) in items.enumerated() {
            for h in item.heartbeats { rows.append((n, item.deviceKey, h, item.receivedAtMs)) }
        }
        rows.sort { ($0.key, $0.heartbeat.seq) < ($1.key, $1.heartbeat.seq) }
        let newest = TelemetryColumns.newestPerDevice(items)
        let logger = database.logger
        do {
            return try await database.client.withTransaction(logger: logger) { connection in
                var owner: [Pair: Int] = [:]
                for row in rows { owner[Pair(key: row.key, seq: row.heartbeat.seq)] = row.item }
                var inserted = [Int](repeating: 0, count: items.count)
                for chunk in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
                    let slice = rows[chunk..<min(chunk + Self.rowsPerStatement, rows.count)]
                    let query = Self.statement(
                        "INSERT INTO heartbeats", slice.map { ($0.key, $0.heartbeat, $0.receivedAtMs) },
                        tail: " ON CONFLICT (device_key, seq) DO NOTHING RETURNING device_key, seq")
                    for try await (key, seq) in try await connection.query(query, logger: logger).decode((Int64, Int64).self) {
                        if let n = owner[Pair(key: key, seq: seq)] { inserted[n] += 1 }
                    }
                }
                for chunk in stride(from: 0, to: newest.count, by: Self.rowsPerStatement) {
                    let slice = newest[chunk..<min(chunk + Self.rowsPerStatement, newest.count)]
                    let query = Self.statement(
                        "INSERT INTO device_state", slice.map { ($0.key, $0.heartbeat, $0.receivedAtMs) }, tail: TelemetryColumns.upsertTail)
                    try await connection.query(query, logger: logger)
                }
                return inserted
            }
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    struct Pair: Hashable {
        let key: Int64
        let seq: Int64
    }

    static func statement(_ head: String, _ rows: [(Int64, Heartbeat, Int64)], tail: String) -> PostgresQuery {
        let width = TelemetryColumns.names.count
        var sql = "\(head) (\(TelemetryColumns.list)) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows.count * width * 6 + tail.utf8.count)
        var bindings = PostgresBindings(capacity: rows.count * width)
        for (r, (key, h, received)) in rows.enumerated() {
            sql += r == 0 ? "(" : ", ("
            for c in 0..<width {
                if c > 0 { sql += ", " }
                sql += "$\(r * width + c + 1)"
            }
            sql += ")"
            bindings.append(key)
            bindings.append(h.seq)
            bindings.append(h.observedAtMs)
            bindings.append(received)
            bindings.append(h.batteryLevel)
            bindings.append(h.effectiveBatteryHealth)
            bindings.append(h.batteryCycles)
            bindings.append(h.charging)
            bindings.append(h.storageFreeBytes)
            bindings.append(h.storageTotalBytes)
            bindings.append(h.osName)
            bindings.append(h.osVersion)
            bindings.append(h.agentVersion)
            bindings.append(h.uptimeSeconds)
            bindings.append(h.wifiSSID)
            bindings.append(h.wifiBSSID)
            bindings.append(h.wifiRSSI)
            bindings.append(h.wifiBand)
            bindings.append(h.wifiLinkMbps)
            bindings.append(h.ip)
            bindings.append(h.downMbps)
            bindings.append(h.upMbps)
            bindings.append(h.cartID)
            bindings.append(h.cartSlot)
        }
        sql += tail
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
