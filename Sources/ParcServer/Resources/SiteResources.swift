import Foundation
import ParcCore
import ParcStore

private let epoch = Date(timeIntervalSince1970: 0)

struct BuildingResource: InventoryResource {
    static let path = "buildings"
    static let noun = "building"
    static let filters: [String: FilterSpec] = ["establishment_id": .uuid("establishment_id"), "q": .search("name")]
    static let example = Building(id: UUID(), establishmentID: UUID(), name: "Bâtiment A", createdAt: epoch, updatedAt: epoch)
    static let exampleInput = BuildingInput(establishmentID: UUID(), name: "Bâtiment A")

    func input(from b: Building) -> BuildingInput { BuildingInput(establishmentID: b.establishmentID, name: b.name) }

    func build(_ input: BuildingInput, existing: Building?, context: BuildContext) async throws -> Built<Building> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID)
        return Built(
            record: Building(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, name: v.name, createdAt: existing?.createdAt ?? context.now,
                updatedAt: context.now))
    }

    func deleteGuards(_ b: Building) -> [WriteStatement] {
        [Repository<Building>.noDependents("rooms", column: "building_id", on: b.id, describe: "rooms")]
    }
}

struct RoomResource: InventoryResource {
    static let path = "rooms"
    static let noun = "room"
    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "building_id": .uuid("building_id"),
        "kind": .choice("kind", Room.Kind.allCases.map(\.rawValue)), "wifi_coverage": .choice("wifi_coverage", WifiCoverage.allCases.map(\.rawValue)),
        "q": .search("name"),
    ]
    static let example = Room(
        id: UUID(), establishmentID: UUID(), buildingID: UUID(), name: "Salle 101", kind: .classroom, teaching: true, floor: 1,
        wifiCoverage: .covered, coverageSource: .survey, coverageAssessedOn: LocalDate("2024-09-12"), createdAt: epoch, updatedAt: epoch)
    static let exampleInput = RoomInput(establishmentID: UUID(), name: "Salle 101", kind: "classroom", floor: 1, wifiCoverage: "covered")

    func input(from r: Room) -> RoomInput {
        RoomInput(
            establishmentID: r.establishmentID, buildingID: r.buildingID, name: r.name, kind: r.kind.rawValue, teaching: r.teaching, floor: r.floor,
            wifiCoverage: r.wifiCoverage?.rawValue, coverageSource: r.coverageSource?.rawValue, coverageAssessedOn: r.coverageAssessedOn?.description)
    }

    func build(_ input: RoomInput, existing: Room?, context: BuildContext) async throws -> Built<Room> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID)
        _ = try await context.sibling(Building.self, v.buildingID, of: establishment.id, field: "building_id")
        return Built(
            record: Room(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, buildingID: v.buildingID, name: v.name, kind: v.kind,
                teaching: v.teaching, floor: v.floor, wifiCoverage: v.wifiCoverage, coverageSource: v.coverageSource,
                coverageAssessedOn: v.coverageAssessedOn, createdAt: existing?.createdAt ?? context.now, updatedAt: context.now))
    }

    func deleteGuards(_ r: Room) -> [WriteStatement] {
        [
            Repository<Room>.noDependents("devices", column: "room_id", on: r.id, describe: "devices"),
            Repository<Room>.noDependents("access_points", column: "room_id", on: r.id, describe: "access points"),
            Repository<Room>.noDependents("mobile_carts", column: "home_room_id", on: r.id, describe: "classes mobiles based there"),
        ]
    }
}

struct AccessPointResource: InventoryResource {
    static let path = "access-points"
    static let noun = "access_point"
    static let filters: [String: FilterSpec] = ["establishment_id": .uuid("establishment_id"), "room_id": .uuid("room_id"), "q": .search("name")]
    static let example = AccessPoint(
        id: UUID(), establishmentID: UUID(), roomID: UUID(), name: "AP-A101", manufacturer: "Aruba", model: "AP-303", bands: [.ghz2_4, .ghz5],
        standard: .wifi5, maxClients: 40, poe: true, switchable: true, schedule: "Mon-Fri 08:30-11:30,13:30-16:00",
        conseilEcoleInformedOn: LocalDate("2016-06-14"), createdAt: epoch, updatedAt: epoch)
    static let exampleInput = AccessPointInput(
        establishmentID: UUID(), roomID: UUID(), name: "AP-A101", bands: ["2.4", "5"], standard: "wifi5", maxClients: 40, poe: true, switchable: true,
        schedule: "Mon-Fri 08:30-11:30,13:30-16:00", conseilEcoleInformedOn: "2016-06-14")

    func input(from a: AccessPoint) -> AccessPointInput {
        AccessPointInput(
            establishmentID: a.establishmentID, roomID: a.roomID, name: a.name, manufacturer: a.manufacturer, model: a.model,
            bands: a.bands.map(\.rawValue), standard: a.standard?.rawValue, maxClients: a.maxClients, poe: a.poe, switchable: a.switchable,
            schedule: a.schedule, conseilEcoleInformedOn: a.conseilEcoleInformedOn?.description)
    }

    func build(_ input: AccessPointInput, existing: AccessPoint?, context: BuildContext) async throws -> Built<AccessPoint> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID)
        _ = try await context.sibling(Room.self, v.roomID, of: establishment.id, field: "room_id")
        return Built(
            record: AccessPoint(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, roomID: v.roomID, name: v.name, manufacturer: v.manufacturer,
                model: v.model, bands: v.bands, standard: v.standard, maxClients: v.maxClients, poe: v.poe, switchable: v.switchable,
                schedule: v.schedule, conseilEcoleInformedOn: v.conseilEcoleInformedOn, createdAt: existing?.createdAt ?? context.now,
                updatedAt: context.now))
    }

    func deleteGuards(_ a: AccessPoint) -> [WriteStatement] {
        [Repository<AccessPoint>.noDependents("mobile_carts", column: "access_point_id", on: a.id, describe: "classes mobiles using it")]
    }
}

struct InternetLinkResource: InventoryResource {
    static let path = "internet-links"
    static let noun = "internet_link"
    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "technology": .choice("technology", InternetLink.Technology.allCases.map(\.rawValue)),
    ]
    static let example = InternetLink(
        id: UUID(), establishmentID: UUID(), technology: .fibre, provider: "Zeop", downMbps: 100, upMbps: 100, filtering: true, createdAt: epoch,
        updatedAt: epoch)
    static let exampleInput = InternetLinkInput(
        establishmentID: UUID(), technology: "fibre", provider: "Zeop", downMbps: 100, upMbps: 100, filtering: true)

    func input(from l: InternetLink) -> InternetLinkInput {
        InternetLinkInput(
            establishmentID: l.establishmentID, technology: l.technology.rawValue, provider: l.provider, downMbps: l.downMbps, upMbps: l.upMbps,
            filtering: l.filtering)
    }

    func build(_ input: InternetLinkInput, existing: InternetLink?, context: BuildContext) async throws -> Built<InternetLink> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID!)
        return Built(
            record: InternetLink(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, technology: InternetLink.Technology(rawValue: v.technology!)!,
                provider: v.provider, downMbps: v.downMbps!, upMbps: v.upMbps!, filtering: v.filtering ?? false,
                createdAt: existing?.createdAt ?? context.now, updatedAt: context.now))
    }

    func deleteGuards(_ l: InternetLink) -> [WriteStatement] { [] }
}
