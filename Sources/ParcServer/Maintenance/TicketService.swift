import Crypto
import Foundation
import ParcCore
import ParcStore

/// Opens and works tickets. Every change goes through `commit`, which replays the SLA clocks, records new
/// breaches and appends the history in the same transaction as the ticket, under its version.
struct TicketService: Sendable {
    let storage: Storage
    let clock: AppClock
    let settings: MaintenanceSettings
    let engine: SLAEngine

    var repository: Repository<Ticket> { storage.repository(Ticket.self) }

    /// The history's name for the server itself (rules, escalation pass).
    static let systemActor = "Parc"

    func authorize(_ principal: Principal, _ action: Action) throws {
        guard Permissions.allows(principal.role, action, .ticket) else {
            throw ParcError.forbidden("the \(principal.role.rawValue) role cannot \(action.rawValue) tickets")
        }
    }

    /// Staff report and follow; assigning, escalating and logging time are for technicians and the collectivité.
    func requireMaintainer(_ principal: Principal, _ what: String) throws {
        guard principal.role != .establishmentStaff else { throw ParcError.forbidden("establishment staff cannot \(what)") }
    }

    /// The lot a ticket is measured against is the collectivité's decision, not the measured party's.
    func requireContractManager(_ principal: Principal) throws {
        guard principal.role == .admin || principal.role == .collectivite else {
            throw ParcError.forbidden("only the collectivité chooses the contract lot of a ticket")
        }
    }

