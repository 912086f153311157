import Foundation
import ParcCore
import ParcStore
import ParcTestSupport
import Testing

/// The heartbeat write path and retention, with the same assertions on SQLite and PostgreSQL.
@Suite struct TelemetryStoreTests {
    /// An establishment with `count` enrolled devices; returns their device keys.
    static func enrolled(_ db: any SQLDatabase, count: Int) async throws -> [(id: UUID, key: Int64)] {
        let dept = Fixture.collectivite()
        let college = Fixture.establishment("9740979W", owner: dept)
        let model = Fixture.model()
        try await db.insert(dept)
        try await db.insert(college)
        try await db.insert(model)
        let telemetry = TelemetryStore(db)
        var result: [(UUID, Int64)] = []
        for n in 0..<count {
            let device = Fixture.device("SN\(n)", model: model, in: college)
            try await db.insert(device)
            let rows = try await db.write(
                WriteBatch([
                    telemetry.enroll(
                        deviceID: device.id, tokenHash: "hash-\(n)", enrollmentTokenID: UUID(), macAddresses: [], agentVersion: nil, at: Fixture.t0)
                ]))
            result.append((device.id, try rows[0][0].int64("device_key")))
        }
        return result
    }

    static func heartbeat(_ seq: Int64, at ms: Int64, battery: Double? = nil, rssi: Int64? = nil) -> Heartbeat {
        var h = Heartbeat(seq: seq, observedAtMs: ms)
        h.batteryLevel = battery
        h.wifiRSSI = rssi
        h.osName = "Debian GNU/Linux"
        return h
    }

    /// Every measurement, present or absent, comes back as it was written: each backend binds the columns its own
    /// way (C API on SQLite, one array per column on PostgreSQL), so both are checked field by field.
    static let everyField: Heartbeat = {
        var h = Heartbeat(seq: 7, observedAtMs: Fixture.t0.epochMilliseconds - 5000)
        h.batteryLevel = 42.5
        h.batteryHealth = 88.25
        h.batteryCycles = 311
        h.charging = true
        h.storageFreeBytes = 12_345_678_901
        h.storageTotalBytes = 64_000_000_000
        h.osName = "Debian GNU/Linux"
        h.osVersion = "12 (bookworm) — « é »"
        h.agentVersion = "1.4.2"
        h.uptimeSeconds = 86_400
        h.wifiSSID = "CLG-Pédagogie"
        h.wifiBSSID = "aa:bb:cc:dd:ee:ff"
        h.wifiRSSI = -71
        h.wifiBand = "5GHz"
        h.wifiLinkMbps = 433.3
        h.ip = "10.12.0.34"
        h.downMbps = 95.5
        h.upMbps = 12.25
        h.cartID = UUID(uuidString: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")
        h.cartSlot = 12
        return h
    }()

    @Test(arguments: Backend.allCases, [everyField, Heartbeat(seq: 3, observedAtMs: 1_700_000_000_000)])
    func everyMeasurementRoundTrips(_ backend: Backend, _ heartbeat: Heartbeat) async throws {
        try await withTestDatabase(backend) { db in
            let device = try await Self.enrolled(db, count: 1)[0]
            let telemetry = TelemetryStore(db)
            let received = Fixture.t0.epochMilliseconds
            #expect(try await telemetry.writer.commit([IngestItem(deviceKey: device.key, heartbeats: [heartbeat], receivedAtMs: received)]) == [1])
            let expected = HeartbeatReading(heartbeat, receivedAtMs: received)
            #expect(try await telemetry.history(deviceKey: device.key, beforeSeq: nil, limit: 10) == [expected])
            #expect(try await telemetry.state(deviceID: device.id)?.latest == expected)
        }
    }

    @Test(arguments: Backend.allCases)
    func retriedHeartbeatsAreStoredOnceAndCountedAsDuplicates(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let devices = try await Self.enrolled(db, count: 2)
            let telemetry = TelemetryStore(db)
            let t = Fixture.t0.epochMilliseconds
            let a = IngestItem(deviceKey: devices[0].key, heartbeats: (1...5).map { Self.heartbeat($0, at: t + $0 * 1000) }, receivedAtMs: t + 9000)
            let b = IngestItem(deviceKey: devices[1].key, heartbeats: [Self.heartbeat(1, at: t)], receivedAtMs: t + 9000)
            #expect(try await telemetry.writer.commit([a, b]) == [5, 1])
            // The same batch again (a retry after a lost response), with one new heartbeat for device b.
            let b2 = IngestItem(
                deviceKey: devices[1].key, heartbeats: [Self.heartbeat(1, at: t), Self.heartbeat(2, at: t + 1000)], receivedAtMs: t + 9500)
            #expect(try await telemetry.writer.commit([a, b2]) == [0, 1])
            let counts = try await telemetry.heartbeatCounts(deviceKeys: devices.map(\.key), fromSeq: 1)
            #expect(counts[devices[0].key]?.count == 5 && counts[devices[0].key]?.maxSeq == 5)
            #expect(counts[devices[1].key]?.count == 2)
            let history = try await telemetry.history(deviceKey: devices[0].key, beforeSeq: 5, limit: 2)
            #expect(history.map(\.seq) == [4, 3])
        }
    }

