public import Foundation

/// The public body that owns and pays for the equipment of an establishment.
public struct Collectivite: Codable, Equatable, Sendable, Identifiable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case commune
        /// An intercommunal body (EPCI) that took over the écoles of its communes.
        case intercommunalite
        case departement
        case region
        /// Métropole de Lyon, which holds the département's competences on its territory.
        case metropole
        /// Corse, Martinique, Guyane, Mayotte: one collectivity with the powers of département and région.
        case collectiviteUnique = "collectivite_unique"
        case other
    }

    public var id: UUID
    public var kind: Kind
    /// The INSEE code matching the kind: commune code (97411), département code (974, 2A), région code (04).
    public var code: String
    public var name: String
    public var academieCode: String?
    public var contactEmail: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, kind: Kind, code: String, name: String, academieCode: String? = nil, contactEmail: String? = nil,
        version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.code = code
        self.name = name
        self.academieCode = academieCode
        self.contactEmail = contactEmail
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// How import files and the API name a collectivité without its id: `kind:code`, e.g. `region:04`.
    public var reference: String { "\(kind.rawValue):\(code)" }
}

/// An académie of the Éducation nationale, from the reference data in `Inventory/reference`.
public struct Academie: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    public var regionAcademique: String
    public var regionCode: String?

    public init(code: String, name: String, regionAcademique: String, regionCode: String?) {
        self.code = code
        self.name = name
        self.regionAcademique = regionAcademique
        self.regionCode = regionCode
    }
}

/// A département with the académie and région it belongs to: what turns a UAI into an owner.
public struct Departement: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    public var academieCode: String
    public var regionCode: String?

    public init(code: String, name: String, academieCode: String, regionCode: String?) {
        self.code = code
        self.name = name
        self.academieCode = academieCode
        self.regionCode = regionCode
    }
}

public struct CollectiviteInput: Codable, Sendable {
    public var kind: String?
    public var code: String?
    public var name: String?
    public var academieCode: String?
    public var contactEmail: String?

    public init(kind: String? = nil, code: String? = nil, name: String? = nil, academieCode: String? = nil, contactEmail: String? = nil) {
        self.kind = kind
        self.code = code
        self.name = name
        self.academieCode = academieCode
        self.contactEmail = contactEmail
    }

    public func validate() throws(ParcError) -> (kind: Collectivite.Kind, code: String, name: String, academieCode: String?, contactEmail: String?) {
        var v = Validator()
        let kind = v.enumValue(self.kind, "kind", as: Collectivite.Kind.self)
        let code = v.requireText(self.code, "code", maxLength: 12)
        if let code, !code.allSatisfy({ $0.isLetter || $0.isNumber }) { v.fail("code", "must be an INSEE code (letters and digits)") }
        let name = v.requireText(self.name, "name")
        let academie = v.optionalText(academieCode, "academie_code", maxLength: 2)
        let email = v.optionalText(contactEmail, "contact_email", maxLength: 200)
        if let email, !email.contains("@") { v.fail("contact_email", "must be an e-mail address") }
        try v.check()
        return (kind!, code!, name!, academie, email)
    }
}
