import Foundation
import ParcCore
import ParcStore

/// Views derived on read from the latest state: nothing here is stored, so they are always consistent with
/// what devices last said and with the inventory (carts, access points, rooms) as it is now.
struct TelemetryViews: Sendable {
    let storage: Storage
    let clock: AppClock
    let settings: IngestSettings
    let agents: AgentService

    struct PresenceReport: Codable, Sendable {
        struct Row: Codable, Sendable {
            var deviceID: UUID
            var serialNumber: String
            var assetTag: String?
            var kind: String
            var status: String
            var enrolled: Bool
            var presence: Presence
            var lastSeenAt: Date?
            var batteryLevel: Double?
            var batteryHealth: Double?
            var storageFreeBytes: Int64?
            var storageTotalBytes: Int64?
            var wifiRSSI: Int64?
            var osName: String?
            var osVersion: String?
        }

        var establishmentID: UUID
        var checkinIntervalSeconds: Int
        var counts: [String: Int]
        var devices: [Row]
    }

    func presence(_ establishmentID: UUID, only: Presence?) async throws -> PresenceReport {
        let interval = try await agents.interval(establishmentID: establishmentID)
        let now = clock.now()
        var counts = Dictionary(uniqueKeysWithValues: Presence.allCases.map { ($0.rawValue, 0) })
        var rows: [PresenceReport.Row] = []
        for row in try await storage.telemetry.fleet(establishmentIDs: [establishmentID]) {
            let p = settings.presence.presence(lastSeen: row.lastSeenMs.map(Date.init(epochMilliseconds:)), intervalSeconds: interval, now: now)
            counts[p.rawValue, default: 0] += 1
            if let only, only != p { continue }
            rows.append(
                .init(
                    deviceID: row.deviceID, serialNumber: row.serialNumber, assetTag: row.assetTag, kind: row.kind, status: row.status,
                    enrolled: row.enrolled, presence: p, lastSeenAt: row.lastSeenMs.map(Date.init(epochMilliseconds:)),
                    batteryLevel: row.batteryLevel, batteryHealth: row.batteryHealth, storageFreeBytes: row.storageFreeBytes,
                    storageTotalBytes: row.storageTotalBytes, wifiRSSI: row.wifiRSSI, osName: row.osName, osVersion: row.osVersion))
        }
        return PresenceReport(establishmentID: establishmentID, checkinIntervalSeconds: interval, counts: counts, devices: rows)
    }

    struct WifiSignalReport: Codable, Sendable {
        struct AccessPointSignal: Codable, Sendable {
            var accessPointID: UUID
            var roomID: UUID?
            var devices: Int
            var rssiAverage: Double
            var rssiMin: Int64
        }

        struct RoomSignal: Codable, Sendable {
            var roomID: UUID
            var devices: Int
            var rssiAverage: Double
            var measuredCoverage: WifiCoverage
        }

        var since: Date
        var accessPoints: [AccessPointSignal]
        var rooms: [RoomSignal]
        /// Devices seen on a BSSID no access point of the inventory declares (a neighbour's network, an undeclared AP).
        var devicesOnUnknownBSSIDs: Int
    }

