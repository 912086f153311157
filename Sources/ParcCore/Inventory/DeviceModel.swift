public import Foundation

/// A catalogue entry: one product that establishments hold many units of.
public struct DeviceModel: Codable, Equatable, Sendable, Identifiable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case tablet, laptop, desktop, chromebook
        /// VPI, TNI, ENI: interactive projectors, whiteboards and screens.
        case interactiveDisplay = "interactive_display"
        case videoProjector = "video_projector"
        case accessPoint = "access_point"
        case router4G = "router_4g"
        case simLine = "sim_line"
        case headset
        case chargingCart = "charging_cart"
        case other

        /// Devices a pupil or teacher works on, which count in the ETIC "computers per 100 pupils" family
        /// and load the Wi-Fi and the Internet link.
        public var isClientDevice: Bool { [.tablet, .laptop, .desktop, .chromebook].contains(self) }
        public var isMobile: Bool { [.tablet, .laptop, .chromebook].contains(self) }
    }

    public var id: UUID
    public var kind: Kind
    public var manufacturer: String
    public var name: String
    public var lifespanMonths: Int
    public var unitPriceCents: Int?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, kind: Kind, manufacturer: String, name: String, lifespanMonths: Int, unitPriceCents: Int?, version: Int = 1,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.manufacturer = manufacturer
        self.name = name
        self.lifespanMonths = lifespanMonths
        self.unitPriceCents = unitPriceCents
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Serial numbers are unique per manufacturer; this is the case- and space-insensitive key that enforces it.
    public static func manufacturerKey(_ manufacturer: String) -> String {
        manufacturer.lowercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "." }
    }
}

public struct DeviceModelInput: Codable, Sendable {
    public var kind: String?
    public var manufacturer: String?
    public var name: String?
    public var lifespanMonths: Int?
    public var unitPriceCents: Int?

    public init(kind: String? = nil, manufacturer: String? = nil, name: String? = nil, lifespanMonths: Int? = nil, unitPriceCents: Int? = nil) {
        self.kind = kind
        self.manufacturer = manufacturer
        self.name = name
        self.lifespanMonths = lifespanMonths
        self.unitPriceCents = unitPriceCents
    }

    public func validate(row: Int? = nil) throws(ParcError) -> (
        kind: DeviceModel.Kind, manufacturer: String, name: String, lifespanMonths: Int, unitPriceCents: Int?
    ) {
        var v = Validator(row: row)
        let kind = v.enumValue(self.kind, "kind", as: DeviceModel.Kind.self)
        let manufacturer = v.requireText(self.manufacturer, "manufacturer", maxLength: 100)
        let name = v.requireText(self.name, "name", maxLength: 150)
        let lifespan = v.range(v.require(lifespanMonths, "lifespan_months"), "lifespan_months", 1...360)
        let price = v.range(unitPriceCents, "unit_price_cents", 0...100_000_000)
        try v.check()
        return (kind!, manufacturer!, name!, lifespan!, price)
    }
}
