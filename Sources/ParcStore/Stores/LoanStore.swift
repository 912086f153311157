public import Foundation
public import ParcCore

/// Loans beyond the generic repositories: kit composition, the waitlist, templates, signed documents, photos,
/// the reminder outbox, the household access trail, retention and the report counts.
public struct LoanStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    static let outStatuses = [Loan.Status.checkedOut.rawValue, Loan.Status.extended.rawValue]
    static let endedStatuses = Loan.Status.allCases.filter { !$0.isOpen }.map(\.rawValue)

    // MARK: Kits

    /// Rewrites the kit's rows of `kit_components`; a device already in another kit breaks the primary key.
    public func setComponents(_ kit: Kit) -> [WriteStatement] {
        [WriteStatement("DELETE FROM kit_components WHERE kit_id = \(kit.id)")]
            + kit.deviceIDs.enumerated().map { position, device in
                WriteStatement("INSERT INTO kit_components (device_id, kit_id, position) VALUES (\(device), \(kit.id), \(position))")
            }
    }

    public static func clearComponents(kitID: UUID) -> WriteStatement {
        WriteStatement("DELETE FROM kit_components WHERE kit_id = \(kitID)")
    }

    /// The devices of a kit with what the convention and the return checklist need, in the kit's order.
    public func components(kitID: UUID) async throws -> [KitComponent] {
        try await database.query(
            """
            SELECT d.id, d.kind, m.manufacturer, m.name AS model_name, d.serial_number, d.asset_tag
            FROM kit_components c JOIN devices d ON d.id = c.device_id JOIN device_models m ON m.id = d.model_id
            WHERE c.kit_id = \(kitID) ORDER BY c.position
            """
        ).map { row in
            KitComponent(
                deviceID: try row.uuid("id"), kind: try row.enumValue("kind", as: DeviceModel.Kind.self),
                label: "\(try row.string("manufacturer")) \(try row.string("model_name"))", serialNumber: try row.optionalString("serial_number"),
                assetTag: try row.optionalString("asset_tag"))
        }
    }

    public func kit(assetTag: String, in scope: Scope) async throws -> Kit? {
        try await database.query(
            "SELECT * FROM kits t WHERE t.asset_tag = \(assetTag) AND t.deleted_at IS NULL AND \(ScopeSQL.predicate(scope, .denormalized, alias: "t"))"
        ).first.map(Kit.init(row:))
    }

    /// The live loan holding a kit (offered or out), if any.
    public func liveLoan(kitID: UUID) async throws -> Loan? {
        try await database.query(
            "SELECT * FROM loans WHERE kit_id = \(kitID) AND status IN \(list: ["offered", "checked_out", "extended"]) AND deleted_at IS NULL"
        ).first.map(Loan.init(row:))
    }

    /// Sets a kit's status if it still has the version read; the kit's version moves on.
    public func setStatus(_ kit: Kit, _ status: Kit.Status, at: Date) -> WriteStatement {
        WriteStatement(
            "UPDATE kits SET status = \(status.rawValue), version = version + 1, updated_at = \(at) WHERE id = \(kit.id) AND version = \(kit.version) RETURNING id",
            expect: .exactlyOne(orElse: .conflict(field: "kit_id", message: "the kit changed meanwhile; retry")))
    }

    /// Sets the status of devices, bumping their versions; the device rows are changed by the loan, not by hand.
    public func setDeviceStatus(_ ids: [UUID], _ status: Device.Status, at: Date) -> WriteStatement {
        WriteStatement("UPDATE devices SET status = \(status.rawValue), version = version + 1, updated_at = \(at) WHERE id IN \(list: ids)")
    }

    // MARK: Policies and templates

    public func policy(collectiviteID: UUID) async throws -> LoanPolicy? {
        try await database.query("SELECT * FROM loan_policies WHERE collectivite_id = \(collectiviteID) AND deleted_at IS NULL").first.map(
            LoanPolicy.init(row:))
    }

    public func insert(_ template: ConventionTemplate) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO convention_templates (id, collectivite_id, kind, version, title, body, created_by, created_at)
            VALUES (\(template.id), \(template.collectiviteID), \(template.kind.rawValue),
              (SELECT COALESCE(MAX(version), 0) + 1 FROM convention_templates WHERE collectivite_id = \(template.collectiviteID) AND kind = \(template.kind.rawValue)),
              \(template.title), \(template.body), \(template.createdBy), \(template.createdAt))
            RETURNING version
            """, expect: .exactlyOne(orElse: .conflict(field: nil, message: "the text was not stored")))
    }

    public func templates(collectiviteIDs: [UUID]) async throws -> [ConventionTemplate] {
        guard !collectiviteIDs.isEmpty else { return [] }
        return try await database.query(
            "SELECT * FROM convention_templates WHERE collectivite_id IN \(list: collectiviteIDs) ORDER BY collectivite_id, kind, version"
        ).map(LoanStore.template(from:))
    }

    public func template(id: UUID) async throws -> ConventionTemplate? {
        try await database.query("SELECT * FROM convention_templates WHERE id = \(id)").first.map(LoanStore.template(from:))
    }

    /// The newest version of a collectivité's text of this kind.
    public func currentTemplate(collectiviteID: UUID, kind: ConventionTemplate.Kind) async throws -> ConventionTemplate? {
        try await database.query(
            """
            SELECT * FROM convention_templates WHERE collectivite_id = \(collectiviteID) AND kind = \(kind.rawValue)
            ORDER BY version DESC LIMIT 1
            """
        ).first.map(LoanStore.template(from:))
    }

    static func template(from row: SQLRow) throws -> ConventionTemplate {
        ConventionTemplate(
            id: try row.uuid("id"), collectiviteID: try row.optionalUUID("collectivite_id"),
            kind: try row.enumValue("kind", as: ConventionTemplate.Kind.self),
            version: try row.int("version"), title: try row.string("title"), body: try row.string("body"), createdBy: try row.string("created_by"),
            createdAt: try row.date("created_at"))
    }

    // MARK: Loans

    /// An establishment's waitlist: requests by criterion priority, then request time.
    public func waitlist(establishmentID: UUID, limit: Int = 500) async throws -> [Loan] {
        try await database.query(
            """
            SELECT * FROM loans WHERE establishment_id = \(establishmentID) AND status = 'requested' AND deleted_at IS NULL
            ORDER BY priority, requested_at, id LIMIT \(limit)
            """
        ).map(Loan.init(row:))
    }

    public func loans(householdID: UUID) async throws -> [Loan] {
        try await database.query("SELECT * FROM loans WHERE household_id = \(householdID) AND deleted_at IS NULL ORDER BY requested_at, id").map(
            Loan.init(row:))
    }

    public func openLoan(householdID: UUID) async throws -> Loan? {
        try await database.query("SELECT * FROM loans WHERE household_id = \(householdID) AND is_open AND deleted_at IS NULL").first.map(
            Loan.init(row:))
    }

    /// Offers whose delay ran out.
    public func expiredOffers(now: Date, limit: Int = 500) async throws -> [Loan] {
        try await database.query(
            "SELECT * FROM loans WHERE status = 'offered' AND offer_expires_at < \(now) AND deleted_at IS NULL ORDER BY offer_expires_at LIMIT \(limit)"
        ).map(Loan.init(row:))
    }

    /// Loans out whose due date is on or before `horizon`: the candidates for a reminder.
    public func outLoans(dueBy horizon: LocalDate, limit: Int = 5_000) async throws -> [Loan] {
        try await database.query(
            """
            SELECT * FROM loans WHERE status IN \(list: LoanStore.outStatuses) AND due_on <= \(horizon) AND deleted_at IS NULL
            ORDER BY due_on, id LIMIT \(limit)
            """
        ).map(Loan.init(row:))
    }

    public func append(_ event: LoanEvent) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO loan_events (loan_id, at, actor_id, actor_name, from_status, to_status, body)
            VALUES (\(event.loanID), \(event.at), \(event.actorID), \(event.actorName), \(event.from), \(event.to), \(event.body))
            """)
    }

    public func events(loanID: UUID) async throws -> [LoanEvent] {
        try await database.query("SELECT * FROM loan_events WHERE loan_id = \(loanID) ORDER BY seq").map { row in
            LoanEvent(
                seq: try row.int64("seq"), loanID: try row.uuid("loan_id"), at: try row.date("at"), actorID: try row.optionalUUID("actor_id"),
                actorName: try row.string("actor_name"), from: try row.optionalString("from_status"), to: try row.string("to_status"),
                body: try row.optionalString("body"))
        }
    }

    // MARK: Signed documents and photos

    public func insert(_ document: SignedDocument, image: [UInt8]?) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO loan_documents (id, loan_id, establishment_id, kind, template_id, template_version, title, text, signature_kind,
              signer_name, signature_image, signed_at, staff_id, staff_name, sha256, keep_until)
            VALUES (\(document.id), \(document.loanID), \(document.establishmentID), \(document.kind.rawValue), \(document.templateID),
              \(document.templateVersion), \(document.title), \(document.text), \(document.signatureKind.rawValue), \(document.signerName),
              \(image.map(SQLValue.blob) ?? .null), \(document.signedAt), \(document.staffID), \(document.staffName), \(document.sha256),
              \(document.keepUntil))
            """)
    }

    public func documents(loanIDs: [UUID]) async throws -> [SignedDocument] {
        guard !loanIDs.isEmpty else { return [] }
        return try await database.query("SELECT * FROM loan_documents WHERE loan_id IN \(list: loanIDs) ORDER BY signed_at, id").map {
            try LoanStore.document(from: $0).0
        }
    }

    public func document(id: UUID) async throws -> (SignedDocument, [UInt8]?)? {
        try await database.query("SELECT * FROM loan_documents WHERE id = \(id)").first.map(LoanStore.document(from:))
    }

    static func document(from row: SQLRow) throws -> (SignedDocument, [UInt8]?) {
        let image = row["signature_image"] == .null ? nil : try row.bytes("signature_image")
        let document = SignedDocument(
            id: try row.uuid("id"), loanID: try row.uuid("loan_id"), establishmentID: try row.uuid("establishment_id"),
            kind: try row.enumValue("kind", as: ConventionTemplate.Kind.self), templateID: try row.uuid("template_id"),
            templateVersion: try row.int("template_version"), title: try row.string("title"), text: try row.string("text"),
            signatureKind: try row.enumValue("signature_kind", as: Signature.Kind.self), signerName: try row.string("signer_name"),
            hasSignatureImage: image != nil, signedAt: try row.date("signed_at"), staffID: try row.optionalUUID("staff_id"),
            staffName: try row.string("staff_name"), sha256: try row.string("sha256"),
            keepUntil: try row.optionalLocalDate("keep_until") ?? LocalDate(daysSinceEpoch: 0))
        return (document, image)
    }

    public func insert(_ photo: LoanPhoto, content: [UInt8]) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO loan_photos (id, loan_id, stage, content_type, size, sha256, content, uploaded_by, uploaded_by_name, uploaded_at)
            VALUES (\(photo.id), \(photo.loanID), \(photo.stage.rawValue), \(photo.contentType), \(photo.size), \(photo.sha256),
              \(SQLValue.blob(content)), \(photo.uploadedBy), \(photo.uploadedByName), \(photo.uploadedAt))
            """)
    }

    public func photos(loanID: UUID) async throws -> [LoanPhoto] {
        try await database.query(
            "SELECT id, loan_id, stage, content_type, size, sha256, uploaded_by, uploaded_by_name, uploaded_at FROM loan_photos WHERE loan_id = \(loanID) ORDER BY uploaded_at, id"
        ).map(LoanStore.photo(from:))
    }

    public func photo(id: UUID) async throws -> (LoanPhoto, [UInt8])? {
        guard let row = try await database.query("SELECT * FROM loan_photos WHERE id = \(id)").first else { return nil }
        return (try LoanStore.photo(from: row), try row.bytes("content"))
    }

    static func photo(from row: SQLRow) throws -> LoanPhoto {
        LoanPhoto(
            id: try row.uuid("id"), loanID: try row.uuid("loan_id"), stage: try row.enumValue("stage", as: LoanPhoto.Stage.self),
            contentType: try row.string("content_type"), size: try row.int("size"), sha256: try row.string("sha256"),
            uploadedBy: try row.optionalUUID("uploaded_by"), uploadedByName: try row.string("uploaded_by_name"),
            uploadedAt: try row.date("uploaded_at"))
    }

    // MARK: Reminder outbox

    /// Queues a notice unless the same stage already went to the same recipient.
    public func enqueue(_ notice: LoanNotice) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO loan_notices (id, loan_id, establishment_id, stage, channel, recipient, subject, body, created_at, sent_at, attempts, last_error)
            VALUES (\(notice.id), \(notice.loanID), \(notice.establishmentID), \(notice.stage), \(notice.channel.rawValue), \(notice.recipient),
              \(notice.subject), \(notice.body), \(notice.createdAt), NULL, 0, NULL)
            ON CONFLICT (loan_id, stage, channel, recipient) DO NOTHING RETURNING id
            """)
    }

    public func pendingNotices(limit: Int) async throws -> [LoanNotice] {
        try await database.query("SELECT * FROM loan_notices WHERE sent_at IS NULL ORDER BY created_at, id LIMIT \(limit)").map(
            LoanStore.notice(from:))
    }

    public func notices(loanID: UUID) async throws -> [LoanNotice] {
        try await database.query("SELECT * FROM loan_notices WHERE loan_id = \(loanID) ORDER BY created_at, id").map(LoanStore.notice(from:))
    }

    public func markSent(_ id: UUID, at: Date) -> WriteStatement {
        WriteStatement("UPDATE loan_notices SET sent_at = \(at), attempts = attempts + 1, last_error = NULL WHERE id = \(id)")
    }

    public func markFailed(_ id: UUID, error: String) -> WriteStatement {
        WriteStatement("UPDATE loan_notices SET attempts = attempts + 1, last_error = \(String(error.prefix(500))) WHERE id = \(id)")
    }

    static func notice(from row: SQLRow) throws -> LoanNotice {
        LoanNotice(
            id: try row.uuid("id"), loanID: try row.uuid("loan_id"), establishmentID: try row.uuid("establishment_id"),
            stage: try row.string("stage"),
            channel: try row.enumValue("channel", as: LoanNotice.Channel.self), recipient: try row.string("recipient"),
            subject: try row.string("subject"), body: try row.string("body"), createdAt: try row.date("created_at"),
            sentAt: try row.optionalDate("sent_at"), attempts: try row.int("attempts"), lastError: try row.optionalString("last_error"))
    }

    // MARK: Household access trail

    public func logAccess(_ entry: HouseholdAccess) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO household_access_log (at, principal_id, principal_name, household_id, establishment_id, action, detail)
            VALUES (\(entry.at), \(entry.principalID), \(entry.principalName), \(entry.householdID), \(entry.establishmentID), \(entry.action),
              \(entry.detail))
            """)
    }

    public func accessLog(householdID: UUID, limit: Int = 500) async throws -> [HouseholdAccess] {
        try await database.query("SELECT * FROM household_access_log WHERE household_id = \(householdID) ORDER BY seq DESC LIMIT \(limit)").map {
            row in
            HouseholdAccess(
                at: try row.date("at"), principalID: try row.optionalUUID("principal_id"), principalName: try row.string("principal_name"),
                householdID: try row.uuid("household_id"), establishmentID: try row.uuid("establishment_id"), action: try row.string("action"),
                detail: try row.optionalString("detail"))
        }
    }

    // MARK: Erasure and retention

    /// Strips a loan of what ties it to a family: the household, notes, component notes, photos, reminders and
    /// the bodies of its history. Dates, kit, status, condition and fees stay for the reports.
    public func anonymize(loanIDs: [UUID], at: Date) -> [WriteStatement] {
        guard !loanIDs.isEmpty else { return [] }
        return [
            WriteStatement(
                """
                UPDATE loans SET household_id = NULL, notes = NULL, returned_components = NULL, anonymized_at = \(at), updated_at = \(at),
                  version = version + 1 WHERE id IN \(list: loanIDs)
                """),
            WriteStatement("UPDATE loan_events SET body = NULL, actor_name = 'anonymisé' WHERE loan_id IN \(list: loanIDs)"),
            WriteStatement("DELETE FROM loan_photos WHERE loan_id IN \(list: loanIDs)"),
            WriteStatement("DELETE FROM loan_notices WHERE loan_id IN \(list: loanIDs)"),
        ]
    }

    /// Ended loans not anonymised yet whose end is older than `cutoff`.
    public func loansToAnonymize(endedBefore cutoff: Date, limit: Int) async throws -> [UUID] {
        try await database.query(
            """
            SELECT id FROM loans WHERE anonymized_at IS NULL AND ended_at < \(cutoff) AND status IN \(list: LoanStore.endedStatuses + ["lost", "stolen"])
            ORDER BY ended_at LIMIT \(limit)
            """
        ).map { try $0.uuid("id") }
    }

    /// Households with no loan under way whose last loan ended (or, without any loan, whose record was made)
    /// before `cutoff`.
    public func householdsToDelete(before cutoff: Date, limit: Int) async throws -> [UUID] {
        try await database.query(
            """
            SELECT h.id FROM households h
            WHERE COALESCE(h.last_loan_ended_at, h.created_at) < \(cutoff)
              AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.household_id = h.id AND l.is_open)
            ORDER BY h.id LIMIT \(limit)
            """
        ).map { try $0.uuid("id") }
    }

    /// Removes a household; its loans are anonymised in the same batch by the caller. An erasure on request
    /// requires the row (a concurrent erasure makes it 404); retention does not.
    public func deleteHousehold(_ id: UUID, required: Bool = true) -> WriteStatement {
        WriteStatement(
            "DELETE FROM households WHERE id = \(id) RETURNING id", expect: required ? .exactlyOne(orElse: .notFound("household")) : .any)
    }

    /// Records when a household's loan ended: the start of its identity's retention period.
    public func markEnded(householdID: UUID, at: Date) -> WriteStatement {
        WriteStatement("UPDATE households SET last_loan_ended_at = \(at) WHERE id = \(householdID)")
    }

    /// Links the repair ticket opened for a return's damaged or missing parts.
    public func setTicket(_ ticketID: UUID, loanID: UUID) -> WriteStatement {
        WriteStatement("UPDATE loans SET ticket_id = \(ticketID) WHERE id = \(loanID)")
    }

    /// A guard that rolls a kit's deletion back while a loan holds it.
    public static func kitNotHeld(_ kitID: UUID) -> WriteStatement {
        WriteStatement(
            "SELECT 1 AS found FROM loans WHERE kit_id = \(kitID) AND status IN ('offered', 'checked_out', 'extended') LIMIT 1",
            expect: .none(orElse: .conflict(field: nil, message: "the kit is offered or on loan; delete it once it is back")))
    }

    /// Signed documents past their legal period: kept at least until `keep_until`, and `documentYears` after
    /// their loan ended. Returns one row per document deleted.
    public func deleteDocuments(keptUntilBefore day: LocalDate, loansEndedBefore cutoff: Date) -> WriteStatement {
        WriteStatement(
            "DELETE FROM loan_documents WHERE keep_until < \(day) AND loan_id IN (SELECT id FROM loans WHERE ended_at < \(cutoff)) RETURNING id")
    }

    /// Returns one row per entry deleted.
    public func pruneAccessLog(before cutoff: Date) -> WriteStatement {
        WriteStatement("DELETE FROM household_access_log WHERE at < \(cutoff) RETURNING seq")
    }

    // MARK: Report

    /// Counts per establishment inside the scope. `today` decides overdue; SIM lines expiring by `simHorizon` count.
    public func report(in scope: Scope, today: LocalDate, simHorizon: LocalDate) async throws -> [UUID: LoanReportRow] {
        var rows: [UUID: LoanReportRow] = [:]
        func row(_ id: UUID) -> LoanReportRow { rows[id] ?? LoanReportRow(key: id, label: "") }
        let kits = ScopeSQL.predicate(scope, .denormalized, alias: "k")
        for r in try await database.query(
            "SELECT k.establishment_id AS e, k.status, COUNT(*) AS n FROM kits k WHERE k.deleted_at IS NULL AND \(kits) GROUP BY k.establishment_id, k.status"
        ) {
            let id = try r.uuid("e")
            let n = try r.int("n")
            var current = row(id)
            current.kits += n
            switch try r.string("status") {
            case Kit.Status.available.rawValue: current.kitsAvailable += n
            case Kit.Status.onLoan.rawValue: current.kitsOut += n
            default: break
            }
            rows[id] = current
        }
        let loans = ScopeSQL.predicate(scope, .denormalized, alias: "l")
        for r in try await database.query(
            """
            SELECT l.establishment_id AS e,
              SUM(CASE WHEN l.status IN \(list: LoanStore.outStatuses) AND l.due_on < \(today) THEN 1 ELSE 0 END) AS overdue,
              SUM(CASE WHEN l.status IN ('lost', 'stolen') THEN 1 ELSE 0 END) AS lost,
              COUNT(DISTINCT CASE WHEN l.checked_out_at IS NOT NULL THEN l.household_id END) AS served,
              SUM(CASE WHEN l.status = 'requested' THEN 1 ELSE 0 END) AS waiting,
              SUM(CASE WHEN l.status = 'returned' AND l.condition = 'good' THEN 1 ELSE 0 END) AS good,
              SUM(CASE WHEN l.status = 'returned' AND l.condition = 'fair' THEN 1 ELSE 0 END) AS fair,
              SUM(CASE WHEN l.status = 'returned' AND l.condition = 'poor' THEN 1 ELSE 0 END) AS poor,
              SUM(CASE WHEN l.status = 'returned' AND l.condition = 'unusable' THEN 1 ELSE 0 END) AS unusable
            FROM loans l WHERE l.deleted_at IS NULL AND \(loans) GROUP BY l.establishment_id
            """)
        {
            let id = try r.uuid("e")
            var current = row(id)
            current.kitsOverdue += try r.int("overdue")
            current.kitsLost += try r.int("lost")
            current.householdsServed += try r.int("served")
            current.householdsWaiting += try r.int("waiting")
            current.returnsGood += try r.int("good")
            current.returnsFair += try r.int("fair")
            current.returnsPoor += try r.int("poor")
            current.returnsUnusable += try r.int("unusable")
            rows[id] = current
        }
        let lines = ScopeSQL.predicate(scope, .denormalized, alias: "s")
        for r in try await database.query(
            """
            SELECT s.establishment_id AS e, COUNT(*) AS n FROM sim_lines s
            WHERE s.deleted_at IS NULL AND NOT s.suspended AND s.expires_on <= \(simHorizon) AND \(lines) GROUP BY s.establishment_id
            """)
        {
            let id = try r.uuid("e")
            var current = row(id)
            current.simLinesExpiring += try r.int("n")
            rows[id] = current
        }
        return rows
    }
}

