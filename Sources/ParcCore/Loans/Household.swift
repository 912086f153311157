public import Foundation

/// A family that borrows: the legal guardians who sign and a pseudonymous reference to the pupil, chosen by the
/// establishment. Nothing else is kept: no national pupil identifier, no income, no reason tied to health; the
/// eligibility is a flag and the name of the collectivité's criterion that applied.
public struct Household: Codable, Equatable, Sendable, Identifiable {
    public struct Guardian: Codable, Equatable, Sendable {
        public var name: String
        public var email: String?
        public var phone: String?
        /// The home address; with separated parents, each guardian's own (the convention names both homes).
        public var address: String?

        public init(name: String, email: String? = nil, phone: String? = nil, address: String? = nil) {
            self.name = name
            self.email = email
            self.phone = phone
            self.address = address
        }
    }

    public var id: UUID
    public var establishmentID: UUID
    public var ownerID: UUID
    public var academieCode: String?
    public var pupilReference: String
    public var guardians: [Guardian]
    public var eligible: Bool
    /// The code of the criterion (from the collectivité's loan policy) that made the household eligible.
    public var criterion: String?
    /// When its last loan ended (returned, lost, declined…): the retention clock of its identity.
    public var lastLoanEndedAt: Date?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, ownerID: UUID, academieCode: String?, pupilReference: String, guardians: [Guardian], eligible: Bool,
        criterion: String?, lastLoanEndedAt: Date?, version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.ownerID = ownerID
        self.academieCode = academieCode
        self.pupilReference = pupilReference
        self.guardians = guardians
        self.eligible = eligible
        self.criterion = criterion
        self.lastLoanEndedAt = lastLoanEndedAt
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var guardianNames: String { guardians.map(\.name).joined(separator: " et ") }
}

public struct HouseholdInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var pupilReference: String?
    public var guardians: [Household.Guardian]?
    public var eligible: Bool?
    public var criterion: String?

    public init(establishmentID: UUID?, pupilReference: String?, guardians: [Household.Guardian]?, eligible: Bool?, criterion: String?) {
        self.establishmentID = establishmentID
        self.pupilReference = pupilReference
        self.guardians = guardians
        self.eligible = eligible
        self.criterion = criterion
    }

    public struct Valid: Sendable {
        public var establishmentID: UUID
        public var pupilReference: String
        public var guardians: [Household.Guardian]
        public var eligible: Bool
        public var criterion: String?
    }

    /// An INE (the national pupil identifier: ten digits and a letter, or nine digits and two letters) must not
    /// be used as the pupil's reference.
    static func looksLikeINE(_ text: String) -> Bool {
        let chars = Array(text.uppercased().filter { $0 != " " })
        guard chars.count == 11 else { return false }
        let digits = chars.prefix(while: \.isNumber).count
        return (digits == 10 || digits == 9) && chars[digits...].allSatisfy { $0.isLetter && $0.isASCII }
    }

    public func validate(policy: LoanPolicy) throws(ParcError) -> Valid {
        var v = Validator()
        let establishment = v.require(establishmentID, "establishment_id")
        let reference = v.requireText(pupilReference, "pupil_reference", maxLength: 40)
        if let reference, HouseholdInput.looksLikeINE(reference) {
            v.fail("pupil_reference", "looks like a national pupil identifier (INE); choose a reference of the establishment's own")
        }
        let people = guardians ?? []
        if people.isEmpty || people.count > 2 { v.fail("guardians", "name one or two legal guardians") }
        var cleaned: [Household.Guardian] = []
        for (i, guardian) in people.enumerated() {
            let field = "guardians[\(i)]"
            let name = v.requireText(guardian.name, "\(field).name", maxLength: 120)
            let email = v.optionalText(guardian.email, "\(field).email", maxLength: 200)
            if let email, !HouseholdInput.isEmail(email) { v.fail("\(field).email", "is not an e-mail address") }
            var phone: String?
            if let raw = v.optionalText(guardian.phone, "\(field).phone", maxLength: 20) {
                phone = SIMLine.normalizedPhone(raw)
                if phone == nil { v.fail("\(field).phone", "must be a phone number such as 0612345678") }
            }
            let address = v.optionalText(guardian.address, "\(field).address", maxLength: 300)
            if let name { cleaned.append(Household.Guardian(name: name, email: email, phone: phone, address: address)) }
        }
        let isEligible = eligible ?? (criterion != nil)
        if let criterion, policy.criterion(criterion) == nil {
            v.fail("criterion", "must be one of the collectivité's criteria: \(policy.criteria.map(\.code).joined(separator: ", "))")
        }
        if isEligible && criterion == nil { v.fail("criterion", "an eligible household names the criterion that applied") }
        try v.check()
        return Valid(
            establishmentID: establishment!, pupilReference: reference!, guardians: cleaned, eligible: isEligible,
            criterion: isEligible ? criterion : nil)
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !text.contains(" ")
    }
}

