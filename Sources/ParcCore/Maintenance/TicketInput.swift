public import Foundation

/// What a person sends to open a ticket. Either an establishment, or the asset tag on a device or cart, which
/// fills in the establishment, the room and the device.
public struct TicketInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var assetTag: String?
    public var category: String?
    public var urgency: String?
    public var impact: String?
    /// 1 (critical) … 5 (planned): overrides the urgency × impact matrix.
    public var priority: Int?
    public var title: String?
    public var description: String?
    public var deviceID: UUID?
    public var cartID: UUID?
    public var accessPointID: UUID?
    public var internetLinkID: UUID?
    public var roomID: UUID?
    public var assigneeID: UUID?
    public var slaPolicyID: UUID?

    public init(
        establishmentID: UUID? = nil, assetTag: String? = nil, category: String? = nil, urgency: String? = nil, impact: String? = nil,
        priority: Int? = nil, title: String? = nil, description: String? = nil, deviceID: UUID? = nil, cartID: UUID? = nil,
        accessPointID: UUID? = nil, internetLinkID: UUID? = nil, roomID: UUID? = nil, assigneeID: UUID? = nil, slaPolicyID: UUID? = nil
    ) {
        self.establishmentID = establishmentID
        self.assetTag = assetTag
        self.category = category
        self.urgency = urgency
        self.impact = impact
        self.priority = priority
        self.title = title
        self.description = description
        self.deviceID = deviceID
        self.cartID = cartID
        self.accessPointID = accessPointID
        self.internetLinkID = internetLinkID
        self.roomID = roomID
        self.assigneeID = assigneeID
        self.slaPolicyID = slaPolicyID
    }

    public struct Valid: Sendable {
        public var category: Ticket.Category
        public var urgency: Grade
        public var impact: Grade
        public var priority: Priority
        public var priorityOverridden: Bool
        public var title: String
        public var description: String
        public var assetTag: String?
    }

    /// Checks every field at once; references are resolved by the service, inside the caller's scope.
    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let category = v.enumValue(category, "category", as: Ticket.Category.self)
        let urgency = v.enumValue(urgency ?? Grade.medium.rawValue, "urgency", as: Grade.self)
        let impact = v.enumValue(impact ?? Grade.medium.rawValue, "impact", as: Grade.self)
        var chosen: Priority?
        if let priority {
            chosen = Priority(rawValue: priority)
            if chosen == nil { v.fail("priority", "must be 1 (critical) to 5 (planned)") }
        }
        let title = v.requireText(title, "title", maxLength: 200)
        let description = v.optionalText(description, "description", maxLength: 20_000) ?? ""
        let tag = v.optionalText(assetTag, "asset_tag", maxLength: 100)
        if tag == nil, establishmentID == nil { v.fail("establishment_id", "is required (or give the asset_tag of a device)") }
        try v.check()
        return Valid(
            category: category!, urgency: urgency!, impact: impact!, priority: chosen ?? Priority(urgency: urgency!, impact: impact!),
            priorityOverridden: chosen != nil, title: title!, description: description, assetTag: tag)
    }
}

/// A move in the workflow, with the reason to wait and an optional comment that goes into the history.
public struct TransitionInput: Codable, Sendable {
    public var to: String?
    public var reason: String?
    public var comment: String?

    public init(to: String?, reason: String? = nil, comment: String? = nil) {
        self.to = to
        self.reason = reason
        self.comment = comment
    }

    public func validate() throws(ParcError) -> (Ticket.Status, Ticket.PendingReason?, String?) {
        var v = Validator()
        let status = v.enumValue(to, "to", as: Ticket.Status.self)
        let reason = v.enumValue(reason, "reason", as: Ticket.PendingReason.self, required: false)
        let comment = v.optionalText(comment, "comment", maxLength: 20_000)
        try v.check()
        return (status!, reason, comment)
    }
}

/// Raising (or lowering) the support level; level 3 names the supplier and its case.
public struct EscalationInput: Codable, Sendable {
    public var level: Int?
    public var supplier: String?
    public var rmaNumber: String?
    public var supplierDeadline: String?
    public var note: String?

    public init(level: Int?, supplier: String? = nil, rmaNumber: String? = nil, supplierDeadline: String? = nil, note: String? = nil) {
        self.level = level
        self.supplier = supplier
        self.rmaNumber = rmaNumber
        self.supplierDeadline = supplierDeadline
        self.note = note
    }

    public func validate() throws(ParcError) -> (level: Int, supplierCase: Ticket.SupplierCase?, note: String?) {
        var v = Validator()
        let level = v.range(v.require(level, "level"), "level", 1...3)
        let supplier = v.optionalText(supplier, "supplier", maxLength: 200)
        let rma = v.optionalText(rmaNumber, "rma_number", maxLength: 100)
        let deadline = v.date(supplierDeadline, "supplier_deadline")
        let note = v.optionalText(note, "note", maxLength: 20_000)
        if level == 3, supplier == nil { v.fail("supplier", "is required at level 3 (the supplier repairs)") }
        if level != nil, level != 3, supplier != nil || rma != nil { v.fail("supplier", "only applies at level 3") }
        try v.check()
        return (level!, supplier.map { Ticket.SupplierCase(supplier: $0, rmaNumber: rma, deadline: deadline) }, note)
    }
}
