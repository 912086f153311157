public import Foundation

/// One household's loan of one kit, from its request on the waitlist to the kit's return.
public struct Loan: Codable, Equatable, Sendable, Identifiable {
    public enum Status: String, Codable, CaseIterable, Sendable {
        /// On the establishment's waitlist.
        case requested
        /// A kit is set aside for the household until `offerExpiresAt`.
        case offered
        case checkedOut = "checked_out"
        /// Checked out, with its due date pushed back at least once.
        case extended
        case returned, lost, stolen
        /// The household turned the offer down, let it expire, or withdrew its request.
        case declined, expired, cancelled

        /// The kit is with the family.
        public var isOut: Bool { self == .checkedOut || self == .extended }
        /// Still waiting, or out: the household cannot be erased and the loan cannot be anonymised.
        public var isOpen: Bool { self == .requested || self == .offered || isOut }
        public var isFinal: Bool { !isOpen && self != .lost && self != .stolen }
    }

    public enum Condition: String, Codable, CaseIterable, Sendable {
        case good, fair, poor, unusable
    }

    public var id: UUID
    public var establishmentID: UUID
    public var ownerID: UUID
    public var academieCode: String?
    /// Cleared when the loan's details are anonymised (4 months after its return, by default).
    public var householdID: UUID?
    public var kitID: UUID?
    public var status: Status
    /// The criterion's priority when the request was made: the waitlist's first key.
    public var priority: Int
    public var requestedAt: Date
    public var offeredAt: Date?
    public var offerExpiresAt: Date?
    public var checkedOutAt: Date?
    public var dueOn: LocalDate?
    public var extensions: Int
    /// When the loan reached a state that ends it (returned, lost, stolen, declined, expired, cancelled).
    public var endedAt: Date?
    public var condition: Condition?
    public var feeCents: Int
    /// The codes of the fees charged at return, from the collectivité's scale.
    public var feeCodes: [String]
    /// What the desk recorded for each component at return.
    public var returnedComponents: [ComponentReturn]?
    public var ticketID: UUID?
    public var conventionID: UUID?
    public var receiptID: UUID?
    public var notes: String?
    public var anonymizedAt: Date?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, ownerID: UUID, academieCode: String?, householdID: UUID?, kitID: UUID?, status: Status, priority: Int,
        requestedAt: Date, offeredAt: Date? = nil, offerExpiresAt: Date? = nil, checkedOutAt: Date? = nil, dueOn: LocalDate? = nil,
        extensions: Int = 0, endedAt: Date? = nil, condition: Condition? = nil, feeCents: Int = 0, feeCodes: [String] = [],
        returnedComponents: [ComponentReturn]? = nil, ticketID: UUID? = nil, conventionID: UUID? = nil,
        receiptID: UUID? = nil, notes: String? = nil, anonymizedAt: Date? = nil, version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.ownerID = ownerID
        self.academieCode = academieCode
        self.householdID = householdID
        self.kitID = kitID
        self.status = status
        self.priority = priority
        self.requestedAt = requestedAt
        self.offeredAt = offeredAt
        self.offerExpiresAt = offerExpiresAt
        self.checkedOutAt = checkedOutAt
        self.dueOn = dueOn
        self.extensions = extensions
        self.endedAt = endedAt
        self.condition = condition
        self.feeCents = feeCents
        self.feeCodes = feeCodes
        self.returnedComponents = returnedComponents
        self.ticketID = ticketID
        self.conventionID = conventionID
        self.receiptID = receiptID
        self.notes = notes
        self.anonymizedAt = anonymizedAt
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Overdue is derived, never stored: out, and the due date is behind `today`.
    public func isOverdue(today: LocalDate) -> Bool {
        guard status.isOut, let dueOn else { return false }
        return today > dueOn
    }

    public func daysOverdue(today: LocalDate) -> Int {
        guard isOverdue(today: today), let dueOn else { return 0 }
        return today.daysSinceEpoch - dueOn.daysSinceEpoch
    }
}

