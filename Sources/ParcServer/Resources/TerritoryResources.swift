import Foundation
import ParcCore
import ParcStore

struct CollectiviteResource: InventoryResource {
    static let path = "collectivites"
    static let noun = "collectivite"
    static let filters: [String: FilterSpec] = [
        "kind": .choice("kind", Collectivite.Kind.allCases.map(\.rawValue)), "code": .text("code"), "academie_code": .text("academie_code"),
        "q": .search("name"),
    ]
    static let example = Collectivite(
        id: UUID(), kind: .departement, code: "974", name: "Département de La Réunion", academieCode: "28",
        contactEmail: "dsi-colleges@cg974.example", version: 1, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    static let exampleInput = CollectiviteInput(kind: "departement", code: "974", name: "Département de La Réunion", academieCode: "28")

    func input(from c: Collectivite) -> CollectiviteInput {
        CollectiviteInput(kind: c.kind.rawValue, code: c.code, name: c.name, academieCode: c.academieCode, contactEmail: c.contactEmail)
    }

    func build(_ input: CollectiviteInput, existing: Collectivite?, context: BuildContext) async throws -> Built<Collectivite> {
        let v = try input.validate()
        if let existing, context.principal.role != .admin, v.kind != existing.kind || v.code != existing.code {
            throw ParcError.forbidden("only an administrator changes a collectivité's kind or code")
        }
        return Built(
            record: Collectivite(
                id: existing?.id ?? context.newID, kind: v.kind, code: v.code, name: v.name, academieCode: v.academieCode,
                contactEmail: v.contactEmail, createdAt: existing?.createdAt ?? context.now, updatedAt: context.now))
    }

    func deleteGuards(_ c: Collectivite) -> [WriteStatement] {
        [Repository<Collectivite>.noDependents("establishments", column: "owner_id", on: c.id, describe: "establishments it owns")]
    }
}

struct EstablishmentResource: InventoryResource {
    static let path = "establishments"
    static let noun = "establishment"
    static let filters: [String: FilterSpec] = [
        "owner_id": .uuid("owner_id"), "collectivite_id": .uuid("owner_id"), "kind": .choice("kind", Establishment.Kind.allCases.map(\.rawValue)),
        "uai": .text("uai"), "departement": .text("departement"), "academie_code": .text("academie_code"), "commune_code": .text("commune_code"),
        "q": .search("name"),
    ]
    static let example = Establishment(
        id: UUID(), uai: try! UAI(validating: "9740979W"), kind: .lyceePolyvalent, name: "Lycée polyvalent Jean-Hinglo", commune: "Le Port",
        communeCode: "97407", academieCode: "28", pupils: 1450, teachers: 130, ownerID: UUID(), ownerOverridden: false,
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    static let exampleInput = EstablishmentInput(
        uai: "9740979W", kind: "lycee_polyvalent", name: "Lycée polyvalent Jean-Hinglo", commune: "Le Port", communeCode: "97407", pupils: 1450,
        teachers: 130)

    func input(from e: Establishment) -> EstablishmentInput {
        EstablishmentInput(
            uai: e.uai.value, kind: e.kind.rawValue, name: e.name, commune: e.commune, communeCode: e.communeCode, pupils: e.pupils,
            teachers: e.teachers, ownerID: e.ownerOverridden ? e.ownerID : nil)
    }

    func build(_ input: EstablishmentInput, existing: Establishment?, context: BuildContext) async throws -> Built<Establishment> {
        let v = try input.validate()
        let principal = context.principal
        let departement = try await context.storage.territory.departements()[v.uai.departement]
        let legal = try await OwnerResolver(storage: context.storage).legalOwner(v, departement: departement)
        let owner: Collectivite
        switch v.owner {
        case .legalCompetence:
            guard let legal else {
                throw ParcError.validation([
                    FieldError(
                        field: "owner", reason: "no collectivité exists for the legal owner of this establishment; create it first or give owner_id")
                ])
            }
            owner = legal
        case .id(let id):
            guard let found = try await context.storage.repository(Collectivite.self).get(id, in: .all) else {
                throw ParcError.validation([FieldError(field: "owner_id", reason: "no such collectivité")])
            }
            owner = found
        case .reference(let kind, let code):
            guard let found = try await OwnerResolver(storage: context.storage).collectivite(kind: kind, code: code) else {
                throw ParcError.validation([FieldError(field: "owner", reason: "no collectivité \(kind.rawValue):\(code)")])
            }
            owner = found
        }
        let overridden = owner.id != legal?.id
        switch principal.role {
        case .admin: break
        case .collectivite:
            guard owner.id == principal.collectiviteID else {
                throw ParcError.forbidden("a collectivité manages only the establishments it owns")
            }
        default:
            if let existing, owner.id != existing.ownerID || v.uai != existing.uai {
                throw ParcError.forbidden("only the owner or an administrator changes an establishment's UAI or owner")
            }
        }
        let record = Establishment(
            id: existing?.id ?? context.newID, uai: v.uai, kind: v.kind, name: v.name, commune: v.commune, communeCode: v.communeCode,
            academieCode: departement?.academieCode, pupils: v.pupils, teachers: v.teachers, ownerID: owner.id, ownerOverridden: overridden,
            createdAt: existing?.createdAt ?? context.now, updatedAt: context.now)
        var extra: [WriteStatement] = []
        if let existing, existing.ownerID != record.ownerID || existing.academieCode != record.academieCode {
            // Devices carry their establishment's owner and académie for scoped lists: move them along.
            extra.append(
                WriteStatement(
                    "UPDATE devices SET owner_id = \(record.ownerID), academie_code = \(record.academieCode) WHERE establishment_id = \(record.id)"))
            // Tickets follow too, and leave the former owner's contract lots and rounds.
            extra.append(context.storage.tickets.move(establishmentID: record.id, ownerID: record.ownerID, academieCode: record.academieCode))
            if existing.ownerID != record.ownerID {
                extra += try await MaintenanceScope.detach(record.id, from: existing.ownerID, storage: context.storage, now: context.now)
            }
        }
        return Built(record: record, extra: extra)
    }

    func deleteGuards(_ e: Establishment) -> [WriteStatement] {
        [
            ("devices", "devices"), ("rooms", "rooms"), ("buildings", "buildings"), ("mobile_carts", "classes mobiles"),
            ("access_points", "access points"), ("internet_links", "Internet links"),
        ].map { Repository<Establishment>.noDependents($0.0, column: "establishment_id", on: e.id, describe: $0.1) }
            + [TicketStore.noOpenTickets(establishmentID: e.id)]
    }

}

/// Finds the collectivité that legal competence designates for an establishment.
struct OwnerResolver: Sendable {
    let storage: Storage

    func collectivite(kind: Collectivite.Kind, code: String) async throws -> Collectivite? {
        try await storage.repository(Collectivite.self).list(
            [.equals("kind", kind.rawValue), .equals("code", code)], in: .all, page: PageRequest(limit: 1)
        )
        .items.first
    }

    /// Écoles → the commune; collèges → the département; lycées → the région. Where one collectivity holds both
    /// département and région powers (Corse, Martinique, Guyane, Mayotte), it is found under `collectivite_unique`.
    func legalOwner(_ v: EstablishmentInput.Valid, departement: Departement?) async throws -> Collectivite? {
        guard
            let target = OwnerChoice.legalOwner(
                of: v.kind, communeCode: v.communeCode, departement: v.uai.departement, regionCode: departement?.regionCode)
        else { return nil }
        if let found = try await collectivite(kind: target.kind, code: target.code) { return found }
        if target.kind == .departement || target.kind == .region {
            return try await collectivite(kind: .collectiviteUnique, code: v.uai.departement)
        }
        return nil
    }
}
