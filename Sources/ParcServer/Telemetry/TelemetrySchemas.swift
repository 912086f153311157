import Foundation
import ParcCore
import ParcStore

extension ParcApplication {
    /// A heartbeat as an agent sends it (protocol v1). Every group but `seq` and `observed_at` is optional, and
    /// a source the device lacks is left out rather than sent as zero.
    static let heartbeatExample = """
        {"seq": 42, "observed_at": "2026-11-23T08:30:00Z", "agent_version": "1.0.0", "uptime_seconds": 3600, "ip": "10.12.0.34",
         "battery": {"level_percent": 87, "health_percent": 91.5, "design_capacity_mwh": 45000, "full_capacity_mwh": 41170,
                     "cycle_count": 212, "charging": false},
         "storage": {"free_bytes": 21474836480, "total_bytes": 128849018880},
         "os": {"name": "Debian GNU/Linux", "version": "12"},
         "wifi": {"ssid": "CLG-BOURBON", "bssid": "aa:bb:cc:dd:ee:01", "rssi_dbm": -61, "band": "5GHz", "link_rate_mbps": 433.3},
         "throughput": {"down_mbps": 48.2, "up_mbps": 9.1},
         "cart": {"cart_id": "6F1C2B8E-3D4A-4B5C-9D6E-7F8091A2B3C4", "slot": 12}}
        """

    static let telemetrySchemas: [String: JSONValue] = {
        let epoch = Date(timeIntervalSince1970: 0)
        var schemas: [String: JSONValue] = [:]
        if let heartbeat = try? APIJSON.decoder.decode(JSONValue.self, from: Data(heartbeatExample.utf8)) {
            schemas["Heartbeat"] = OpenAPIDocument.schema(of: heartbeat)
        }
        schemas["HeartbeatReceipt"] = OpenAPIDocument.schema(
            of: .object(["accepted": .integer(1), "duplicates": .integer(0), "next_checkin_seconds": .integer(287), "actions": .array([])]))
        schemas["EnrollRequest"] = OpenAPIDocument.schema(
            example: EnrollRequest(
                enrollmentToken: "penr_…",
                hardware: HardwareIdentity(
                    manufacturer: "Lenovo", serialNumber: "PF1ABCDE", model: "ThinkPad 11e", kind: "laptop", macAddresses: ["aa:bb:cc:dd:ee:ff"]),
                agentVersion: "1.0.0"))
        schemas["Enrollment"] = OpenAPIDocument.schema(
            example: Enrollment(deviceID: UUID(), deviceToken: "pdev_…", establishmentID: UUID(), checkinIntervalSeconds: 300, created: true))
        let token = EnrollmentToken(
            id: UUID(), establishmentID: UUID(), prefix: "penr_abcd", label: "rentrée 2026", maxUses: 500, uses: 12, expiresAt: epoch,
            revokedAt: epoch, createdAt: epoch, createdBy: UUID())
        schemas["EnrollmentToken"] = OpenAPIDocument.schema(example: token)
        schemas["IssuedEnrollmentToken"] = OpenAPIDocument.schema(example: IssuedEnrollmentToken(token: "penr_…", enrollmentToken: token))
        schemas["EnrollmentTokenInput"] = OpenAPIDocument.schema(
            example: EnrollmentTokenInput(label: "rentrée 2026", maxUses: 500, expiresAt: epoch))
        schemas["AgentSettings"] = OpenAPIDocument.schema(example: AgentSettings(checkinIntervalSeconds: 600, effectiveCheckinIntervalSeconds: 600))
        var sample = Heartbeat(seq: 42, observedAtMs: 0)
        sample.batteryLevel = 87
        sample.batteryHealth = 91.5
        sample.batteryCycles = 212
        sample.charging = false
        sample.storageFreeBytes = 21_474_836_480
        sample.storageTotalBytes = 128_849_018_880
        sample.osName = "Debian GNU/Linux"
        sample.osVersion = "12"
        sample.agentVersion = "1.0.0"
        sample.uptimeSeconds = 3600
        sample.wifiSSID = "CLG-BOURBON"
        sample.wifiBSSID = "aa:bb:cc:dd:ee:01"
        sample.wifiRSSI = -61
        sample.wifiBand = "5GHz"
        sample.wifiLinkMbps = 433.3
        sample.ip = "10.12.0.34"
        sample.downMbps = 48.2
        sample.upMbps = 9.1
        sample.cartID = UUID()
        sample.cartSlot = 12
        let reading = HeartbeatReading(sample, receivedAtMs: 0)
        schemas["DeviceState"] = OpenAPIDocument.schema(
            example: DeviceState(deviceID: UUID(), establishmentID: UUID(), presence: .online, latest: reading))
        schemas["HeartbeatReading"] = OpenAPIDocument.schema(example: reading)
        schemas["DailyRollup"] = OpenAPIDocument.schema(
            example: DailyRollup(
                deviceID: UUID(), day: LocalDate("2026-11-23")!, heartbeats: 96, firstSeenAt: epoch, lastSeenAt: epoch, batteryLevelMin: 12.5,
                batteryHealthMin: 91.5, storageFreeMinBytes: 21_474_836_480, wifiRSSIAvg: -63.2, wifiRSSIMin: -71, downMbpsAvg: 45.1, upMbpsAvg: 8.7))
        schemas["PresenceReport"] = OpenAPIDocument.schema(
            example: TelemetryViews.PresenceReport(
                establishmentID: UUID(), checkinIntervalSeconds: 300, counts: ["online": 1],
                devices: [
                    .init(
                        deviceID: UUID(), serialNumber: "DMPTX1Y2Z3A4", assetTag: "974-CLG-0001234", kind: "tablet", status: "in_service",
                        enrolled: true,
                        presence: .online, lastSeenAt: epoch, batteryLevel: 87, batteryHealth: 91.5, storageFreeBytes: 1, storageTotalBytes: 2,
                        wifiRSSI: -61, osName: "iPadOS", osVersion: "17.7")
                ]))
        schemas["WifiSignalReport"] = OpenAPIDocument.schema(
            example: TelemetryViews.WifiSignalReport(
                since: epoch, accessPoints: [.init(accessPointID: UUID(), roomID: UUID(), devices: 28, rssiAverage: -62.5, rssiMin: -74)],
                rooms: [.init(roomID: UUID(), devices: 28, rssiAverage: -62.5, measuredCoverage: .covered)], devicesOnUnknownBSSIDs: 0))
        schemas["CartCompleteness"] = OpenAPIDocument.schema(
            example: CartCompleteness(
                cartID: UUID(), capacity: 16, since: epoch,
                members: [.init(deviceID: UUID(), serialNumber: "DMPTX1Y2Z3A4", assetTag: nil, lastSeenAt: epoch, seenWithCart: false)]))
        schemas["MeasuredBandwidth"] = OpenAPIDocument.schema(
            example: TelemetryViews.MeasuredBandwidth(
                establishmentID: UUID(), since: epoch, contractedDownMbps: 100, contractedUpMbps: 50, downMbps: SampleSummary([48.2, 51.0]),
                upMbps: SampleSummary([9.1]), downRatio: 0.48))
        schemas["BSSIDList"] = OpenAPIDocument.schema(example: BSSIDList(bssids: ["aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]))
        return schemas
    }()
}
