public import Foundation
public import ParcCore
import ParcStore

public struct LoanSettings: Sendable {
    /// How often one node of the cluster expires offers, queues reminders, sends the outbox and applies retention.
    public var passSeconds: Int
    public var retention: LoanRetention
    public var maxPhotoBytes: Int
    public var maxPhotosPerLoan: Int
    public var simExpiryWarningDays: Int
    /// Decides which day "today" is for due dates and reminders.
    public var timeZone: TimeZone

    public init(
        passSeconds: Int = 900, retention: LoanRetention = LoanRetention(), maxPhotoBytes: Int = 5_242_880, maxPhotosPerLoan: Int = 12,
        simExpiryWarningDays: Int = 30, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris")!
    ) {
        self.passSeconds = passSeconds
        self.retention = retention
        self.maxPhotoBytes = maxPhotoBytes
        self.maxPhotosPerLoan = maxPhotosPerLoan
        self.simExpiryWarningDays = simExpiryWarningDays
        self.timeZone = timeZone
    }
}

/// Households, the waitlist and the loan state machine. Every read of a household is checked against the
/// lending establishment (or the collectivité's named loan managers) and written to the access trail in the
/// same transaction as the read's other writes, or on its own.
struct LoanService: Sendable {
    let storage: Storage
    let clock: AppClock
    let settings: LoanSettings
    let tickets: TicketService

    var loans: Repository<Loan> { storage.repository(Loan.self) }
    var kits: Repository<Kit> { storage.repository(Kit.self) }
    var households: Repository<Household> { storage.repository(Household.self) }
    static let systemActor = "Parc"

    func today(_ now: Date) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    func authorize(_ principal: Principal, _ action: Action) throws {
        guard Permissions.allows(principal.role, action, .loan) else {
            throw ParcError.forbidden("the \(principal.role.rawValue) role cannot \(action.rawValue) loans")
        }
    }

    /// The collectivité's policy, or the standard one until it writes its own.
    func policy(collectiviteID: UUID) async throws -> LoanPolicy {
        try await storage.loans.policy(collectiviteID: collectiviteID) ?? LoanPolicy.standard(collectiviteID: collectiviteID, at: clock.now())
    }

    // MARK: Households

    /// Whether this principal may see the identity of the households of an establishment: its staff, or a loan
    /// manager the collectivité named in its policy.
    func mayReadHouseholds(_ principal: Principal, establishmentID: UUID, ownerID: UUID) async throws -> Bool {
        guard Permissions.allows(principal.role, .read, .household) else { return false }
        switch principal.role {
        case .establishmentStaff: return principal.establishmentIDs.contains(establishmentID)
        case .collectivite:
            guard principal.collectiviteID == ownerID else { return false }
            return try await policy(collectiviteID: ownerID).loanManagerIDs.contains(principal.id)
        default: return false
        }
    }

    func requireHouseholdReader(_ principal: Principal, establishmentID: UUID, ownerID: UUID) async throws {
        guard try await mayReadHouseholds(principal, establishmentID: establishmentID, ownerID: ownerID) else {
            throw ParcError.forbidden(
                "only staff of the lending establishment, or a loan manager named in the collectivité's loan policy, see families' identities")
        }
    }

    func access(_ principal: Principal, _ household: Household, _ action: String, _ detail: String? = nil) -> WriteStatement {
        storage.loans.logAccess(
            HouseholdAccess(
                at: clock.now(), principalID: principal.id, principalName: principal.name, householdID: household.id,
                establishmentID: household.establishmentID, action: action, detail: detail))
    }

    /// A household the caller may read, without logging (the caller logs the read with what it did).
    func household(_ id: UUID, principal: Principal) async throws -> Household {
        guard Permissions.allows(principal.role, .read, .household), let household = try await households.get(id, in: principal.scope) else {
            throw ParcError.notFound("household")
        }
        try await requireHouseholdReader(principal, establishmentID: household.establishmentID, ownerID: household.ownerID)
        return household
    }

