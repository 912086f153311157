import Foundation
import ParcCore
import Testing

@Suite struct LoanDomainTests {
    /// Every pair of states: the move is allowed exactly when the workflow lists it, and a refused move is a
    /// conflict naming what is allowed.
    @Test(arguments: Loan.Status.allCases)
    func everyTransitionFrom(_ from: Loan.Status) throws {
        let allowed: [Loan.Status: [Loan.Status]] = [
            .requested: [.offered, .checkedOut, .cancelled], .offered: [.checkedOut, .declined, .expired, .cancelled],
            .checkedOut: [.extended, .returned, .lost, .stolen], .extended: [.extended, .returned, .lost, .stolen], .lost: [.returned],
            .stolen: [.returned], .returned: [], .declined: [], .expired: [], .cancelled: [],
        ]
        for to in Loan.Status.allCases {
            if allowed[from]!.contains(to) {
                try LoanWorkflow.check(from, to: to)
            } else {
                #expect(throws: ParcError.self) { try LoanWorkflow.check(from, to: to) }
                do {
                    try LoanWorkflow.check(from, to: to)
                } catch {
                    guard case .conflict(let field, let message) = error else { Issue.record("expected a conflict, got \(error)"); continue }
                    #expect(field == "status")
                    #expect(message.contains(from.rawValue) && message.contains(to.rawValue))
                }
            }
        }
    }