    func get(_ id: UUID, principal: Principal) async throws -> Ticket {
        try authorize(principal, .read)
        guard let ticket = try await repository.get(id, in: principal.scope) else { throw ParcError.notFound("ticket") }
        return ticket
    }

    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "collectivite_id": .uuid("owner_id"), "academie_code": .text("academie_code"),
        "status": .choice("status", Ticket.Status.allCases.map(\.rawValue)),
        "category": .choice("category", Ticket.Category.allCases.map(\.rawValue)),
        "assignee_id": .uuid("assignee_id"), "device_id": .uuid("device_id"), "model_id": .uuid("model_id"), "cart_id": .uuid("cart_id"),
        "source": .choice("source", Ticket.Source.allCases.map(\.rawValue)), "rule": .choice("rule", TicketRule.Kind.allCases.map(\.rawValue)),
        "level": .level("level", 1...3), "open": .flag("is_open"), "q": .search("title"),
    ]

    func list(_ query: [String: String], principal: Principal) async throws -> Page<Ticket> {
        try authorize(principal, .read)
        return try await repository.list(
            try FilterSpec.filters(from: query, specs: TicketService.filters, of: "tickets"), in: principal.scope, page: try PageRequest(query: query)
        )
    }

    // MARK: Opening

    func open(_ input: TicketInput, principal: Principal) async throws -> Ticket {
        try authorize(principal, .create)
        let valid = try input.validate()
        let now = clock.now()
        let context = BuildContext(principal: principal, storage: storage, now: now, newID: clock.newID())
        var device: Device?
        var establishment: Establishment
        if let tag = valid.assetTag {
            guard let found = try await storage.tickets.device(assetTag: tag, in: principal.scope) else {
                throw ParcError.validation([FieldError(field: "asset_tag", reason: "no device carries this label in your establishments")])
            }
            if let given = input.establishmentID, given != found.establishmentID {
                throw ParcError.validation([FieldError(field: "establishment_id", reason: "the labelled device belongs to another establishment")])
            }
            device = found
            establishment = try await context.establishment(found.establishmentID)
        } else {
            guard let establishmentID = input.establishmentID else {
                throw ParcError.validation([FieldError(field: "establishment_id", reason: "is required (or give the asset_tag of a device)")])
            }
            establishment = try await context.establishment(establishmentID)
            device = try await context.sibling(Device.self, input.deviceID, of: establishment.id, field: "device_id")
        }
        let cart = try await context.sibling(MobileCart.self, input.cartID ?? device?.cartID, of: establishment.id, field: "cart_id")
        let accessPoint = try await context.sibling(AccessPoint.self, input.accessPointID, of: establishment.id, field: "access_point_id")
        let link = try await context.sibling(InternetLink.self, input.internetLinkID, of: establishment.id, field: "internet_link_id")
        let room = try await context.sibling(Room.self, input.roomID ?? device?.roomID, of: establishment.id, field: "room_id")
        var policy: SLAPolicy?
        if let policyID = input.slaPolicyID {
            try requireContractManager(principal)
            policy = try await ownPolicy(policyID, ownerID: establishment.ownerID)
        }
        var assignee = input.assigneeID
        if let chosen = assignee {
            try requireMaintainer(principal, "choose the technician")
            guard try await storage.tickets.technicianCovers(chosen, establishmentID: establishment.id) else {
                throw ParcError.validation([FieldError(field: "assignee_id", reason: "is not a technician covering this establishment")])
            }
        } else {
            assignee = try await defaultAssignee(establishment, now: now)
        }
        let ticket = Ticket(
            id: context.newID, number: 0, establishmentID: establishment.id, ownerID: establishment.ownerID,
            academieCode: establishment.academieCode, category: valid.category, urgency: valid.urgency, impact: valid.impact,
            priority: valid.priority, priorityOverridden: valid.priorityOverridden, title: valid.title, description: valid.description,
            reporterID: principal.id, reporterName: principal.name, assigneeID: assignee, status: .new, pendingReason: nil, level: 1,
            supplierCase: nil, deviceID: device?.id, modelID: device?.modelID, cartID: cart?.id, accessPointID: accessPoint?.id,
            internetLinkID: link?.id, roomID: room?.id, source: .manual, rule: nil, dedupKey: nil, slaPolicyID: policy?.id, sla: nil,
            openedAt: now, resolvedAt: nil, closedAt: nil, createdAt: now, updatedAt: now)
        return try await insert(ticket, establishment: establishment, actor: (principal.id, principal.name), note: nil)
    }

    /// Opens a ticket for a telemetry rule, as the server. The de-duplication key makes a concurrent twin fail.
    func open(_ finding: RuleFinding, rule: TicketRule, device: Device?, link: InternetLink?, establishment: Establishment) async throws -> Ticket {
        let now = clock.now()
        let assignee = try await defaultAssignee(establishment, now: now)
        let ticket = Ticket(
            id: clock.newID(), number: 0, establishmentID: establishment.id, ownerID: establishment.ownerID,
            academieCode: establishment.academieCode, category: rule.category, urgency: .medium, impact: .low, priority: rule.priority,
            priorityOverridden: true, title: finding.title, description: finding.detail, reporterID: nil, reporterName: TicketService.systemActor,
            assigneeID: assignee, status: .new, pendingReason: nil, level: 1, supplierCase: nil, deviceID: device?.id, modelID: device?.modelID,
            cartID: device?.cartID, accessPointID: nil, internetLinkID: link?.id, roomID: device?.roomID, source: .rule, rule: rule.kind.rawValue,
            dedupKey: rule.dedupKey(subject: finding.subject), slaPolicyID: nil, sla: nil, openedAt: now, resolvedAt: nil, closedAt: nil,
            createdAt: now, updatedAt: now)
        return try await insert(ticket, establishment: establishment, actor: (nil, TicketService.systemActor), note: "rule \(rule.kind.rawValue)")
    }

    /// The technician of the round visiting the establishment soonest, counted in its local weekdays.
    func defaultAssignee(_ establishment: Establishment, now: Date) async throws -> UUID? {
        let local = BusinessCalendar(timeZone: HolidayZones.timeZone(departement: establishment.departement), hours: .schoolDefault, closedDays: [])
        let today = Weekday(daysSinceEpoch: local.localDay(of: now).daysSinceEpoch)
        return Round.defaultAssignee(for: establishment.id, rounds: try await storage.tickets.rounds(covering: establishment.id), today: today)
    }

    func insert(_ draft: Ticket, establishment: Establishment, actor: (UUID?, String), note: String?) async throws -> Ticket {
        var ticket = draft
        let now = ticket.openedAt
        var events = [
            TicketEvent(
                ticketID: ticket.id, at: now, actorID: actor.0, actorName: actor.1, kind: .created, to: Ticket.Status.new.rawValue, body: note)
        ]
        var history: [SLAChange] = []
        if let assignee = ticket.assigneeID {
            ticket.status = .assigned
            history.append(SLAChange(at: now, status: .assigned))
            let name = try await storage.tickets.principalNames([assignee])[assignee] ?? assignee.uuidString
            events.append(TicketEvent(ticketID: ticket.id, at: now, actorID: actor.0, actorName: actor.1, kind: .assigned, to: name))
            events.append(TicketEvent(ticketID: ticket.id, at: now, actorID: actor.0, actorName: actor.1, kind: .status, from: "new", to: "assigned"))
        }
        let policy = try await engine.policy(for: ticket)
        let (computed, breaches) = engine.refresh(ticket, establishment: establishment, policy: policy, history: history, now: now)
        ticket = computed
        var batch = WriteBatch(storage.tickets.insert(ticket))
        batch.statements += events.map(storage.tickets.append)
        batch.statements += breaches.map(storage.tickets.record)
        let results = try await storage.database.write(batch)
        ticket.number = try results[1].first?.int("number") ?? 0
        return ticket
    }

    // MARK: Working a ticket

    func transition(_ id: UUID, _ input: TransitionInput, ifMatch: Int?, principal: Principal) async throws -> Ticket {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        try check(ifMatch, old)
        let (target, reason, comment) = try input.validate()
        let now = clock.now()
        try TicketWorkflow.check(old, to: target, reason: reason, reopenWindow: settings.reopenWindow, now: now)
        var ticket = old
        apply(target, reason: reason, to: &ticket, now: now)
        var events = [
            TicketEvent(
                ticketID: id, at: now, actorID: principal.id, actorName: principal.name, kind: .status, from: old.status.rawValue,
                to: target.rawValue,
                body: reason?.rawValue)
        ]
        if let comment {
            events.append(TicketEvent(ticketID: id, at: now, actorID: principal.id, actorName: principal.name, kind: .comment, body: comment))
        }
        return try await commit(ticket, old: old, events: events, changes: [SLAChange(at: now, status: target, pendingReason: reason)], now: now)
    }

    func apply(_ target: Ticket.Status, reason: Ticket.PendingReason?, to ticket: inout Ticket, now: Date) {
        let from = ticket.status
        ticket.status = target
        ticket.pendingReason = target == .pending ? reason : nil
        switch target {
        case .resolved: ticket.resolvedAt = now
        case .closed:
            ticket.closedAt = now
            if from != .resolved { ticket.resolvedAt = ticket.resolvedAt ?? now }
        case .inProgress where from == .resolved: ticket.resolvedAt = nil
        default: break
        }
    }

    func assign(_ id: UUID, technicianID: UUID, ifMatch: Int?, principal: Principal) async throws -> Ticket {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        try requireMaintainer(principal, "assign tickets")
        try check(ifMatch, old)
        guard old.status.isOpen else { throw ParcError.conflict(field: "status", message: "a \(old.status.rawValue) ticket cannot be reassigned") }
        guard try await storage.tickets.technicianCovers(technicianID, establishmentID: old.establishmentID) else {
            throw ParcError.validation([FieldError(field: "technician_id", reason: "is not a technician covering this establishment")])
        }
        let now = clock.now()
        let names = try await storage.tickets.principalNames([technicianID] + (old.assigneeID.map { [$0] } ?? []))
        var ticket = old
        ticket.assigneeID = technicianID
        var events = [
            TicketEvent(
                ticketID: id, at: now, actorID: principal.id, actorName: principal.name, kind: .assigned, from: old.assigneeID.flatMap { names[$0] },
                to: names[technicianID])
        ]
        var changes: [SLAChange] = []
        if old.status == .new {
            ticket.status = .assigned
            events.append(
                TicketEvent(ticketID: id, at: now, actorID: principal.id, actorName: principal.name, kind: .status, from: "new", to: "assigned"))
            changes.append(SLAChange(at: now, status: .assigned))
        }
        return try await commit(ticket, old: old, events: events, changes: changes, now: now)
    }

    func escalate(_ id: UUID, _ input: EscalationInput, ifMatch: Int?, principal: Principal) async throws -> Ticket {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        try requireMaintainer(principal, "escalate tickets")
        try check(ifMatch, old)
        let valid = try input.validate()
        guard old.status.isOpen else { throw ParcError.conflict(field: "status", message: "a \(old.status.rawValue) ticket cannot be escalated") }
        let now = clock.now()
        var ticket = old
        ticket.level = valid.level
        ticket.supplierCase = valid.supplierCase
        var body = valid.note ?? ""
        if let case_ = valid.supplierCase {
            body =
                ([body, "supplier \(case_.supplier)", case_.rmaNumber.map { "RMA \($0)" }, case_.deadline.map { "deadline \($0)" }].compactMap { $0 })
                .filter { !$0.isEmpty }.joined(separator: "; ")
        }
        let event = TicketEvent(
            ticketID: id, at: now, actorID: principal.id, actorName: principal.name, kind: .escalated, from: String(old.level),
            to: String(valid.level),
            body: body.isEmpty ? nil : body)
        return try await commit(ticket, old: old, events: [event], changes: [], now: now)
    }

    struct EditInput: Codable, Sendable {
        var title: String?
        var description: String?
        var category: String?
        var urgency: String?
        var impact: String?
        var priority: Int?
        var deviceID: UUID?
        var cartID: UUID?
        var accessPointID: UUID?
        var internetLinkID: UUID?
        var roomID: UUID?
        var slaPolicyID: UUID?
    }

    /// A JSON merge patch on the descriptive fields. Priority `null` goes back to the matrix; a new priority or
    /// policy recomputes the deadlines from the opening, pauses included.
    func edit(_ id: UUID, patch: JSONValue, ifMatch: Int?, principal: Principal) async throws -> Ticket {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        try check(ifMatch, old)
        let current = EditInput(
            title: old.title, description: old.description, category: old.category.rawValue, urgency: old.urgency.rawValue,
            impact: old.impact.rawValue, priority: old.priorityOverridden ? old.priority.rawValue : nil, deviceID: old.deviceID, cartID: old.cartID,
            accessPointID: old.accessPointID, internetLinkID: old.internetLinkID, roomID: old.roomID, slaPolicyID: old.slaPolicyID)
        let merged = try JSONValue(encoding: current).merging(patch)
        let input = try APIJSON.decoder.decode(EditInput.self, from: APIJSON.encoder.encode(merged))
        let valid = try TicketInput(
            establishmentID: old.establishmentID, category: input.category, urgency: input.urgency, impact: input.impact, priority: input.priority,
            title: input.title, description: input.description
        ).validate()
        let now = clock.now()
        let context = BuildContext(principal: principal, storage: storage, now: now, newID: id)
        var ticket = old
        ticket.title = valid.title
        ticket.description = valid.description
        ticket.category = valid.category
        ticket.urgency = valid.urgency
        ticket.impact = valid.impact
        ticket.priority = valid.priority
        ticket.priorityOverridden = valid.priorityOverridden
        let device = try await context.sibling(Device.self, input.deviceID, of: old.establishmentID, field: "device_id")
        ticket.deviceID = device?.id
        ticket.modelID = device?.modelID
        ticket.cartID = try await context.sibling(MobileCart.self, input.cartID, of: old.establishmentID, field: "cart_id")?.id
        ticket.accessPointID = try await context.sibling(AccessPoint.self, input.accessPointID, of: old.establishmentID, field: "access_point_id")?.id
        ticket.internetLinkID = try await context.sibling(
            InternetLink.self, input.internetLinkID, of: old.establishmentID, field: "internet_link_id")?.id
        ticket.roomID = try await context.sibling(Room.self, input.roomID, of: old.establishmentID, field: "room_id")?.id
        if !old.status.isOpen, valid.priority != old.priority || input.slaPolicyID != old.slaPolicyID {
            // Its service levels are settled: changing them now would rewrite the compliance figures.
            throw ParcError.conflict(field: "priority", message: "a \(old.status.rawValue) ticket keeps its priority and contract lot")
        }
        if input.slaPolicyID != old.slaPolicyID {
            try requireContractManager(principal)
            ticket.slaPolicyID = try await input.slaPolicyID.asyncMap { try await ownPolicy($0, ownerID: old.ownerID).id }
        }
        var events: [TicketEvent] = []
        func event(_ kind: TicketEvent.Kind, _ from: String?, _ to: String?) {
            events.append(TicketEvent(ticketID: id, at: now, actorID: principal.id, actorName: principal.name, kind: kind, from: from, to: to))
        }
        if ticket.priority != old.priority { event(.priority, String(old.priority.rawValue), String(ticket.priority.rawValue)) }
        var edited: [String] = []
        if ticket.title != old.title { edited.append("title") }
        if ticket.description != old.description { edited.append("description") }
        if ticket.category != old.category { edited.append("category") }
        if ticket.urgency != old.urgency { edited.append("urgency") }
        if ticket.impact != old.impact { edited.append("impact") }
        if ticket.deviceID != old.deviceID { edited.append("device_id") }
        if ticket.cartID != old.cartID { edited.append("cart_id") }
        if ticket.accessPointID != old.accessPointID { edited.append("access_point_id") }
        if ticket.internetLinkID != old.internetLinkID { edited.append("internet_link_id") }
        if ticket.roomID != old.roomID { edited.append("room_id") }
        if ticket.slaPolicyID != old.slaPolicyID { edited.append("sla_policy_id") }
        if !edited.isEmpty { event(.edited, nil, edited.joined(separator: ", ")) }
        guard !events.isEmpty else { return old }
        return try await commit(ticket, old: old, events: events, changes: [], now: now)
    }

    func comment(_ id: UUID, body: String?, principal: Principal) async throws -> TicketEvent {
        let ticket = try await get(id, principal: principal)
        try authorize(principal, .update)
        var v = Validator()
        let text = v.requireText(body, "body", maxLength: 20_000)
        try v.check()
        let event = TicketEvent(ticketID: ticket.id, at: clock.now(), actorID: principal.id, actorName: principal.name, kind: .comment, body: text)
        try await storage.database.write(WriteBatch([storage.tickets.append(event)]))
        return event
    }

    func logTime(_ id: UUID, minutes: Int?, note: String?, principal: Principal) async throws -> TicketEvent {
        let ticket = try await get(id, principal: principal)
        try authorize(principal, .update)
        try requireMaintainer(principal, "log time")
        var v = Validator()
        let spent = v.range(v.require(minutes, "minutes"), "minutes", 1...(24 * 60))
        let text = v.optionalText(note, "note", maxLength: 2_000)
        try v.check()
        let event = TicketEvent(
            ticketID: ticket.id, at: clock.now(), actorID: principal.id, actorName: principal.name, kind: .time, body: text, minutes: spent)
        try await storage.database.write(WriteBatch([storage.tickets.append(event)]))
        return event
    }

    func attach(_ id: UUID, filename: String?, declaredType: String?, content: [UInt8], principal: Principal) async throws -> TicketAttachment {
        let ticket = try await get(id, principal: principal)
        try authorize(principal, .update)
        var v = Validator()
        let name = v.requireText(filename, "filename", maxLength: 200)
        if let name, name.contains("/") || name.contains("\\") { v.fail("filename", "must be a file name, without a path") }
        if content.isEmpty { v.fail("content", "is empty") }
        let sniffed = TicketAttachment.sniff(content)
        if !content.isEmpty, sniffed == nil { v.fail("content", "is not a JPEG, PNG, WebP, HEIC image or a PDF document") }
        if let declared = declaredType?.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
            declared != "application/octet-stream", let sniffed, declared != sniffed
        {
            v.fail("content_type", "says \(declared) but the file is \(sniffed)")
        }
        try v.check()
        guard content.count <= settings.maxAttachmentBytes else { throw ParcError.payloadTooLarge(limit: settings.maxAttachmentBytes) }
        let existing = try await storage.tickets.attachments(ticketID: ticket.id)
        guard existing.count < settings.maxAttachmentsPerTicket else {
            throw ParcError.conflict(field: nil, message: "the ticket already has \(existing.count) attachments, the most allowed")
        }
        let now = clock.now()
        let attachment = TicketAttachment(
            id: clock.newID(), ticketID: ticket.id, filename: name!, contentType: sniffed!, size: content.count,
            sha256: SHA256.hex(content), uploadedBy: principal.id,
            uploadedByName: principal.name, uploadedAt: now)
        try await storage.database.write(
            WriteBatch([
                storage.tickets.insert(attachment, content: content),
                storage.tickets.append(
                    TicketEvent(
                        ticketID: ticket.id, at: now, actorID: principal.id, actorName: principal.name, kind: .attachment, to: attachment.filename)),
            ]))
        return attachment
    }

    // MARK: Commit

    func check(_ ifMatch: Int?, _ ticket: Ticket) throws {
        if let ifMatch, ifMatch != ticket.version { throw ParcError.versionMismatch(expected: ifMatch, actual: ticket.version) }
    }

    /// A live SLA policy of the ticket's collectivité.
    func ownPolicy(_ id: UUID, ownerID: UUID) async throws -> SLAPolicy {
        guard let policy = try await storage.repository(SLAPolicy.self).get(id, in: .all), policy.collectiviteID == ownerID else {
            throw ParcError.validation([
                FieldError(field: "sla_policy_id", reason: "is not a service-level policy of the establishment's collectivité")
            ])
        }
        return policy
    }

    /// Writes a changed ticket with its events: the SLA is replayed over the stored status changes plus `changes`,
    /// and breaches seen for the first time are recorded and noted in the history.
    func commit(_ draft: Ticket, old: Ticket, events: [TicketEvent], changes: [SLAChange], now: Date) async throws -> Ticket {
        guard let establishment = try await storage.repository(Establishment.self).get(ids: [draft.establishmentID])[draft.establishmentID] else {
            throw ParcError.notFound("establishment")
        }
        let history = (try await storage.tickets.timelines(ticketIDs: [draft.id])[draft.id] ?? []) + changes
        var (ticket, breaches) = engine.refresh(
            draft, establishment: establishment, policy: try await engine.policy(for: draft), history: history, now: now)
        ticket.version = old.version + 1
        ticket.updatedAt = now
        let known = Set(try await storage.tickets.breaches(ticketID: ticket.id).map(\.clock))
        var batch = WriteBatch([repository.update(ticket, expectedVersion: old.version)])
        batch.statements += events.map(storage.tickets.append)
        for breach in breaches where !known.contains(breach.clock) {
            batch.statements.append(storage.tickets.record(breach))
            batch.statements.append(storage.tickets.append(TicketEvent.breach(breach, at: now)))
        }
        try await storage.database.write(batch)
        return ticket
    }
}

extension TicketEvent {
    /// The history line of a breach seen for the first time.
    static func breach(_ breach: SLABreach, at now: Date) -> TicketEvent {
        TicketEvent(
            ticketID: breach.ticketID, at: now, actorID: nil, actorName: TicketService.systemActor, kind: .breach, to: breach.clock.rawValue,
            body: "due \(ISO8601DateFormatter().string(from: breach.dueAt))")
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
