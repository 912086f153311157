import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
public import ParcCore
import ParcStore

extension ParcApplication {
    /// `/api/v1/tickets` and what hangs off it: the workflow, history, attachments, queues, reports, and the
    /// contracts and rounds they depend on.
    func addTicketRoutes(to api: APIRoutes) {
        let service = tickets
        let storage = self.storage
        let clock = self.clock
        addResourceRoutes(InventoryService(resource: SLAPolicyResource(engine: tickets.engine), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: RoundResource(), storage: storage, clock: clock), to: api)

        api.add(
            .get, "tickets", "List tickets in the caller's scope (open=true for the backlog; filters combine with AND; cursor pagination)",
            tag: "Ticket", query: TicketService.filters.keys.sorted() + ["limit", "cursor"], reply: .page(schema: "Ticket")
        ) { request, context in
            try Reply.json(try await service.list(request.queryDictionary, principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "tickets",
            "Open a ticket for an establishment, or by the asset tag of a device (fills establishment, room, device, cart). Assigned to the round's technician by default",
            tag: "Ticket", body: .json(schema: "TicketInput"), reply: .object(schema: "Ticket"), status: 201
        ) { request, context in
            let ticket = try await service.open(
                try await request.decodeJSON(TicketInput.self, context: context), principal: try context.requirePrincipal())
            return try Reply.json(ticket, status: .created, version: ticket.version, location: "/api/v1/tickets/\(ticket.id)")
        }
        api.add(
            .get, "ticket-queue",
            "Open tickets in the caller's scope, soonest restoration deadline first (assignee=me for one's own; a technician sees his rounds)",
            tag: "Ticket", query: ["assignee", "limit"], reply: .list(schema: "Ticket")
        ) { request, context in
            let principal = try context.requirePrincipal()
            try service.authorize(principal, .read)
            let query = request.queryDictionary
            var assignee: UUID?
            if let raw = query["assignee"] {
                guard let id = raw == "me" ? principal.id : UUID(uuidString: raw) else {
                    throw ParcError.validation([FieldError(field: "assignee", reason: "must be me or a technician's id")])
                }
                assignee = id
            }
            let limit = try PageRequest(query: query.filter { $0.key == "limit" }).limit
            return try Reply.json(try await storage.tickets.queue(in: principal.scope, assigneeID: assignee, limit: limit))
        }
        api.add(.get, "tickets/{id}", "Read a ticket with its service-level clocks", tag: "Ticket", reply: .object(schema: "Ticket")) { _, context in
            let ticket = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(ticket, version: ticket.version)
        }
        api.add(
            .patch, "tickets/{id}",
            "Change the description, category, urgency, impact, priority (null: back to the matrix), links or contract lot (JSON merge patch; If-Match)",
            tag: "Ticket", body: .json(schema: "TicketEdit"), reply: .object(schema: "Ticket")
        ) { request, context in
            let ticket = try await service.edit(
                try context.id(), patch: try await request.jsonObject(context: context), ifMatch: try request.ifMatchVersion(),
                principal: try context.requirePrincipal())
            return try Reply.json(ticket, version: ticket.version)
        }
        api.add(
            .post, "tickets/{id}/transitions",
            "Move a ticket in its workflow (new, assigned, in_progress, pending with a reason, resolved, closed; reopen = in_progress from resolved). 409 lists the allowed moves",
            tag: "Ticket", body: .json(schema: "TransitionInput"), reply: .object(schema: "Ticket")
        ) { request, context in
            let ticket = try await service.transition(
                try context.id(), try await request.decodeJSON(TransitionInput.self, context: context), ifMatch: try request.ifMatchVersion(),
                principal: try context.requirePrincipal())
            return try Reply.json(ticket, version: ticket.version)
        }
        api.add(
            .post, "tickets/{id}/assign", "Assign (or reassign) a ticket to a technician covering its establishment", tag: "Ticket",
            body: .json(schema: "AssignInput"), reply: .object(schema: "Ticket")
        ) { request, context in
            let input = try await request.decodeJSON(AssignInput.self, context: context)
            guard let technician = input.technicianID else { throw ParcError.validation([FieldError(field: "technician_id", reason: "is required")]) }
            let ticket = try await service.assign(
                try context.id(), technicianID: technician, ifMatch: try request.ifMatchVersion(), principal: try context.requirePrincipal())
            return try Reply.json(ticket, version: ticket.version)
        }
        api.add(
            .post, "tickets/{id}/escalate",
            "Set the support level: 1 on-site assistant, 2 the collectivité's IT service, 3 the supplier (supplier, RMA number, contractual deadline)",
            tag: "Ticket", body: .json(schema: "EscalationInput"), reply: .object(schema: "Ticket")
        ) { request, context in
            let ticket = try await service.escalate(
                try context.id(), try await request.decodeJSON(EscalationInput.self, context: context), ifMatch: try request.ifMatchVersion(),
                principal: try context.requirePrincipal())
            return try Reply.json(ticket, version: ticket.version)
        }
        api.add(
            .get, "tickets/{id}/history", "Every change, comment, time entry, escalation and breach of a ticket, oldest first", tag: "Ticket",
            reply: .list(schema: "TicketEvent")
        ) { _, context in
            let ticket = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(try await storage.tickets.events(ticketID: ticket.id))
        }
        api.add(
            .post, "tickets/{id}/comments", "Comment on a ticket", tag: "Ticket", body: .json(schema: "CommentInput"),
            reply: .object(schema: "TicketEvent"), status: 201
        ) { request, context in
            let input = try await request.decodeJSON(CommentInput.self, context: context)
            return try Reply.json(
                try await service.comment(try context.id(), body: input.body, principal: try context.requirePrincipal()), status: .created)
        }
        api.add(
            .post, "tickets/{id}/time", "Log time spent on a ticket (minutes, with a note)", tag: "Ticket", body: .json(schema: "TimeInput"),
            reply: .object(schema: "TicketEvent"), status: 201
        ) { request, context in
            let input = try await request.decodeJSON(TimeInput.self, context: context)
            return try Reply.json(
                try await service.logTime(try context.id(), minutes: input.minutes, note: input.note, principal: try context.requirePrincipal()),
                status: .created)
        }
        api.add(
            .get, "tickets/{id}/breaches", "Service-level breaches recorded on a ticket (kept even when later changes recompute the clocks)",
            tag: "Ticket", reply: .list(schema: "SLABreach")
        ) { _, context in
            let ticket = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(try await storage.tickets.breaches(ticketID: ticket.id))
        }
        api.add(.get, "tickets/{id}/attachments", "Files joined to a ticket", tag: "Ticket", reply: .list(schema: "TicketAttachment")) { _, context in
            let ticket = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(try await storage.tickets.attachments(ticketID: ticket.id))
        }
        let maxAttachment = configuration.maintenance.maxAttachmentBytes
        api.add(
            .post, "tickets/{id}/attachments",
            "Join a photo (JPEG, PNG, WebP, HEIC) or a PDF: the raw file as the body, its name in ?filename=. The type is read from the file itself",
            tag: "Ticket", query: ["filename"], body: .file(["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"]),
            reply: .object(schema: "TicketAttachment"), status: 201
        ) { request, context in
            let principal = try context.requirePrincipal()
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxAttachment)
            } catch is NIOTooManyBytesError {
                throw ParcError.payloadTooLarge(limit: maxAttachment)
            }
            let attachment = try await service.attach(
                try context.id(), filename: request.queryDictionary["filename"], declaredType: request.headers[.contentType],
                content: Array(body.readableBytesView), principal: principal)
            return try Reply.json(attachment, status: .created)
        }
        api.add(.get, "tickets/{id}/attachments/{attachment}", "Download an attachment", tag: "Ticket", reply: .file) { _, context in
            let ticket = try await service.get(try context.id(), principal: try context.requirePrincipal())
            guard let (attachment, content) = try await storage.tickets.attachment(id: try context.id("attachment")),
                attachment.ticketID == ticket.id
            else { throw ParcError.notFound("attachment") }
            return Response(
                status: .ok,
                headers: [
                    .contentType: attachment.contentType,
                    .contentDisposition: "attachment; filename=\"\(attachment.filename.replacingOccurrences(of: "\"", with: ""))\"",
                    .init("X-Content-Type-Options")!: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
        api.add(
            .get, "ticket-reports",
            "Maintenance figures by collectivite, establishment, technician or model over a period (from/to, default the last 365 days): counts, SLA compliance, mean and p90 time to restore, backlog age, tickets per 100 devices. format=csv for CSV",
            tag: "Ticket", query: ["by", "from", "to", "collectivite_id", "format"], reply: .list(schema: "TicketReportRow")
        ) { request, context in
            let principal = try context.requirePrincipal()
            try service.authorize(principal, .read)
            let query = request.queryDictionary
            let rows = try await service.report(query, principal: principal)
            guard query["format"] == "csv" else { return try Reply.json(rows) }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"tickets-by-\(query["by"] ?? "").csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: TicketReport.csv(rows))))
        }
        let maintenance = self.maintenance
        api.add(
            .post, "maintenance/run", "Run the escalation pass and the telemetry rules now (administrators)", tag: "Ticket",
            reply: .object(schema: "MaintenanceRun")
        ) { _, context in
            guard try context.requirePrincipal().role == .admin else { throw ParcError.forbidden("only an administrator runs maintenance by hand") }
            return try Reply.json(
                MaintenanceRun(pass: try await maintenance.runPass(claimed: true), rules: try await maintenance.runRules(claimed: true)))
        }
    }
}

struct AssignInput: Codable, Sendable {
    var technicianID: UUID?
}

struct CommentInput: Codable, Sendable {
    var body: String?
}

struct TimeInput: Codable, Sendable {
    var minutes: Int?
    var note: String?
}

struct MaintenanceRun: Codable, Sendable {
    var pass: MaintenanceService.PassReport
    var rules: MaintenanceService.RulesReport
}

extension ParcApplication {
    /// `parc tickets report`: the report as the API would give it to `principal`, as CSV or JSON text.
    public func ticketReport(_ query: [String: String], as principal: Principal) async throws -> String {
        let rows = try await tickets.report(query, principal: principal)
        return query["format"] == "json" ? String(decoding: try APIJSON.encoder.encode(rows), as: UTF8.self) + "\n" : TicketReport.csv(rows)
    }
}

extension TicketService {
    /// Report rows for `by`, over `[from, to)`, in the caller's scope (narrowed to one collectivité when asked).
    func report(_ query: [String: String], principal: Principal) async throws -> [TicketReport.Row] {
        var v = Validator()
        let dimension = v.enumValue(query["by"], "by", as: TicketReport.Dimension.self)
        let from = v.date(query["from"], "from")
        let to = v.date(query["to"], "to")
        let narrowed = v.uuid(query["collectivite_id"], "collectivite_id")
        if let from, let to, to < from { v.fail("to", "is before from") }
        let allowed: Set = ["by", "from", "to", "collectivite_id", "format"]
        for name in query.keys.sorted() where !allowed.contains(name) { v.fail(name, "is not a parameter of ticket reports") }
        if let format = query["format"], format != "csv", format != "json" { v.fail("format", "must be csv or json") }
        try v.check()
        let now = clock.now()
        let scope = principal.scope
        if let narrowed {
            guard try await storage.repository(Collectivite.self).get(narrowed, in: scope) != nil else { throw ParcError.notFound("collectivite") }
        }
        let start = from.map { Date(timeIntervalSince1970: Double($0.daysSinceEpoch) * 86_400) } ?? now.addingTimeInterval(-365 * 86_400)
        let end = to.map { Date(timeIntervalSince1970: Double($0.daysSinceEpoch + 1) * 86_400) } ?? now.addingTimeInterval(1)
        let facts = try await storage.tickets.reportFacts(groupBy: dimension!, in: scope, ownerID: narrowed, from: start, to: end)
        let keys = facts.compactMap(\.key)
        var labels: [UUID: String] = [:]
        switch dimension! {
        case .collectivite:
            for (id, c) in try await storage.repository(Collectivite.self).get(ids: keys) { labels[id] = c.name }
        case .establishment:
            for (id, e) in try await storage.repository(Establishment.self).get(ids: keys) { labels[id] = "\(e.uai.value) \(e.name)" }
        case .technician:
            labels = try await storage.tickets.principalNames(keys)
        case .model:
            for (id, m) in try await storage.repository(DeviceModel.self).get(ids: keys) { labels[id] = "\(m.manufacturer) \(m.name)" }
        }
        let none: String =
            switch dimension! {
            case .technician: "(unassigned)"
            case .model: "(no device)"
            default: "-"
            }
        return facts.map { TicketReport.row($0, label: $0.key.flatMap { labels[$0] } ?? none, now: now) }
    }
}
