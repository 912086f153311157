public import Foundation

/// One physical unit, identified by its manufacturer and serial number (never by a MAC address, as CARMO v3 asks).
public struct Device: Codable, Equatable, Sendable, Identifiable {
    public enum Status: String, Codable, CaseIterable, Sendable {
        case inStock = "in_stock"
        case inService = "in_service"
        case onLoan = "on_loan"
        case inRepair = "in_repair"
        case lost, stolen, retired
    }

    public var id: UUID
    public var establishmentID: UUID
    /// The collectivité that owns the establishment, copied here so scoped lists need no join.
    public var ownerID: UUID
    public var academieCode: String?
    public var modelID: UUID
    /// Copied from the model so lists filter by kind without a join.
    public var kind: DeviceModel.Kind
    public var manufacturer: String
    public var serialNumber: String
    public var assetTag: String?
    public var roomID: UUID?
    public var cartID: UUID?
    public var status: Status
    public var purchaseDate: LocalDate?
    public var purchasePriceCents: Int?
    public var fundingProgramme: String?
    public var funderShares: [FunderShare]
    /// Warranty end, planned end of life and planned refresh are three different dates on purpose:
    /// schools keep devices well past their warranty.
    public var warrantyEnd: LocalDate?
    public var plannedEndOfLife: LocalDate?
    public var plannedRefresh: LocalDate?
    public var notes: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, ownerID: UUID, academieCode: String?, modelID: UUID, kind: DeviceModel.Kind,
        manufacturer: String, serialNumber: String, assetTag: String?, roomID: UUID?, cartID: UUID?, status: Status,
        purchaseDate: LocalDate?, purchasePriceCents: Int?, fundingProgramme: String?, funderShares: [FunderShare],
        warrantyEnd: LocalDate?, plannedEndOfLife: LocalDate?, plannedRefresh: LocalDate?, notes: String?, version: Int = 1,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.ownerID = ownerID
        self.academieCode = academieCode
        self.modelID = modelID
        self.kind = kind
        self.manufacturer = manufacturer
        self.serialNumber = serialNumber
        self.assetTag = assetTag
        self.roomID = roomID
        self.cartID = cartID
        self.status = status
        self.purchaseDate = purchaseDate
        self.purchasePriceCents = purchasePriceCents
        self.fundingProgramme = fundingProgramme
        self.funderShares = funderShares
        self.warrantyEnd = warrantyEnd
        self.plannedEndOfLife = plannedEndOfLife
        self.plannedRefresh = plannedRefresh
        self.notes = notes
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Who paid what share of a device: the État through a programme, the collectivité, a grant.
public struct FunderShare: Codable, Equatable, Sendable {
    public var funder: String
    public var percent: Int

    public init(funder: String, percent: Int) {
        self.funder = funder
        self.percent = percent
    }

    /// Parses the import format `Etat:50;Département de La Réunion:50`.
    public static func parseList(_ text: String) -> [FunderShare]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        var shares: [FunderShare] = []
        for part in trimmed.split(separator: ";") {
            guard let colon = part.lastIndex(of: ":") else { return nil }
            let funder = part[..<colon].trimmingCharacters(in: .whitespaces)
            guard !funder.isEmpty, let percent = Int(part[part.index(after: colon)...].trimmingCharacters(in: .whitespaces)) else {
                return nil
            }
            shares.append(FunderShare(funder: funder, percent: percent))
        }
        return shares
    }

    public static func format(_ shares: [FunderShare]) -> String {
        shares.map { "\($0.funder):\($0.percent)" }.joined(separator: ";")
    }
}

