public import Foundation

/// A family loan kit: a fixed set of specific devices (a laptop, a 4G router, a headset, a charger…) and
/// optionally a SIM line, lent and returned as one unit. A device belongs to one kit at a time.
public struct Kit: Codable, Equatable, Sendable, Identifiable {
    public enum Status: String, Codable, CaseIterable, Sendable {
        /// On the shelf, ready to lend.
        case available
        /// Offered to a household on the waitlist, kept for it until the offer expires.
        case offered
        /// With a family.
        case onLoan = "on_loan"
        /// Waiting for a component to be repaired or replaced after a return.
        case incomplete
        /// Lost or stolen with its family, or taken apart.
        case retired
    }

    public var id: UUID
    public var establishmentID: UUID
    public var ownerID: UUID
    public var academieCode: String?
    /// The label scanned at the desk, unique in the whole inventory.
    public var assetTag: String
    public var name: String
    /// The devices of the kit, in the order the convention lists them.
    public var deviceIDs: [UUID]
    public var simLineID: UUID?
    public var status: Status
    public var notes: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, ownerID: UUID, academieCode: String?, assetTag: String, name: String, deviceIDs: [UUID],
        simLineID: UUID?, status: Status, notes: String?, version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.ownerID = ownerID
        self.academieCode = academieCode
        self.assetTag = assetTag
        self.name = name
        self.deviceIDs = deviceIDs
        self.simLineID = simLineID
        self.status = status
        self.notes = notes
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct KitInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var assetTag: String?
    public var name: String?
    public var deviceIDs: [UUID]?
    public var simLineID: UUID?
    public var notes: String?

    public init(establishmentID: UUID?, assetTag: String?, name: String?, deviceIDs: [UUID]?, simLineID: UUID?, notes: String?) {
        self.establishmentID = establishmentID
        self.assetTag = assetTag
        self.name = name
        self.deviceIDs = deviceIDs
        self.simLineID = simLineID
        self.notes = notes
    }

    public struct Valid: Sendable {
        public var establishmentID: UUID
        public var assetTag: String
        public var name: String
        public var deviceIDs: [UUID]
        public var simLineID: UUID?
        public var notes: String?
    }

    public static let maxDevices = 12

    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let establishment = v.require(establishmentID, "establishment_id")
        let tag = v.requireText(assetTag, "asset_tag", maxLength: 64)
        let name = v.requireText(name, "name", maxLength: 120)
        let devices = deviceIDs ?? []
        if devices.isEmpty { v.fail("device_ids", "a kit holds at least one device") }
        if devices.count > KitInput.maxDevices { v.fail("device_ids", "a kit holds at most \(KitInput.maxDevices) devices") }
        if Set(devices).count != devices.count { v.fail("device_ids", "lists a device twice") }
        let notes = v.optionalText(notes, "notes", maxLength: 2000)
        try v.check()
        return Valid(establishmentID: establishment!, assetTag: tag!, name: name!, deviceIDs: devices, simLineID: simLineID, notes: notes)
    }
}

/// A mobile data line lent with a 4G router: what the operator needs to suspend it and when its plan ends.
public struct SIMLine: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var establishmentID: UUID
    public var ownerID: UUID
    public var academieCode: String?
    /// The SIM card's ICCID (19 or 20 digits, Luhn check digit).
    public var iccid: String
    public var phoneNumber: String?
    public var `operator`: String
    public var dataPlan: String?
    public var expiresOn: LocalDate?
    public var suspended: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, ownerID: UUID, academieCode: String?, iccid: String, phoneNumber: String?, operator: String,
        dataPlan: String?, expiresOn: LocalDate?, suspended: Bool, version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.ownerID = ownerID
        self.academieCode = academieCode
        self.iccid = iccid
        self.phoneNumber = phoneNumber
        self.operator = `operator`
        self.dataPlan = dataPlan
        self.expiresOn = expiresOn
        self.suspended = suspended
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// ICCIDs end in a Luhn check digit (ITU-T E.118), which catches a mistyped or misread digit.
    public static func isValidICCID(_ text: String) -> Bool {
        let digits = text.utf8.map { Int($0) - 48 }
        guard (19...20).contains(digits.count), digits.allSatisfy({ (0...9).contains($0) }), text.hasPrefix("89") else { return false }
        var sum = 0
        for (i, digit) in digits.reversed().enumerated() {
            let d = i % 2 == 1 ? digit * 2 : digit
            sum += d > 9 ? d - 9 : d
        }
        return sum % 10 == 0
    }

    /// French numbers as dialled in France: ten digits starting with 0, or +33 and nine digits.
    public static func normalizedPhone(_ text: String) -> String? {
        let compact = text.filter { !" .-".contains($0) }
        if compact.hasPrefix("+"), compact.dropFirst().allSatisfy(\.isNumber), (9...15).contains(compact.count - 1) { return compact }
        if compact.count == 10, compact.hasPrefix("0"), compact.allSatisfy(\.isNumber) { return compact }
        return nil
    }
}

public struct SIMLineInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var iccid: String?
    public var phoneNumber: String?
    public var `operator`: String?
    public var dataPlan: String?
    public var expiresOn: String?
    public var suspended: Bool?

    public init(
        establishmentID: UUID?, iccid: String?, phoneNumber: String?, operator: String?, dataPlan: String?, expiresOn: String?, suspended: Bool?
    ) {
        self.establishmentID = establishmentID
        self.iccid = iccid
        self.phoneNumber = phoneNumber
        self.operator = `operator`
        self.dataPlan = dataPlan
        self.expiresOn = expiresOn
        self.suspended = suspended
    }

    public struct Valid: Sendable {
        public var establishmentID: UUID
        public var iccid: String
        public var phoneNumber: String?
        public var `operator`: String
        public var dataPlan: String?
        public var expiresOn: LocalDate?
        public var suspended: Bool
    }

    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let establishment = v.require(establishmentID, "establishment_id")
        let iccid = v.requireText(iccid, "iccid", maxLength: 22)?.filter { $0 != " " }
        if let iccid, !SIMLine.isValidICCID(iccid) {
            v.fail("iccid", "must be the 19 or 20 digits printed on the SIM card, starting 89, with a valid check digit")
        }
        var phone: String?
        if let raw = v.optionalText(phoneNumber, "phone_number", maxLength: 20) {
            phone = SIMLine.normalizedPhone(raw)
            if phone == nil { v.fail("phone_number", "must be a phone number such as 0612345678 or +33612345678") }
        }
        let op = v.requireText(`operator`, "operator", maxLength: 80)
        let plan = v.optionalText(dataPlan, "data_plan", maxLength: 120)
        let expires = v.date(expiresOn, "expires_on")
        try v.check()
        return Valid(
            establishmentID: establishment!, iccid: iccid!, phoneNumber: phone, operator: op!, dataPlan: plan, expiresOn: expires,
            suspended: suspended ?? false)
    }
}
