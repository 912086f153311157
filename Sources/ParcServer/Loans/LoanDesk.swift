import Crypto
import Foundation
import ParcCore
import ParcStore

/// Checkout and return: what happens at the desk, one kit at a time or as a campaign. A checkout renders the
/// collectivité's current convention, has the guardian sign it and stores it with the loan in one transaction;
/// a return records each component, produces the receipt with the wipe attestation, and opens a ticket for
/// damaged or missing parts.
extension LoanService {
    struct CheckoutResult: Codable, Sendable {
        var loan: Loan
        var convention: SignedDocument
    }

    struct ReturnResult: Codable, Sendable {
        var loan: Loan
        var receipt: SignedDocument
        var ticketID: UUID?
    }

    func checkout(_ id: UUID, _ input: CheckoutInput, principal: Principal) async throws -> CheckoutResult {
        let loan = try await get(id, principal: principal)
        try authorize(principal, .update)
        try LoanWorkflow.check(loan.status, to: .checkedOut)
        guard let householdID = loan.householdID else { throw ParcError.conflict(field: nil, message: "the loan has no household any more") }
        let household = try await household(householdID, principal: principal)
        var kit: Kit
        if let tag = input.kitAssetTag ?? nil {
            guard let found = try await storage.loans.kit(assetTag: tag, in: principal.scope) else {
                throw ParcError.validation([FieldError(field: "kit_asset_tag", reason: "no kit carries this label in your establishments")])
            }
            kit = found
        } else if let kitID = input.kitID ?? loan.kitID {
            guard let found = try await kits.get(kitID, in: principal.scope) else {
                throw ParcError.validation([FieldError(field: "kit_id", reason: "no such kit")])
            }
            kit = found
        } else {
            throw ParcError.validation([FieldError(field: "kit_asset_tag", reason: "name the kit handed over (its asset tag or kit_id)")])
        }
        return try await checkout(loan, household: household, kit: kit, input: input, principal: principal)
    }

    func checkout(_ old: Loan, household: Household, kit: Kit, input: CheckoutInput, principal: Principal) async throws -> CheckoutResult {
        guard kit.establishmentID == old.establishmentID else {
            throw ParcError.validation([FieldError(field: "kit_asset_tag", reason: "the kit belongs to another establishment")])
        }
        let offeredHere = kit.status == .offered && old.kitID == kit.id
        guard kit.status == .available || offeredHere else {
            throw ParcError.conflict(
                field: "kit_asset_tag", message: "kit \(kit.assetTag) is \(kit.status.rawValue.replacingOccurrences(of: "_", with: " "))")
        }
        let components = try await storage.loans.components(kitID: kit.id)
        let devices = try await storage.repository(Device.self).get(ids: kit.deviceIDs)
        if let busy = devices.values.first(where: { ![.inStock, .inService].contains($0.status) }) {
            throw ParcError.conflict(
                field: "kit_asset_tag",
                message:
                    "device \(busy.serialNumber) of the kit is \(busy.status.rawValue.replacingOccurrences(of: "_", with: " "))"
            )
        }
        let policy = try await policy(collectiviteID: old.ownerID)
        let now = clock.now()
        let today = today(now)
        var v = Validator()
        let given = v.date(input.dueOn, "due_on")
        if let given, given <= today { v.fail("due_on", "must be after today") }
        var signature: Signature?
        if let raw = input.signature {
            signature = raw.validate(into: &v, field: "signature")
        } else {
            v.fail("signature", "the guardian signs the convention at the desk (a drawn image or the typed name)")
        }
        let notes = v.optionalText(input.notes, "notes", maxLength: 2_000)
        try v.check()
        var loan = old
        loan.status = .checkedOut
        loan.kitID = kit.id
        loan.checkedOutAt = now
        loan.dueOn = given ?? policy.dueDate(checkedOutOn: today)
        loan.offerExpiresAt = nil
        if let notes { loan.notes = [old.notes, notes].compactMap { $0 }.joined(separator: "\n") }
        loan.version += 1
        loan.updatedAt = now
        let simLine = try await simLine(of: kit)
        let template = try await storage.loans.currentTemplate(collectiviteID: old.ownerID, kind: .convention) ?? .builtIn(.convention)
        let values = try await placeholderValues(
            loan: loan, household: household, kit: kit, components: components, simLine: simLine, policy: policy, principal: principal, today: today)
        let document = sign(template, values: values, loan: loan, signature: signature!, principal: principal, now: now, today: today)
        loan.conventionID = document.id
        var batch = WriteBatch([loans.update(loan, expectedVersion: old.version), storage.loans.setStatus(kit, .onLoan, at: now)])
        if let previous = old.kitID, previous != kit.id, let offered = try await kits.get(ids: [previous])[previous], offered.status == .offered {
            batch.statements.append(storage.loans.setStatus(offered, .available, at: now))
        }
        batch.statements.append(storage.loans.setDeviceStatus(kit.deviceIDs, .onLoan, at: now))
        batch.statements.append(storage.loans.insert(document, image: signature!.image))
        batch.statements.append(storage.loans.append(event(loan, from: old.status, to: .checkedOut, principal: principal, body: kit.assetTag)))
        batch.statements.append(access(principal, household, "convention", document.id.uuidString))
        try await storage.database.write(batch)
        return CheckoutResult(loan: loan, convention: document)
    }