/// How a collectivité lends: who is eligible and in which order, how long, what is checked on return, what a
/// damage costs, when families are reminded, and who at the collectivité may see households.
public struct LoanPolicy: Codable, Equatable, Sendable, Identifiable {
    public struct Criterion: Codable, Equatable, Sendable {
        public var code: String
        public var label: String
        /// Lower comes first on the waitlist.
        public var priority: Int

        public init(code: String, label: String, priority: Int) {
            self.code = code
            self.label = label
            self.priority = priority
        }
    }

    public struct Fee: Codable, Equatable, Sendable {
        public var code: String
        public var label: String
        public var amountCents: Int

        public init(code: String, label: String, amountCents: Int) {
            self.code = code
            self.label = label
            self.amountCents = amountCents
        }
    }

    public struct ChecklistItem: Codable, Equatable, Sendable {
        public var code: String
        public var label: String

        public init(_ code: String, _ label: String) {
            self.code = code
            self.label = label
        }
    }

    public var id: UUID
    public var collectiviteID: UUID
    public var criteria: [Criterion]
    /// Principals of the collectivité who may read households (its loan manager); nobody else there can.
    public var loanManagerIDs: [UUID]
    public var offerExpiryDays: Int
    /// The default due date: the next `MM-DD` (end of the school year), unless a duration in days is set.
    public var schoolYearEnd: String
    public var durationDays: Int?
    public var extensionDays: Int
    public var maxExtensions: Int
    public var dueSoonDays: Int
    /// Days after the due date when each overdue notice goes; the last one goes to the establishment's direction.
    public var overdueNoticeDays: [Int]
    public var fees: [Fee]
    /// Return checklist per device kind (`laptop`, `router_4g`…); `other` covers kinds not listed.
    public var checklists: [String: [ChecklistItem]]
    public var purpose: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, collectiviteID: UUID, criteria: [Criterion], loanManagerIDs: [UUID], offerExpiryDays: Int, schoolYearEnd: String,
        durationDays: Int?, extensionDays: Int, maxExtensions: Int, dueSoonDays: Int, overdueNoticeDays: [Int], fees: [Fee],
        checklists: [String: [ChecklistItem]], purpose: String, version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.collectiviteID = collectiviteID
        self.criteria = criteria
        self.loanManagerIDs = loanManagerIDs
        self.offerExpiryDays = offerExpiryDays
        self.schoolYearEnd = schoolYearEnd
        self.durationDays = durationDays
        self.extensionDays = extensionDays
        self.maxExtensions = maxExtensions
        self.dueSoonDays = dueSoonDays
        self.overdueNoticeDays = overdueNoticeDays
        self.fees = fees
        self.checklists = checklists
        self.purpose = purpose
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func criterion(_ code: String) -> Criterion? { criteria.first { $0.code == code } }

    public func checklist(for kind: DeviceModel.Kind) -> [ChecklistItem] { checklists[kind.rawValue] ?? checklists["other"] ?? [] }

    /// The due date of a loan checked out on `day`: after `durationDays`, or the next end of the school year
    /// (a loan made in the last two weeks runs to the following one).
    public func dueDate(checkedOutOn day: LocalDate) -> LocalDate {
        if let durationDays { return LocalDate(daysSinceEpoch: day.daysSinceEpoch + durationDays) }
        let parts = schoolYearEnd.split(separator: "-").compactMap { Int($0) }
        var end = LocalDate(year: day.year, month: parts[0], day: parts[1]) ?? LocalDate(year: day.year, month: 7, day: 4)!
        if end.daysSinceEpoch - day.daysSinceEpoch < 14 { end = LocalDate(year: day.year + 1, month: end.month, day: end.day) ?? end }
        return end
    }

