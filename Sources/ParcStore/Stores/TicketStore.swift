public import Foundation
public import ParcCore

/// Tickets beyond the generic repository: numbering, history, attachments, breaches, queues, the rows the
/// escalation and rule passes work on, and the report aggregates.
public struct TicketStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    // MARK: Writes

    /// Takes the establishment's next number and inserts the ticket with it; the insert returns the number.
    public func insert(_ ticket: Ticket) -> [WriteStatement] {
        let columns = ticket.columns
        var query: SQLQuery = "INSERT INTO tickets (\(raw: columns.map(\.0).joined(separator: ", "))) VALUES ("
        for (i, (name, value)) in columns.enumerated() {
            if i > 0 { query = query + ", " }
            query =
                name == "number"
                ? query + "(SELECT last_number FROM ticket_counters WHERE establishment_id = \(ticket.establishmentID))" : query + "\(value)"
        }
        return [
            WriteStatement(
                """
                INSERT INTO ticket_counters (establishment_id, last_number) VALUES (\(ticket.establishmentID), 1)
                ON CONFLICT (establishment_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
                """),
            WriteStatement(query + ") RETURNING number", expect: .exactlyOne(orElse: .conflict(field: nil, message: "the ticket was not stored"))),
        ]
    }

    public func append(_ event: TicketEvent) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO ticket_events (ticket_id, at, actor_id, actor_name, kind, from_value, to_value, body, minutes)
            VALUES (\(event.ticketID), \(event.at), \(event.actorID), \(event.actorName), \(event.kind.rawValue), \(event.from), \(event.to),
              \(event.body), \(event.minutes))
            """)
    }

    public func insert(_ attachment: TicketAttachment, content: [UInt8]) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO ticket_attachments (id, ticket_id, filename, content_type, size, sha256, content, uploaded_by, uploaded_by_name, uploaded_at)
            VALUES (\(attachment.id), \(attachment.ticketID), \(attachment.filename), \(attachment.contentType), \(attachment.size),
              \(attachment.sha256), \(SQLValue.blob(content)), \(attachment.uploadedBy), \(attachment.uploadedByName), \(attachment.uploadedAt))
            """)
    }

    /// Records a breach the first time it is seen; later recomputations never remove it.
    public func record(_ breach: SLABreach) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO sla_breaches (ticket_id, clock, due_at, detected_at, priority, policy_id)
            VALUES (\(breach.ticketID), \(breach.clock.rawValue), \(breach.dueAt), \(breach.detectedAt), \(breach.priority.rawValue), \(breach.policyID))
            ON CONFLICT (ticket_id, clock) DO NOTHING
            """)
    }

    /// The rows that let a technician's scope include a round's establishments.
    public func setRoundEstablishments(_ round: Round) -> [WriteStatement] {
        [TicketStore.clearRoundEstablishments(round.id)]
            + round.establishmentIDs.map {
                WriteStatement("INSERT INTO round_establishments (round_id, establishment_id) VALUES (\(round.id), \($0))")
            }
    }

    public static func clearRoundEstablishments(_ roundID: UUID) -> WriteStatement {
        WriteStatement("DELETE FROM round_establishments WHERE round_id = \(roundID)")
    }

    /// An establishment changed owner or académie: its tickets follow, and leave the former owner's contract (the
    /// next change replays them on the new owner's).
    public func move(establishmentID: UUID, ownerID: UUID, academieCode: String?) -> WriteStatement {
        WriteStatement(
            """
            UPDATE tickets SET owner_id = \(ownerID), academie_code = \(academieCode),
              sla_policy_id = CASE WHEN owner_id = \(ownerID) THEN sla_policy_id ELSE NULL END
            WHERE establishment_id = \(establishmentID)
            """)
    }

    /// An establishment with open tickets is not deleted: they would lose their place in every queue.
    public static func noOpenTickets(establishmentID: UUID) -> WriteStatement {
        WriteStatement(
            "SELECT 1 AS found FROM tickets WHERE establishment_id = \(establishmentID) AND is_open = \(true) LIMIT 1",
            expect: .none(orElse: .conflict(field: nil, message: "still has open tickets; resolve or close them first")))
    }

    public func rounds(collectiviteID: UUID) async throws -> [Round] {
        try await database.query("SELECT * FROM rounds WHERE collectivite_id = \(collectiviteID) AND deleted_at IS NULL ORDER BY name, id")
            .map(Round.init(row:))
    }

    /// Open tickets keep the contract they were opened under until closed or moved to another lot.
    public static func noOpenTickets(policyID: UUID) -> WriteStatement {
        WriteStatement(
            "SELECT 1 AS found FROM tickets WHERE sla_policy_id = \(policyID) AND is_open LIMIT 1",
            expect: .none(orElse: .conflict(field: nil, message: "open tickets follow this contract; move them to another lot first")))
    }

    // MARK: Reads of one ticket

    public func events(ticketID: UUID) async throws -> [TicketEvent] {
        try await database.query("SELECT * FROM ticket_events WHERE ticket_id = \(ticketID) ORDER BY seq").map(TicketStore.event(from:))
    }

    /// The status changes of several tickets, for replaying their SLA clocks.
    public func timelines(ticketIDs: [UUID]) async throws -> [UUID: [SLAChange]] {
        var result: [UUID: [SLAChange]] = [:]
        for start in stride(from: 0, to: ticketIDs.count, by: 500) {
            let chunk = Array(ticketIDs[start..<min(start + 500, ticketIDs.count)])
            let rows = try await database.query(
                "SELECT ticket_id, at, to_value, body FROM ticket_events WHERE ticket_id IN \(list: chunk) AND kind = 'status' ORDER BY seq")
            for row in rows {
                guard let status = Ticket.Status(rawValue: try row.string("to_value")) else { continue }
                let reason = status == .pending ? (try row.optionalString("body")).flatMap(Ticket.PendingReason.init(rawValue:)) : nil
                result[try row.uuid("ticket_id"), default: []].append(SLAChange(at: try row.date("at"), status: status, pendingReason: reason))
            }
        }
        return result
    }

    public func attachments(ticketID: UUID) async throws -> [TicketAttachment] {
        try await database.query(
            """
            SELECT id, ticket_id, filename, content_type, size, sha256, uploaded_by, uploaded_by_name, uploaded_at
            FROM ticket_attachments WHERE ticket_id = \(ticketID) ORDER BY uploaded_at, id
            """
        ).map(TicketStore.attachment(from:))
    }

    public func attachment(id: UUID) async throws -> (TicketAttachment, [UInt8])? {
        guard let row = try await database.query("SELECT * FROM ticket_attachments WHERE id = \(id)").first else { return nil }
        return (try TicketStore.attachment(from: row), try row.bytes("content"))
    }

    public func breaches(ticketID: UUID) async throws -> [SLABreach] {
        try await database.query("SELECT * FROM sla_breaches WHERE ticket_id = \(ticketID) ORDER BY due_at").map { row in
            SLABreach(
                ticketID: try row.uuid("ticket_id"), clock: try row.enumValue("clock", as: SLABreach.Clock.self), dueAt: try row.date("due_at"),
                detectedAt: try row.date("detected_at"), priority: Priority(rawValue: try row.int("priority")) ?? .medium,
                policyID: try row.uuid("policy_id"))
        }
    }

    /// A device or cart found by the label stuck on it, inside the caller's scope.
    public func device(assetTag: String, in scope: Scope) async throws -> Device? {
        try await database.query(
            """
            SELECT * FROM devices t WHERE t.asset_tag = \(assetTag) AND t.deleted_at IS NULL AND \(ScopeSQL.predicate(scope, .denormalized, alias: "t"))
            ORDER BY t.id LIMIT 2
            """
        ).map(Device.init(row:)).first
    }

    // MARK: Queues and passes

    /// Open tickets in the scope (optionally one assignee's), soonest restoration deadline first, then priority.
    public func queue(in scope: Scope, assigneeID: UUID?, limit: Int) async throws -> [Ticket] {
        var conditions: [SQLQuery] = ["t.is_open = \(true)", ScopeSQL.predicate(scope, .denormalized, alias: "t")]
        if let assigneeID { conditions.append("t.assignee_id = \(assigneeID)") }
        return try await database.query(
            """
            SELECT * FROM tickets t WHERE \(SQLQuery.joined(conditions, separator: " AND "))
            ORDER BY CASE WHEN t.gtr_due_at IS NULL THEN 1 ELSE 0 END, t.gtr_due_at, t.priority, t.opened_at LIMIT \(limit)
            """
        ).map(Ticket.init(row:))
    }

    /// Open tickets a deadline or the escalation share has caught up with, and that have not been handled for it.
    public func needingAttention(now: Date, limit: Int) async throws -> [Ticket] {
        try await database.query(
            """
            SELECT * FROM tickets t WHERE t.is_open AND (
              (t.gti_due_at <= \(now) AND NOT t.gti_breached) OR (t.gtr_due_at <= \(now) AND NOT t.gtr_breached)
              OR (t.escalate_at <= \(now) AND t.level = 1))
            ORDER BY t.updated_at LIMIT \(limit)
            """
        ).map(Ticket.init(row:))
    }

    /// Resolved tickets whose reopen delay is over, to be closed.
    public func resolved(before: Date, limit: Int) async throws -> [Ticket] {
        try await database.query(
            "SELECT * FROM tickets t WHERE t.status = 'resolved' AND t.resolved_at <= \(before) ORDER BY t.resolved_at LIMIT \(limit)"
        ).map(Ticket.init(row:))
    }

    /// Open tickets governed by a policy, to recompute when the policy changes.
    public func openTickets(policyID: UUID) async throws -> [Ticket] {
        try await database.query("SELECT * FROM tickets t WHERE t.is_open AND t.sla_policy_id = \(policyID)").map(Ticket.init(row:))
    }

    /// Open tickets of an establishment with no policy yet, to attach when a policy starts covering it.
    public func openTicketsWithoutPolicy(ownerID: UUID) async throws -> [Ticket] {
        try await database.query("SELECT * FROM tickets t WHERE t.is_open AND t.owner_id = \(ownerID) AND t.sla_policy_id IS NULL").map(
            Ticket.init(row:))
    }

    /// Open tickets opened by rules, by their de-duplication key, with when their condition was noted as cleared.
    public func openRuleTickets() async throws -> [String: (ticket: Ticket, clearedAt: Date?)] {
        var result: [String: (ticket: Ticket, clearedAt: Date?)] = [:]
        for row in try await database.query("SELECT * FROM tickets t WHERE t.is_open AND t.dedup_key IS NOT NULL") {
            let ticket = try Ticket(row: row)
            if let key = ticket.dedupKey { result[key] = (ticket, try row.optionalDate("rule_cleared_at")) }
        }
        return result
    }

    /// Notes that a rule's condition no longer holds on an open ticket; a second node noting it too finds it done.
    public func noteRuleCleared(_ ticketID: UUID, at: Date) -> WriteStatement {
        WriteStatement(
            "UPDATE tickets SET rule_cleared_at = \(at) WHERE id = \(ticketID) AND rule_cleared_at IS NULL RETURNING id",
            expect: .exactlyOne(orElse: .conflict(field: nil, message: "already noted")))
    }

    /// Forgets that note: the condition holds again.
    public func forgetRuleCleared(_ ticketID: UUID) -> WriteStatement {
        WriteStatement("UPDATE tickets SET rule_cleared_at = NULL WHERE id = \(ticketID)")
    }

    /// Takes the turn of a periodic job for the cluster: true for the one node whose claim moved the job's last run
    /// to `now`, when it last ran before `notSince`. Works the same on both backends, without holding a lock.
    public func claim(job: String, now: Date, notSince: Date) async throws -> Bool {
        let results = try await database.write(
            WriteBatch([
                WriteStatement(
                    "INSERT INTO maintenance_runs (job, last_run_at) VALUES (\(job), \(Date(timeIntervalSince1970: 0))) ON CONFLICT (job) DO NOTHING"),
                WriteStatement("UPDATE maintenance_runs SET last_run_at = \(now) WHERE job = \(job) AND last_run_at < \(notSince) RETURNING job"),
            ]))
        return !(results.last ?? []).isEmpty
    }

    public func policies(collectiviteID: UUID) async throws -> [SLAPolicy] {
        try await database.query(
            "SELECT * FROM sla_policies WHERE collectivite_id = \(collectiviteID) AND deleted_at IS NULL ORDER BY created_at, id"
        )
        .map(SLAPolicy.init(row:))
    }

    public func rounds(covering establishmentID: UUID) async throws -> [Round] {
        try await database.query(
            """
            SELECT r.* FROM rounds r JOIN round_establishments re ON re.round_id = r.id JOIN principals p ON p.id = r.technician_id
            WHERE re.establishment_id = \(establishmentID) AND r.deleted_at IS NULL AND p.disabled_at IS NULL AND p.role = 'technician'
            ORDER BY r.name, r.id
            """
        ).map(Round.init(row:))
    }

    /// Whether a technician covers an establishment, through his token's list or one of his rounds.
    public func technicianCovers(_ technicianID: UUID, establishmentID: UUID) async throws -> Bool {
        try await !database.query(
            """
            SELECT 1 AS found FROM principals p WHERE p.id = \(technicianID) AND p.role = 'technician' AND p.disabled_at IS NULL AND (
              EXISTS (SELECT 1 FROM principal_establishments pe WHERE pe.principal_id = p.id AND pe.establishment_id = \(establishmentID))
              OR EXISTS (SELECT 1 FROM round_establishments re JOIN rounds r ON r.id = re.round_id
                         WHERE r.technician_id = p.id AND r.deleted_at IS NULL AND re.establishment_id = \(establishmentID)))
            """
        ).isEmpty
    }

    public func principalNames(_ ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        for row in try await database.query("SELECT id, name FROM principals WHERE id IN \(list: ids)") {
            names[try row.uuid("id")] = try row.string("name")
        }
        return names
    }

    // MARK: Rule facts

    /// What enrolled devices in service last reported, a page at a time in device-key order.
    public func ruleFacts(afterKey: Int64, limit: Int) async throws -> (facts: [DeviceRuleFacts], cartIDs: [UUID: UUID], lastKey: Int64?) {
        let rows = try await database.query(
            """
            SELECT s.device_key, d.id AS device_id, d.establishment_id, d.cart_id, s.battery_health, s.storage_free, s.storage_total,
              s.received_ms, s.bssid
            FROM device_state s JOIN agent_devices a ON a.device_key = s.device_key JOIN devices d ON d.id = a.device_id
            WHERE s.device_key > \(afterKey) AND d.deleted_at IS NULL AND d.status = 'in_service' AND a.revoked_at IS NULL
            ORDER BY s.device_key LIMIT \(limit)
            """)
        var facts: [DeviceRuleFacts] = []
        var carts: [UUID: UUID] = [:]
        for row in rows {
            let id = try row.uuid("device_id")
            if let cart = try row.optionalUUID("cart_id") { carts[id] = cart }
            facts.append(
                DeviceRuleFacts(
                    deviceID: id, establishmentID: try row.uuid("establishment_id"), batteryHealth: try row.optionalDouble("battery_health"),
                    storageFree: try row.optionalInt64("storage_free"), storageTotal: try row.optionalInt64("storage_total"),
                    lastSeen: Date(epochMilliseconds: try row.int64("received_ms")), bssid: try row.optionalString("bssid"), cartBSSIDs: nil))
        }
        return (facts, carts, try rows.last?.int64("device_key"))
    }

    /// The BSSIDs of each classe mobile's access point.
    public func cartBSSIDs() async throws -> [UUID: Set<String>] {
        var result: [UUID: Set<String>] = [:]
        for row in try await database.query(
            """
            SELECT c.id AS cart_id, b.bssid FROM mobile_carts c JOIN access_point_bssids b ON b.access_point_id = c.access_point_id
            WHERE c.deleted_at IS NULL
            """)
        {
            result[try row.uuid("cart_id"), default: []].insert(try row.string("bssid"))
        }
        return result
    }

    /// Live Internet links with their contracted download and the median of their speed tests since `since`.
    public func linkMeasurements(since: Date) async throws -> [(link: InternetLink, medianDownMbps: Double?)] {
        let links = try await database.query("SELECT * FROM internet_links WHERE deleted_at IS NULL ORDER BY id").map(InternetLink.init(row:))
        var samples: [UUID: [Double]] = [:]
        for row in try await database.query("SELECT link_id, down_mbps FROM throughput_samples WHERE measured_at >= \(since)") {
            samples[try row.uuid("link_id"), default: []].append(try row.double("down_mbps"))
        }
        return links.map { link in
            let values = (samples[link.id] ?? []).sorted()
            return (link, values.isEmpty ? nil : values[values.count / 2])
        }
    }

    // MARK: Reports

    /// Report figures grouped by one ticket column, for tickets opened in `[from, to)` inside the scope. Everything
    /// is aggregated by the database from covering indexes; only one row per group (and per distinct restoration
    /// time, for the percentile) comes back.
    public func reportFacts(groupBy dimension: TicketReport.Dimension, in scope: Scope, ownerID: UUID? = nil, from: Date, to: Date) async throws
        -> [TicketReport.Facts]
    {
        let column = TicketStore.column(dimension)
        var inScope = ScopeSQL.predicate(scope, .denormalized, alias: "t")
        if let ownerID { inScope = inScope + " AND t.owner_id = \(ownerID)" }
        let period: SQLQuery = inScope + " AND t.opened_at >= \(from) AND t.opened_at < \(to)"
        var facts: [UUID?: TicketReport.Facts] = [:]
        for row in try await database.query(
            """
            SELECT t.\(raw: column) AS k, COUNT(*) AS opened, SUM(CASE WHEN t.is_open THEN 0 ELSE 1 END) AS closed,
              COUNT(t.gti_met) AS gti_known, SUM(CASE WHEN t.gti_met THEN 1 ELSE 0 END) AS gti_ok,
              COUNT(t.gtr_met) AS gtr_known, SUM(CASE WHEN t.gtr_met THEN 1 ELSE 0 END) AS gtr_ok
            FROM tickets t WHERE \(period) GROUP BY t.\(raw: column)
            """)
        {
            let k = try row.optionalUUID("k")
            var f = TicketReport.Facts(key: k)
            f.opened = try row.int("opened")
            f.closed = try row.int("closed")
            f.interventionKnown = try row.int("gti_known")
            f.interventionMet = try row.int("gti_ok")
            f.restorationKnown = try row.int("gtr_known")
            f.restorationMet = try row.int("gtr_ok")
            facts[k] = f
        }
        for row in try await database.query(
            """
            SELECT t.\(raw: column) AS k, t.restore_minutes AS m, COUNT(*) AS n FROM tickets t
            WHERE \(period) AND t.restore_minutes IS NOT NULL GROUP BY t.\(raw: column), t.restore_minutes
            """)
        {
            facts[try row.optionalUUID("k")]?.restoreHistogram[try row.int("m")] = try row.int("n")
        }
        for row in try await database.query(
            """
            SELECT t.\(raw: column) AS k, COUNT(*) AS n, MIN(t.opened_at) AS oldest, AVG(\(raw: database.dialect.epochSeconds("t.opened_at"))) AS mean
            FROM tickets t WHERE \(inScope) AND t.is_open = \(true) GROUP BY t.\(raw: column)
            """)
        {
            let k = try row.optionalUUID("k")
            var f = facts[k] ?? TicketReport.Facts(key: k)
            f.openNow = try row.int("n")
            f.oldestOpenedAt = try row.optionalDate("oldest")
            f.meanOpenedAt = try row.optionalDouble("mean").map { Date(timeIntervalSince1970: $0) }
            facts[k] = f
        }
        if dimension == .model {
            for row in try await database.query(
                "SELECT t.model_id AS k, COUNT(*) AS n FROM devices t WHERE \(inScope) AND t.deleted_at IS NULL GROUP BY t.model_id")
            {
                let k = try row.optionalUUID("k")
                if facts[k] != nil { facts[k]?.devices = try row.int("n") }
            }
        }
        return facts.values.sorted { ($0.key?.uuidString ?? "") < ($1.key?.uuidString ?? "") }
    }

    static func column(_ dimension: TicketReport.Dimension) -> String {
        switch dimension {
        case .collectivite: "owner_id"
        case .establishment: "establishment_id"
        case .technician: "assignee_id"
        case .model: "model_id"
        }
    }

    // MARK: Row mapping

    static func event(from row: SQLRow) throws -> TicketEvent {
        TicketEvent(
            seq: try row.int64("seq"), ticketID: try row.uuid("ticket_id"), at: try row.date("at"), actorID: try row.optionalUUID("actor_id"),
            actorName: try row.string("actor_name"), kind: try row.enumValue("kind", as: TicketEvent.Kind.self),
            from: try row.optionalString("from_value"), to: try row.optionalString("to_value"), body: try row.optionalString("body"),
            minutes: try row.optionalInt("minutes"))
    }

    static func attachment(from row: SQLRow) throws -> TicketAttachment {
        TicketAttachment(
            id: try row.uuid("id"), ticketID: try row.uuid("ticket_id"), filename: try row.string("filename"),
            contentType: try row.string("content_type"), size: try row.int("size"), sha256: try row.string("sha256"),
            uploadedBy: try row.optionalUUID("uploaded_by"), uploadedByName: try row.string("uploaded_by_name"),
            uploadedAt: try row.date("uploaded_at"))
    }
}