/// The loan state machine. Every move not listed here is refused with 409 and the moves that are allowed.
public enum LoanWorkflow {
    public static let moves: [Loan.Status: Set<Loan.Status>] = [
        .requested: [.offered, .checkedOut, .cancelled],
        .offered: [.checkedOut, .declined, .expired, .cancelled],
        .checkedOut: [.extended, .returned, .lost, .stolen],
        .extended: [.extended, .returned, .lost, .stolen],
        // A kit declared lost or stolen that comes back is returned like any other.
        .lost: [.returned],
        .stolen: [.returned],
        .returned: [], .declined: [], .expired: [], .cancelled: [],
    ]

    public static func allowed(from status: Loan.Status) -> [Loan.Status] {
        Loan.Status.allCases.filter { moves[status, default: []].contains($0) }
    }

    public static func check(_ from: Loan.Status, to target: Loan.Status) throws(ParcError) {
        guard moves[from, default: []].contains(target) else {
            let allowed = allowed(from: from).map(\.rawValue)
            throw .conflict(
                field: "status",
                message: "a \(from.rawValue) loan cannot become \(target.rawValue); "
                    + (allowed.isEmpty ? "it is closed" : "it can become \(allowed.joined(separator: ", "))"))
        }
    }

    /// A household's requests, in the order kits go to them: the criterion's priority, then who asked first.
    public static func waitlistOrder(_ a: Loan, _ b: Loan) -> Bool {
        (a.priority, a.requestedAt, a.id.uuidString) < (b.priority, b.requestedAt, b.id.uuidString)
    }
}

/// What the desk records for each component of a returned kit.
public struct ComponentReturn: Codable, Equatable, Sendable {
    public enum State: String, Codable, CaseIterable, Sendable {
        case present, missing, damaged
    }

    public var deviceID: UUID
    public var state: State
    /// Every item of the device kind's checklist, answered (missing components answer nothing).
    public var checklist: [String: Bool]
    /// Whether the family's data was erased from the device before it went back on the shelf.
    public var dataWiped: Bool?
    public var note: String?

    public init(deviceID: UUID, state: State, checklist: [String: Bool] = [:], dataWiped: Bool? = nil, note: String? = nil) {
        self.deviceID = deviceID
        self.state = state
        self.checklist = checklist
        self.dataWiped = dataWiped
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case deviceID, state, checklist, dataWiped, note
    }

    /// A missing component answers no checklist: it may leave the field out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deviceID = try c.decode(UUID.self, forKey: .deviceID)
        state = try c.decode(State.self, forKey: .state)
        checklist = try c.decodeIfPresent([String: Bool].self, forKey: .checklist) ?? [:]
        dataWiped = try c.decodeIfPresent(Bool.self, forKey: .dataWiped)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}

/// A component of a kit as the return needs to see it.
public struct KitComponent: Sendable, Equatable {
    public var deviceID: UUID
    public var kind: DeviceModel.Kind
    public var label: String
    public var serialNumber: String?
    public var assetTag: String?

    public init(deviceID: UUID, kind: DeviceModel.Kind, label: String, serialNumber: String?, assetTag: String?) {
        self.deviceID = deviceID
        self.kind = kind
        self.label = label
        self.serialNumber = serialNumber
        self.assetTag = assetTag
    }

    /// Kinds that hold the family's data and need a wipe before the next loan.
    public var holdsData: Bool { kind.isClientDevice }
}

public struct ReturnInput: Codable, Sendable {
    public var condition: String?
    /// One entry per component. A bulk return at the desk may instead say every component is present, passed
    /// every check and was wiped: `all_checks_passed: true`.
    public var components: [ComponentReturn]?
    public var allChecksPassed: Bool?
    public var fees: [String]?
    public var note: String?
    public var signature: SignatureInput?