    /// What applies until the collectivité writes its own policy: the CNIL-minded defaults of the loan module.
    public static func standard(collectiviteID: UUID, at date: Date) -> LoanPolicy {
        LoanPolicy(
            id: collectiviteID, collectiviteID: collectiviteID,
            criteria: [
                Criterion(code: "boursier", label: "Élève boursier", priority: 1),
                Criterion(code: "quotient_familial", label: "Quotient familial sous le seuil de la collectivité", priority: 2),
                Criterion(code: "sans_connexion", label: "Pas de connexion Internet au domicile", priority: 3),
                Criterion(code: "equipe_educative", label: "Repéré par l'équipe éducative", priority: 4),
            ],
            loanManagerIDs: [], offerExpiryDays: 5, schoolYearEnd: "07-04", durationDays: nil, extensionDays: 30, maxExtensions: 2, dueSoonDays: 7,
            overdueNoticeDays: [1, 8, 22],
            fees: [
                Fee(code: "charger", label: "Chargeur non rendu", amountCents: 3_000),
                Fee(code: "screen", label: "Écran cassé", amountCents: 12_000),
                Fee(code: "router", label: "Routeur 4G non rendu", amountCents: 6_000),
                Fee(code: "headset", label: "Casque non rendu", amountCents: 2_000),
            ],
            checklists: standardChecklists, purpose: "Permettre à l'élève de suivre sa scolarité depuis son domicile (usage scolaire exclusivement).",
            createdAt: date, updatedAt: date)
    }

    public static let standardChecklists: [String: [ChecklistItem]] = {
        let computer = [
            ChecklistItem("powers_on", "S'allume"), ChecklistItem("screen_intact", "Écran intact"),
            ChecklistItem("charger_present", "Chargeur rendu et fonctionnel"), ChecklistItem("account_signed_out", "Compte de l'élève déconnecté"),
        ]
        return [
            "laptop": computer + [ChecklistItem("keyboard_complete", "Clavier complet")], "chromebook": computer, "tablet": computer,
            "router_4g": [
                ChecklistItem("powers_on", "S'allume"), ChecklistItem("charger_present", "Chargeur rendu"),
                ChecklistItem("sim_present", "Carte SIM présente"),
            ],
            "headset": [ChecklistItem("works", "Son et micro fonctionnent"), ChecklistItem("cable_intact", "Câble intact")],
            "other": [ChecklistItem("intact", "Rendu en bon état")],
        ]
    }()
}

public struct LoanPolicyInput: Codable, Sendable {
    public var collectiviteID: UUID?
    public var criteria: [LoanPolicy.Criterion]?
    public var loanManagerIDs: [UUID]?
    public var offerExpiryDays: Int?
    public var schoolYearEnd: String?
    public var durationDays: Int?
    public var extensionDays: Int?
    public var maxExtensions: Int?
    public var dueSoonDays: Int?
    public var overdueNoticeDays: [Int]?
    public var fees: [LoanPolicy.Fee]?
    public var checklists: [String: [LoanPolicy.ChecklistItem]]?
    public var purpose: String?

    public init(_ policy: LoanPolicy) {
        collectiviteID = policy.collectiviteID
        criteria = policy.criteria
        loanManagerIDs = policy.loanManagerIDs
        offerExpiryDays = policy.offerExpiryDays
        schoolYearEnd = policy.schoolYearEnd
        durationDays = policy.durationDays
        extensionDays = policy.extensionDays
        maxExtensions = policy.maxExtensions
        dueSoonDays = policy.dueSoonDays
        overdueNoticeDays = policy.overdueNoticeDays
        fees = policy.fees
        checklists = policy.checklists
        purpose = policy.purpose
    }

