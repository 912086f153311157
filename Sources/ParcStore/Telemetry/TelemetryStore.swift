public import Foundation
public import ParcCore

/// Enrollment, device credentials, check-in settings, the latest state and history reads, and retention.
/// Everything but the hot heartbeat write (see `HeartbeatWriter`) is written once for both backends.
public struct TelemetryStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    /// The heartbeat write path of this backend.
    public var writer: any HeartbeatWriter {
        if let sqlite = database as? SQLiteDatabase { return SQLiteHeartbeatWriter(database: sqlite) }
        return PostgresHeartbeatWriter(database: database as! PostgresDatabase)
    }

    // MARK: Enrollment tokens

    public func insert(_ token: EnrollmentToken, hash: String) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO enrollment_tokens (id, establishment_id, token_hash, prefix, label, max_uses, uses, expires_at, created_at, created_by)
            VALUES (\(token.id), \(token.establishmentID), \(hash), \(token.prefix), \(token.label), \(token.maxUses), 0, \(token.expiresAt),
              \(token.createdAt), \(token.createdBy))
            """)
    }

    public func enrollmentTokens(establishmentID: UUID) async throws -> [EnrollmentToken] {
        try await database.query("SELECT * FROM enrollment_tokens WHERE establishment_id = \(establishmentID) ORDER BY created_at, id")
            .map(Self.enrollmentToken)
    }

    public func enrollmentToken(id: UUID) async throws -> EnrollmentToken? {
        try await database.query("SELECT * FROM enrollment_tokens WHERE id = \(id)").first.map(Self.enrollmentToken)
    }

    public func enrollmentToken(hash: String) async throws -> EnrollmentToken? {
        try await database.query("SELECT * FROM enrollment_tokens WHERE token_hash = \(hash)").first.map(Self.enrollmentToken)
    }

    public func revokeEnrollmentToken(_ id: UUID, at: Date) -> WriteStatement {
        WriteStatement("UPDATE enrollment_tokens SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL")
    }

    /// Takes one use of the token, atomically: two devices racing for the last use cannot both get it.
    public func consume(enrollmentTokenID id: UUID, now: Date) -> WriteStatement {
        WriteStatement(
            """
            UPDATE enrollment_tokens SET uses = uses + 1
            WHERE id = \(id) AND revoked_at IS NULL AND expires_at > \(now) AND uses < max_uses RETURNING id
            """,
            expect: .exactlyOne(orElse: .unauthenticated("the enrollment token is expired, revoked or used up")))
    }

    static func enrollmentToken(_ row: SQLRow) throws -> EnrollmentToken {
        EnrollmentToken(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), prefix: try row.string("prefix"),
            label: try row.optionalString("label"), maxUses: try row.int("max_uses"), uses: try row.int("uses"),
            expiresAt: try row.date("expires_at"), revokedAt: try row.optionalDate("revoked_at"), createdAt: try row.date("created_at"),
            createdBy: try row.optionalUUID("created_by"))
    }

    // MARK: Device credentials

    /// An enrolled device as the heartbeat path needs it.
    public struct Credential: Sendable, Equatable {
        public var deviceKey: Int64
        public var deviceID: UUID
        public var establishmentID: UUID
    }

    /// Creates the device's credential, or replaces its token when it enrols again (the old token stops working).
    /// `device_key` is kept, so the history continues.
    public func enroll(deviceID: UUID, tokenHash: String, enrollmentTokenID: UUID, macAddresses: [String], agentVersion: String?, at: Date)
        -> WriteStatement
    {
        let macs = macAddresses.joined(separator: ",")
        return WriteStatement(
            """
            INSERT INTO agent_devices (device_id, token_hash, enrolled_at, enrollment_token_id, mac_addresses, agent_version)
            VALUES (\(deviceID), \(tokenHash), \(at), \(enrollmentTokenID), \(macs), \(agentVersion))
            ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash, enrolled_at = excluded.enrolled_at,
              enrollment_token_id = excluded.enrollment_token_id, mac_addresses = excluded.mac_addresses,
              agent_version = excluded.agent_version, revoked_at = NULL
            RETURNING device_key
            """, expect: .exactlyOne(orElse: .conflict(field: nil, message: "the device could not be enrolled")))
    }

    /// The live credential for a device token's hash: not revoked, device not deleted.
    public func credential(tokenHash: String) async throws -> Credential? {
        let rows = try await database.query(
            """
            SELECT a.device_key, a.device_id, d.establishment_id FROM agent_devices a JOIN devices d ON d.id = a.device_id
            WHERE a.token_hash = \(tokenHash) AND a.revoked_at IS NULL AND d.deleted_at IS NULL
            """)
        return try rows.first.map { row in
            Credential(deviceKey: try row.int64("device_key"), deviceID: try row.uuid("device_id"), establishmentID: try row.uuid("establishment_id"))
        }
    }

    public func revokeCredential(deviceID: UUID, at: Date) -> WriteStatement {
        WriteStatement("UPDATE agent_devices SET revoked_at = \(at) WHERE device_id = \(deviceID) AND revoked_at IS NULL")
    }

    public func deviceKey(deviceID: UUID) async throws -> Int64? {
        try await database.query("SELECT device_key FROM agent_devices WHERE device_id = \(deviceID)").first.map { try $0.int64("device_key") }
    }

    // MARK: Check-in settings

    public func checkinInterval(establishmentID: UUID) async throws -> Int? {
        try await database.query("SELECT checkin_interval_seconds AS s FROM agent_settings WHERE establishment_id = \(establishmentID)")
            .first.map { try $0.int("s") }
    }

    public func setCheckinInterval(_ seconds: Int?, establishmentID: UUID, at: Date) -> WriteStatement {
        guard let seconds else { return WriteStatement("DELETE FROM agent_settings WHERE establishment_id = \(establishmentID)") }
        return WriteStatement(
            """
            INSERT INTO agent_settings (establishment_id, checkin_interval_seconds, updated_at) VALUES (\(establishmentID), \(seconds), \(at))
            ON CONFLICT (establishment_id) DO UPDATE SET checkin_interval_seconds = excluded.checkin_interval_seconds, updated_at = excluded.updated_at
            """)
    }

    // MARK: Access point BSSIDs

    public func setBSSIDs(_ bssids: [String], accessPointID: UUID) -> [WriteStatement] {
        [WriteStatement("DELETE FROM access_point_bssids WHERE access_point_id = \(accessPointID)")]
            + bssids.map { WriteStatement("INSERT INTO access_point_bssids (bssid, access_point_id) VALUES (\($0), \(accessPointID))") }
    }

    public func bssids(accessPointID: UUID) async throws -> [String] {
        try await database.query("SELECT bssid FROM access_point_bssids WHERE access_point_id = \(accessPointID) ORDER BY bssid")
            .map { try $0.string("bssid") }
    }

    // MARK: Reads

    public func state(deviceID: UUID) async throws -> DeviceState? {
        let rows = try await database.query(
            """
            SELECT a.device_id, d.establishment_id, s.* FROM agent_devices a JOIN devices d ON d.id = a.device_id
            JOIN device_state s ON s.device_key = a.device_key WHERE a.device_id = \(deviceID)
            """)
        return try rows.first.map(Self.state)
    }

    /// The newest heartbeats of a device, before sequence number `beforeSeq` when paging back.
    public func history(deviceKey: Int64, beforeSeq: Int64?, limit: Int) async throws -> [HeartbeatReading] {
        let before = beforeSeq.map { SQLQuery("AND seq < \($0)") } ?? ""
        return try await database.query(
            "SELECT * FROM heartbeats WHERE device_key = \(deviceKey) \(before) ORDER BY seq DESC LIMIT \(limit)"
        ).map(Self.reading)
    }

    public func daily(deviceKey: Int64, deviceID: UUID, limit: Int) async throws -> [DailyRollup] {
        try await database.query("SELECT * FROM heartbeat_daily WHERE device_key = \(deviceKey) ORDER BY day DESC LIMIT \(limit)").map { row in
            DailyRollup(
                deviceID: deviceID, day: LocalDate(daysSinceEpoch: try row.int("day")), heartbeats: try row.int("heartbeats"),
                firstSeenAt: Date(epochMilliseconds: try row.int64("first_ms")), lastSeenAt: Date(epochMilliseconds: try row.int64("last_ms")),
                batteryLevelMin: try row.optionalDouble("battery_level_min"), batteryHealthMin: try row.optionalDouble("battery_health_min"),
                storageFreeMinBytes: try row.optionalInt64("storage_free_min"), wifiRSSIAvg: try row.optionalDouble("rssi_avg"),
                wifiRSSIMin: try row.optionalInt64("rssi_min"), downMbpsAvg: try row.optionalDouble("down_avg"),
                upMbpsAvg: try row.optionalDouble("up_avg"))
        }
    }

    /// Every client device of the establishments with its latest state, if any: presence and fleet views.
    public func fleet(establishmentIDs: [UUID]) async throws -> [FleetRow] {
        let rows = try await database.query(
            """
            SELECT d.id AS device_id, d.establishment_id, d.serial_number, d.asset_tag, d.kind, d.status, d.room_id, d.cart_id AS assigned_cart_id,
              a.device_key, s.received_ms, s.observed_ms, s.battery_level, s.battery_health, s.storage_free, s.storage_total, s.rssi, s.bssid,
              s.os_name, s.os_version, s.agent_version, s.cart_id AS reported_cart_id, s.down_mbps
            FROM devices d LEFT JOIN agent_devices a ON a.device_id = d.id AND a.revoked_at IS NULL
            LEFT JOIN device_state s ON s.device_key = a.device_key
            WHERE d.establishment_id IN \(list: establishmentIDs) AND d.deleted_at IS NULL
              AND d.kind IN \(list: DeviceModel.Kind.allCases.filter(\.isClientDevice).map(\.rawValue))
            ORDER BY d.id
            """)
        return try rows.map { row in
            FleetRow(
                deviceID: try row.uuid("device_id"), establishmentID: try row.uuid("establishment_id"), serialNumber: try row.string("serial_number"),
                assetTag: try row.optionalString("asset_tag"), kind: try row.string("kind"), status: try row.string("status"),
                roomID: try row.optionalUUID("room_id"), assignedCartID: try row.optionalUUID("assigned_cart_id"),
                enrolled: try row.optionalInt64("device_key") != nil, lastSeenMs: try row.optionalInt64("received_ms"),
                batteryLevel: try row.optionalDouble("battery_level"), batteryHealth: try row.optionalDouble("battery_health"),
                storageFreeBytes: try row.optionalInt64("storage_free"), storageTotalBytes: try row.optionalInt64("storage_total"),
                wifiRSSI: try row.optionalInt64("rssi"), wifiBSSID: try row.optionalString("bssid"), osName: try row.optionalString("os_name"),
                osVersion: try row.optionalString("os_version"), reportedCartID: try row.optionalUUID("reported_cart_id"))
        }
    }

    /// BSSID → access point (and its room) for the establishment's access points.
    public func accessPointBSSIDs(establishmentID: UUID) async throws -> [(bssid: String, accessPointID: UUID, roomID: UUID?)] {
        try await database.query(
            """
            SELECT b.bssid, b.access_point_id, ap.room_id FROM access_point_bssids b JOIN access_points ap ON ap.id = b.access_point_id
            WHERE ap.establishment_id = \(establishmentID) AND ap.deleted_at IS NULL
            """
        ).map { (try $0.string("bssid"), try $0.uuid("access_point_id"), try $0.optionalUUID("room_id")) }
    }

    /// Throughput the agents measured since `sinceMs`, newest first, at most `limit` samples.
    public func measuredThroughput(establishmentID: UUID, sinceMs: Int64, limit: Int) async throws -> [(down: Double, up: Double?)] {
        try await database.query(
            """
            SELECT h.down_mbps, h.up_mbps FROM heartbeats h
            WHERE h.device_key IN (SELECT a.device_key FROM agent_devices a JOIN devices d ON d.id = a.device_id
                                   WHERE d.establishment_id = \(establishmentID))
              AND h.received_ms >= \(sinceMs) AND h.down_mbps IS NOT NULL
            ORDER BY h.received_ms DESC LIMIT \(limit)
            """
        ).map { (try $0.double("down_mbps"), try $0.optionalDouble("up_mbps")) }
    }

    /// Per device key, how many heartbeats from sequence number `fromSeq` on the history holds, and the highest:
    /// the load generator's check that everything acknowledged was stored.
    public func heartbeatCounts(deviceKeys: [Int64], fromSeq: Int64) async throws -> [Int64: (count: Int, maxSeq: Int64)] {
        var counts: [Int64: (count: Int, maxSeq: Int64)] = [:]
        for start in stride(from: 0, to: deviceKeys.count, by: 500) {
            let chunk = Array(deviceKeys[start..<min(start + 500, deviceKeys.count)])
            for row in try await database.query(
                """
                SELECT device_key, COUNT(*) AS n, MAX(seq) AS m FROM heartbeats
                WHERE device_key IN \(list: chunk) AND seq >= \(fromSeq) GROUP BY device_key
                """)
            {
                counts[try row.int64("device_key")] = (try row.int("n"), try row.int64("m"))
            }
        }
        return counts
    }

    public func deviceKeys(deviceIDs: [UUID]) async throws -> [UUID: Int64] {
        var keys: [UUID: Int64] = [:]
        for start in stride(from: 0, to: deviceIDs.count, by: 500) {
            let chunk = Array(deviceIDs[start..<min(start + 500, deviceIDs.count)])
            for row in try await database.query("SELECT device_id, device_key FROM agent_devices WHERE device_id IN \(list: chunk)") {
                keys[try row.uuid("device_id")] = try row.int64("device_key")
            }
        }
        return keys
    }

    // MARK: Retention

    public struct RetentionReport: Codable, Sendable, Equatable {
        public var daysRolledUp: Int
        public var heartbeatsRolledUp: Int
        public var dailyRowsDeleted: Int
    }

    /// Rolls raw heartbeats of whole days before `policy.rawCutoffDay` into daily rows and deletes them, one day
    /// per transaction (bounded work per commit), then drops daily rows past their retention. On PostgreSQL each
    /// day's transaction first takes an advisory lock, so nodes running this at once never roll a day up twice.
    public func applyRetention(_ policy: RetentionPolicy, now: Date) async throws -> RetentionReport {
        var report = RetentionReport(daysRolledUp: 0, heartbeatsRolledUp: 0, dailyRowsDeleted: 0)
        let cutoffMs = Int64(policy.rawCutoffDay(now: now)) * 86_400_000
        // Day by day, skipping empty days: the oldest remaining arrival tells which day is next.
        while let oldest = try await database.query("SELECT MIN(received_ms) AS m FROM heartbeats WHERE received_ms < \(cutoffMs)")
            .first?.optionalInt64("m")
        {
            let day = Int(oldest / 86_400_000)
            let start = Int64(day) * 86_400_000
            let end = start + 86_400_000
            var batch = WriteBatch(lockStatements())
            batch.append("SELECT COUNT(*) AS n FROM heartbeats WHERE received_ms >= \(start) AND received_ms < \(end)")
            batch.append(
                """
                INSERT INTO heartbeat_daily (device_key, day, heartbeats, first_ms, last_ms, battery_level_min, battery_health_min,
                  storage_free_min, rssi_avg, rssi_min, down_avg, up_avg)
                SELECT device_key, \(day), COUNT(*), MIN(received_ms), MAX(received_ms), MIN(battery_level), MIN(battery_health),
                  MIN(storage_free), CAST(AVG(rssi) AS DOUBLE PRECISION), MIN(rssi), CAST(AVG(down_mbps) AS DOUBLE PRECISION),
                  CAST(AVG(up_mbps) AS DOUBLE PRECISION)
                FROM heartbeats WHERE received_ms >= \(start) AND received_ms < \(end) GROUP BY device_key
                ON CONFLICT (device_key, day) DO NOTHING
                """)
            batch.append("DELETE FROM heartbeats WHERE received_ms >= \(start) AND received_ms < \(end)")
            let results = try await database.write(batch)
            report.heartbeatsRolledUp += try results[results.count - 3].first?.int("n") ?? 0
            report.daysRolledUp += 1
        }
        let dailyCutoff = policy.dailyCutoffDay(now: now)
        var batch = WriteBatch(lockStatements())
        batch.append("SELECT COUNT(*) AS n FROM heartbeat_daily WHERE day < \(dailyCutoff)")
        batch.append("DELETE FROM heartbeat_daily WHERE day < \(dailyCutoff)")
        let results = try await database.write(batch)
        report.dailyRowsDeleted = try results[results.count - 2].first?.int("n") ?? 0
        return report
    }

    /// On PostgreSQL, a transaction-scoped advisory lock: a second node gets "conflict" and skips this round.
    func lockStatements() -> [WriteStatement] {
        guard database.dialect == .postgres else { return [] }
        return [
            WriteStatement(
                "SELECT 1 AS busy WHERE NOT pg_try_advisory_xact_lock(\(Self.retentionLockKey))",
                expect: .none(orElse: .conflict(field: nil, message: "retention is running on another node")))
        ]
    }

    static let retentionLockKey: Int64 = 0x7061_7263_7265_7431  // "parcret1"

    // MARK: Row mapping

    static func state(_ row: SQLRow) throws -> DeviceState {
        DeviceState(deviceID: try row.uuid("device_id"), establishmentID: try row.uuid("establishment_id"), latest: try reading(row))
    }

    static func heartbeat(_ row: SQLRow) throws -> Heartbeat {
        var h = Heartbeat(seq: try row.int64("seq"), observedAtMs: try row.int64("observed_ms"))
        h.batteryLevel = try row.optionalDouble("battery_level")
        h.batteryHealth = try row.optionalDouble("battery_health")
        h.batteryCycles = try row.optionalInt64("battery_cycles")
        h.charging = try row.optionalBool("charging")
        h.storageFreeBytes = try row.optionalInt64("storage_free")
        h.storageTotalBytes = try row.optionalInt64("storage_total")
        h.osName = try row.optionalString("os_name")
        h.osVersion = try row.optionalString("os_version")
        h.agentVersion = try row.optionalString("agent_version")
        h.uptimeSeconds = try row.optionalInt64("uptime_s")
        h.wifiSSID = try row.optionalString("ssid")
        h.wifiBSSID = try row.optionalString("bssid")
        h.wifiRSSI = try row.optionalInt64("rssi")
        h.wifiBand = try row.optionalString("band")
        h.wifiLinkMbps = try row.optionalDouble("link_mbps")
        h.ip = try row.optionalString("ip")
        h.downMbps = try row.optionalDouble("down_mbps")
        h.upMbps = try row.optionalDouble("up_mbps")
        h.cartID = try row.optionalUUID("cart_id")
        h.cartSlot = try row.optionalInt64("cart_slot")
        return h
    }

    /// The stored battery health is already the effective one (reported, or derived from the capacities).
    static func reading(_ row: SQLRow) throws -> HeartbeatReading {
        HeartbeatReading(try heartbeat(row), receivedAtMs: try row.int64("received_ms"))
    }
}

/// A client device and what its agent last said, for presence, Wi-Fi and cart views.
public struct FleetRow: Sendable, Equatable {
    public var deviceID: UUID
    public var establishmentID: UUID
    public var serialNumber: String
    public var assetTag: String?
    public var kind: String
    public var status: String
    public var roomID: UUID?
    public var assignedCartID: UUID?
    public var enrolled: Bool
    public var lastSeenMs: Int64?
    public var batteryLevel: Double?
    public var batteryHealth: Double?
    public var storageFreeBytes: Int64?
    public var storageTotalBytes: Int64?
    public var wifiRSSI: Int64?
    public var wifiBSSID: String?
    public var osName: String?
    public var osVersion: String?
    public var reportedCartID: UUID?
}