    func returnKit(_ id: UUID, _ input: ReturnInput, principal: Principal) async throws -> ReturnResult {
        let old = try await get(id, principal: principal)
        try authorize(principal, .update)
        try LoanWorkflow.check(old.status, to: .returned)
        guard let kitID = old.kitID, let kit = try await kits.get(ids: [kitID])[kitID] else {
            throw ParcError.conflict(field: nil, message: "the loan has no kit to return")
        }
        let components = try await storage.loans.components(kitID: kit.id)
        let policy = try await policy(collectiviteID: old.ownerID)
        let valid = try input.validate(kit: components, policy: policy, signatureRequired: false)
        let now = clock.now()
        let today = today(now)
        var loan = old
        loan.status = .returned
        loan.endedAt = now
        loan.condition = valid.condition
        loan.feeCodes = valid.fees.map(\.code)
        loan.feeCents = valid.fees.reduce(0) { $0 + $1.amountCents }
        loan.returnedComponents = valid.components
        if let note = valid.note { loan.notes = [old.notes, note].compactMap { $0 }.joined(separator: "\n") }
        loan.version += 1
        loan.updatedAt = now
        var household: Household?
        if let id = old.householdID { household = try await households.get(ids: [id])[id] }
        let simLine = try await simLine(of: kit)
        let template = try await storage.loans.currentTemplate(collectiviteID: old.ownerID, kind: .returnReceipt) ?? .builtIn(.returnReceipt)
        var values = try await placeholderValues(
            loan: loan, household: household, kit: kit, components: components, simLine: simLine, policy: policy, principal: principal, today: today)
        values["return_items"] = components.map { part in
            let answer = valid.components.first { $0.deviceID == part.deviceID }
            let state =
                switch answer?.state ?? .missing {
                case .present: "rendu"
                case .damaged: "rendu endommagé"
                case .missing: "non rendu"
                }
            let wipe =
                !part.holdsData || answer?.state == .missing ? "" : (answer?.dataWiped == true ? " — données effacées" : " — données NON effacées")
            let note = answer?.note.map { " (\($0))" } ?? ""
            return "- \(part.label), n° de série \(part.serialNumber ?? "—") : \(state)\(wipe)\(note)"
        }.joined(separator: "\n")
        values["condition"] = LoanService.frenchCondition[valid.condition]
        values["fees"] =
            valid.fees.isEmpty
            ? "aucun"
            : valid.fees.map { "\($0.label) (\(LoanService.euros($0.amountCents)))" }.joined(separator: ", ")
                + " — total \(LoanService.euros(loan.feeCents))"
        values["returned_on"] = LoanReminders.frenchDate(today)
        let signature = valid.signature ?? Signature(kind: .typed, signerName: principal.name, image: nil)
        let receipt = sign(template, values: values, loan: loan, signature: signature, principal: principal, now: now, today: today)
        loan.receiptID = receipt.id
        let problems = valid.problems
        var batch = WriteBatch([
            loans.update(loan, expectedVersion: old.version), storage.loans.setStatus(kit, problems.isEmpty ? .available : .incomplete, at: now),
        ])
        for state in ComponentReturn.State.allCases {
            let ids = valid.components.filter { $0.state == state }.map(\.deviceID)
            if !ids.isEmpty { batch.statements.append(storage.loans.setDeviceStatus(ids, state.deviceStatus, at: now)) }
        }
        batch.statements.append(storage.loans.insert(receipt, image: signature.image))
        batch.statements.append(
            storage.loans.append(event(loan, from: old.status, to: .returned, principal: principal, body: valid.condition.rawValue)))
        if let household { batch.statements.append(storage.loans.markEnded(householdID: household.id, at: now)) }
        try await storage.database.write(batch)
        // The return is the fact that must not be lost; the repair ticket follows it and is linked once open.
        if !problems.isEmpty {
            let ticket = try await openDamageTicket(loan: loan, kit: kit, components: components, problems: problems, principal: principal)
            loan.ticketID = ticket.id
            try await storage.database.write(storage.loans.setTicket(ticket.id, loanID: loan.id))
        } else {
            try await offerAvailableKits(establishmentID: loan.establishmentID)
        }
        return ReturnResult(loan: loan, receipt: receipt, ticketID: loan.ticketID)
    }

