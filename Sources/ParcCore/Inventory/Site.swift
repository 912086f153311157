public import Foundation

/// A building of an establishment; rooms may belong to one.
public struct Building: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var establishmentID: UUID
    public var name: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, establishmentID: UUID, name: String, version: Int = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.establishmentID = establishmentID
        self.name = name
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct BuildingInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var name: String?

    public init(establishmentID: UUID? = nil, name: String? = nil) {
        self.establishmentID = establishmentID
        self.name = name
    }

    public func validate() throws(ParcError) -> (establishmentID: UUID, name: String) {
        var v = Validator()
        let establishmentID = v.require(self.establishmentID, "establishment_id")
        let name = v.requireText(self.name, "name", maxLength: 100)
        try v.check()
        return (establishmentID!, name!)
    }
}

/// Wi-Fi coverage of a room, as surveyed or as measured from device signal.
public enum WifiCoverage: String, Codable, CaseIterable, Sendable {
    case covered, weak, none
}

public enum CoverageSource: String, Codable, CaseIterable, Sendable {
    /// A site survey or a technician's assessment.
    case survey
    /// Derived from the signal that devices report.
    case measured
}

public struct Room: Codable, Equatable, Sendable, Identifiable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case classroom, laboratory, library
        case computerRoom = "computer_room"
        case gym, office
        case staffRoom = "staff_room"
        case other

        /// Rooms where classes are taught by default; a room can override it.
        public var isTeachingByDefault: Bool { [.classroom, .laboratory, .library, .computerRoom].contains(self) }
    }

    public var id: UUID
    public var establishmentID: UUID
    public var buildingID: UUID?
    public var name: String
    public var kind: Kind
    public var teaching: Bool
    public var floor: Int?
    public var wifiCoverage: WifiCoverage?
    public var coverageSource: CoverageSource?
    public var coverageAssessedOn: LocalDate?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, buildingID: UUID?, name: String, kind: Kind, teaching: Bool, floor: Int?,
        wifiCoverage: WifiCoverage?, coverageSource: CoverageSource?, coverageAssessedOn: LocalDate?, version: Int = 1,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.buildingID = buildingID
        self.name = name
        self.kind = kind
        self.teaching = teaching
        self.floor = floor
        self.wifiCoverage = wifiCoverage
        self.coverageSource = coverageSource
        self.coverageAssessedOn = coverageAssessedOn
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct RoomInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var buildingID: UUID?
    public var name: String?
    public var kind: String?
    public var teaching: Bool?
    public var floor: Int?
    public var wifiCoverage: String?
    public var coverageSource: String?
    public var coverageAssessedOn: String?

    public init(
        establishmentID: UUID? = nil, buildingID: UUID? = nil, name: String? = nil, kind: String? = nil, teaching: Bool? = nil,
        floor: Int? = nil, wifiCoverage: String? = nil, coverageSource: String? = nil, coverageAssessedOn: String? = nil
    ) {
        self.establishmentID = establishmentID
        self.buildingID = buildingID
        self.name = name
        self.kind = kind
        self.teaching = teaching
        self.floor = floor
        self.wifiCoverage = wifiCoverage
        self.coverageSource = coverageSource
        self.coverageAssessedOn = coverageAssessedOn
    }

    public struct Valid: Sendable, Equatable {
        public var establishmentID: UUID
        public var buildingID: UUID?
        public var name: String
        public var kind: Room.Kind
        public var teaching: Bool
        public var floor: Int?
        public var wifiCoverage: WifiCoverage?
        public var coverageSource: CoverageSource?
        public var coverageAssessedOn: LocalDate?
    }

    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let establishmentID = v.require(self.establishmentID, "establishment_id")
        let name = v.requireText(self.name, "name", maxLength: 100)
        let kind = v.enumValue(self.kind ?? Room.Kind.classroom.rawValue, "kind", as: Room.Kind.self)
        let floor = v.range(self.floor, "floor", -5...60)
        let coverage = v.enumValue(wifiCoverage, "wifi_coverage", as: WifiCoverage.self, required: false)
        var source = v.enumValue(coverageSource, "coverage_source", as: CoverageSource.self, required: false)
        if coverage != nil, source == nil { source = .survey }
        if coverage == nil, source != nil { v.fail("coverage_source", "needs a wifi_coverage") }
        let assessed = v.date(coverageAssessedOn, "coverage_assessed_on")
        try v.check()
        return Valid(
            establishmentID: establishmentID!, buildingID: buildingID, name: name!, kind: kind!, teaching: teaching ?? kind!.isTeachingByDefault,
            floor: floor, wifiCoverage: coverage, coverageSource: coverage == nil ? nil : source, coverageAssessedOn: assessed)
    }
}

/// A classe mobile: a cart of tablets or laptops with its charger and, usually, its own access point.
public struct MobileCart: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var establishmentID: UUID
    public var name: String
    public var capacity: Int
    public var homeRoomID: UUID?
    /// The access point the cart's devices join: built into the cart (its own record) or a room's.
    public var accessPointID: UUID?
    public var builtInAccessPoint: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, name: String, capacity: Int, homeRoomID: UUID?, accessPointID: UUID?, builtInAccessPoint: Bool,
        version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.name = name
        self.capacity = capacity
        self.homeRoomID = homeRoomID
        self.accessPointID = accessPointID
        self.builtInAccessPoint = builtInAccessPoint
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct MobileCartInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var name: String?
    public var capacity: Int?
    public var homeRoomID: UUID?
    public var accessPointID: UUID?
    public var builtInAccessPoint: Bool?

    public init(
        establishmentID: UUID? = nil, name: String? = nil, capacity: Int? = nil, homeRoomID: UUID? = nil, accessPointID: UUID? = nil,
        builtInAccessPoint: Bool? = nil
    ) {
        self.establishmentID = establishmentID
        self.name = name
        self.capacity = capacity
        self.homeRoomID = homeRoomID
        self.accessPointID = accessPointID
        self.builtInAccessPoint = builtInAccessPoint
    }

    public func validate() throws(ParcError) -> MobileCartInput {
        var v = Validator()
        _ = v.require(establishmentID, "establishment_id")
        let name = v.requireText(self.name, "name", maxLength: 100)
        _ = v.range(v.require(capacity, "capacity"), "capacity", 1...64)
        try v.check()
        var valid = self
        valid.name = name
        valid.builtInAccessPoint = builtInAccessPoint ?? false
        return valid
    }
}
