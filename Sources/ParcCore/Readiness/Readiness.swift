public import Foundation

/// Sizing assumptions for readiness. No official figure is fixed (CARMO's numbers were never published in
/// a consultable form), so these are configuration with documented defaults.
public struct ReadinessParameters: Equatable, Sendable {
    /// Bandwidth one device needs while a class works online (video excluded).
    public var mbpsPerActiveDevice: Double
    /// How many clients one access point serves comfortably, when its own `max_clients` is unknown.
    public var devicesPerAccessPoint: Int
    /// Share of an establishment's client devices in use at the same moment.
    public var concurrentShare: Double
    /// How far back throughput samples count as "measured".
    public var measurementWindowDays: Int

    public init(mbpsPerActiveDevice: Double = 1.0, devicesPerAccessPoint: Int = 30, concurrentShare: Double = 0.5, measurementWindowDays: Int = 30) {
        self.mbpsPerActiveDevice = mbpsPerActiveDevice
        self.devicesPerAccessPoint = devicesPerAccessPoint
        self.concurrentShare = concurrentShare
        self.measurementWindowDays = measurementWindowDays
    }
}

/// The facts readiness is computed from, gathered by the store in a few aggregate queries.
public struct ReadinessFacts: Equatable, Sendable {
    public struct RoomFact: Equatable, Sendable {
        public var id: UUID
        public var teaching: Bool
        public var coverage: WifiCoverage?
        public init(id: UUID, teaching: Bool, coverage: WifiCoverage?) {
            self.id = id
            self.teaching = teaching
            self.coverage = coverage
        }
    }

    public struct AccessPointFact: Equatable, Sendable {
        public var id: UUID
        public var roomID: UUID?
        public var maxClients: Int?
        public var switchable: Bool
        public var schedule: String?
        public var conseilEcoleInformed: Bool
        public init(id: UUID, roomID: UUID?, maxClients: Int?, switchable: Bool, schedule: String?, conseilEcoleInformed: Bool) {
            self.id = id
            self.roomID = roomID
            self.maxClients = maxClients
            self.switchable = switchable
            self.schedule = schedule
            self.conseilEcoleInformed = conseilEcoleInformed
        }
    }

    public struct CartFact: Equatable, Sendable {
        public var id: UUID
        public var capacity: Int
        public var devices: Int
        public var accessPointID: UUID?
        public var builtInAccessPoint: Bool
        public init(id: UUID, capacity: Int, devices: Int, accessPointID: UUID?, builtInAccessPoint: Bool) {
            self.id = id
            self.capacity = capacity
            self.devices = devices
            self.accessPointID = accessPointID
            self.builtInAccessPoint = builtInAccessPoint
        }
    }

    public var kind: Establishment.Kind
    public var rooms: [RoomFact]
    public var accessPoints: [AccessPointFact]
    public var carts: [CartFact]
    public var contractedDownMbps: Double
    public var measuredDownMbps: Double?
    public var clientDevicesInService: Int

    public init(
        kind: Establishment.Kind, rooms: [RoomFact], accessPoints: [AccessPointFact], carts: [CartFact], contractedDownMbps: Double,
        measuredDownMbps: Double?, clientDevicesInService: Int
    ) {
        self.kind = kind
        self.rooms = rooms
        self.accessPoints = accessPoints
        self.carts = carts
        self.contractedDownMbps = contractedDownMbps
        self.measuredDownMbps = measuredDownMbps
        self.clientDevicesInService = clientDevicesInService
    }
}

/// Readiness of one establishment for digital teaching, computed on read.
public struct Readiness: Codable, Equatable, Sendable {
    public struct Wifi: Codable, Equatable, Sendable {
        public var teachingRooms: Int
        public var covered: Int
        public var weak: Int
        public var none: Int
        public var unknown: Int
        /// Covered teaching rooms over all teaching rooms (weak coverage does not count).
        public var coverageShare: Double?
    }

    public struct Bandwidth: Codable, Equatable, Sendable {
        public var contractedDownMbps: Double
        public var measuredDownMbps: Double?
        /// Measured when there are recent samples, contracted otherwise.
        public var effectiveDownMbps: Double
        public var concurrentDevices: Int
        public var mbpsPerConcurrentDevice: Double?
        public var meetsTarget: Bool
    }

    public struct Carts: Codable, Equatable, Sendable {
        public var count: Int
        public var requested: Int
        public var maxConcurrentByBandwidth: Int
        public var maxConcurrentByWifi: Int
        public var canRun: Bool
        /// Why `canRun` is false, in words a collectivité can act on.
        public var limits: [String]
    }

    /// Loi 2015-136 art. 7: in écoles, access points in teaching rooms must be switchable and the conseil d'école informed.
    public struct WifiLaw: Codable, Equatable, Sendable {
        public var applies: Bool
        public var nonCompliantAccessPoints: [UUID]
    }

    public var wifi: Wifi
    public var bandwidth: Bandwidth
    public var carts: Carts
    public var wifiLaw: WifiLaw
    public var parameters: ParametersEcho