    func readHousehold(_ id: UUID, principal: Principal) async throws -> Household {
        let household = try await household(id, principal: principal)
        try await storage.database.write(access(principal, household, "read"))
        return household
    }

    static let householdFilters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "criterion": .text("criterion"), "eligible": .flag("eligible"),
        "pupil_reference": .text("pupil_reference"),
    ]

    /// A page of households; each one listed is logged as read.
    func listHouseholds(_ query: [String: String], principal: Principal) async throws -> Page<Household> {
        guard Permissions.allows(principal.role, .read, .household) else {
            throw ParcError.forbidden("the \(principal.role.rawValue) role cannot read households")
        }
        let filters = try FilterSpec.filters(from: query, specs: LoanService.householdFilters, of: "households")
        var scope = principal.scope
        if principal.role == .collectivite, let owner = principal.collectiviteID {
            guard try await policy(collectiviteID: owner).loanManagerIDs.contains(principal.id) else {
                throw ParcError.forbidden("only a loan manager named in the collectivité's loan policy sees families' identities")
            }
            scope = .collectivite(owner)
        }
        let page = try await households.list(filters, in: scope, page: try PageRequest(query: query))
        if !page.items.isEmpty { try await storage.database.write(WriteBatch(page.items.map { access(principal, $0, "list") })) }
        return page
    }

    func createHousehold(_ input: HouseholdInput, principal: Principal) async throws -> Household {
        guard Permissions.allows(principal.role, .create, .household) else { throw ParcError.forbidden("this role cannot register households") }
        guard let establishmentID = input.establishmentID else {
            throw ParcError.validation([FieldError(field: "establishment_id", reason: "is required")])
        }
        let context = BuildContext(principal: principal, storage: storage, now: clock.now(), newID: clock.newID())
        let establishment = try await context.establishment(establishmentID)
        try await requireHouseholdReader(principal, establishmentID: establishment.id, ownerID: establishment.ownerID)
        let v = try input.validate(policy: try await policy(collectiviteID: establishment.ownerID))
        let household = Household(
            id: context.newID, establishmentID: establishment.id, ownerID: establishment.ownerID, academieCode: establishment.academieCode,
            pupilReference: v.pupilReference, guardians: v.guardians, eligible: v.eligible, criterion: v.criterion, lastLoanEndedAt: nil,
            createdAt: context.now, updatedAt: context.now)
        try await storage.database.write(WriteBatch([households.insert(household), access(principal, household, "create")]))
        return household
    }

    func updateHousehold(_ id: UUID, patch: JSONValue, ifMatch: Int?, principal: Principal) async throws -> Household {
        let existing = try await household(id, principal: principal)
        if let ifMatch, ifMatch != existing.version { throw ParcError.versionMismatch(expected: ifMatch, actual: existing.version) }
        let current = HouseholdInput(
            establishmentID: existing.establishmentID, pupilReference: existing.pupilReference, guardians: existing.guardians,
            eligible: existing.eligible, criterion: existing.criterion)
        let merged = try JSONValue(encoding: current).merging(patch)
        let input = try APIJSON.decoder.decode(HouseholdInput.self, from: APIJSON.encoder.encode(merged))
        guard input.establishmentID == existing.establishmentID else {
            throw ParcError.validation([FieldError(field: "establishment_id", reason: "a household stays with its establishment")])
        }
        let v = try input.validate(policy: try await policy(collectiviteID: existing.ownerID))
        var household = existing
        household.pupilReference = v.pupilReference
        household.guardians = v.guardians
        household.eligible = v.eligible
        household.criterion = v.criterion
        household.version += 1
        household.updatedAt = clock.now()
        // The trail names the fields changed, never their values: it must not become a second copy of the identity.
        let changed = ["pupil_reference", "guardians", "eligible", "criterion"].filter { key in
            switch key {
            case "pupil_reference": existing.pupilReference != household.pupilReference
            case "guardians": existing.guardians != household.guardians
            case "eligible": existing.eligible != household.eligible
            default: existing.criterion != household.criterion
            }
        }
        try await storage.database.write(
            WriteBatch([
                households.update(household, expectedVersion: existing.version),
                access(principal, household, "update", changed.joined(separator: ",")),
            ]))
        return household
    }

    /// Everything held on a household, for a subject-access request (RGPD art. 15).
    func export(_ id: UUID, principal: Principal) async throws -> HouseholdExport {
        let household = try await household(id, principal: principal)
        try await storage.database.write(access(principal, household, "export"))
        let loans = try await storage.loans.loans(householdID: id)
        var history: [HouseholdExport.LoanRecord] = []
        for loan in loans {
            history.append(
                HouseholdExport.LoanRecord(
                    loan: loan, events: try await storage.loans.events(loanID: loan.id), notices: try await storage.loans.notices(loanID: loan.id),
                    photos: try await storage.loans.photos(loanID: loan.id)))
        }
        return HouseholdExport(
            exportedAt: clock.now(), household: household, loans: history, documents: try await storage.loans.documents(loanIDs: loans.map(\.id)),
            accessLog: try await storage.loans.accessLog(householdID: id), retention: settings.retention)
    }

    /// Erases a household on request (RGPD art. 17) when no loan is under way: its identity goes, its loans are
    /// anonymised; signed documents stay until the end of their legal period, which the answer says.
    func erase(_ id: UUID, principal: Principal) async throws -> ErasureReport {
        let household = try await household(id, principal: principal)
        if let open = try await storage.loans.openLoan(householdID: id) {
            throw ParcError.conflict(
                field: nil, message: "the household has a \(open.status.rawValue) loan (\(open.id)); end or cancel it before erasing the household")
        }
        let loans = try await storage.loans.loans(householdID: id)
        let documents = try await storage.loans.documents(loanIDs: loans.map(\.id))
        let now = clock.now()
        var batch = WriteBatch([access(principal, household, "erase")])
        batch.statements += storage.loans.anonymize(loanIDs: loans.map(\.id), at: now)
        batch.statements.append(storage.loans.deleteHousehold(id))
        try await storage.database.write(batch)
        return ErasureReport(
            householdID: id, loansAnonymised: loans.count, documentsKept: documents.count,
            documentsKeptUntil: documents.map(\.keepUntil).max()?.description,
            note: documents.isEmpty
                ? "nothing else is held on this household"
                : "signed conventions and receipts are kept for their legal period (art. 17-3-b RGPD), then deleted")
    }

    func accessLog(_ id: UUID, principal: Principal) async throws -> [HouseholdAccess] {
        let household = try await household(id, principal: principal)
        return try await storage.loans.accessLog(householdID: household.id)
    }

    // MARK: Loans

    static let loanFilters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "collectivite_id": .uuid("owner_id"), "academie_code": .text("academie_code"),
        "status": .choice("status", Loan.Status.allCases.map(\.rawValue)), "kit_id": .uuid("kit_id"), "household_id": .uuid("household_id"),
        "open": .flag("is_open"),
    ]

    func get(_ id: UUID, principal: Principal) async throws -> Loan {
        try authorize(principal, .read)
        guard let loan = try await loans.get(id, in: principal.scope) else { throw ParcError.notFound("loan") }
        return loan
    }

    func list(_ query: [String: String], principal: Principal) async throws -> Page<Loan> {
        try authorize(principal, .read)
        return try await loans.list(
            try FilterSpec.filters(from: query, specs: LoanService.loanFilters, of: "loans"), in: principal.scope, page: try PageRequest(query: query)
        )
    }

    func waitlist(establishmentID: UUID, principal: Principal) async throws -> [Loan] {
        try authorize(principal, .read)
        let context = BuildContext(principal: principal, storage: storage, now: clock.now(), newID: clock.newID())
        _ = try await context.establishment(establishmentID)
        return try await storage.loans.waitlist(establishmentID: establishmentID)
    }

    /// Puts an eligible household on its establishment's waitlist, then offers any kit on the shelf.
    func request(_ input: LoanRequestInput, principal: Principal) async throws -> Loan {
        try authorize(principal, .create)
        guard let householdID = input.householdID else { throw ParcError.validation([FieldError(field: "household_id", reason: "is required")]) }
        let household = try await household(householdID, principal: principal)
        let loan = try await makeRequest(household, notes: input.notes, principal: principal)
        _ = try await offerAvailableKits(establishmentID: household.establishmentID)
        return try await loans.get(loan.id, in: .all) ?? loan
    }

    func makeRequest(_ household: Household, notes: String?, principal: Principal) async throws -> Loan {
        guard household.eligible, let code = household.criterion else {
            throw ParcError.conflict(field: "household_id", message: "the household is not marked eligible; record the criterion that applies first")
        }
        let policy = try await policy(collectiviteID: household.ownerID)
        let now = clock.now()
        var v = Validator()
        let notes = v.optionalText(notes, "notes", maxLength: 2_000)
        try v.check()
        let loan = Loan(
            id: clock.newID(), establishmentID: household.establishmentID, ownerID: household.ownerID, academieCode: household.academieCode,
            householdID: household.id, kitID: nil, status: .requested, priority: policy.criterion(code)?.priority ?? Int(Int32.max),
            requestedAt: now, notes: notes, createdAt: now, updatedAt: now)
        try await storage.database.write(
            WriteBatch([
                loans.insert(loan), storage.loans.append(event(loan, from: nil, to: .requested, principal: principal, body: nil)),
                access(principal, household, "request", loan.id.uuidString),
            ]))
        return loan
    }

    func event(_ loan: Loan, from: Loan.Status?, to: Loan.Status, principal: Principal?, body: String?) -> LoanEvent {
        LoanEvent(
            loanID: loan.id, at: clock.now(), actorID: principal?.id, actorName: principal?.name ?? LoanService.systemActor, from: from?.rawValue,
            to: to.rawValue, body: body)
    }

    /// Moves that need no kit handling beyond releasing or retiring it: decline, cancel, expire, lost, stolen.
    func transition(_ id: UUID, _ input: LoanTransitionInput, ifMatch: Int?, principal: Principal) async throws -> Loan {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        if let ifMatch, ifMatch != old.version { throw ParcError.versionMismatch(expected: ifMatch, actual: old.version) }
        var v = Validator()
        let target = v.enumValue(input.to, "to", as: Loan.Status.self)
        let note = v.optionalText(input.note, "note", maxLength: 2_000)
        try v.check()
        guard let target else { throw ParcError.validation([FieldError(field: "to", reason: "is required")]) }
        let manual: Set<Loan.Status> = [.declined, .cancelled, .expired, .lost, .stolen]
        guard manual.contains(target) || !LoanWorkflow.moves[old.status, default: []].contains(target) else {
            let route =
                switch target {
                case .offered: "POST /loans/{id}/offer"
                case .checkedOut: "POST /loans/{id}/checkout"
                case .extended: "POST /loans/{id}/extend"
                default: "POST /loans/{id}/return"
                }
            throw ParcError.conflict(field: "to", message: "\(target.rawValue) takes its own step: \(route)")
        }
        try LoanWorkflow.check(old.status, to: target)
        let updated = try await end(old, as: target, note: note, principal: principal)
        if target != .lost && target != .stolen { try await offerAvailableKits(establishmentID: old.establishmentID) }
        return updated
    }

    /// Ends a loan without a return: the kit goes back on the shelf (declined, cancelled, expired) or is written
    /// off with its devices (lost, stolen).
    func end(_ old: Loan, as target: Loan.Status, note: String?, principal: Principal?) async throws -> Loan {
        let now = clock.now()
        var loan = old
        loan.status = target
        loan.endedAt = now
        loan.version += 1
        loan.updatedAt = now
        var batch = WriteBatch([loans.update(loan, expectedVersion: old.version)])
        if let kitID = old.kitID, let kit = try await kits.get(ids: [kitID])[kitID] {
            switch target {
            case .lost, .stolen:
                batch.statements.append(storage.loans.setStatus(kit, .retired, at: now))
                batch.statements.append(storage.loans.setDeviceStatus(kit.deviceIDs, target == .lost ? .lost : .stolen, at: now))
            default:
                if kit.status == .offered { batch.statements.append(storage.loans.setStatus(kit, .available, at: now)) }
            }
        }
        if let household = old.householdID { batch.statements.append(storage.loans.markEnded(householdID: household, at: now)) }
        batch.statements.append(storage.loans.append(event(loan, from: old.status, to: target, principal: principal, body: note)))
        try await storage.database.write(batch)
        return loan
    }

    /// Pushes the due date back by the policy's extension (or to a given date), up to its number of extensions.
    func extend(_ id: UUID, _ input: ExtendInput, ifMatch: Int?, principal: Principal) async throws -> Loan {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        if let ifMatch, ifMatch != old.version { throw ParcError.versionMismatch(expected: ifMatch, actual: old.version) }
        try LoanWorkflow.check(old.status, to: .extended)
        let policy = try await policy(collectiviteID: old.ownerID)
        guard old.extensions < policy.maxExtensions else {
            throw ParcError.conflict(field: nil, message: "the loan was already extended \(old.extensions) time(s), the most the policy allows")
        }
        let now = clock.now()
        let today = today(now)
        var v = Validator()
        let given = v.date(input.dueOn, "due_on")
        let note = v.optionalText(input.note, "note", maxLength: 2_000)
        let base = max(old.dueOn ?? today, today)
        let due = given ?? LocalDate(daysSinceEpoch: base.daysSinceEpoch + policy.extensionDays)
        if due <= (old.dueOn ?? today) || due <= today { v.fail("due_on", "must be after the current due date and after today") }
        try v.check()
        var loan = old
        loan.status = .extended
        loan.dueOn = due
        loan.extensions += 1
        loan.version += 1
        loan.updatedAt = now
        try await storage.database.write(
            WriteBatch([
                loans.update(loan, expectedVersion: old.version),
                storage.loans.append(event(loan, from: old.status, to: .extended, principal: principal, body: note ?? "due \(due)")),
            ]))
        return loan
    }

    // MARK: Offers

    /// Offers an establishment's kits on the shelf to the head of its waitlist, one pair per transaction; a pair
    /// that collides with a concurrent change is skipped and left for the next pass.
    @discardableResult
    func offerAvailableKits(establishmentID: UUID) async throws -> Int {
        let available = try await kits.list(
            [.equals("establishment_id", establishmentID), .equals("status", Kit.Status.available.rawValue)], in: .all,
            page: PageRequest(cursor: nil, limit: 100)
        ).items
        guard !available.isEmpty else { return 0 }
        let waiting = try await storage.loans.waitlist(establishmentID: establishmentID, limit: available.count)
        var offered = 0
        for (kit, loan) in zip(available, waiting) {
            do {
                try await offer(loan, kit: kit, principal: nil)
                offered += 1
            } catch let error as ParcError {
                if case .conflict = error { continue }
                if case .versionMismatch = error { continue }
                throw error
            }
        }
        return offered
    }

    func offer(_ old: Loan, kit: Kit, principal: Principal?) async throws {
        try LoanWorkflow.check(old.status, to: .offered)
        guard kit.status == .available, kit.establishmentID == old.establishmentID else {
            throw ParcError.conflict(field: "kit_id", message: "the kit is \(kit.status.rawValue) or belongs to another establishment")
        }
        let policy = try await policy(collectiviteID: old.ownerID)
        let now = clock.now()
        var loan = old
        loan.status = .offered
        loan.kitID = kit.id
        loan.offeredAt = now
        loan.offerExpiresAt = now.addingTimeInterval(Double(policy.offerExpiryDays) * 86_400)
        loan.version += 1
        loan.updatedAt = now
        var batch = WriteBatch([
            loans.update(loan, expectedVersion: old.version), storage.loans.setStatus(kit, .offered, at: now),
            storage.loans.append(event(loan, from: old.status, to: .offered, principal: principal, body: kit.assetTag)),
        ])
        if let householdID = old.householdID, let household = try await households.get(ids: [householdID])[householdID] {
            let establishment = try await storage.repository(Establishment.self).get(ids: [old.establishmentID])[old.establishmentID]
            let until = LoanReminders.frenchDate(today(loan.offerExpiresAt!))
            for guardian in household.guardians {
                let message =
                    "un lot de matériel informatique est disponible pour votre enfant à \(establishment?.name ?? "l'établissement"). Il vous est réservé jusqu'au \(until) : merci de prendre rendez-vous pour le retirer et signer la convention de prêt."
                let (channel, recipient): (LoanNotice.Channel, String) =
                    guardian.email.map { (.email, $0) } ?? guardian.phone.map { (.sms, $0) } ?? (.letter, guardian.name)
                batch.statements.append(
                    storage.loans.enqueue(
                        LoanNotice(
                            id: clock.newID(), loanID: loan.id, establishmentID: loan.establishmentID, stage: "offer", channel: channel,
                            recipient: recipient,
                            subject: "Un lot de matériel vous est réservé", body: "Bonjour \(guardian.name),\n\n\(message)", createdAt: now)))
            }
        }
        try await storage.database.write(batch)
    }

    /// A staff member offers a chosen kit (or the first one on the shelf) to a request, ahead of the pass.
    func offer(_ id: UUID, kitID: UUID?, principal: Principal) async throws -> Loan {
        let loan = try await get(id, principal: principal)
        try authorize(principal, .update)
        try LoanWorkflow.check(loan.status, to: .offered)
        let kit: Kit
        if let kitID {
            guard let found = try await kits.get(kitID, in: principal.scope) else {
                throw ParcError.validation([FieldError(field: "kit_id", reason: "no such kit")])
            }
            kit = found
        } else {
            guard
                let first = try await kits.list(
                    [.equals("establishment_id", loan.establishmentID), .equals("status", Kit.Status.available.rawValue)], in: .all,
                    page: PageRequest(cursor: nil, limit: 1)
                ).items.first
            else { throw ParcError.conflict(field: "kit_id", message: "no kit of the establishment is available") }
            kit = first
        }
        try await offer(loan, kit: kit, principal: principal)
        return try await get(id, principal: principal)
    }
}

struct LoanRequestInput: Codable, Sendable {
    var householdID: UUID?
    var notes: String?
}

struct LoanTransitionInput: Codable, Sendable {
    var to: String?
    var note: String?
}

struct ExtendInput: Codable, Sendable {
    var dueOn: String?
    var note: String?
}

struct OfferInput: Codable, Sendable {
    var kitID: UUID?
}

/// The answer to a subject-access request.
struct HouseholdExport: Codable, Sendable {
    struct LoanRecord: Codable, Sendable {
        var loan: Loan
        var events: [LoanEvent]
        var notices: [LoanNotice]
        var photos: [LoanPhoto]
    }

    var exportedAt: Date
    var household: Household
    var loans: [LoanRecord]
    var documents: [SignedDocument]
    var accessLog: [HouseholdAccess]
    var retention: LoanRetention
}

struct ErasureReport: Codable, Sendable {
    var householdID: UUID
    var loansAnonymised: Int
    var documentsKept: Int
    var documentsKeptUntil: String?
    var note: String
}