public struct DeviceInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var modelID: UUID?
    public var serialNumber: String?
    public var assetTag: String?
    public var roomID: UUID?
    public var cartID: UUID?
    public var status: String?
    public var purchaseDate: String?
    public var purchasePriceCents: Int?
    public var fundingProgramme: String?
    public var funderShares: [FunderShare]?
    public var warrantyEnd: String?
    public var plannedEndOfLife: String?
    public var plannedRefresh: String?
    public var notes: String?

    public init(
        establishmentID: UUID? = nil, modelID: UUID? = nil, serialNumber: String? = nil, assetTag: String? = nil, roomID: UUID? = nil,
        cartID: UUID? = nil, status: String? = nil, purchaseDate: String? = nil, purchasePriceCents: Int? = nil,
        fundingProgramme: String? = nil, funderShares: [FunderShare]? = nil, warrantyEnd: String? = nil, plannedEndOfLife: String? = nil,
        plannedRefresh: String? = nil, notes: String? = nil
    ) {
        self.establishmentID = establishmentID
        self.modelID = modelID
        self.serialNumber = serialNumber
        self.assetTag = assetTag
        self.roomID = roomID
        self.cartID = cartID
        self.status = status
        self.purchaseDate = purchaseDate
        self.purchasePriceCents = purchasePriceCents
        self.fundingProgramme = fundingProgramme
        self.funderShares = funderShares
        self.warrantyEnd = warrantyEnd
        self.plannedEndOfLife = plannedEndOfLife
        self.plannedRefresh = plannedRefresh
        self.notes = notes
    }

    public struct Valid: Sendable, Equatable {
        public var establishmentID: UUID
        public var modelID: UUID
        public var serialNumber: String
        public var assetTag: String?
        public var roomID: UUID?
        public var cartID: UUID?
        public var status: Device.Status
        public var purchaseDate: LocalDate?
        public var purchasePriceCents: Int?
        public var fundingProgramme: String?
        public var funderShares: [FunderShare]
        public var warrantyEnd: LocalDate?
        public var plannedEndOfLife: LocalDate?
        public var plannedRefresh: LocalDate?
        public var notes: String?
    }

    public func validate(row: Int? = nil) throws(ParcError) -> Valid {
        var v = Validator(row: row)
        let establishmentID = v.require(self.establishmentID, "establishment_id")
        let modelID = v.require(self.modelID, "model_id")
        let serial = v.requireText(serialNumber, "serial_number", maxLength: 64)
        if let serial, serial.contains(where: { $0.isWhitespace }) { v.fail("serial_number", "must not contain spaces") }
        let assetTag = v.optionalText(self.assetTag, "asset_tag", maxLength: 64)
        let status = v.enumValue(self.status ?? Device.Status.inService.rawValue, "status", as: Device.Status.self)
        let purchaseDate = v.date(self.purchaseDate, "purchase_date")
        let price = v.range(purchasePriceCents, "purchase_price_cents", 0...100_000_000)
        let programme = v.optionalText(fundingProgramme, "funding_programme", maxLength: 120)
        let shares = funderShares ?? []
        if !shares.isEmpty {
            if shares.contains(where: { $0.percent <= 0 || $0.percent > 100 || $0.funder.trimmingCharacters(in: .whitespaces).isEmpty }) {
                v.fail("funder_shares", "each share needs a funder and a percentage between 1 and 100")
            } else if shares.reduce(0, { $0 + $1.percent }) != 100 {
                v.fail("funder_shares", "percentages must add up to 100")
            }
        }
        let warrantyEnd = v.date(self.warrantyEnd, "warranty_end")
        let eol = v.date(plannedEndOfLife, "planned_end_of_life")
        let refresh = v.date(plannedRefresh, "planned_refresh")
        if let purchaseDate {
            if let warrantyEnd, warrantyEnd < purchaseDate { v.fail("warranty_end", "must not be before purchase_date") }
            if let eol, eol < purchaseDate { v.fail("planned_end_of_life", "must not be before purchase_date") }
            if let refresh, refresh < purchaseDate { v.fail("planned_refresh", "must not be before purchase_date") }
        }
        let notes = v.optionalText(self.notes, "notes", maxLength: 2000)
        try v.check()
        return Valid(
            establishmentID: establishmentID!, modelID: modelID!, serialNumber: serial!, assetTag: assetTag, roomID: roomID, cartID: cartID,
            status: status!, purchaseDate: purchaseDate, purchasePriceCents: price, fundingProgramme: programme, funderShares: shares,
            warrantyEnd: warrantyEnd, plannedEndOfLife: eol, plannedRefresh: refresh, notes: notes)
    }
}
