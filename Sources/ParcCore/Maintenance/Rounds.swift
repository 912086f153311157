public import Foundation

/// A maintenance assistant's tour: which establishments a technician covers, on which weekdays. A technician
/// sees the tickets of every establishment in his rounds, and new tickets there go to him by default.
public struct Round: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var collectiviteID: UUID
    public var technicianID: UUID
    public var name: String
    public var establishmentIDs: [UUID]
    public var weekdays: [Weekday]
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, collectiviteID: UUID, technicianID: UUID, name: String, establishmentIDs: [UUID], weekdays: [Weekday], version: Int = 1,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.collectiviteID = collectiviteID
        self.technicianID = technicianID
        self.name = name
        self.establishmentIDs = establishmentIDs
        self.weekdays = weekdays
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Days from `today` to the round's next visit (0 when it visits today).
    public func daysToNextVisit(from today: Weekday) -> Int? {
        weekdays.map { ($0.isoNumber - today.isoNumber + 7) % 7 }.min()
    }

    /// The technician a new ticket goes to: among the rounds covering the establishment, the one visiting
    /// soonest; ties go to the round named first, so the choice is the same on every node.
    public static func defaultAssignee(for establishmentID: UUID, rounds: [Round], today: Weekday) -> UUID? {
        rounds.filter { $0.establishmentIDs.contains(establishmentID) }
            .compactMap { round in round.daysToNextVisit(from: today).map { (round, $0) } }
            .min { ($0.1, $0.0.name, $0.0.id.uuidString) < ($1.1, $1.0.name, $1.0.id.uuidString) }?.0.technicianID
    }
}

public struct RoundInput: Codable, Sendable {
    public var collectiviteID: UUID?
    public var technicianID: UUID?
    public var name: String?
    public var establishmentIDs: [UUID]?
    public var weekdays: [String]?

    public init(collectiviteID: UUID?, technicianID: UUID?, name: String?, establishmentIDs: [UUID]?, weekdays: [String]?) {
        self.collectiviteID = collectiviteID
        self.technicianID = technicianID
        self.name = name
        self.establishmentIDs = establishmentIDs
        self.weekdays = weekdays
    }

    public func validate() throws(ParcError) -> (
        collectiviteID: UUID, technicianID: UUID, name: String, establishmentIDs: [UUID], weekdays: [Weekday]
    ) {
        var v = Validator()
        let collectivite = v.require(collectiviteID, "collectivite_id")
        let technician = v.require(technicianID, "technician_id")
        let name = v.requireText(name, "name")
        let establishments = establishmentIDs ?? []
        if establishments.isEmpty { v.fail("establishment_ids", "must list at least one establishment") }
        if Set(establishments).count != establishments.count { v.fail("establishment_ids", "lists an establishment twice") }
        var days: [Weekday] = []
        for raw in weekdays ?? [] {
            if let day = v.enumValue(raw, "weekdays", as: Weekday.self), !days.contains(day) { days.append(day) }
        }
        if (weekdays ?? []).isEmpty { v.fail("weekdays", "must list at least one weekday") }
        try v.check()
        return (collectivite!, technician!, name!, establishments, days.sorted())
    }
}