    func wifiSignal(_ establishmentID: UUID, hours: Int) async throws -> WifiSignalReport {
        let since = clock.now().addingTimeInterval(-Double(hours) * 3600)
        let sinceMs = since.epochMilliseconds
        let mapping = Dictionary(
            try await storage.telemetry.accessPointBSSIDs(establishmentID: establishmentID).map { ($0.bssid, ($0.accessPointID, $0.roomID)) },
            uniquingKeysWith: { a, _ in a })
        var perAP: [UUID: (room: UUID?, rssi: [Int64])] = [:]
        var unknown = 0
        for row in try await storage.telemetry.fleet(establishmentIDs: [establishmentID]) {
            guard let seen = row.lastSeenMs, seen >= sinceMs, let bssid = row.wifiBSSID, let rssi = row.wifiRSSI else { continue }
            guard let (ap, room) = mapping[bssid] else {
                unknown += 1
                continue
            }
            perAP[ap, default: (room, [])].rssi.append(rssi)
        }
        func average(_ values: [Int64]) -> Double { (Double(values.reduce(0, +)) / Double(values.count) * 10).rounded() / 10 }
        let aps = perAP.map { id, v in
            WifiSignalReport.AccessPointSignal(
                accessPointID: id, roomID: v.room, devices: v.rssi.count, rssiAverage: average(v.rssi), rssiMin: v.rssi.min()!)
        }.sorted { $0.accessPointID.uuidString < $1.accessPointID.uuidString }
        var perRoom: [UUID: [Int64]] = [:]
        for (_, v) in perAP { if let room = v.room { perRoom[room, default: []] += v.rssi } }
        let rooms = perRoom.map { room, rssi in
            let avg = average(rssi)
            return WifiSignalReport.RoomSignal(
                roomID: room, devices: rssi.count, rssiAverage: avg, measuredCoverage: SignalCoverage.classify(averageRSSI: avg))
        }.sorted { $0.roomID.uuidString < $1.roomID.uuidString }
        return WifiSignalReport(since: since, accessPoints: aps, rooms: rooms, devicesOnUnknownBSSIDs: unknown)
    }

    func completeness(_ cart: MobileCart, hours: Int) async throws -> CartCompleteness {
        let since = clock.now().addingTimeInterval(-Double(hours) * 3600)
        let sinceMs = since.epochMilliseconds
        var cartBSSIDs: Set<String> = []
        if let ap = cart.accessPointID { cartBSSIDs = Set(try await storage.telemetry.bssids(accessPointID: ap)) }
        let members = try await storage.telemetry.fleet(establishmentIDs: [cart.establishmentID]).filter { $0.assignedCartID == cart.id }.map {
            row in
            let recent = (row.lastSeenMs ?? .min) >= sinceMs
            let withCart = row.reportedCartID == cart.id || (row.wifiBSSID.map { cartBSSIDs.contains($0) } ?? false)
            return CartCompleteness.Member(
                deviceID: row.deviceID, serialNumber: row.serialNumber, assetTag: row.assetTag,
                lastSeenAt: row.lastSeenMs.map(Date.init(epochMilliseconds:)), seenWithCart: recent && withCart)
        }
        return CartCompleteness(cartID: cart.id, capacity: cart.capacity, since: since, members: members)
    }

    struct MeasuredBandwidth: Codable, Sendable {
        var establishmentID: UUID
        var since: Date
        var contractedDownMbps: Double
        var contractedUpMbps: Double
        var downMbps: SampleSummary?
        var upMbps: SampleSummary?
        /// Median measured over contracted download rate, when both are known.
        var downRatio: Double?
    }

    func bandwidth(_ establishmentID: UUID, hours: Int) async throws -> MeasuredBandwidth {
        let since = clock.now().addingTimeInterval(-Double(hours) * 3600)
        let samples = try await storage.telemetry.measuredThroughput(
            establishmentID: establishmentID, sinceMs: since.epochMilliseconds, limit: 20_000)
        let links = try await storage.repository(InternetLink.self).find(where: "establishment_id", in: [establishmentID.sqlValue])
        let down = SampleSummary(samples.map(\.down))
        let contracted = links.reduce(0) { $0 + $1.downMbps }
        return MeasuredBandwidth(
            establishmentID: establishmentID, since: since, contractedDownMbps: contracted, contractedUpMbps: links.reduce(0) { $0 + $1.upMbps },
            downMbps: down, upMbps: SampleSummary(samples.compactMap(\.up)),
            downRatio: down.flatMap { contracted > 0 ? ($0.median / contracted * 100).rounded() / 100 : nil })
    }
}
