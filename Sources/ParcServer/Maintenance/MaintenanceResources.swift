import Foundation
import ParcCore
import ParcStore

private let epoch = Date(timeIntervalSince1970: 0)

/// A collectivité's maintenance contract lots. Changing a lot recomputes the deadlines of its open tickets in the
/// same transaction; a new lot adopts the open tickets that had no contract.
struct SLAPolicyResource: InventoryResource {
    let engine: SLAEngine

    static let path = "sla-policies"
    static let noun = "sla_policy"
    static let filters: [String: FilterSpec] = ["collectivite_id": .uuid("collectivite_id"), "q": .search("name")]
    static let example = SLAPolicy(
        id: UUID(), collectiviteID: UUID(), name: "Maintenance des collèges 2026-2029", lot: "Lot 1 — Nord", establishmentIDs: [],
        targets: Priority.allCases.map {
            SLAPolicy.Target(priority: $0, interventionMinutes: 120 * $0.rawValue, restorationMinutes: 480 * $0.rawValue)
        },
        pausingReasons: [.supplier, .user, .roomAccess], hours: .schoolDefault, excludeSchoolHolidays: true, escalateAtPercent: 75,
        createdAt: epoch, updatedAt: epoch)
    static let exampleInput = SLAPolicyInput(example)

    func input(from policy: SLAPolicy) -> SLAPolicyInput { SLAPolicyInput(policy) }

    func build(_ input: SLAPolicyInput, existing: SLAPolicy?, context: BuildContext) async throws -> Built<SLAPolicy> {
        let v = try input.validate()
        guard try await context.storage.repository(Collectivite.self).get(v.collectiviteID, in: context.principal.scope) != nil else {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "no such collectivité")])
        }
        if let existing, existing.collectiviteID != v.collectiviteID {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "a contract cannot move to another collectivité")])
        }
        try await MaintenanceScope.checkEstablishments(v.establishmentIDs, collectiviteID: v.collectiviteID, context: context)
        let others = try await context.storage.tickets.policies(collectiviteID: v.collectiviteID).filter { $0.id != existing?.id }
        if v.establishmentIDs.isEmpty, let other = others.first(where: \.establishmentIDs.isEmpty) {
            throw ParcError.conflict(
                field: "establishment_ids",
                message: "\(other.name) already covers every establishment not named by a lot; name this lot's establishments")
        }
        for other in others {
            if let shared = other.establishmentIDs.first(where: v.establishmentIDs.contains) {
                throw ParcError.conflict(field: "establishment_ids", message: "\(shared) is already covered by \(other.name)")
            }
        }
        let record = SLAPolicy(
            id: existing?.id ?? context.newID, collectiviteID: v.collectiviteID, name: v.name, lot: v.lot, establishmentIDs: v.establishmentIDs,
            targets: v.targets, pausingReasons: v.pausingReasons, hours: v.hours, excludeSchoolHolidays: v.excludeSchoolHolidays,
            escalateAtPercent: v.escalateAtPercent, version: existing?.version ?? 1, createdAt: existing?.createdAt ?? context.now,
            updatedAt: context.now)
        var affected = existing == nil ? [] : try await context.storage.tickets.openTickets(policyID: record.id)
        let adoptable = try await context.storage.tickets.openTicketsWithoutPolicy(ownerID: v.collectiviteID)
        affected += adoptable.filter { SLAPolicy.governing($0.establishmentID, among: others + [record])?.id == record.id }
        return Built(record: record, extra: try await engine.recompute(affected, policy: record, now: context.now))
    }

    func deleteGuards(_ policy: SLAPolicy) -> [WriteStatement] {
        [TicketStore.noOpenTickets(policyID: policy.id)]
    }
}

/// Technicians' rounds: which establishments each covers, on which weekdays.
struct RoundResource: InventoryResource {
    static let path = "rounds"
    static let noun = "round"
    static let filters: [String: FilterSpec] = [
        "collectivite_id": .uuid("collectivite_id"), "technician_id": .uuid("technician_id"), "q": .search("name"),
    ]
    static let example = Round(
        id: UUID(), collectiviteID: UUID(), technicianID: UUID(), name: "Tournée Nord — mardi et jeudi", establishmentIDs: [UUID()],
        weekdays: [.tuesday, .thursday], createdAt: epoch, updatedAt: epoch)
    static let exampleInput = RoundInput(
        collectiviteID: UUID(), technicianID: UUID(), name: "Tournée Nord — mardi et jeudi", establishmentIDs: [UUID()],
        weekdays: ["tuesday", "thursday"])

    func input(from round: Round) -> RoundInput {
        RoundInput(
            collectiviteID: round.collectiviteID, technicianID: round.technicianID, name: round.name, establishmentIDs: round.establishmentIDs,
            weekdays: round.weekdays.map(\.rawValue))
    }

    func build(_ input: RoundInput, existing: Round?, context: BuildContext) async throws -> Built<Round> {
        let v = try input.validate()
        guard try await context.storage.repository(Collectivite.self).get(v.collectiviteID, in: context.principal.scope) != nil else {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "no such collectivité")])
        }
        guard let technician = try await context.storage.access.principal(id: v.technicianID), technician.role == .technician else {
            throw ParcError.validation([FieldError(field: "technician_id", reason: "is not a technician")])
        }
        try await MaintenanceScope.checkEstablishments(v.establishmentIDs, collectiviteID: v.collectiviteID, context: context)
        let record = Round(
            id: existing?.id ?? context.newID, collectiviteID: v.collectiviteID, technicianID: v.technicianID, name: v.name,
            establishmentIDs: v.establishmentIDs, weekdays: v.weekdays, version: existing?.version ?? 1,
            createdAt: existing?.createdAt ?? context.now, updatedAt: context.now)
        return Built(record: record, extra: context.storage.tickets.setRoundEstablishments(record))
    }

    func deleteGuards(_ round: Round) -> [WriteStatement] {
        // Not a guard: the technician stops covering these establishments with the round.
        [TicketStore.clearRoundEstablishments(round.id)]
    }
}