    func openDamageTicket(loan: Loan, kit: Kit, components: [KitComponent], problems: [ComponentReturn], principal: Principal) async throws -> Ticket
    {
        let lines = problems.map { problem in
            let part = components.first { $0.deviceID == problem.deviceID }
            return "- \(part?.label ?? "?") (n° de série \(part?.serialNumber ?? "—")) : \(problem.state == .missing ? "manquant" : "endommagé")"
                + (problem.note.map { " — \($0)" } ?? "")
        }
        let first = problems[0].deviceID
        let input = TicketInput(
            establishmentID: loan.establishmentID, assetTag: nil, category: Ticket.Category.loanDamage.rawValue, urgency: "medium", impact: "low",
            priority: nil, title: "Retour de prêt \(kit.assetTag) : \(problems.count) élément(s) manquant(s) ou endommagé(s)",
            description: "Lot \(kit.name) rendu le \(LoanReminders.frenchDate(today(clock.now()))) (prêt \(loan.id.uuidString.lowercased())).\n"
                + lines.joined(separator: "\n"),
            deviceID: problems.count == 1 || problems.first?.state == .damaged ? first : nil, cartID: nil, accessPointID: nil, internetLinkID: nil,
            roomID: nil, assigneeID: nil, slaPolicyID: nil)
        return try await tickets.open(input, principal: principal)
    }

    func simLine(of kit: Kit) async throws -> SIMLine? {
        guard let id = kit.simLineID else { return nil }
        return try await storage.repository(SIMLine.self).get(ids: [id])[id]
    }

    static let frenchCondition: [Loan.Condition: String] = [.good: "bon", .fair: "correct", .poor: "mauvais", .unusable: "inutilisable"]

    static func euros(_ cents: Int) -> String { String(format: "%d,%02d €", cents / 100, cents % 100) }

    func placeholderValues(
        loan: Loan, household: Household?, kit: Kit, components: [KitComponent], simLine: SIMLine?, policy: LoanPolicy, principal: Principal,
        today: LocalDate
    ) async throws -> [String: String] {
        let establishment = try await storage.repository(Establishment.self).get(ids: [loan.establishmentID])[loan.establishmentID]
        let collectivite = try await storage.repository(Collectivite.self).get(ids: [loan.ownerID])[loan.ownerID]
        let items = components.map { part in
            "- \(part.label) — n° de série \(part.serialNumber ?? "—") — n° d'inventaire \(part.assetTag ?? "—")"
        }
        return [
            "collectivite": collectivite?.name ?? "", "establishment": establishment?.name ?? "", "establishment_uai": establishment?.uai.value ?? "",
            "guardians": household?.guardianNames ?? "",
            "guardian_addresses": household?.guardians.compactMap(\.address).joined(separator: " ; ") ?? "",
            "pupil_reference": household?.pupilReference ?? "", "kit_name": kit.name, "kit_asset_tag": kit.assetTag,
            "kit_items": items.joined(separator: "\n"),
            "sim_line": simLine.map {
                "ICCID \($0.iccid), \($0.operator)\($0.phoneNumber.map { ", n° \($0)" } ?? "")\($0.dataPlan.map { ", \($0)" } ?? "")"
            }
                ?? "aucune",
            "purpose": policy.purpose, "start_date": (loan.checkedOutAt.map { LoanReminders.frenchDate(self.today($0)) }) ?? "",
            "due_date": loan.dueOn.map(LoanReminders.frenchDate) ?? "", "loan_reference": LoanService.reference(loan.id),
            "staff_name": principal.name,
            "today": LoanReminders.frenchDate(today),
        ]
    }