/// One step of a loan's history.
public struct LoanEvent: Codable, Equatable, Sendable {
    public var seq: Int64?
    public var loanID: UUID
    public var at: Date
    public var actorID: UUID?
    public var actorName: String
    public var from: String?
    public var to: String
    public var body: String?

    public init(seq: Int64? = nil, loanID: UUID, at: Date, actorID: UUID?, actorName: String, from: String?, to: String, body: String? = nil) {
        self.seq = seq
        self.loanID = loanID
        self.at = at
        self.actorID = actorID
        self.actorName = actorName
        self.from = from
        self.to = to
        self.body = body
    }
}

/// A photo of a kit's condition, taken at checkout or at return.
public struct LoanPhoto: Codable, Equatable, Sendable {
    public enum Stage: String, Codable, CaseIterable, Sendable {
        case checkout, `return`
    }

    public var id: UUID
    public var loanID: UUID
    public var stage: Stage
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var uploadedBy: UUID?
    public var uploadedByName: String
    public var uploadedAt: Date

    public init(
        id: UUID, loanID: UUID, stage: Stage, contentType: String, size: Int, sha256: String, uploadedBy: UUID?, uploadedByName: String,
        uploadedAt: Date
    ) {
        self.id = id
        self.loanID = loanID
        self.stage = stage
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.uploadedByName = uploadedByName
        self.uploadedAt = uploadedAt
    }
}

/// One read (or change) of a household's identity: who, when, what.
public struct HouseholdAccess: Codable, Equatable, Sendable {
    public var at: Date
    public var principalID: UUID?
    public var principalName: String
    public var householdID: UUID
    public var establishmentID: UUID
    /// `read`, `list`, `export`, `create`, `update`, `erase`, `document`.
    public var action: String
    public var detail: String?

    public init(at: Date, principalID: UUID?, principalName: String, householdID: UUID, establishmentID: UUID, action: String, detail: String?) {
        self.at = at
        self.principalID = principalID
        self.principalName = principalName
        self.householdID = householdID
        self.establishmentID = establishmentID
        self.action = action
        self.detail = detail
    }
}