    @Test func waitlistOrderIsPriorityThenRequestTime() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        func loan(_ priority: Int, _ minutes: Double) -> Loan {
            Loan(
                id: UUID(), establishmentID: UUID(), ownerID: UUID(), academieCode: nil, householdID: UUID(), kitID: nil, status: .requested,
                priority: priority, requestedAt: t0.addingTimeInterval(minutes * 60), createdAt: t0, updatedAt: t0)
        }
        let late = loan(1, 30)
        let early = loan(2, 0)
        let first = loan(1, 10)
        #expect([late, early, first].sorted(by: LoanWorkflow.waitlistOrder).map(\.id) == [first.id, late.id, early.id])
    }

    @Test(arguments: [
        ("8933150319000000006", true), ("8933150319000000014", true), ("8933150319000000005", false), ("1233150319000000006", false),
        ("89331503190000006", false), ("89331503190000000x6", false),
    ])
    func iccidCheckDigit(_ iccid: String, _ valid: Bool) {
        #expect(SIMLine.isValidICCID(iccid) == valid)
    }

    @Test func householdInputRefusesNationalIdentifiersAndUnknownCriteria() throws {
        let policy = LoanPolicy.standard(collectiviteID: UUID(), at: Date())
        let bad = HouseholdInput(
            establishmentID: UUID(), pupilReference: "1234567890A", guardians: [.init(name: "A", email: "not-an-email", phone: "12")], eligible: true,
            criterion: "revenus")
        #expect(throws: ParcError.self) { try bad.validate(policy: policy) }
        do { _ = try bad.validate(policy: policy) } catch {
            guard case .validation(let fields) = error else { return }
            #expect(Set(fields.map(\.field)) == ["pupil_reference", "guardians[0].email", "guardians[0].phone", "criterion"])
        }
        let good = try HouseholdInput(
            establishmentID: UUID(), pupilReference: "6B-014", guardians: [.init(name: " Camille Martin ", phone: "06 92 12 34 56")], eligible: nil,
            criterion: "boursier"
        ).validate(policy: policy)
        #expect(good.eligible && good.guardians[0].name == "Camille Martin" && good.guardians[0].phone == "0692123456")
    }

    @Test func policyRefusesIncomeAndHealthCriteria() {
        var input = LoanPolicyInput(LoanPolicy.standard(collectiviteID: UUID(), at: Date()))
        input.criteria = [.init(code: "ulis_handicap", label: "Élève en ULIS", priority: 1), .init(code: "bourse", label: "Bourse", priority: 2)]
        input.overdueNoticeDays = [8, 1]
        #expect(throws: ParcError.self) { try input.validate(id: UUID(), existing: nil, now: Date()) }
        do { _ = try input.validate(id: UUID(), existing: nil, now: Date()) } catch {
            guard case .validation(let fields) = error else { return }
            #expect(fields.map(\.field).sorted() == ["criteria[0]", "overdue_notice_days"])
        }
    }

    @Test(arguments: [
        ("2026-09-01", "2027-07-04"), ("2026-06-25", "2027-07-04"), ("2026-01-15", "2026-07-04"),
    ])
    func dueDateIsTheNextEndOfSchoolYear(_ out: String, _ due: String) {
        let policy = LoanPolicy.standard(collectiviteID: UUID(), at: Date())
        #expect(policy.dueDate(checkedOutOn: LocalDate(out)!) == LocalDate(due)!)
        var fixed = policy
        fixed.durationDays = 21
        #expect(fixed.dueDate(checkedOutOn: LocalDate("2026-09-01")!) == LocalDate("2026-09-22")!)
    }

    @Test(
        arguments: [
            ("2027-07-04", "2027-06-20", nil), ("2027-07-04", "2027-06-27", "due_soon"), ("2027-07-04", "2027-07-04", "due_soon"),
            ("2027-07-04", "2027-07-05", "overdue_1"), ("2027-07-04", "2027-07-11", "overdue_1"), ("2027-07-04", "2027-07-12", "overdue_2"),
            ("2027-07-04", "2027-08-30", "overdue_3"),
        ] as [(String, String, String?)])
    func reminderStage(_ due: String, _ today: String, _ stage: String?) {
        let policy = LoanPolicy.standard(collectiviteID: UUID(), at: Date())
        #expect(LoanReminders.stage(dueOn: LocalDate(due)!, today: LocalDate(today)!, policy: policy)?.code == stage)
    }

    @Test func lastOverdueStageGoesToTheDirectionAndOthersToEachGuardian() {
        let policy = LoanPolicy.standard(collectiviteID: UUID(), at: Date())
        let guardians = [Household.Guardian(name: "A", email: "a@example.org"), .init(name: "B", phone: "0612345678"), .init(name: "C")]
        let context = LoanReminders.Context(
            loanReference: "AB12CD34", kitName: "Lot 1", establishment: "Collège Bourbon", dueOn: LocalDate("2027-07-04")!,
            today: LocalDate("2027-07-30")!)
        #expect(LoanReminders.drafts(.overdue(1), guardians: guardians, context: context, policy: policy).map(\.channel) == [.email, .sms, .letter])
        let last = LoanReminders.drafts(.overdue(3), guardians: guardians, context: context, policy: policy)
        #expect(last.map(\.channel) == [.direction])
        #expect(last[0].body.contains("4 juillet 2027") && last[0].body.contains("2 relance"))
    }

    static let kit = [
        KitComponent(deviceID: UUID(), kind: .laptop, label: "Portable", serialNumber: "L1", assetTag: "A1"),
        KitComponent(deviceID: UUID(), kind: .router4G, label: "Routeur", serialNumber: "R1", assetTag: "A2"),
    ]

    @Test func returnMustAccountForEveryComponentAndAnswerItsChecklist() throws {
        let policy = LoanPolicy.standard(collectiviteID: UUID(), at: Date())
        let partial = ReturnInput(
            condition: "good", components: [ComponentReturn(deviceID: Self.kit[0].deviceID, state: .present, checklist: ["powers_on": true])])
        do {
            _ = try partial.validate(kit: Self.kit, policy: policy, signatureRequired: false)
            Issue.record("an incomplete return was accepted")
        } catch {
            guard case .validation(let fields) = error else { throw error }
            #expect(Set(fields.map(\.field)) == ["components", "components[0].checklist", "components[0].data_wiped"])
        }
        let missingRouter = try ReturnInput(
            condition: "fair",
            components: [
                ComponentReturn(
                    deviceID: Self.kit[0].deviceID, state: .present,
                    checklist: Dictionary(uniqueKeysWithValues: policy.checklist(for: .laptop).map { ($0.code, true) }), dataWiped: true),
                ComponentReturn(deviceID: Self.kit[1].deviceID, state: .missing),
            ], fees: ["router"]
        ).validate(kit: Self.kit, policy: policy, signatureRequired: false)
        #expect(missingRouter.problems.map(\.deviceID) == [Self.kit[1].deviceID])
        #expect(missingRouter.fees.map(\.amountCents) == [6_000])
        let bulk = try ReturnInput(condition: "good", components: nil, allChecksPassed: true).validate(
            kit: Self.kit, policy: policy, signatureRequired: false)
        #expect(bulk.components.allSatisfy { $0.state == .present } && bulk.components[0].dataWiped == true && bulk.components[1].dataWiped == nil)
    }

    @Test func templatesRenderKnownPlaceholdersAndRefuseUnknownOnes() throws {
        #expect(ConventionTemplate.render("{{a}} et {{ b }}, {{c}}", values: ["a": "X", "b": "Y"]) == "X et Y, ")
        let bad = ConventionTemplateInput(collectiviteID: UUID(), kind: "convention", title: "T", body: "{{kit_items}} {{income}}")
        #expect(throws: ParcError.self) { try bad.validate() }
        let noItems = ConventionTemplateInput(collectiviteID: UUID(), kind: "convention", title: "T", body: "{{guardians}}")
        #expect(throws: ParcError.self) { try noItems.validate() }
        for kind in ConventionTemplate.Kind.allCases {
            let builtIn = ConventionTemplate.builtIn(kind)
            #expect(ConventionTemplate.placeholders(in: builtIn.body).allSatisfy { ConventionTemplate.placeholders[kind]!.contains($0) })
        }
    }

    @Test func printedDocumentEscapesWhatItQuotes() {
        let document = SignedDocument(
            id: UUID(), loanID: UUID(), establishmentID: UUID(), kind: .convention, templateID: UUID(), templateVersion: 3, title: "Convention",
            text: "Entre <script>x</script> & nous", signatureKind: .typed, signerName: "O'Brien", hasSignatureImage: false,
            signedAt: Date(timeIntervalSince1970: 0), staffID: nil, staffName: "Secrétariat", sha256: "abc", keepUntil: LocalDate("2031-01-01")!)
        let html = document.html(signatureImage: nil)
        #expect(html.contains("&lt;script&gt;x&lt;/script&gt; &amp; nous") && !html.contains("<script>"))
        #expect(html.contains("O&#39;Brien") && html.contains("version 3"))
    }
}