    /// A short reference for people: the first eight hexadecimal digits of the loan's id.
    static func reference(_ id: UUID) -> String { String(id.uuidString.prefix(8)) }

    func sign(
        _ template: ConventionTemplate, values: [String: String], loan: Loan, signature: Signature, principal: Principal, now: Date, today: LocalDate
    ) -> SignedDocument {
        let text = ConventionTemplate.render(template.body, values: values)
        let digest = SHA256.hex(SignedDocument.digestInput(text: text, signerName: signature.signerName, signedAt: now, image: signature.image))
        return SignedDocument(
            id: clock.newID(), loanID: loan.id, establishmentID: loan.establishmentID, kind: template.kind, templateID: template.id,
            templateVersion: template.version, title: template.title, text: text, signatureKind: signature.kind, signerName: signature.signerName,
            hasSignatureImage: signature.image != nil, signedAt: now, staffID: principal.id, staffName: principal.name, sha256: digest,
            keepUntil: LocalDate(year: today.year + settings.retention.documentYears, month: today.month, day: min(today.day, 28))!)
    }

    // MARK: Campaign desk

    /// The scan loop: a household (by id, or by its pupil reference in an establishment), a kit's asset tag, the
    /// guardian's signature. Uses the household's request or offer, or registers the request on the spot.
    func deskCheckout(_ input: DeskCheckoutInput, principal: Principal) async throws -> CheckoutResult {
        try authorize(principal, .update)
        let household: Household
        if let id = input.householdID {
            household = try await self.household(id, principal: principal)
        } else if let establishmentID = input.establishmentID, let reference = input.pupilReference {
            guard
                let found = try await households.list(
                    [.equals("establishment_id", establishmentID), .equals("pupil_reference", reference)], in: principal.scope,
                    page: PageRequest(cursor: nil, limit: 1)
                ).items.first
            else {
                throw ParcError.validation([FieldError(field: "pupil_reference", reason: "no household of this establishment has this reference")])
            }
            household = try await self.household(found.id, principal: principal)
        } else {
            throw ParcError.validation([FieldError(field: "household_id", reason: "give household_id, or establishment_id and pupil_reference")])
        }
        guard let tag = input.kitAssetTag else { throw ParcError.validation([FieldError(field: "kit_asset_tag", reason: "is required")]) }
        guard let kit = try await storage.loans.kit(assetTag: tag, in: principal.scope) else {
            throw ParcError.validation([FieldError(field: "kit_asset_tag", reason: "no kit carries this label in your establishments")])
        }
        let loan: Loan
        if let open = try await storage.loans.openLoan(householdID: household.id) {
            guard open.status == .requested || open.status == .offered else {
                throw ParcError.conflict(field: "household_id", message: "the household already has kit on loan (\(open.id))")
            }
            loan = open
        } else {
            loan = try await makeRequest(household, notes: nil, principal: principal)
        }
        let checkout = CheckoutInput(kitID: kit.id, kitAssetTag: nil, dueOn: input.dueOn, signature: input.signature, notes: input.notes)
        return try await self.checkout(loan, household: household, kit: kit, input: checkout, principal: principal)
    }

    /// End-of-year returns by asset tag. Each kit is its own transaction: one bad line is reported, and the others
    /// are recorded.
    func deskReturns(_ input: DeskReturnsInput, principal: Principal) async throws -> [DeskReturnOutcome] {
        try authorize(principal, .update)
        let items = input.items ?? []
        guard !items.isEmpty, items.count <= 500 else {
            throw ParcError.validation([FieldError(field: "items", reason: "send from 1 to 500 kits")])
        }
        var outcomes: [DeskReturnOutcome] = []
        for (i, item) in items.enumerated() {
            do {
                guard let tag = item.kitAssetTag, let kit = try await storage.loans.kit(assetTag: tag, in: principal.scope) else {
                    throw ParcError.validation([
                        FieldError(field: "items[\(i)].kit_asset_tag", reason: "no kit carries this label in your establishments")
                    ])
                }
                guard let loan = try await storage.loans.liveLoan(kitID: kit.id), loan.status.isOut else {
                    throw ParcError.conflict(field: "items[\(i)].kit_asset_tag", message: "kit \(tag) is not on loan")
                }
                let result = try await returnKit(
                    loan.id,
                    ReturnInput(
                        condition: item.condition, components: item.components, allChecksPassed: item.allChecksPassed, fees: item.fees,
                        note: item.note,
                        signature: item.signature), principal: principal)
                outcomes.append(
                    DeskReturnOutcome(kitAssetTag: tag, loanID: loan.id, receiptID: result.receipt.id, ticketID: result.ticketID, error: nil))
            } catch let error as ParcError {
                outcomes.append(
                    DeskReturnOutcome(kitAssetTag: item.kitAssetTag ?? "", loanID: nil, receiptID: nil, ticketID: nil, error: error.detail))
            }
        }
        return outcomes
    }

