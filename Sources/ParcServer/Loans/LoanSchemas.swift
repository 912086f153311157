import Foundation
import ParcCore
import ParcStore

extension ParcApplication {
    /// Schemas of the loan routes, from fully populated examples (absent optionals would hide fields).
    static let loanSchemas: [String: JSONValue] = {
        let epoch = Date(timeIntervalSince1970: 0)
        var schemas: [String: JSONValue] = [:]
        schemas["Kit"] = OpenAPIDocument.schema(example: KitResource.example)
        schemas["KitInput"] = OpenAPIDocument.schema(example: KitResource.exampleInput)
        schemas["SIMLine"] = OpenAPIDocument.schema(example: SIMLineResource.example)
        schemas["SIMLineInput"] = OpenAPIDocument.schema(example: SIMLineResource.exampleInput)
        var policy = LoanPolicyResource.example
        policy.durationDays = 90
        policy.loanManagerIDs = [UUID()]
        schemas["LoanPolicy"] = OpenAPIDocument.schema(example: policy)
        schemas["LoanPolicyInput"] = OpenAPIDocument.schema(example: LoanPolicyInput(policy))
        schemas["KitComponentView"] = OpenAPIDocument.schema(
            example: KitComponentView(
                KitComponent(deviceID: UUID(), kind: .laptop, label: "Constructeur Modèle 14", serialNumber: "SN-123", assetTag: "974-CLG-0001")))
        let template = ConventionTemplate.builtIn(.convention)
        var owned = template
        owned.collectiviteID = UUID()
        schemas["ConventionTemplate"] = OpenAPIDocument.schema(example: owned)
        schemas["ConventionTemplateInput"] = OpenAPIDocument.schema(
            example: ConventionTemplateInput(collectiviteID: UUID(), kind: "convention", title: template.title, body: template.body))
        let guardian = Household.Guardian(name: "Camille Martin", email: "camille@example.org", phone: "0692123456", address: "1 rue des Lilas")
        let household = Household(
            id: UUID(), establishmentID: UUID(), ownerID: UUID(), academieCode: "28", pupilReference: "6B-014", guardians: [guardian], eligible: true,
            criterion: "boursier", lastLoanEndedAt: epoch, createdAt: epoch, updatedAt: epoch)
        schemas["Household"] = OpenAPIDocument.schema(example: household)
        schemas["HouseholdInput"] = OpenAPIDocument.schema(
            example: HouseholdInput(establishmentID: UUID(), pupilReference: "6B-014", guardians: [guardian], eligible: true, criterion: "boursier"))
        let answer = ComponentReturn(deviceID: UUID(), state: .damaged, checklist: ["powers_on": true], dataWiped: true, note: "Écran fendu")
        let loan = Loan(
            id: UUID(), establishmentID: UUID(), ownerID: UUID(), academieCode: "28", householdID: UUID(), kitID: UUID(), status: .returned,
            priority: 1,
            requestedAt: epoch, offeredAt: epoch, offerExpiresAt: epoch, checkedOutAt: epoch, dueOn: LocalDate("2027-07-04"), extensions: 1,
            endedAt: epoch, condition: .fair, feeCents: 12_000, feeCodes: ["screen"], returnedComponents: [answer], ticketID: UUID(),
            conventionID: UUID(), receiptID: UUID(), notes: "…", anonymizedAt: epoch, createdAt: epoch, updatedAt: epoch)
        schemas["Loan"] = OpenAPIDocument.schema(example: loan)
        schemas["LoanEvent"] = OpenAPIDocument.schema(
            example: LoanEvent(
                seq: 3, loanID: UUID(), at: epoch, actorID: UUID(), actorName: "Secrétariat", from: "offered", to: "checked_out", body: "…"))
        schemas["LoanRequestInput"] = OpenAPIDocument.schema(example: LoanRequestInput(householdID: UUID(), notes: "…"))
        schemas["LoanTransitionInput"] = OpenAPIDocument.schema(example: LoanTransitionInput(to: "lost", note: "Déclaré perdu par la famille"))
        schemas["ExtendInput"] = OpenAPIDocument.schema(example: ExtendInput(dueOn: "2027-07-04", note: "…"))
        schemas["OfferInput"] = OpenAPIDocument.schema(example: OfferInput(kitID: UUID()))
        let signature = SignatureInput(kind: "drawn", signerName: "Camille Martin", imagePng: "iVBORw0KGgo…")
        schemas["CheckoutInput"] = OpenAPIDocument.schema(
            example: CheckoutInput(kitID: UUID(), kitAssetTag: "KIT-974-0042", dueOn: "2027-07-04", signature: signature, notes: "…"))
        let document = SignedDocument(
            id: UUID(), loanID: UUID(), establishmentID: UUID(), kind: .convention, templateID: UUID(), templateVersion: 2, title: template.title,
            text: "…", signatureKind: .drawn, signerName: "Camille Martin", hasSignatureImage: true, signedAt: epoch, staffID: UUID(),
            staffName: "Secrétariat", sha256: "9f86d0…", keepUntil: LocalDate("2031-11-24")!)
        schemas["SignedDocument"] = OpenAPIDocument.schema(example: document)
        schemas["CheckoutResult"] = OpenAPIDocument.schema(example: LoanService.CheckoutResult(loan: loan, convention: document))
        let returnInput = ReturnInput(
            condition: "fair", components: [answer], allChecksPassed: false, fees: ["screen"], note: "…",
            signature: SignatureInput(kind: "typed", signerName: "Camille Martin", imagePng: "…"))
        schemas["ReturnInput"] = OpenAPIDocument.schema(example: returnInput)
        schemas["ReturnResult"] = OpenAPIDocument.schema(example: LoanService.ReturnResult(loan: loan, receipt: document, ticketID: UUID()))
        schemas["DeskCheckoutInput"] = OpenAPIDocument.schema(
            example: DeskCheckoutInput(
                householdID: UUID(), establishmentID: UUID(), pupilReference: "6B-014", kitAssetTag: "KIT-974-0042", dueOn: "2027-07-04",
                signature: signature, notes: "…"))
        schemas["DeskReturnsInput"] = OpenAPIDocument.schema(
            example: DeskReturnsInput(
                items: [
                    .init(
                        kitAssetTag: "KIT-974-0042", condition: "good", components: [answer], allChecksPassed: true, fees: ["charger"], note: "…",
                        signature: signature)
                ]))
        schemas["DeskReturnOutcome"] = OpenAPIDocument.schema(
            example: DeskReturnOutcome(
                kitAssetTag: "KIT-974-0042", loanID: UUID(), receiptID: UUID(), ticketID: UUID(),
                error: ErrorBody.Detail(code: "conflict", message: "…", fields: [FieldError(field: "items[0].kit_asset_tag", reason: "…")])))
        let photo = LoanPhoto(
            id: UUID(), loanID: UUID(), stage: .return, contentType: "image/jpeg", size: 182_331, sha256: "9f86d0…", uploadedBy: UUID(),
            uploadedByName: "Secrétariat", uploadedAt: epoch)
        schemas["LoanPhoto"] = OpenAPIDocument.schema(example: photo)
        let notice = LoanNotice(
            id: UUID(), loanID: UUID(), establishmentID: UUID(), stage: "overdue_1", channel: .email, recipient: "camille@example.org", subject: "…",
            body: "…", createdAt: epoch, sentAt: epoch, attempts: 1, lastError: "…")
        let access = HouseholdAccess(
            at: epoch, principalID: UUID(), principalName: "Secrétariat", householdID: UUID(), establishmentID: UUID(), action: "read", detail: "…")
        schemas["HouseholdAccess"] = OpenAPIDocument.schema(example: access)
        schemas["HouseholdExport"] = OpenAPIDocument.schema(
            example: HouseholdExport(
                exportedAt: epoch, household: household,
                loans: [
                    .init(
                        loan: loan,
                        events: [LoanEvent(loanID: UUID(), at: epoch, actorID: UUID(), actorName: "…", from: nil, to: "requested", body: "…")],
                        notices: [notice], photos: [photo])
                ],
                documents: [document], accessLog: [access], retention: LoanRetention()))
        schemas["ErasureReport"] = OpenAPIDocument.schema(
            example: ErasureReport(householdID: UUID(), loansAnonymised: 2, documentsKept: 3, documentsKeptUntil: "2031-07-04", note: "…"))
        var row = LoanReportRow(key: UUID(), label: "9741234A Collège Bourbon")
        row.kits = 40
        schemas["LoanReportRow"] = OpenAPIDocument.schema(example: row)
        var pass = LoanPassReport(ran: true)
        pass.noticesSent = 3
        schemas["LoanPassReport"] = OpenAPIDocument.schema(example: pass)
        return schemas
    }()
}