    @Test(arguments: Backend.allCases)
    func latestStateOnlyMovesForward(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let device = try await Self.enrolled(db, count: 1)[0]
            let telemetry = TelemetryStore(db)
            let t = Fixture.t0.epochMilliseconds
            _ = try await telemetry.writer.commit([
                IngestItem(deviceKey: device.key, heartbeats: [Self.heartbeat(10, at: t + 10_000, battery: 80)], receivedAtMs: t + 10_000)
            ])
            // Store-and-forward: older heartbeats arrive later, in one group with a newer one of the same device.
            _ = try await telemetry.writer.commit([
                IngestItem(deviceKey: device.key, heartbeats: [Self.heartbeat(8, at: t + 8_000, battery: 90)], receivedAtMs: t + 20_000),
                IngestItem(
                    deviceKey: device.key,
                    heartbeats: [Self.heartbeat(11, at: t + 11_000, battery: 70), Self.heartbeat(9, at: t + 9_000, battery: 85)],
                    receivedAtMs: t + 20_000),
            ])
            var state = try #require(try await telemetry.state(deviceID: device.id))
            #expect(state.latest.seq == 11 && state.latest.batteryLevel == 70 && state.latest.osName == "Debian GNU/Linux")
            _ = try await telemetry.writer.commit([
                IngestItem(deviceKey: device.key, heartbeats: [Self.heartbeat(5, at: t + 5_000, battery: 99)], receivedAtMs: t + 30_000)
            ])
            state = try #require(try await telemetry.state(deviceID: device.id))
            #expect(state.latest.seq == 11 && state.latest.batteryLevel == 70)
        }
    }

    @Test(arguments: Backend.allCases)
    func retentionRollsWholeDaysUpAndKeepsRecentHeartbeats(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let device = try await Self.enrolled(db, count: 1)[0]
            let telemetry = TelemetryStore(db)
            let day = Int64(86_400_000)
            let now = Fixture.t0
            let today = now.epochMilliseconds / day * day
            // Three heartbeats 40 days ago, two 35 days ago, one today.
            let old = today - 40 * day + 3_600_000
            let older = today - 35 * day + 3_600_000
            _ = try await telemetry.writer.commit([
                IngestItem(
                    deviceKey: device.key,
                    heartbeats: [Self.heartbeat(1, at: old, battery: 80, rssi: -60), Self.heartbeat(2, at: old + 1, battery: 40, rssi: -70)],
                    receivedAtMs: old),
                IngestItem(deviceKey: device.key, heartbeats: [Self.heartbeat(3, at: old + 2, battery: 60, rssi: -65)], receivedAtMs: old + 60_000),
                IngestItem(deviceKey: device.key, heartbeats: [Self.heartbeat(4, at: older), Self.heartbeat(5, at: older + 1)], receivedAtMs: older),
                IngestItem(deviceKey: device.key, heartbeats: [Self.heartbeat(6, at: today + 1)], receivedAtMs: today + 1),
            ])
            let report = try await telemetry.applyRetention(RetentionPolicy(rawDays: 30, dailyDays: 365), now: now)
            #expect(report.heartbeatsRolledUp == 5)
            #expect(try await telemetry.history(deviceKey: device.key, beforeSeq: nil, limit: 50).map(\.seq) == [6])
            let daily = try await telemetry.daily(deviceKey: device.key, deviceID: device.id, limit: 10)
            #expect(daily.map(\.heartbeats) == [2, 3])
            let first = try #require(daily.last)
            #expect(first.day == LocalDate(daysSinceEpoch: Int(old / day)))
            #expect(first.batteryLevelMin == 40 && first.wifiRSSIMin == -70 && first.wifiRSSIAvg == -65)
            #expect(first.firstSeenAt == Date(epochMilliseconds: old) && first.lastSeenAt == Date(epochMilliseconds: old + 60_000))
            // Running again changes nothing; a year later the daily rows go too.
            #expect(try await telemetry.applyRetention(RetentionPolicy(rawDays: 30, dailyDays: 365), now: now).heartbeatsRolledUp == 0)
            let later = try await telemetry.applyRetention(RetentionPolicy(rawDays: 30, dailyDays: 365), now: now.addingTimeInterval(400 * 86_400))
            #expect(later.heartbeatsRolledUp == 1 && later.dailyRowsDeleted == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func anEnrollmentTokenIsNeverUsedBeyondItsLimit(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            try await db.insert(dept)
            try await db.insert(college)
            let telemetry = TelemetryStore(db)
            let token = EnrollmentToken(
                id: UUID(), establishmentID: college.id, prefix: "penr_abcd", label: nil, maxUses: 2, uses: 0,
                expiresAt: Fixture.t0.addingTimeInterval(3600), revokedAt: nil, createdAt: Fixture.t0, createdBy: nil)
            try await db.write(WriteBatch([telemetry.insert(token, hash: "h")]))
            // Five devices race for two uses: exactly two succeed.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        do {
                            try await db.write(WriteBatch([telemetry.consume(enrollmentTokenID: token.id, now: Fixture.t0)]))
                            return true
                        } catch ParcError.unauthenticated {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 2)
            #expect(try await telemetry.enrollmentToken(hash: "h")?.uses == 2)
        }
    }
}
