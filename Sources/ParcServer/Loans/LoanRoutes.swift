import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParcCore
import ParcStore

extension ParcApplication {
    /// Family loans: kits and SIM lines, the collectivité's policy and convention texts, households (RGPD), the
    /// loan state machine, the campaign desk, signed documents, photos and reports.
    func addLoanRoutes(to api: APIRoutes) {
        let service = loans
        let storage = self.storage
        let clock = self.clock
        addResourceRoutes(InventoryService(resource: KitResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: SIMLineResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: LoanPolicyResource(), storage: storage, clock: clock), to: api)

        api.add(
            .get, "kits/{id}/components", "The devices of a kit, in the order its convention lists them", tag: "Loan",
            reply: .list(schema: "KitComponentView")
        ) { _, context in
            let kit = try await InventoryService(resource: KitResource(), storage: storage, clock: clock).get(
                try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(try await storage.loans.components(kitID: kit.id).map(KitComponentView.init))
        }

        // Convention texts
        api.add(
            .get, "convention-templates",
            "Convention and return-receipt texts: the built-in ones, then every version of the collectivité's own (its own by default)",
            tag: "Loan", query: ["collectivite_id"], reply: .list(schema: "ConventionTemplate")
        ) { request, context in
            var v = Validator()
            let collectivite = v.uuid(request.queryDictionary["collectivite_id"], "collectivite_id")
            try v.check()
            return try Reply.json(try await service.templates(collectiviteID: collectivite, principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "convention-templates",
            "Save a new version of a collectivité's convention or return-receipt text. Versions are never changed; placeholders are checked",
            tag: "Loan", body: .json(schema: "ConventionTemplateInput"), reply: .object(schema: "ConventionTemplate"), status: 201
        ) { request, context in
            let template = try await service.createTemplate(
                try await request.decodeJSON(ConventionTemplateInput.self, context: context), principal: try context.requirePrincipal())
            return try Reply.json(template, status: .created, location: "/api/v1/convention-templates/\(template.id)")
        }
        api.add(.get, "convention-templates/{id}", "Read one version of a text", tag: "Loan", reply: .object(schema: "ConventionTemplate")) {
            _, context in
            try Reply.json(try await service.template(try context.id(), principal: try context.requirePrincipal()))
        }

        // Households
        api.add(
            .get, "households",
            "Households of the caller's establishments (staff, or the collectivité's named loan managers). Every household listed is logged as read",
            tag: "Household", query: LoanService.householdFilters.keys.sorted() + ["limit", "cursor"], reply: .page(schema: "Household")
        ) { request, context in
            try Reply.json(try await service.listHouseholds(request.queryDictionary, principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "households", "Register a household: guardians, a pupil reference of the establishment's own, the eligibility criterion",
            tag: "Household", body: .json(schema: "HouseholdInput"), reply: .object(schema: "Household"), status: 201
        ) { request, context in
            let household = try await service.createHousehold(
                try await request.decodeJSON(HouseholdInput.self, context: context), principal: try context.requirePrincipal())
            return try Reply.json(household, status: .created, version: household.version, location: "/api/v1/households/\(household.id)")
        }
        api.add(.get, "households/{id}", "Read a household (the read is logged)", tag: "Household", reply: .object(schema: "Household")) {
            _, context in
            let household = try await service.readHousehold(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(household, version: household.version)
        }
        api.add(
            .patch, "households/{id}", "Change a household (JSON merge patch; If-Match). The trail records which fields changed, not their values",
            tag: "Household", body: .json(schema: "HouseholdInput"), reply: .object(schema: "Household")
        ) { request, context in
            let household = try await service.updateHousehold(
                try context.id(), patch: try await request.jsonObject(context: context), ifMatch: try request.ifMatchVersion(),
                principal: try context.requirePrincipal())
            return try Reply.json(household, version: household.version)
        }
        api.add(
            .delete, "households/{id}",
            "Erase a household on request when no loan is under way: identity deleted, loans anonymised, signed documents kept for their legal period",
            tag: "Household", reply: .object(schema: "ErasureReport")
        ) { _, context in
            try Reply.json(try await service.erase(try context.id(), principal: try context.requirePrincipal()))
        }
        api.add(
            .get, "households/{id}/export", "Everything held on a household, for a subject-access request (JSON)", tag: "Household",
            reply: .object(schema: "HouseholdExport")
        ) { _, context in
            try Reply.json(try await service.export(try context.id(), principal: try context.requirePrincipal()))
        }
        api.add(
            .get, "households/{id}/access-log", "Who read or changed the household, newest first", tag: "Household",
            reply: .list(schema: "HouseholdAccess")
        ) { _, context in
            try Reply.json(try await service.accessLog(try context.id(), principal: try context.requirePrincipal()))
        }

        // Loans
        api.add(
            .get, "loans", "Loans in the caller's scope (filters combine with AND; cursor pagination). No identity: households are read apart",
            tag: "Loan", query: LoanService.loanFilters.keys.sorted() + ["limit", "cursor"], reply: .page(schema: "Loan")
        ) { request, context in
            try Reply.json(try await service.list(request.queryDictionary, principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "loans", "Put an eligible household on its establishment's waitlist; a kit on the shelf is offered at once", tag: "Loan",
            body: .json(schema: "LoanRequestInput"), reply: .object(schema: "Loan"), status: 201
        ) { request, context in
            let loan = try await service.request(
                try await request.decodeJSON(LoanRequestInput.self, context: context), principal: try context.requirePrincipal())
            return try Reply.json(loan, status: .created, version: loan.version, location: "/api/v1/loans/\(loan.id)")
        }
        api.add(
            .get, "establishments/{id}/waitlist", "The establishment's waitlist: criterion priority, then request date", tag: "Loan",
            reply: .list(schema: "Loan")
        ) { _, context in
            try Reply.json(try await service.waitlist(establishmentID: try context.id(), principal: try context.requirePrincipal()))
        }
        api.add(.get, "loans/{id}", "Read a loan", tag: "Loan", reply: .object(schema: "Loan")) { _, context in
            let loan = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(loan, version: loan.version)
        }
        api.add(.get, "loans/{id}/events", "The loan's history", tag: "Loan", reply: .list(schema: "LoanEvent")) { _, context in
            let loan = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(try await storage.loans.events(loanID: loan.id))
        }
        api.add(
            .post, "loans/{id}/offer", "Offer a kit (the one named, or the first on the shelf) to a request, until the policy's offer delay",
            tag: "Loan", body: .json(schema: "OfferInput"), reply: .object(schema: "Loan")
        ) { request, context in
            let input = try await request.decodeJSON(OfferInput.self, context: context)
            let loan = try await service.offer(try context.id(), kitID: input.kitID, principal: try context.requirePrincipal())
            return try Reply.json(loan, version: loan.version)
        }
        api.add(
            .post, "loans/{id}/checkout",
            "Hand the kit over: the convention is rendered from the collectivité's current text, signed by the guardian at the desk and stored unchanged",
            tag: "Loan", body: .json(schema: "CheckoutInput"), reply: .object(schema: "CheckoutResult")
        ) { request, context in
            try Reply.json(
                try await service.checkout(
                    try context.id(), try await request.decodeJSON(CheckoutInput.self, context: context), principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "loans/{id}/extend", "Push the due date back by the policy's extension (or to due_on), up to its number of extensions",
            tag: "Loan", body: .json(schema: "ExtendInput"), reply: .object(schema: "Loan")
        ) { request, context in
            let loan = try await service.extend(
                try context.id(), try await request.decodeJSON(ExtendInput.self, context: context), ifMatch: try request.ifMatchVersion(),
                principal: try context.requirePrincipal())
            return try Reply.json(loan, version: loan.version)
        }
        api.add(
            .post, "loans/{id}/return",
            "Record a return: every component present, missing or damaged, the checklist of its kind, the data wipe; damage opens a ticket and may charge fees",
            tag: "Loan", body: .json(schema: "ReturnInput"), reply: .object(schema: "ReturnResult")
        ) { request, context in
            try Reply.json(
                try await service.returnKit(
                    try context.id(), try await request.decodeJSON(ReturnInput.self, context: context), principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "loans/{id}/transitions",
            "Decline, cancel or expire an offer or request; declare a kit lost or stolen. 409 names the moves allowed from the loan's state",
            tag: "Loan", body: .json(schema: "LoanTransitionInput"), reply: .object(schema: "Loan")
        ) { request, context in
            let loan = try await service.transition(
                try context.id(), try await request.decodeJSON(LoanTransitionInput.self, context: context), ifMatch: try request.ifMatchVersion(),
                principal: try context.requirePrincipal())
            return try Reply.json(loan, version: loan.version)
        }

        // Campaign desk
        api.add(
            .post, "loan-desk/checkout",
            "The campaign scan loop in one call: household (id, or pupil reference), kit asset tag, guardian's signature → loan and signed convention",
            tag: "Loan", body: .json(schema: "DeskCheckoutInput"), reply: .object(schema: "CheckoutResult")
        ) { request, context in
            try Reply.json(
                try await service.deskCheckout(
                    try await request.decodeJSON(DeskCheckoutInput.self, context: context), principal: try context.requirePrincipal()))
        }
        api.add(
            .post, "loan-desk/returns",
            "Bulk return by asset tag (up to 500 kits): each kit is recorded on its own, and each line answers with its receipt or its error",
            tag: "Loan", body: .json(schema: "DeskReturnsInput"), reply: .list(schema: "DeskReturnOutcome")
        ) { request, context in
            try Reply.json(
                try await service.deskReturns(
                    try await request.decodeJSON(DeskReturnsInput.self, context: context), principal: try context.requirePrincipal()))
        }

        // Signed documents and photos
        api.add(
            .get, "loans/{id}/documents", "The signed convention and return receipt of a loan (without their text)", tag: "Loan",
            reply: .list(schema: "SignedDocument")
        ) { _, context in
            try Reply.json(try await service.documents(loanID: try context.id(), principal: try context.requirePrincipal()))
        }
        api.add(
            .get, "loan-documents/{id}", "A signed document with its exact text, version and digest (the read is logged)", tag: "Loan",
            reply: .object(schema: "SignedDocument")
        ) { _, context in
            try Reply.json(try await service.document(try context.id(), principal: try context.requirePrincipal()).0)
        }
        api.add(
            .get, "loan-documents/{id}/print", "The signed document as a printable HTML page, with the drawn signature", tag: "Loan", reply: .text
        ) { _, context in
            let (document, image) = try await service.document(try context.id(), principal: try context.requirePrincipal())
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .init("Content-Security-Policy")!: "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
                ],
                body: .init(byteBuffer: ByteBuffer(string: document.html(signatureImage: image))))
        }
        let maxPhoto = configuration.loans.maxPhotoBytes
        api.add(
            .post, "loans/{id}/photos", "Join a condition photo (JPEG, PNG, WebP, HEIC) taken at checkout or at return: the raw image as the body",
            tag: "Loan", query: ["stage"], body: .file(["image/jpeg", "image/png", "image/webp", "image/heic"]), reply: .object(schema: "LoanPhoto"),
            status: 201
        ) { request, context in
            let principal = try context.requirePrincipal()
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxPhoto)
            } catch is NIOTooManyBytesError {
                throw ParcError.payloadTooLarge(limit: maxPhoto)
            }
            let photo = try await service.addPhoto(
                try context.id(), stage: request.queryDictionary["stage"], content: Array(body.readableBytesView), principal: principal)
            return try Reply.json(photo, status: .created)
        }
        api.add(.get, "loans/{id}/photos", "The condition photos of a loan", tag: "Loan", reply: .list(schema: "LoanPhoto")) { _, context in
            let loan = try await service.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(try await storage.loans.photos(loanID: loan.id))
        }
        api.add(.get, "loan-photos/{id}", "Download a condition photo", tag: "Loan", reply: .file) { _, context in
            let (photo, content) = try await service.photo(try context.id(), principal: try context.requirePrincipal())
            return Response(
                status: .ok, headers: [.contentType: photo.contentType, .init("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }

        // Reports
        api.add(
            .get, "loan-reports",
            "Per establishment or collectivité: kits available, out, overdue, lost; households served and waiting; returns by condition; SIM lines expiring. format=csv for CSV",
            tag: "Loan", query: ["level", "format"], reply: .list(schema: "LoanReportRow")
        ) { request, context in
            let query = request.queryDictionary
            let rows = try await service.report(level: query["level"], principal: try context.requirePrincipal())
            guard query["format"] == "csv" else { return try Reply.json(rows) }
            let text = ([LoanReportRow.csvHeader] + rows.map(\.csvFields)).map(CSVWriter.line).joined()
            return Reply.csv(text, filename: "loans.csv")
        }
        api.add(
            .post, "loan-passes", "Run the loan pass now (administrators): expire offers, queue reminders, send the outbox, apply retention",
            tag: "Loan", reply: .object(schema: "LoanPassReport")
        ) { _, context in
            guard try context.requirePrincipal().role == .admin else { throw ParcError.forbidden("only administrators run the loan pass by hand") }
            return try Reply.json(try await service.pass(sender: LogNoticeSender(logger: self.logger)))
        }
    }
}

/// A kit's device as the API shows it.
struct KitComponentView: Codable, Sendable {
    var deviceID: UUID
    var kind: DeviceModel.Kind
    var label: String
    var serialNumber: String?
    var assetTag: String?

    init(_ part: KitComponent) {
        deviceID = part.deviceID
        kind = part.kind
        label = part.label
        serialNumber = part.serialNumber
        assetTag = part.assetTag
    }
}
