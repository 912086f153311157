public import Foundation

/// A reminder waiting in the outbox, or sent. The text is French, written for families; the last overdue stage
/// goes to the establishment's direction instead, which decides what comes next.
public struct LoanNotice: Codable, Equatable, Sendable, Identifiable {
    public enum Channel: String, Codable, CaseIterable, Sendable {
        case email, sms
        /// No e-mail or phone: the establishment prints it and hands it over or posts it.
        case letter
        /// Escalation to the establishment's direction.
        case direction
    }

    public var id: UUID
    public var loanID: UUID
    public var establishmentID: UUID
    /// `due_soon`, `overdue_1`, `overdue_2`…
    public var stage: String
    public var channel: Channel
    public var recipient: String
    public var subject: String
    public var body: String
    public var createdAt: Date
    public var sentAt: Date?
    public var attempts: Int
    public var lastError: String?

    public init(
        id: UUID, loanID: UUID, establishmentID: UUID, stage: String, channel: Channel, recipient: String, subject: String, body: String,
        createdAt: Date, sentAt: Date? = nil, attempts: Int = 0, lastError: String? = nil
    ) {
        self.id = id
        self.loanID = loanID
        self.establishmentID = establishmentID
        self.stage = stage
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.attempts = attempts
        self.lastError = lastError
    }
}

/// Which reminder a loan is owed on a given day. Only the most advanced stage reached is sent: a server that was
/// down for a week sends one notice, not three.
public enum LoanReminders {
    public enum Stage: Equatable, Sendable {
        case dueSoon
        /// The n-th overdue notice, from 1.
        case overdue(Int)

        public var code: String {
            switch self {
            case .dueSoon: "due_soon"
            case .overdue(let n): "overdue_\(n)"
            }
        }
    }

    public static func stage(dueOn: LocalDate, today: LocalDate, policy: LoanPolicy) -> Stage? {
        let late = today.daysSinceEpoch - dueOn.daysSinceEpoch
        if late > 0 {
            guard let reached = policy.overdueNoticeDays.lastIndex(where: { late >= $0 }) else { return nil }
            return .overdue(reached + 1)
        }
        return -late <= policy.dueSoonDays ? .dueSoon : nil
    }

    public struct Context: Sendable {
        public var loanReference: String
        public var kitName: String
        public var establishment: String
        public var dueOn: LocalDate
        public var today: LocalDate

        public init(loanReference: String, kitName: String, establishment: String, dueOn: LocalDate, today: LocalDate) {
            self.loanReference = loanReference
            self.kitName = kitName
            self.establishment = establishment
            self.dueOn = dueOn
            self.today = today
        }
    }

    /// The notices of a stage: one per guardian on the channel they can be reached by; the last overdue stage
    /// goes to the direction.
    public static func drafts(_ stage: Stage, guardians: [Household.Guardian], context c: Context, policy: LoanPolicy)
        -> [(channel: LoanNotice.Channel, recipient: String, subject: String, body: String)]
    {
        let due = frenchDate(c.dueOn)
        let late = c.today.daysSinceEpoch - c.dueOn.daysSinceEpoch
        if case .overdue(let n) = stage, n == policy.overdueNoticeDays.count, n > 1 {
            return [
                (
                    .direction, "direction",
                    "Prêt n° \(c.loanReference) non rendu depuis \(late) jours",
                    "Le lot \(c.kitName) prêté par \(c.establishment) devait être rendu le \(due). La famille a reçu \(n - 1) relance(s) sans retour du matériel. Il revient à la direction de décider de la suite (contact, déclaration de perte, titre de recettes)."
                )
            ]
        }
        let subject: String
        let message: String
        switch stage {
        case .dueSoon:
            subject = "Matériel prêté à rendre le \(due)"
            message =
                "le lot \(c.kitName) prêté par \(c.establishment) est à rendre le \(due). Merci de le rapporter complet (appareils, chargeurs, accessoires) à l'établissement."
        case .overdue(let n):
            subject = n == 1 ? "Matériel prêté à rendre : date dépassée" : "Relance n° \(n) : matériel prêté non rendu"
            message =
                "le lot \(c.kitName) prêté par \(c.establishment) devait être rendu le \(due) (\(late) jour(s) de retard). Merci de le rapporter au plus vite à l'établissement ou de le contacter si vous rencontrez une difficulté."
        }
        return guardians.map { guardian in
            let body = "Bonjour \(guardian.name),\n\n\(message)\n\nPrêt n° \(c.loanReference).\n\(c.establishment)"
            if let email = guardian.email { return (.email, email, subject, body) }
            if let phone = guardian.phone {
                return (
                    .sms, phone, subject, "\(c.establishment) : \(message.prefix(1).uppercased() + message.dropFirst()) Prêt n° \(c.loanReference)."
                )
            }
            return (.letter, guardian.name, subject, body)
        }
    }

    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    public static func frenchDate(_ date: LocalDate) -> String {
        "\(date.day == 1 ? "1er" : String(date.day)) \(months[date.month - 1]) \(date.year)"
    }
}