    /// The policy this input describes, missing fields taken from the standard one.
    public func validate(id: UUID, existing: LoanPolicy?, now: Date) throws(ParcError) -> LoanPolicy {
        var v = Validator()
        let collectivite = v.require(collectiviteID, "collectivite_id")
        let base = existing ?? LoanPolicy.standard(collectiviteID: collectivite ?? id, at: now)
        let criteria = self.criteria ?? base.criteria
        if criteria.isEmpty { v.fail("criteria", "list at least one eligibility criterion") }
        if Set(criteria.map(\.code)).count != criteria.count { v.fail("criteria", "two criteria share a code") }
        for (i, c) in criteria.enumerated() {
            if !LoanPolicyInput.isCode(c.code) { v.fail("criteria[\(i)].code", "use lowercase letters, digits and underscores") }
            if c.label.trimmingCharacters(in: .whitespaces).isEmpty { v.fail("criteria[\(i)].label", "must not be empty") }
            let lowered = (c.code + " " + c.label).lowercased()
            if ["revenu", "income", "salaire", "handicap", "santé", "sante", "maladie", "mdph"].contains(where: lowered.contains) {
                v.fail("criteria[\(i)]", "must not record income or health: name the scheme (boursier, quotient familial) instead")
            }
        }
        let offer = v.range(offerExpiryDays ?? base.offerExpiryDays, "offer_expiry_days", 1...60)
        let yearEnd = schoolYearEnd ?? base.schoolYearEnd
        let parts = yearEnd.split(separator: "-").compactMap { Int($0) }
        if parts.count != 2 || LocalDate(year: 2025, month: parts[0], day: parts.count == 2 ? parts[1] : 0) == nil {
            v.fail("school_year_end", "must be a month and day written MM-DD, such as 07-04")
        }
        let duration = v.range(durationDays, "duration_days", 1...1_100)
        let extensionDays = v.range(self.extensionDays ?? base.extensionDays, "extension_days", 1...365)
        let maxExtensions = v.range(self.maxExtensions ?? base.maxExtensions, "max_extensions", 0...10)
        let dueSoon = v.range(dueSoonDays ?? base.dueSoonDays, "due_soon_days", 0...60)
        let notices = overdueNoticeDays ?? base.overdueNoticeDays
        if notices.isEmpty || notices.count > 5 || notices != notices.sorted() || Set(notices).count != notices.count
            || notices.contains(where: { $0 < 0 || $0 > 365 })
        {
            v.fail("overdue_notice_days", "list one to five increasing days after the due date (0…365)")
        }
        let fees = self.fees ?? base.fees
        if Set(fees.map(\.code)).count != fees.count { v.fail("fees", "two fees share a code") }
        for (i, fee) in fees.enumerated() {
            if !LoanPolicyInput.isCode(fee.code) { v.fail("fees[\(i)].code", "use lowercase letters, digits and underscores") }
            if !(0...500_000).contains(fee.amountCents) { v.fail("fees[\(i)].amount_cents", "must be between 0 and 500000") }
        }
        let checklists = self.checklists ?? base.checklists
        for (kind, items) in checklists {
            if kind != "other", DeviceModel.Kind(rawValue: kind) == nil { v.fail("checklists.\(kind)", "is not a device kind") }
            if Set(items.map(\.code)).count != items.count { v.fail("checklists.\(kind)", "two items share a code") }
            if items.contains(where: { !LoanPolicyInput.isCode($0.code) }) {
                v.fail("checklists.\(kind)", "item codes use lowercase letters, digits and underscores")
            }
        }
        let purpose = v.requireText(self.purpose ?? base.purpose, "purpose", maxLength: 600)
        try v.check()
        return LoanPolicy(
            id: id, collectiviteID: collectivite!, criteria: criteria, loanManagerIDs: loanManagerIDs ?? base.loanManagerIDs, offerExpiryDays: offer!,
            schoolYearEnd: yearEnd, durationDays: duration, extensionDays: extensionDays!, maxExtensions: maxExtensions!, dueSoonDays: dueSoon!,
            overdueNoticeDays: notices, fees: fees, checklists: checklists, purpose: purpose!, version: existing?.version ?? 1,
            createdAt: existing?.createdAt ?? now, updatedAt: now)
    }

    static func isCode(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 40 && text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }
}
