public import Foundation

/// A school (école, collège, lycée…) identified by its UAI.
public struct Establishment: Codable, Equatable, Sendable, Identifiable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case ecoleMaternelle = "ecole_maternelle"
        case ecoleElementaire = "ecole_elementaire"
        case ecolePrimaire = "ecole_primaire"
        case college
        case lyceeGeneralTechnologique = "lycee_general_technologique"
        case lyceeProfessionnel = "lycee_professionnel"
        case lyceePolyvalent = "lycee_polyvalent"
        case erea
        case citeScolaire = "cite_scolaire"
        case other

        public var isEcole: Bool { self == .ecoleMaternelle || self == .ecoleElementaire || self == .ecolePrimaire }

        /// Who owns the equipment by legal competence (Code de l'éducation L212-4, L213-2, L214-6, as amended by
        /// the loi 2013-595): écoles → commune, collèges → département, lycées and EREA → région. A cité scolaire
        /// is run under an agreement between département and région; by default the région. `nil`: no default.
        public var legalOwnerKind: Collectivite.Kind? {
            switch self {
            case .ecoleMaternelle, .ecoleElementaire, .ecolePrimaire: .commune
            case .college: .departement
            case .lyceeGeneralTechnologique, .lyceeProfessionnel, .lyceePolyvalent, .erea, .citeScolaire: .region
            case .other: nil
            }
        }
    }

    public var id: UUID
    public var uai: UAI
    public var kind: Kind
    public var name: String
    public var commune: String
    /// INSEE code of the commune, which names the owning commune of an école.
    public var communeCode: String?
    public var departement: String
    public var academieCode: String?
    public var pupils: Int
    public var teachers: Int
    public var ownerID: UUID
    /// True when the owner was set by hand instead of derived from legal competence.
    public var ownerOverridden: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, uai: UAI, kind: Kind, name: String, commune: String, communeCode: String?, academieCode: String?, pupils: Int,
        teachers: Int, ownerID: UUID, ownerOverridden: Bool, version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.uai = uai
        self.kind = kind
        self.name = name
        self.commune = commune
        self.communeCode = communeCode
        self.departement = uai.departement
        self.academieCode = academieCode
        self.pupils = pupils
        self.teachers = teachers
        self.ownerID = ownerID
        self.ownerOverridden = ownerOverridden
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a caller sends to create or change an establishment. Every field is optional so that one pass of
/// validation reports every missing or wrong field; a patch is merged onto the stored record first.
public struct EstablishmentInput: Codable, Sendable {
    public var uai: String?
    public var kind: String?
    public var name: String?
    public var commune: String?
    public var communeCode: String?
    public var pupils: Int?
    public var teachers: Int?
    /// An explicit owner id; absent means "by legal competence".
    public var ownerID: UUID?
    /// An explicit owner as `kind:code` (the import format); used when `ownerID` is absent.
    public var owner: String?

    public init(
        uai: String? = nil, kind: String? = nil, name: String? = nil, commune: String? = nil, communeCode: String? = nil,
        pupils: Int? = nil, teachers: Int? = nil, ownerID: UUID? = nil, owner: String? = nil
    ) {
        self.uai = uai
        self.kind = kind
        self.name = name
        self.commune = commune
        self.communeCode = communeCode
        self.pupils = pupils
        self.teachers = teachers
        self.ownerID = ownerID
        self.owner = owner
    }

    /// The fields that passed validation; the owner still has to be resolved against stored collectivités.
    public struct Valid: Sendable, Equatable {
        public var uai: UAI
        public var kind: Establishment.Kind
        public var name: String
        public var commune: String
        public var communeCode: String?
        public var pupils: Int
        public var teachers: Int
        public var owner: OwnerChoice
    }

    public func validate(row: Int? = nil) throws(ParcError) -> Valid {
        var v = Validator(row: row)
        var uai: UAI?
        if let raw = uai_ {
            do { uai = try UAI(validating: raw) } catch { v.fail("uai", error.description) }
        } else {
            v.fail("uai", "is required")
        }
        let kind = v.enumValue(self.kind, "kind", as: Establishment.Kind.self)
        let name = v.requireText(self.name, "name")
        let commune = v.requireText(self.commune, "commune", maxLength: 100)
        let communeCode = v.optionalText(self.communeCode, "commune_code", maxLength: 5)
        if let communeCode, !communeCode.allSatisfy({ $0.isNumber || $0 == "A" || $0 == "B" }) || communeCode.count != 5 {
            v.fail("commune_code", "must be a 5-character INSEE commune code")
        }
        let pupils = v.range(self.pupils ?? 0, "pupils", 0...20_000)
        let teachers = v.range(self.teachers ?? 0, "teachers", 0...2_000)
        var owner = OwnerChoice.legalCompetence
        if let ownerID {
            owner = .id(ownerID)
        } else if let reference = self.owner?.trimmingCharacters(in: .whitespaces), !reference.isEmpty {
            if let parsed = OwnerChoice.parse(reference: reference) {
                owner = parsed
            } else {
                v.fail("owner", "must be written kind:code, e.g. region:04 or commune:97411")
            }
        }
        if kind == .other, owner == .legalCompetence {
            v.fail("owner", "is required for an establishment of kind other (no owner follows from legal competence)")
        }
        if let kind, kind.isEcole, owner == .legalCompetence, communeCode == nil {
            v.fail("commune_code", "is required to find the owning commune of an école")
        }
        try v.check()
        return Valid(
            uai: uai!, kind: kind!, name: name!, commune: commune!, communeCode: communeCode, pupils: pupils!, teachers: teachers!,
            owner: owner)
    }

    private var uai_: String? { uai }
}

/// How the owner of an establishment is chosen.
public enum OwnerChoice: Equatable, Sendable {
    case legalCompetence
    case id(UUID)
    case reference(kind: Collectivite.Kind, code: String)

    public static func parse(reference: String) -> OwnerChoice? {
        let parts = reference.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let kind = Collectivite.Kind(rawValue: parts[0]), !parts[1].isEmpty else { return nil }
        return .reference(kind: kind, code: parts[1])
    }

    /// The collectivité that legal competence designates, as `(kind, code)`, given the département's région.
    public static func legalOwner(of kind: Establishment.Kind, communeCode: String?, departement: String, regionCode: String?)
        -> (kind: Collectivite.Kind, code: String)?
    {
        switch kind.legalOwnerKind {
        case .commune: communeCode.map { (.commune, $0) }
        case .departement: (.departement, departement)
        case .region: regionCode.map { (.region, $0) }
        default: nil
        }
    }
}