/// How long loan data is kept. Defaults follow the CNIL's rule for library loans (the closest published one):
/// a loan's details until the end of the 4th month after its return, the borrower's identity 1 year after the
/// last loan ends; signed conventions for the legal period the collectivité sets (5 years: art. 2224 Code civil).
public struct LoanRetention: Codable, Equatable, Sendable {
    public var loanDetailsMonths: Int
    public var householdMonths: Int
    public var documentYears: Int
    /// The audit trail of household reads.
    public var accessLogMonths: Int

    public init(loanDetailsMonths: Int = 4, householdMonths: Int = 12, documentYears: Int = 5, accessLogMonths: Int = 12) {
        self.loanDetailsMonths = loanDetailsMonths
        self.householdMonths = householdMonths
        self.documentYears = documentYears
        self.accessLogMonths = accessLogMonths
    }

    /// The instant `months` before `now`, on the calendar of `timeZone`.
    public static func cutoff(_ now: Date, months: Int, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(byAdding: .month, value: -months, to: now) ?? now
    }
}

/// Per establishment or collectivité: the kits, the families served and waiting, how kits came back.
public struct LoanReportRow: Codable, Equatable, Sendable {
    public var key: UUID
    public var label: String
    public var kits: Int
    public var kitsAvailable: Int
    public var kitsOut: Int
    public var kitsOverdue: Int
    public var kitsLost: Int
    public var householdsServed: Int
    public var householdsWaiting: Int
    public var returnsGood: Int
    public var returnsFair: Int
    public var returnsPoor: Int
    public var returnsUnusable: Int
    public var simLinesExpiring: Int

    public init(key: UUID, label: String) {
        self.key = key
        self.label = label
        kits = 0
        kitsAvailable = 0
        kitsOut = 0
        kitsOverdue = 0
        kitsLost = 0
        householdsServed = 0
        householdsWaiting = 0
        returnsGood = 0
        returnsFair = 0
        returnsPoor = 0
        returnsUnusable = 0
        simLinesExpiring = 0
    }

    public static let csvHeader = [
        "key", "label", "kits", "kits_available", "kits_out", "kits_overdue", "kits_lost", "households_served", "households_waiting", "returns_good",
        "returns_fair", "returns_poor", "returns_unusable", "sim_lines_expiring",
    ]

    public var csvFields: [String] {
        [key.uuidString.lowercased(), label]
            + [
                kits, kitsAvailable, kitsOut, kitsOverdue, kitsLost, householdsServed, householdsWaiting, returnsGood, returnsFair, returnsPoor,
                returnsUnusable, simLinesExpiring,
            ].map(String.init)
    }

    public static func + (a: LoanReportRow, b: LoanReportRow) -> LoanReportRow {
        var r = a
        r.kits += b.kits
        r.kitsAvailable += b.kitsAvailable
        r.kitsOut += b.kitsOut
        r.kitsOverdue += b.kitsOverdue
        r.kitsLost += b.kitsLost
        r.householdsServed += b.householdsServed
        r.householdsWaiting += b.householdsWaiting
        r.returnsGood += b.returnsGood
        r.returnsFair += b.returnsFair
        r.returnsPoor += b.returnsPoor
        r.returnsUnusable += b.returnsUnusable
        r.simLinesExpiring += b.simLinesExpiring
        return r
    }
}
