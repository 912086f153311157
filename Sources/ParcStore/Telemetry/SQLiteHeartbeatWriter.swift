import Foundation
import GRDB
import GRDBSQLite
import ParcCore

/// The SQLite heartbeat path: one `write` transaction per group on GRDB's single writer, cached prepared
/// statements, values bound through the C API. Building GRDB `StatementArguments` per row allocates an array of
/// boxed values; binding directly is several times faster, and this loop runs hundreds of thousands of times a second.
struct SQLiteHeartbeatWriter: HeartbeatWriter {
    let database: SQLiteDatabase

    static let insertHistory =
        "INSERT OR IGNORE INTO heartbeats (\(TelemetryColumns.list)) VALUES (\(TelemetryColumns.names.map { _ in "?" }.joined(separator: ", ")))"
    static let upsertState =
        "INSERT INTO device_state (\(TelemetryColumns.list)) VALUES (\(TelemetryColumns.names.map { _ in "?" }.joined(separator: ", ")))"
        + TelemetryColumns.upsertTail

    func commit(_ items: [IngestItem]) async throws -> [Int] {
        do {
            return try await database.writer.write { db in
                let connection = db.sqliteConnection
                let history = try db.cachedStatement(sql: SQLiteHeartbeatWriter.insertHistory).sqliteStatement
                let state = try db.cachedStatement(sql: SQLiteHeartbeatWriter.upsertState).sqliteStatement
                var inserted = [Int](repeating: 0, count: items.count)
                for (n, item) in items.enumerated() {
                    for h in item.heartbeats {
                        try SQLiteHeartbeatWriter.run(history, key: item.deviceKey, h, receivedAtMs: item.receivedAtMs, db: connection)
                        inserted[n] += Int(sqlite3_changes(connection))
                    }
                }
                for newest in TelemetryColumns.newestPerDevice(items) {
                    try SQLiteHeartbeatWriter.run(state, key: newest.key, newest.heartbeat, receivedAtMs: newest.receivedAtMs, db: connection)
                }
                return inserted
            }
        } catch {
            throw SQLiteDatabase.translate(error)
        }
    }

    static func run(_ s: OpaquePointer, key: Int64, _ h: Heartbeat, receivedAtMs: Int64, db: OpaquePointer?) throws {
        // A bind fails only out of memory; checked, because a reused statement would keep the previous row's value.
        var bound = sqlite3_bind_int64(s, 1, key)
        bound |= sqlite3_bind_int64(s, 2, h.seq)
        bound |= sqlite3_bind_int64(s, 3, h.observedAtMs)
        bound |= sqlite3_bind_int64(s, 4, receivedAtMs)
        bound |= bind(s, 5, h.batteryLevel)
        bound |= bind(s, 6, h.effectiveBatteryHealth)
        bound |= bind(s, 7, h.batteryCycles)
        bound |= bind(s, 8, h.charging.map { $0 ? 1 : 0 })
        bound |= bind(s, 9, h.storageFreeBytes)
        bound |= bind(s, 10, h.storageTotalBytes)
        bound |= bind(s, 11, h.osName)
        bound |= bind(s, 12, h.osVersion)
        bound |= bind(s, 13, h.agentVersion)
        bound |= bind(s, 14, h.uptimeSeconds)
        bound |= bind(s, 15, h.wifiSSID)
        bound |= bind(s, 16, h.wifiBSSID)
        bound |= bind(s, 17, h.wifiRSSI)
        bound |= bind(s, 18, h.wifiBand)
        bound |= bind(s, 19, h.wifiLinkMbps)
        bound |= bind(s, 20, h.ip)
        bound |= bind(s, 21, h.downMbps)
        bound |= bind(s, 22, h.upMbps)
        if let cart = h.cartID {
            bound |= withUnsafeBytes(of: cart.uuid) { sqlite3_bind_blob(s, 23, $0.baseAddress, 16, transient) }
        } else {
            bound |= sqlite3_bind_null(s, 23)
        }
        bound |= bind(s, 24, h.cartSlot)
        guard bound == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_errcode(db)), message: String(cString: sqlite3_errmsg(db)))
        }
        let code = sqlite3_step(s)
        sqlite3_reset(s)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// SQLite copies the bytes before `bind` returns (`SQLITE_TRANSIENT`).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ s: OpaquePointer, _ i: Int32, _ v: Int64?) -> Int32 {
        if let v { sqlite3_bind_int64(s, i, v) } else { sqlite3_bind_null(s, i) }
    }

    static func bind(_ s: OpaquePointer, _ i: Int32, _ v: Int?) -> Int32 {
        if let v { sqlite3_bind_int64(s, i, Int64(v)) } else { sqlite3_bind_null(s, i) }
    }

    static func bind(_ s: OpaquePointer, _ i: Int32, _ v: Double?) -> Int32 {
        if let v { sqlite3_bind_double(s, i, v) } else { sqlite3_bind_null(s, i) }
    }

    static func bind(_ s: OpaquePointer, _ i: Int32, _ v: String?) -> Int32 {
        guard var v else { return sqlite3_bind_null(s, i) }
        return v.withUTF8 { sqlite3_bind_text(s, i, $0.baseAddress, Int32($0.count), transient) }
    }
}
