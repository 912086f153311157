import Foundation
import ParcCore
import ParcStore

private let epoch = Date(timeIntervalSince1970: 0)

struct DeviceModelResource: InventoryResource {
    static let path = "device-models"
    static let noun = "device_model"
    static let filters: [String: FilterSpec] = [
        "kind": .choice("kind", DeviceModel.Kind.allCases.map(\.rawValue)), "manufacturer": .search("manufacturer"), "q": .search("name"),
    ]
    static let example = DeviceModel(
        id: UUID(), kind: .tablet, manufacturer: "Apple", name: "iPad 9.7 (2018)", lifespanMonths: 60, unitPriceCents: 56_600, createdAt: epoch,
        updatedAt: epoch)
    static let exampleInput = DeviceModelInput(
        kind: "tablet", manufacturer: "Apple", name: "iPad 9.7 (2018)", lifespanMonths: 60, unitPriceCents: 56_600)

    func input(from m: DeviceModel) -> DeviceModelInput {
        DeviceModelInput(
            kind: m.kind.rawValue, manufacturer: m.manufacturer, name: m.name, lifespanMonths: m.lifespanMonths, unitPriceCents: m.unitPriceCents)
    }

    func build(_ input: DeviceModelInput, existing: DeviceModel?, context: BuildContext) async throws -> Built<DeviceModel> {
        let v = try input.validate()
        let record = DeviceModel(
            id: existing?.id ?? context.newID, kind: v.kind, manufacturer: v.manufacturer, name: v.name, lifespanMonths: v.lifespanMonths,
            unitPriceCents: v.unitPriceCents, createdAt: existing?.createdAt ?? context.now, updatedAt: context.now)
        var extra: [WriteStatement] = []
        if let existing, existing.kind != record.kind || existing.manufacturer != record.manufacturer {
            // Devices copy their model's kind and manufacturer (for filters and the serial uniqueness key).
            extra.append(
                WriteStatement(
                    """
                    UPDATE devices SET kind = \(record.kind.rawValue), manufacturer = \(record.manufacturer),
                      manufacturer_key = \(DeviceModel.manufacturerKey(record.manufacturer)) WHERE model_id = \(record.id)
                    """))
        }
        return Built(record: record, extra: extra)
    }

    func deleteGuards(_ m: DeviceModel) -> [WriteStatement] {
        [Repository<DeviceModel>.noDependents("devices", column: "model_id", on: m.id, describe: "devices of this model")]
    }
}