    public init(
        condition: String?, components: [ComponentReturn]?, allChecksPassed: Bool? = nil, fees: [String]? = nil, note: String? = nil,
        signature: SignatureInput? = nil
    ) {
        self.condition = condition
        self.components = components
        self.allChecksPassed = allChecksPassed
        self.fees = fees
        self.note = note
        self.signature = signature
    }

    public struct Valid: Sendable {
        public var condition: Loan.Condition
        public var components: [ComponentReturn]
        public var fees: [LoanPolicy.Fee]
        public var note: String?
        public var signature: Signature?

        public var problems: [ComponentReturn] { components.filter { $0.state != .present } }
    }

    /// Checks the answers against the kit: every component once, every checklist item of a returned component,
    /// and the wipe of every device that holds data.
    public func validate(kit: [KitComponent], policy: LoanPolicy, signatureRequired: Bool) throws(ParcError) -> Valid {
        var v = Validator()
        let condition = v.enumValue(self.condition, "condition", as: Loan.Condition.self)
        var answers: [ComponentReturn]
        if allChecksPassed == true {
            if components != nil { v.fail("components", "give either components or all_checks_passed, not both") }
            answers = kit.map { part in
                ComponentReturn(
                    deviceID: part.deviceID, state: .present,
                    checklist: Dictionary(uniqueKeysWithValues: policy.checklist(for: part.kind).map { ($0.code, true) }),
                    dataWiped: part.holdsData ? true : nil)
            }
        } else {
            answers = components ?? []
            let known = Set(kit.map(\.deviceID))
            for (i, answer) in answers.enumerated() where !known.contains(answer.deviceID) {
                v.fail("components[\(i)].device_id", "is not a component of this kit")
            }
            if Set(answers.map(\.deviceID)).count != answers.count { v.fail("components", "lists a device twice") }
            for part in kit {
                guard let i = answers.firstIndex(where: { $0.deviceID == part.deviceID }) else {
                    v.fail(
                        "components",
                        "\(part.label) (\(part.serialNumber ?? part.deviceID.uuidString)) is not accounted for: present, missing or damaged")
                    continue
                }
                let answer = answers[i]
                guard answer.state != .missing else { continue }
                let items = policy.checklist(for: part.kind)
                let unanswered = items.filter { answer.checklist[$0.code] == nil }.map(\.code)
                if !unanswered.isEmpty { v.fail("components[\(i)].checklist", "answer every item: \(unanswered.joined(separator: ", "))") }
                let unknown = answer.checklist.keys.filter { key in !items.contains { $0.code == key } }.sorted()
                if !unknown.isEmpty {
                    v.fail("components[\(i)].checklist", "not on the \(part.kind.rawValue) checklist: \(unknown.joined(separator: ", "))")
                }
                if part.holdsData && answer.dataWiped == nil {
                    v.fail("components[\(i)].data_wiped", "say whether the family's data was erased from the device")
                }
                if let note = answer.note, note.count > 1_000 { v.fail("components[\(i)].note", "must be at most 1000 characters") }
            }
        }
        var fees: [LoanPolicy.Fee] = []
        for (i, code) in (self.fees ?? []).enumerated() {
            if let fee = policy.fees.first(where: { $0.code == code }) {
                fees.append(fee)
            } else {
                v.fail("fees[\(i)]", "must be one of the collectivité's fees: \(policy.fees.map(\.code).joined(separator: ", "))")
            }
        }
        let note = v.optionalText(note, "note", maxLength: 2_000)
        var signature: Signature?
        if let input = self.signature {
            signature = input.validate(into: &v, field: "signature")
        } else if signatureRequired {
            v.fail("signature", "the guardian signs the return receipt (drawn image or typed name)")
        }
        try v.check()
        return Valid(condition: condition!, components: answers, fees: fees, note: note, signature: signature)
    }
}

/// The state of a device after its kit came back.
extension ComponentReturn.State {
    public var deviceStatus: Device.Status {
        switch self {
        case .present: .inStock
        case .missing: .lost
        case .damaged: .inRepair
        }
    }
}