    public struct ParametersEcho: Codable, Equatable, Sendable {
        public var mbpsPerActiveDevice: Double
        public var devicesPerAccessPoint: Int
        public var concurrentShare: Double
    }

    public static func compute(_ facts: ReadinessFacts, requestedCarts: Int? = nil, parameters p: ReadinessParameters) -> Readiness {
        let teaching = facts.rooms.filter(\.teaching)
        let covered = teaching.filter { $0.coverage == .covered }.count
        let weak = teaching.filter { $0.coverage == .weak }.count
        let none = teaching.filter { $0.coverage == WifiCoverage.none }.count
        let wifi = Wifi(
            teachingRooms: teaching.count, covered: covered, weak: weak, none: none, unknown: teaching.count - covered - weak - none,
            coverageShare: teaching.isEmpty ? nil : Double(covered) / Double(teaching.count))

        let effective = facts.measuredDownMbps ?? facts.contractedDownMbps
        let concurrent = Int((Double(facts.clientDevicesInService) * p.concurrentShare).rounded(.up))
        let perDevice = concurrent == 0 ? nil : effective / Double(concurrent)
        let bandwidth = Bandwidth(
            contractedDownMbps: facts.contractedDownMbps, measuredDownMbps: facts.measuredDownMbps, effectiveDownMbps: effective,
            concurrentDevices: concurrent, mbpsPerConcurrentDevice: perDevice,
            meetsTarget: perDevice.map { $0 >= p.mbpsPerActiveDevice } ?? (effective > 0))

        // A cart loads the link with the devices it holds (its capacity when nothing is assigned yet).
        let cartSizes = facts.carts.map { max($0.devices, $0.devices == 0 ? $0.capacity : 0) }
        let averageCart = cartSizes.isEmpty ? 0 : Double(cartSizes.reduce(0, +)) / Double(cartSizes.count)
        let byBandwidth = averageCart == 0 ? 0 : Int((effective / (averageCart * p.mbpsPerActiveDevice)).rounded(.down))

        // Radio: a cart with its own (or an assigned) access point brings its own radio; the others need a
        // covered teaching room whose access points can take a whole cart.
        func capacity(of ap: ReadinessFacts.AccessPointFact) -> Int { ap.maxClients ?? p.devicesPerAccessPoint }
        let apsByID = Dictionary(facts.accessPoints.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var selfServed = 0
        var needRoom: [Int] = []
        for (cart, size) in zip(facts.carts, cartSizes) {
            if cart.builtInAccessPoint {
                selfServed += 1
            } else if let apID = cart.accessPointID, let ap = apsByID[apID], capacity(of: ap) >= size {
                selfServed += 1
            } else {
                needRoom.append(size)
            }
        }
        let roomCapacity = Dictionary(grouping: facts.accessPoints.filter { $0.roomID != nil }, by: { $0.roomID! })
            .mapValues { $0.reduce(0) { $0 + capacity(of: $1) } }
        let suitableRooms = teaching.filter { $0.coverage == .covered }.filter { room in
            (roomCapacity[room.id] ?? p.devicesPerAccessPoint) >= Int(averageCart.rounded(.up))
        }.count
        let byWifi = selfServed + min(needRoom.count, suitableRooms)

        let requested = requestedCarts ?? facts.carts.count
        var limits: [String] = []
        if requested > facts.carts.count { limits.append("the establishment has \(facts.carts.count) classes mobiles, not \(requested)") }
        if requested > byBandwidth {
            limits.append(
                "the Internet link (\(format(effective)) Mbit/s) carries \(byBandwidth) classes mobiles at \(format(p.mbpsPerActiveDevice)) Mbit/s per device"
            )
        }
        if requested > byWifi { limits.append("Wi-Fi serves \(byWifi) classes mobiles at once (built-in access points and covered teaching rooms)") }
        let carts = Carts(
            count: facts.carts.count, requested: requested, maxConcurrentByBandwidth: byBandwidth, maxConcurrentByWifi: byWifi,
            canRun: requested > 0 && limits.isEmpty, limits: requested == 0 ? ["no classe mobile requested"] : limits)

        let teachingIDs = Set(teaching.map(\.id))
        let law = WifiLaw(
            applies: facts.kind.isEcole,
            nonCompliantAccessPoints: facts.kind.isEcole
                ? facts.accessPoints.filter { ap in
                    guard let room = ap.roomID, teachingIDs.contains(room) else { return false }
                    return !ap.switchable || !ap.conseilEcoleInformed
                }.map(\.id) : [])

        return Readiness(
            wifi: wifi, bandwidth: bandwidth, carts: carts, wifiLaw: law,
            parameters: ParametersEcho(
                mbpsPerActiveDevice: p.mbpsPerActiveDevice, devicesPerAccessPoint: p.devicesPerAccessPoint, concurrentShare: p.concurrentShare))
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// The median of a list of samples, used for "measured" throughput so one bad speed test does not dominate.
public func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
