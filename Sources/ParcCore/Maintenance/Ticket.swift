public import Foundation

/// A maintenance ticket of one establishment: who reported what, on which equipment, where it stands, and how
/// its service levels are doing.
public struct Ticket: Codable, Equatable, Sendable, Identifiable {
    public enum Category: String, Codable, CaseIterable, Sendable {
        case hardware, software, wifi
        case internetLink = "internet_link"
        case account
        case loanDamage = "loan_damage"
        case other
    }

    public enum Status: String, Codable, CaseIterable, Sendable {
        case new, assigned
        case inProgress = "in_progress"
        case pending, resolved, closed

        /// Resolved and closed tickets are no longer in anyone's queue.
        public var isOpen: Bool { self != .resolved && self != .closed }
    }

    /// Why a ticket waits. The SLA policy says which reasons stop its clock.
    public enum PendingReason: String, Codable, CaseIterable, Sendable {
        case supplier, parts, user
        case roomAccess = "room_access"
    }

    public enum Source: String, Codable, CaseIterable, Sendable {
        case manual
        /// Opened by a telemetry rule.
        case rule
    }

    /// Level 3: the supplier repairs (warranty, RMA) under its own contractual deadline.
    public struct SupplierCase: Codable, Equatable, Sendable {
        public var supplier: String
        public var rmaNumber: String?
        public var deadline: LocalDate?

        public init(supplier: String, rmaNumber: String?, deadline: LocalDate?) {
            self.supplier = supplier
            self.rmaNumber = rmaNumber
            self.deadline = deadline
        }
    }

    public var id: UUID
    /// A short number people can say on the phone: per establishment, from 1.
    public var number: Int
    public var establishmentID: UUID
    public var ownerID: UUID
    public var academieCode: String?
    public var category: Category
    public var urgency: Grade
    public var impact: Grade
    public var priority: Priority
    /// Set when someone chose the priority instead of the matrix.
    public var priorityOverridden: Bool
    public var title: String
    public var description: String
    public var reporterID: UUID?
    public var reporterName: String
    public var assigneeID: UUID?
    public var status: Status
    public var pendingReason: PendingReason?
    /// 1 on-site assistant, 2 the collectivité's IT service, 3 the supplier.
    public var level: Int
    public var supplierCase: SupplierCase?
    public var deviceID: UUID?
    /// The device's model, copied so failure rates per model need no join.
    public var modelID: UUID?
    public var cartID: UUID?
    public var accessPointID: UUID?
    public var internetLinkID: UUID?
    public var roomID: UUID?
    public var source: Source
    /// The telemetry rule that opened it, and the key that allows one open ticket per device and rule.
    public var rule: String?
    public var dedupKey: String?
    public var slaPolicyID: UUID?
    public var sla: SLAState?
    public var openedAt: Date
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, number: Int, establishmentID: UUID, ownerID: UUID, academieCode: String?, category: Category, urgency: Grade,
        impact: Grade, priority: Priority, priorityOverridden: Bool, title: String, description: String, reporterID: UUID?,
        reporterName: String, assigneeID: UUID?, status: Status, pendingReason: PendingReason?, level: Int, supplierCase: SupplierCase?,
        deviceID: UUID?, modelID: UUID?, cartID: UUID?, accessPointID: UUID?, internetLinkID: UUID?, roomID: UUID?, source: Source,
        rule: String?, dedupKey: String?, slaPolicyID: UUID?, sla: SLAState?, openedAt: Date, resolvedAt: Date?, closedAt: Date?,
        version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.number = number
        self.establishmentID = establishmentID
        self.ownerID = ownerID
        self.academieCode = academieCode
        self.category = category
        self.urgency = urgency
        self.impact = impact
        self.priority = priority
        self.priorityOverridden = priorityOverridden
        self.title = title
        self.description = description
        self.reporterID = reporterID
        self.reporterName = reporterName
        self.assigneeID = assigneeID
        self.status = status
        self.pendingReason = pendingReason
        self.level = level
        self.supplierCase = supplierCase
        self.deviceID = deviceID
        self.modelID = modelID
        self.cartID = cartID
        self.accessPointID = accessPointID
        self.internetLinkID = internetLinkID
        self.roomID = roomID
        self.source = source
        self.rule = rule
        self.dedupKey = dedupKey
        self.slaPolicyID = slaPolicyID
        self.sla = sla
        self.openedAt = openedAt
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Urgency (how fast it hurts) and impact (how many it hurts), each low, medium or high.
public enum Grade: String, Codable, CaseIterable, Sendable {
    case low, medium, high

