public import Foundation

public struct AccessPoint: Codable, Equatable, Sendable, Identifiable {
    public enum Band: String, Codable, CaseIterable, Sendable {
        case ghz2_4 = "2.4"
        case ghz5 = "5"
        case ghz6 = "6"
    }

    public enum Standard: String, Codable, CaseIterable, Sendable {
        case wifi4, wifi5, wifi6, wifi6e, wifi7
    }

    public var id: UUID
    public var establishmentID: UUID
    public var roomID: UUID?
    public var name: String
    public var manufacturer: String?
    public var model: String?
    public var bands: [Band]
    public var standard: Standard?
    public var maxClients: Int?
    public var poe: Bool
    /// Loi 2015-136 art. 7: in écoles, classroom Wi-Fi must be switched off outside digital teaching activities.
    public var switchable: Bool
    /// When the access point is on, e.g. `Mon-Fri 08:30-11:30,13:30-16:00`.
    public var schedule: String?
    /// Écoles must inform the conseil d'école before installing a new radio equipment.
    public var conseilEcoleInformedOn: LocalDate?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, roomID: UUID?, name: String, manufacturer: String?, model: String?, bands: [Band],
        standard: Standard?, maxClients: Int?, poe: Bool, switchable: Bool, schedule: String?, conseilEcoleInformedOn: LocalDate?,
        version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.roomID = roomID
        self.name = name
        self.manufacturer = manufacturer
        self.model = model
        self.bands = bands
        self.standard = standard
        self.maxClients = maxClients
        self.poe = poe
        self.switchable = switchable
        self.schedule = schedule
        self.conseilEcoleInformedOn = conseilEcoleInformedOn
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct AccessPointInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var roomID: UUID?
    public var name: String?
    public var manufacturer: String?
    public var model: String?
    public var bands: [String]?
    public var standard: String?
    public var maxClients: Int?
    public var poe: Bool?
    public var switchable: Bool?
    public var schedule: String?
    public var conseilEcoleInformedOn: String?

    public init(
        establishmentID: UUID? = nil, roomID: UUID? = nil, name: String? = nil, manufacturer: String? = nil, model: String? = nil,
        bands: [String]? = nil, standard: String? = nil, maxClients: Int? = nil, poe: Bool? = nil, switchable: Bool? = nil,
        schedule: String? = nil, conseilEcoleInformedOn: String? = nil
    ) {
        self.establishmentID = establishmentID
        self.roomID = roomID
        self.name = name
        self.manufacturer = manufacturer
        self.model = model
        self.bands = bands
        self.standard = standard
        self.maxClients = maxClients
        self.poe = poe
        self.switchable = switchable
        self.schedule = schedule
        self.conseilEcoleInformedOn = conseilEcoleInformedOn
    }

    public struct Valid: Sendable, Equatable {
        public var establishmentID: UUID
        public var roomID: UUID?
        public var name: String
        public var manufacturer: String?
        public var model: String?
        public var bands: [AccessPoint.Band]
        public var standard: AccessPoint.Standard?
        public var maxClients: Int?
        public var poe: Bool
        public var switchable: Bool
        public var schedule: String?
        public var conseilEcoleInformedOn: LocalDate?
    }

    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let establishmentID = v.require(self.establishmentID, "establishment_id")
        let name = v.requireText(self.name, "name", maxLength: 100)
        var bands: [AccessPoint.Band] = []
        for raw in self.bands ?? ["2.4", "5"] {
            if let band = AccessPoint.Band(rawValue: raw) {
                if !bands.contains(band) { bands.append(band) }
            } else {
                v.fail("bands", "each band must be one of: 2.4, 5, 6")
            }
        }
        let standard = v.enumValue(self.standard, "standard", as: AccessPoint.Standard.self, required: false)
        let maxClients = v.range(self.maxClients, "max_clients", 1...1000)
        let schedule = v.optionalText(self.schedule, "schedule", maxLength: 200)
        if let schedule, !WifiSchedule.isWellFormed(schedule) {
            v.fail("schedule", "must read like 'Mon-Fri 08:30-11:30,13:30-16:00' (days, then comma-separated HH:MM-HH:MM ranges)")
        }
        let informed = v.date(conseilEcoleInformedOn, "conseil_ecole_informed_on")
        try v.check()
        return Valid(
            establishmentID: establishmentID!, roomID: roomID, name: name!, manufacturer: v.optionalText(manufacturer, "manufacturer"),
            model: v.optionalText(model, "model"), bands: bands, standard: standard, maxClients: maxClients, poe: poe ?? false,
            switchable: switchable ?? false, schedule: schedule, conseilEcoleInformedOn: informed)
    }
}

/// The on-air schedule of an access point, checked for form only; switching happens on the equipment.
public enum WifiSchedule {
    static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return false }
        let dayPart = parts[0].split(separator: "-")
        guard (1...2).contains(dayPart.count), dayPart.allSatisfy({ days.contains(String($0)) }) else { return false }
        return parts[1].split(separator: ",").allSatisfy { range in
            let ends = range.split(separator: "-")
            guard ends.count == 2, let a = minutes(ends[0]), let b = minutes(ends[1]) else { return false }
            return a < b
        }
    }

    static func minutes(_ text: Substring) -> Int? {
        let hm = text.split(separator: ":")
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...23).contains(h),
            (0...59).contains(m)
        else { return nil }
        return h * 60 + m
    }
}