struct DeviceResource: InventoryResource {
    static let path = "devices"
    static let noun = "device"
    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "owner_id": .uuid("owner_id"), "collectivite_id": .uuid("owner_id"),
        "academie_code": .text("academie_code"), "model_id": .uuid("model_id"), "room_id": .uuid("room_id"), "cart_id": .uuid("cart_id"),
        "status": .choice("status", Device.Status.allCases.map(\.rawValue)), "kind": .choice("kind", DeviceModel.Kind.allCases.map(\.rawValue)),
        "serial_number": .text("serial_number"), "asset_tag": .text("asset_tag"), "funding_programme": .text("funding_programme"),
    ]
    static let example = Device(
        id: UUID(), establishmentID: UUID(), ownerID: UUID(), academieCode: "28", modelID: UUID(), kind: .tablet, manufacturer: "Apple",
        serialNumber: "DMPTX1Y2Z3A4", assetTag: "974-CLG-0001234", roomID: UUID(), cartID: UUID(), status: .inService,
        purchaseDate: LocalDate("2016-09-15"), purchasePriceCents: 56_600, fundingProgramme: "Plan numérique 2016",
        funderShares: [FunderShare(funder: "Etat", percent: 50), FunderShare(funder: "Département de La Réunion", percent: 50)],
        warrantyEnd: LocalDate("2018-09-15"), plannedEndOfLife: LocalDate("2021-09-15"), plannedRefresh: LocalDate("2023-09-01"), notes: nil,
        createdAt: epoch, updatedAt: epoch)
    static let exampleInput = DeviceInput(
        establishmentID: UUID(), modelID: UUID(), serialNumber: "DMPTX1Y2Z3A4", assetTag: "974-CLG-0001234", status: "in_service",
        purchaseDate: "2016-09-15", purchasePriceCents: 56_600, fundingProgramme: "Plan numérique 2016",
        funderShares: [FunderShare(funder: "Etat", percent: 50), FunderShare(funder: "Département de La Réunion", percent: 50)],
        warrantyEnd: "2018-09-15", plannedEndOfLife: "2021-09-15")

    func input(from d: Device) -> DeviceInput {
        DeviceInput(
            establishmentID: d.establishmentID, modelID: d.modelID, serialNumber: d.serialNumber, assetTag: d.assetTag, roomID: d.roomID,
            cartID: d.cartID, status: d.status.rawValue, purchaseDate: d.purchaseDate?.description, purchasePriceCents: d.purchasePriceCents,
            fundingProgramme: d.fundingProgramme, funderShares: d.funderShares, warrantyEnd: d.warrantyEnd?.description,
            plannedEndOfLife: d.plannedEndOfLife?.description, plannedRefresh: d.plannedRefresh?.description, notes: d.notes)
    }

    func build(_ input: DeviceInput, existing: Device?, context: BuildContext) async throws -> Built<Device> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID)
        guard let model = try await context.storage.repository(DeviceModel.self).get(v.modelID, in: .all) else {
            throw ParcError.validation([FieldError(field: "model_id", reason: "no such device model")])
        }
        _ = try await context.sibling(Room.self, v.roomID, of: establishment.id, field: "room_id")
        if let cart = try await context.sibling(MobileCart.self, v.cartID, of: establishment.id, field: "cart_id"), existing?.cartID != cart.id,
            model.kind.isClientDevice
        {
            let loaded = try await context.storage.repository(Device.self).cartSlotsTaken(cart.id)
            if loaded >= cart.capacity {
                throw ParcError.conflict(field: "cart_id", message: "the classe mobile \(cart.name) is full (\(cart.capacity) slots)")
            }
        }
        return Built(
            record: Device(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, ownerID: establishment.ownerID,
                academieCode: establishment.academieCode, modelID: model.id, kind: model.kind, manufacturer: model.manufacturer,
                serialNumber: v.serialNumber, assetTag: v.assetTag, roomID: v.roomID, cartID: v.cartID, status: v.status,
                purchaseDate: v.purchaseDate,
                purchasePriceCents: v.purchasePriceCents, fundingProgramme: v.fundingProgramme, funderShares: v.funderShares,
                warrantyEnd: v.warrantyEnd,
                plannedEndOfLife: v.plannedEndOfLife ?? v.purchaseDate?.adding(months: model.lifespanMonths),
                plannedRefresh: v.plannedRefresh, notes: v.notes, createdAt: existing?.createdAt ?? context.now, updatedAt: context.now))
    }

    func deleteGuards(_ d: Device) -> [WriteStatement] { [] }
}

struct MobileCartResource: InventoryResource {
    static let path = "mobile-carts"
    static let noun = "mobile_cart"
    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "home_room_id": .uuid("home_room_id"), "q": .search("name"),
    ]
    static let example = MobileCart(
        id: UUID(), establishmentID: UUID(), name: "Classe mobile 1", capacity: 16, homeRoomID: UUID(), accessPointID: nil, builtInAccessPoint: true,
        createdAt: epoch, updatedAt: epoch)
    static let exampleInput = MobileCartInput(establishmentID: UUID(), name: "Classe mobile 1", capacity: 16, builtInAccessPoint: true)

    func input(from c: MobileCart) -> MobileCartInput {
        MobileCartInput(
            establishmentID: c.establishmentID, name: c.name, capacity: c.capacity, homeRoomID: c.homeRoomID, accessPointID: c.accessPointID,
            builtInAccessPoint: c.builtInAccessPoint)
    }

    func build(_ input: MobileCartInput, existing: MobileCart?, context: BuildContext) async throws -> Built<MobileCart> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID!)
        _ = try await context.sibling(Room.self, v.homeRoomID, of: establishment.id, field: "home_room_id")
        _ = try await context.sibling(AccessPoint.self, v.accessPointID, of: establishment.id, field: "access_point_id")
        if let existing {
            let loaded = try await context.storage.repository(Device.self).count([.equals("cart_id", existing.id)])
            if v.capacity! < loaded {
                throw ParcError.conflict(field: "capacity", message: "the classe mobile holds \(loaded) devices; remove some before shrinking it")
            }
        }
        return Built(
            record: MobileCart(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, name: v.name!, capacity: v.capacity!, homeRoomID: v.homeRoomID,
                accessPointID: v.accessPointID, builtInAccessPoint: v.builtInAccessPoint ?? false, createdAt: existing?.createdAt ?? context.now,
                updatedAt: context.now))
    }

    func deleteGuards(_ c: MobileCart) -> [WriteStatement] {
        [Repository<MobileCart>.noDependents("devices", column: "cart_id", on: c.id, describe: "devices assigned to it")]
    }
}
