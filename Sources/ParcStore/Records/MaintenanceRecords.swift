public import Foundation
public import ParcCore

// Table mappings of the maintenance aggregates.

extension Ticket: StoredRecord {
    public static let table = "tickets"
    public static let resource = ResourceKind.ticket
    public static let scoping = Scoping.denormalized
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("number", number.sqlValue), ("establishment_id", establishmentID.sqlValue), ("owner_id", ownerID.sqlValue),
            ("academie_code", academieCode.sqlValue), ("category", category.sqlValue), ("urgency", urgency.sqlValue),
            ("impact", impact.sqlValue), ("priority", priority.rawValue.sqlValue), ("priority_overridden", priorityOverridden.sqlValue),
            ("title", title.sqlValue), ("description", description.sqlValue), ("reporter_id", reporterID.sqlValue),
            ("reporter_name", reporterName.sqlValue), ("assignee_id", assigneeID.sqlValue), ("status", status.sqlValue),
            ("is_open", status.isOpen.sqlValue), ("pending_reason", pendingReason?.sqlValue ?? .null), ("level", level.sqlValue),
            ("supplier", supplierCase?.supplier.sqlValue ?? .null), ("rma_number", supplierCase?.rmaNumber.sqlValue ?? .null),
            ("supplier_deadline", supplierCase?.deadline.sqlValue ?? .null), ("device_id", deviceID.sqlValue), ("model_id", modelID.sqlValue),
            ("cart_id", cartID.sqlValue), ("access_point_id", accessPointID.sqlValue), ("internet_link_id", internetLinkID.sqlValue),
            ("room_id", roomID.sqlValue), ("source", source.sqlValue), ("rule", rule.sqlValue), ("dedup_key", dedupKey.sqlValue),
            ("sla_policy_id", slaPolicyID.sqlValue), ("sla", sla.map(jsonText)?.sqlValue ?? .null),
            ("gti_due_at", sla?.intervention.dueAt.sqlValue ?? .null), ("gtr_due_at", sla?.restoration.dueAt.sqlValue ?? .null),
            ("escalate_at", escalateAt.sqlValue), ("gti_met", sla.flatMap { Ticket.met($0.intervention) }.sqlValue),
            ("gtr_met", sla.flatMap { Ticket.met($0.restoration) }.sqlValue),
            ("gti_breached", (sla?.intervention.phase == .breached).sqlValue), ("gtr_breached", (sla?.restoration.phase == .breached).sqlValue),
            ("restore_minutes", (status.isOpen ? nil : sla?.restoration.elapsedMinutes).sqlValue), ("opened_at", openedAt.sqlValue),
            ("resolved_at", resolvedAt.sqlValue), ("closed_at", closedAt.sqlValue),
        ] + lifecycle()
    }

    /// Met once the clock stopped within its target, missed as soon as it is breached (for good), unknown meanwhile.
    static func met(_ clock: SLAState.Clock) -> Bool? {
        switch clock.phase {
        case .met: true
        case .breached: false
        case .running, .paused: nil
        }
    }

    /// When the escalation pass should look at an open level-1 ticket: when its restoration clock reaches the
    /// policy's escalation share.
    var escalateAt: Date? { status.isOpen && level == 1 ? sla?.escalateAt : nil }

    public init(row: SQLRow) throws {
        let supplier = try row.optionalString("supplier")
        self.init(
            id: try row.uuid("id"), number: try row.int("number"), establishmentID: try row.uuid("establishment_id"),
            ownerID: try row.uuid("owner_id"), academieCode: try row.optionalString("academie_code"),
            category: try row.enumValue("category", as: Category.self), urgency: try row.enumValue("urgency", as: Grade.self),
            impact: try row.enumValue("impact", as: Grade.self),
            priority: try Priority(rawValue: row.int("priority")).orThrow(StoreError.decoding("column priority: 1…5")),
            priorityOverridden: try row.bool("priority_overridden"), title: try row.string("title"), description: try row.string("description"),
            reporterID: try row.optionalUUID("reporter_id"), reporterName: try row.string("reporter_name"),
            assigneeID: try row.optionalUUID("assignee_id"), status: try row.enumValue("status", as: Status.self),
            pendingReason: try row.optionalEnum("pending_reason", as: PendingReason.self), level: try row.int("level"),
            supplierCase: try supplier.map {
                SupplierCase(supplier: $0, rmaNumber: try row.optionalString("rma_number"), deadline: try row.optionalLocalDate("supplier_deadline"))
            },
            deviceID: try row.optionalUUID("device_id"), modelID: try row.optionalUUID("model_id"), cartID: try row.optionalUUID("cart_id"),
            accessPointID: try row.optionalUUID("access_point_id"), internetLinkID: try row.optionalUUID("internet_link_id"),
            roomID: try row.optionalUUID("room_id"), source: try row.enumValue("source", as: Source.self), rule: try row.optionalString("rule"),
            dedupKey: try row.optionalString("dedup_key"), slaPolicyID: try row.optionalUUID("sla_policy_id"),
            sla: try row.optionalString("sla") == nil ? nil : try row.json("sla", as: SLAState.self), openedAt: try row.date("opened_at"),
            resolvedAt: try row.optionalDate("resolved_at"), closedAt: try row.optionalDate("closed_at"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension SLAPolicy: StoredRecord {
    public static let table = "sla_policies"
    public static let resource = ResourceKind.slaPolicy
    public static let scoping = Scoping.collectiviteOwned
    public var establishmentRef: UUID? { nil }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("collectivite_id", collectiviteID.sqlValue), ("name", name.sqlValue), ("lot", lot.sqlValue),
            ("establishment_ids", jsonText(establishmentIDs).sqlValue), ("targets", jsonText(targets).sqlValue),
            ("pausing_reasons", jsonText(pausingReasons).sqlValue), ("hours", jsonText(hours).sqlValue),
            ("exclude_school_holidays", excludeSchoolHolidays.sqlValue), ("escalate_at_percent", escalateAtPercent.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), collectiviteID: try row.uuid("collectivite_id"), name: try row.string("name"), lot: try row.optionalString("lot"),
            establishmentIDs: try row.json("establishment_ids", as: [UUID].self), targets: try row.json("targets", as: [Target].self),
            pausingReasons: try row.json("pausing_reasons", as: [Ticket.PendingReason].self), hours: try row.json("hours", as: WeekHours.self),
            excludeSchoolHolidays: try row.bool("exclude_school_holidays"), escalateAtPercent: try row.int("escalate_at_percent"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Round: StoredRecord {
    public static let table = "rounds"
    public static let resource = ResourceKind.round
    public static let scoping = Scoping.collectiviteOwned
    public var establishmentRef: UUID? { nil }

    /// The establishments are stored whole with the round, and as rows of `round_establishments` (written in the
    /// same transaction) so a technician's scope is one indexed join.
    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("collectivite_id", collectiviteID.sqlValue), ("technician_id", technicianID.sqlValue),
            ("name", name.sqlValue), ("establishment_ids", jsonText(establishmentIDs).sqlValue), ("weekdays", jsonText(weekdays).sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), collectiviteID: try row.uuid("collectivite_id"), technicianID: try row.uuid("technician_id"),
            name: try row.string("name"), establishmentIDs: try row.json("establishment_ids", as: [UUID].self),
            weekdays: try row.json("weekdays", as: [Weekday].self),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