    // MARK: Documents and photos

    /// A signed document names the family: only those who may read the household see it, and the read is logged.
    func document(_ id: UUID, principal: Principal) async throws -> (SignedDocument, [UInt8]?) {
        try authorize(principal, .read)
        guard let (document, image) = try await storage.loans.document(id: id),
            let loan = try await loans.get(document.loanID, in: principal.scope)
        else { throw ParcError.notFound("document") }
        try await requireHouseholdReader(principal, establishmentID: loan.establishmentID, ownerID: loan.ownerID)
        if let householdID = loan.householdID {
            try await storage.database.write(
                storage.loans.logAccess(
                    HouseholdAccess(
                        at: clock.now(), principalID: principal.id, principalName: principal.name, householdID: householdID,
                        establishmentID: loan.establishmentID, action: "document", detail: document.id.uuidString)))
        }
        return (document, image)
    }

    func documents(loanID: UUID, principal: Principal) async throws -> [SignedDocument] {
        let loan = try await get(loanID, principal: principal)
        try await requireHouseholdReader(principal, establishmentID: loan.establishmentID, ownerID: loan.ownerID)
        return try await storage.loans.documents(loanIDs: [loan.id]).map {
            var summary = $0
            summary.text = ""
            return summary
        }
    }

    func addPhoto(_ loanID: UUID, stage: String?, content: [UInt8], principal: Principal) async throws -> LoanPhoto {
        let loan = try await get(loanID, principal: principal)
        try authorize(principal, .update)
        var v = Validator()
        let stage = v.enumValue(stage, "stage", as: LoanPhoto.Stage.self)
        let type = TicketAttachment.sniff(content)
        if content.isEmpty || type == nil || type == "application/pdf" { v.fail("body", "must be a JPEG, PNG, WebP or HEIC photo") }
        try v.check()
        guard content.count <= settings.maxPhotoBytes else { throw ParcError.payloadTooLarge(limit: settings.maxPhotoBytes) }
        let existing = try await storage.loans.photos(loanID: loan.id)
        guard existing.count < settings.maxPhotosPerLoan else {
            throw ParcError.conflict(field: nil, message: "the loan already has \(existing.count) photos, the most allowed")
        }
        if stage == .checkout, !loan.status.isOut || loan.status == .returned {
            throw ParcError.conflict(field: "stage", message: "checkout photos are taken while the kit is out")
        }
        if stage == .return, loan.status != .returned && !loan.status.isOut {
            throw ParcError.conflict(field: "stage", message: "return photos belong to a loan being returned or returned")
        }
        let photo = LoanPhoto(
            id: clock.newID(), loanID: loan.id, stage: stage!, contentType: type!, size: content.count, sha256: SHA256.hex(content),
            uploadedBy: principal.id, uploadedByName: principal.name, uploadedAt: clock.now())
        try await storage.database.write(storage.loans.insert(photo, content: content))
        return photo
    }

    func photo(_ id: UUID, principal: Principal) async throws -> (LoanPhoto, [UInt8]) {
        guard let (photo, content) = try await storage.loans.photo(id: id) else { throw ParcError.notFound("photo") }
        _ = try await get(photo.loanID, principal: principal)
        return (photo, content)
    }

    // MARK: Templates