    var rank: Int {
        switch self {
        case .low: 1
        case .medium: 2
        case .high: 3
        }
    }
}

/// 1 is the most urgent. The matrix is the ITIL one GLPI users know:
///
/// | impact \ urgency | high | medium | low |
/// |---|---|---|---|
/// | high   | 1 critical | 2 high | 3 medium |
/// | medium | 2 high | 3 medium | 4 low |
/// | low    | 3 medium | 4 low | 5 planned |
public enum Priority: Int, Codable, CaseIterable, Sendable, Comparable {
    case critical = 1, high, medium, low, planned

    public init(urgency: Grade, impact: Grade) {
        self = Priority(rawValue: 7 - urgency.rank - impact.rank)!
    }

    public var label: String {
        switch self {
        case .critical: "critique"
        case .high: "haute"
        case .medium: "moyenne"
        case .low: "basse"
        case .planned: "planifiée"
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The ticket state machine. Everything that moves a ticket asks here first.
public enum TicketWorkflow {
    /// Where a ticket may go from each status. Reopening (resolved → in progress) is further limited in time.
    public static func allowed(from status: Ticket.Status) -> [Ticket.Status] {
        switch status {
        case .new: [.assigned, .inProgress, .pending, .resolved, .closed]
        case .assigned: [.inProgress, .pending, .resolved, .closed]
        case .inProgress: [.pending, .resolved]
        case .pending: [.inProgress, .resolved]
        case .resolved: [.inProgress, .closed]
        case .closed: []
        }
    }

    /// Checks a move and what it needs: a reason to wait, an assignee to be assigned, a reopen within the delay.
    public static func check(
        _ ticket: Ticket, to target: Ticket.Status, reason: Ticket.PendingReason?, reopenWindow: TimeInterval, now: Date
    ) throws(ParcError) {
        let allowed = allowed(from: ticket.status)
        guard allowed.contains(target) else {
            let list = allowed.isEmpty ? "none (closed is final)" : allowed.map(\.rawValue).joined(separator: ", ")
            throw .conflict(field: "status", message: "cannot go from \(ticket.status.rawValue) to \(target.rawValue); allowed: \(list)")
        }
        if target == .pending, reason == nil {
            throw .validation([
                FieldError(field: "reason", reason: "is required to wait: " + Ticket.PendingReason.allCases.map(\.rawValue).joined(separator: ", "))
            ])
        }
        if target == .assigned, ticket.assigneeID == nil {
            throw .validation([FieldError(field: "assignee_id", reason: "assign a technician to move the ticket to assigned")])
        }
        if ticket.status == .resolved, target == .inProgress, let resolvedAt = ticket.resolvedAt, now.timeIntervalSince(resolvedAt) > reopenWindow {
            throw .conflict(
                field: "status",
                message: "the reopen delay (\(Int(reopenWindow / 86_400)) days) has passed since resolution; open a new ticket; allowed: closed")
        }
    }
}

/// One line of a ticket's history: a change, a comment, time spent, an escalation, a breach. Appended, never edited.
public struct TicketEvent: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case created, status, assigned, priority, edited, comment, time, escalated, breach, attachment, rule
    }

    public var seq: Int64
    public var ticketID: UUID
    public var at: Date
    public var actorID: UUID?
    public var actorName: String
    public var kind: Kind
    public var from: String?
    public var to: String?
    public var body: String?
    /// Time entries: minutes spent.
    public var minutes: Int?

    public init(
        seq: Int64 = 0, ticketID: UUID, at: Date, actorID: UUID?, actorName: String, kind: Kind, from: String? = nil, to: String? = nil,
        body: String? = nil, minutes: Int? = nil
    ) {
        self.seq = seq
        self.ticketID = ticketID
        self.at = at
        self.actorID = actorID
        self.actorName = actorName
        self.kind = kind
        self.from = from
        self.to = to
        self.body = body
        self.minutes = minutes
    }
}

/// A file joined to a ticket (a photo of a broken screen, a supplier's RMA form), described without its bytes.
public struct TicketAttachment: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var ticketID: UUID
    public var filename: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var uploadedBy: UUID?
    public var uploadedByName: String
    public var uploadedAt: Date

    public init(
        id: UUID, ticketID: UUID, filename: String, contentType: String, size: Int, sha256: String, uploadedBy: UUID?, uploadedByName: String,
        uploadedAt: Date
    ) {
        self.id = id
        self.ticketID = ticketID
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.uploadedByName = uploadedByName
        self.uploadedAt = uploadedAt
    }

    /// The file types accepted, recognised by their first bytes rather than by what the client claims.
    public static func sniff(_ bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(12))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("ftypheic".utf8), at: 4) || starts(Array("ftypmif1".utf8), at: 4) { return "image/heic" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        return nil
    }
}
