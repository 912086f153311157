import Foundation
import ParcCore
import ParcStore

/// Small builders for store tests: a fixed clock and records with sensible defaults.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_788_000_000)  // 2026-08-29, a fixed "now"

    static func collectivite(_ kind: Collectivite.Kind = .departement, code: String = "974", name: String = "Département de La Réunion")
        -> Collectivite
    {
        Collectivite(id: UUID(), kind: kind, code: code, name: name, academieCode: "28", createdAt: t0, updatedAt: t0)
    }

    static func establishment(_ uai: String, owner: Collectivite, kind: Establishment.Kind = .college, name: String = "Collège test")
        -> Establishment
    {
        Establishment(
            id: UUID(), uai: try! UAI(validating: uai), kind: kind, name: name, commune: "Saint-Denis", communeCode: "97411",
            academieCode: owner.academieCode, pupils: 600, teachers: 45, ownerID: owner.id, ownerOverridden: false, createdAt: t0,
            updatedAt: t0)
    }

    static func model(_ name: String = "iPad 9.7 (2018)", manufacturer: String = "Apple", kind: DeviceModel.Kind = .tablet) -> DeviceModel {
        DeviceModel(
            id: UUID(), kind: kind, manufacturer: manufacturer, name: name, lifespanMonths: 60, unitPriceCents: 56_600, createdAt: t0,
            updatedAt: t0)
    }

    static func device(_ serial: String, model: DeviceModel, in e: Establishment, assetTag: String? = nil, cart: UUID? = nil) -> Device {
        Device(
            id: UUID(), establishmentID: e.id, ownerID: e.ownerID, academieCode: e.academieCode, modelID: model.id, kind: model.kind,
            manufacturer: model.manufacturer, serialNumber: serial, assetTag: assetTag, roomID: nil, cartID: cart, status: .inService,
            purchaseDate: LocalDate("2016-09-01"), purchasePriceCents: 56_600, fundingProgramme: "Plan numérique 2016",
            funderShares: [FunderShare(funder: "Etat", percent: 50), FunderShare(funder: "Département de La Réunion", percent: 50)],
            warrantyEnd: LocalDate("2018-09-01"), plannedEndOfLife: LocalDate("2021-09-01"), plannedRefresh: nil, notes: nil, createdAt: t0,
            updatedAt: t0)
    }
}

extension SQLDatabase {
    func insert<R: StoredRecord>(_ records: R...) async throws {
        try await write(WriteBatch(records.map { Repository<R>(self).insert($0) }))
    }
}