    func templates(collectiviteID: UUID?, principal: Principal) async throws -> [ConventionTemplate] {
        guard Permissions.allows(principal.role, .read, .loanPolicy) else { throw ParcError.forbidden("this role cannot read convention texts") }
        let ids: [UUID]
        if let collectiviteID {
            guard try await storage.repository(Collectivite.self).get(collectiviteID, in: principal.scope) != nil else {
                throw ParcError.notFound("collectivité")
            }
            ids = [collectiviteID]
        } else if let own = principal.collectiviteID {
            ids = [own]
        } else {
            ids = Array(Set(try await storage.repository(Establishment.self).get(ids: principal.establishmentIDs).values.map(\.ownerID)))
        }
        return [.builtIn(.convention), .builtIn(.returnReceipt)] + (try await storage.loans.templates(collectiviteIDs: ids))
    }

    func createTemplate(_ input: ConventionTemplateInput, principal: Principal) async throws -> ConventionTemplate {
        guard Permissions.allows(principal.role, .create, .loanPolicy) else {
            throw ParcError.forbidden("only the collectivité writes its convention texts")
        }
        let v = try input.validate()
        guard try await storage.repository(Collectivite.self).get(v.collectiviteID, in: principal.scope) != nil else {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "no such collectivité")])
        }
        var template = ConventionTemplate(
            id: clock.newID(), collectiviteID: v.collectiviteID, kind: v.kind, version: 0, title: v.title, body: v.body, createdBy: principal.name,
            createdAt: clock.now())
        let rows = try await storage.database.write(WriteBatch([storage.loans.insert(template)]))
        template.version = try rows[0].first?.int("version") ?? 0
        return template
    }

    func template(_ id: UUID, principal: Principal) async throws -> ConventionTemplate {
        if let builtIn = ConventionTemplate.Kind.allCases.map(ConventionTemplate.builtIn).first(where: { $0.id == id }) { return builtIn }
        guard let template = try await storage.loans.template(id: id), let owner = template.collectiviteID,
            try await storage.repository(Collectivite.self).get(owner, in: principal.scope) != nil
        else { throw ParcError.notFound("convention template") }
        return template
    }

    // MARK: Report

    func report(level: String?, principal: Principal) async throws -> [LoanReportRow] {
        try authorize(principal, .read)
        let now = clock.now()
        let today = today(now)
        let perEstablishment = try await storage.loans.report(
            in: principal.scope, today: today, simHorizon: LocalDate(daysSinceEpoch: today.daysSinceEpoch + settings.simExpiryWarningDays))
        let establishments = try await storage.repository(Establishment.self).get(ids: Array(perEstablishment.keys))
        switch level ?? "establishment" {
        case "establishment":
            return perEstablishment.values.map { row in
                var row = row
                if let e = establishments[row.key] { row.label = "\(e.uai.value) \(e.name)" }
                return row
            }.sorted { $0.label < $1.label }
        case "collectivite":
            var byOwner: [UUID: LoanReportRow] = [:]
            for row in perEstablishment.values {
                guard let owner = establishments[row.key]?.ownerID else { continue }
                byOwner[owner] = (byOwner[owner] ?? LoanReportRow(key: owner, label: "")) + row
            }
            let names = try await storage.repository(Collectivite.self).get(ids: Array(byOwner.keys))
            return byOwner.values.map { row in
                var row = row
                row.label = names[row.key]?.name ?? row.key.uuidString
                return row
            }.sorted { $0.label < $1.label }
        default:
            throw ParcError.validation([FieldError(field: "level", reason: "must be one of: establishment, collectivite")])
        }
    }
}

struct CheckoutInput: Codable, Sendable {
    var kitID: UUID?
    var kitAssetTag: String?
    var dueOn: String?
    var signature: SignatureInput?
    var notes: String?
}

struct DeskCheckoutInput: Codable, Sendable {
    var householdID: UUID?
    var establishmentID: UUID?
    var pupilReference: String?
    var kitAssetTag: String?
    var dueOn: String?
    var signature: SignatureInput?
    var notes: String?
}

struct DeskReturnsInput: Codable, Sendable {
    struct Item: Codable, Sendable {
        var kitAssetTag: String?
        var condition: String?
        var components: [ComponentReturn]?
        var allChecksPassed: Bool?
        var fees: [String]?
        var note: String?
        var signature: SignatureInput?
    }

    var items: [Item]?
}

struct DeskReturnOutcome: Codable, Sendable {
    var kitAssetTag: String
    var loanID: UUID?
    var receiptID: UUID?
    var ticketID: UUID?
    /// The error this kit got, shaped like the API's error bodies; nil when it was returned.
    var error: ErrorBody.Detail?
}
