import Foundation
import ParcCore
import Testing

@Suite struct HeartbeatDecoderTests {
    let now = ISO8601Millis.parse("2026-11-23T09:00:00Z")!
    let decoder = HeartbeatDecoder(maxHeartbeats: 3)

    func decode(_ json: String) throws -> [Heartbeat] {
        let bytes = Array(json.utf8)
        return try bytes.withUnsafeBytes { buffer in try decoder.decode(buffer, nowMs: now) }
    }

    func failure(_ json: String) -> ParcError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error as? ParcError
        }
    }

    @Test func readsEveryFieldOfTheProtocol() throws {
        let h = try #require(
            try decode(
                """
                {"seq": 42, "observed_at": "2026-11-23T08:30:00.250+01:00", "agent_version": "1.0.0", "uptime_seconds": 3600, "ip": "10.0.0.2",
                 "battery": {"level_percent": 87.5, "design_capacity_mwh": 45000, "full_capacity_mwh": 41170, "cycle_count": 212, "charging": false},
                 "storage": {"free_bytes": 21474836480, "total_bytes": 128849018880},
                 "os": {"name": "Debian GNU/Linux", "version": "12"},
                 "wifi": {"ssid": "CLG \\"Bourbon\\" \\u00e9", "bssid": "AA-BB-CC-DD-EE-01", "rssi_dbm": -61, "band": "5", "link_rate_mbps": 4.333e2},
                 "throughput": {"down_mbps": 48.2, "up_mbps": 9.1},
                 "cart": {"cart_id": "6f1c2b8e-3d4a-4b5c-9d6e-7f8091a2b3c4", "slot": 12}}
                """
            ).first)
        #expect(h.seq == 42)
        #expect(h.observedAtMs == ISO8601Millis.parse("2026-11-23T07:30:00.250Z"))
        #expect(h.batteryLevel == 87.5 && h.batteryCycles == 212 && h.charging == false)
        #expect(h.effectiveBatteryHealth == 91.5)  // 41170 / 45000, one decimal
        #expect(h.storageFreeBytes == 21_474_836_480 && h.storageTotalBytes == 128_849_018_880)
        #expect(h.osName == "Debian GNU/Linux" && h.osVersion == "12" && h.agentVersion == "1.0.0" && h.uptimeSeconds == 3600)
        #expect(h.wifiSSID == "CLG \"Bourbon\" é" && h.wifiBSSID == "aa:bb:cc:dd:ee:01" && h.wifiRSSI == -61 && h.wifiBand == "5GHz")
        #expect(h.wifiLinkMbps == 433.3 && h.ip == "10.0.0.2" && h.downMbps == 48.2 && h.upMbps == 9.1)
        #expect(h.cartID == UUID(uuidString: "6F1C2B8E-3D4A-4B5C-9D6E-7F8091A2B3C4") && h.cartSlot == 12)
    }

    @Test func absentSourcesStayAbsentAndUnknownFieldsAreIgnored() throws {
        let list = try decode(
            """
            [{"seq": 1, "observed_at": "2026-11-23T08:00:00Z", "battery": null, "wifi": {"rssi_dbm": null},
              "future": {"nested": [1, {"a": [true, false, null]}], "x": -1.5e-3}},
             {"seq": 2, "observed_at": "2026-11-23T08:05:00Z", "gpu": "none"}]
            """)
        #expect(list.map(\.seq) == [1, 2])
        #expect(list[0].batteryLevel == nil && list[0].wifiRSSI == nil && list[0].storageFreeBytes == nil)
    }

    /// Every wrong value is reported with its path, all at once.
    @Test(arguments: [
        (#"{"observed_at": "2026-11-23T08:00:00Z"}"#, ["seq"]),
        (#"{"seq": 0, "observed_at": "2026-11-23T08:00:00Z"}"#, ["seq"]),
        (#"{"seq": 1.5, "observed_at": "2026-11-23T08:00:00Z"}"#, ["seq"]),
        (#"{"seq": 1, "observed_at": "yesterday"}"#, ["observed_at"]),
        (#"{"seq": 1, "observed_at": "2026-11-23T08:00:00"}"#, ["observed_at"]),
        (#"{"seq": 1, "observed_at": "2026-11-25T09:00:01Z"}"#, ["observed_at"]),
        (#"{"seq": 1, "observed_at": "2026-02-30T08:00:00Z"}"#, ["observed_at"]),
        (
            #"{"seq": "1", "observed_at": "2026-11-23T08:00:00Z", "battery": {"level_percent": 120, "charging": "yes"}}"#,
            ["seq", "battery.level_percent", "battery.charging"]
        ),
        (#"{"seq": 1, "observed_at": "2026-11-23T08:00:00Z", "storage": {"free_bytes": 10, "total_bytes": 5}}"#, ["storage.free_bytes"]),
        (
            #"{"seq": 1, "observed_at": "2026-11-23T08:00:00Z", "wifi": {"rssi_dbm": 12, "bssid": "nope", "band": "60GHz"}}"#,
            ["wifi.rssi_dbm", "wifi.bssid", "wifi.band"]
        ),
        (
            #"[{"seq": 1, "observed_at": "2026-11-23T08:00:00Z"}, {"seq": 2, "observed_at": "2026-11-23T08:00:00Z", "cart": {"cart_id": "x"}}]"#,
            ["[1].cart.cart_id"]
        ),
        (#"[{"seq": 1, "observed_at": "2026-11-23T08:00:00Z"}, {"seq": 2}, {"seq": 3}, {"seq": 4}]"#, ["heartbeats"]),
        ("[]", ["heartbeats"]),
    ])
    func invalidValuesNameTheirFields(_ json: String, _ fields: [String]) {
        guard case .validation(let errors)? = failure(json) else {
            Issue.record("expected a validation failure for \(json), got \(String(describing: failure(json)))")
            return
        }
        #expect(errors.map(\.field) == fields)
    }

    @Test(arguments: [
        "", "{", "[", "nul", #"{"seq": 1,}"#, #"{"seq" 1}"#, #"[{"seq": 1, "observed_at": "2026-11-23T08:00:00Z"}] x"#, "\"text\"", "42",
        #"{"seq": 1, "observed_at": "2026-11-23T08:00:00Z", "ip": "a\u{01}b"}"#,
        #"{"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
    ])
    func malformedBodiesAreMalformed(_ json: String) {
        guard case .malformed? = failure(json) else {
            Issue.record("expected malformed for \(json), got \(String(describing: failure(json)))")
            return
        }
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)), ("2026-11-23T08:30:00Z", Int64(1_795_422_600_000)),
        ("2026-11-23T09:30:00+01:00", Int64(1_795_422_600_000)), ("2026-11-23T08:30:00.5Z", Int64(1_795_422_600_500)),
        ("2024-02-29T23:59:59-10:00", Int64(1_709_287_199_000)),
    ])
    func isoTimestamps(_ text: String, _ ms: Int64) {
        #expect(ISO8601Millis.parse(text) == ms)
        #expect(Date(epochMilliseconds: ms).epochMilliseconds == ms)
    }
}

@Suite struct TelemetryPolicyTests {
    let t0 = Date(timeIntervalSince1970: 1_795_422_600)

    @Test(arguments: [
        (nil as Double?, Presence.neverSeen), (0, .online), (600, .online), (601, .stale), (86_400, .stale), (86_401, .offline),
    ])
    func presenceFollowsTheServerClock(_ silence: Double?, _ expected: Presence) {
        let policy = PresencePolicy(onlineIntervals: 2, offlineAfter: 86_400)
        #expect(policy.presence(lastSeen: silence.map { t0.addingTimeInterval(-$0) }, intervalSeconds: 300, now: t0) == expected)
    }

    @Test func checkInJitterSpreadsAroundTheBase() {
        let policy = CheckInPolicy(defaultIntervalSeconds: 300, jitter: 0.2)
        #expect(policy.nextInterval(base: nil, unit: 0) == 240)
        #expect(policy.nextInterval(base: nil, unit: 0.5) == 300)
        #expect(policy.nextInterval(base: 600, unit: 0.999_999) == 720)
        let draws = (0..<1000).map { policy.nextInterval(base: 300, unit: Double($0) / 1000) }
        #expect(Set(draws).count > 100)  // a cart of tablets does not come back in step
    }

    @Test func retentionCutsWholeUTCDays() {
        let policy = RetentionPolicy(rawDays: 30, dailyDays: 365)
        let day = Int(t0.timeIntervalSince1970 / 86_400)
        #expect(policy.rawCutoffDay(now: t0) == day - 30)
        #expect(policy.dailyCutoffDay(now: t0) == day - 365)
        #expect(LocalDate(daysSinceEpoch: day).description == "2026-11-23")
        #expect(LocalDate("2026-11-23")!.daysSinceEpoch == day)
        #expect(LocalDate(daysSinceEpoch: 0).description == "1970-01-01")
    }

    @Test func enrollmentTokensRefuseForTheRightReason() {
        var token = EnrollmentToken(
            id: UUID(), establishmentID: UUID(), prefix: "penr_abcd", label: nil, maxUses: 2, uses: 1, expiresAt: t0.addingTimeInterval(60),
            revokedAt: nil, createdAt: t0, createdBy: nil)
        #expect(token.refusal(now: t0) == nil)
        token.uses = 2
        #expect(token.refusal(now: t0)?.contains("used") == true)
        token.uses = 0
        #expect(token.refusal(now: t0.addingTimeInterval(61))?.contains("expired") == true)
        token.revokedAt = t0
        #expect(token.refusal(now: t0)?.contains("revoked") == true)
    }

    @Test func sampleSummariesUseMeasuredValues() throws {
        let s = try #require(SampleSummary([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]))
        #expect(s.count == 10 && s.average == 55 && s.median == 50 && s.p90 == 90 && s.max == 100)
        #expect(SampleSummary([]) == nil)
        #expect(SignalCoverage.classify(averageRSSI: -60) == .covered)
        #expect(SignalCoverage.classify(averageRSSI: -70) == .weak)
        #expect(SignalCoverage.classify(averageRSSI: -80) == WifiCoverage.none)
    }
}
