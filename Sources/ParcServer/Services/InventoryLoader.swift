public import Foundation
public import ParcCore
public import ParcStore

/// Reads `Inventory/`: the reference tables (académies, départements) on every start, and the demo territory
/// on the first start of an empty database, through the same services and checks as the API.
public struct InventoryLoader: Sendable {
    let storage: Storage
    let clock: AppClock
    let root: URL

    public init(storage: Storage, clock: AppClock, root: URL) {
        self.storage = storage
        self.clock = clock
        self.root = root
    }

    func text(_ path: String) throws -> String {
        let url = root.appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ParcError.malformed("cannot read \(url.path): is inventory.path right?")
        }
        return text
    }

    /// Upserts académies and départements; idempotent.
    public func loadReference() async throws {
        let academies = try CSVTable(parsing: text("reference/academies.csv"))
        let departements = try CSVTable(parsing: text("reference/departements.csv"))
        try await storage.territory.load(
            academies: academies.rows.map { row in
                Academie(
                    code: academies.value("code", in: row.fields) ?? "", name: academies.value("name", in: row.fields) ?? "",
                    regionAcademique: academies.value("region_academique", in: row.fields) ?? "",
                    regionCode: academies.value("region_code", in: row.fields))
            },
            departements: departements.rows.map { row in
                Departement(
                    code: departements.value("code", in: row.fields) ?? "", name: departements.value("name", in: row.fields) ?? "",
                    academieCode: departements.value("academie_code", in: row.fields) ?? "",
                    regionCode: departements.value("region_code", in: row.fields))
            })
    }

    /// The school-holiday zones of académies and the holidays of each zone, for SLA calendars.
    static func holidayZones(root: URL) throws -> HolidayZones {
        func read(_ path: String) throws -> String {
            let url = root.appendingPathComponent(path)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ParcError.malformed("cannot read \(url.path): is inventory.path right?")
            }
            return text
        }
        return try HolidayZones(zonesCSV: try read("reference/academie-zones.csv"), holidaysCSV: try read("reference/school-holidays.csv"))
    }

    public struct DemoSummary: Sendable {
        public var establishments: Int
        public var devices: Int
        /// Maintenance tickets of the demo (`maintenance.json`), at various stages.
        public var tickets = 0
    }

    /// Loads `catalogue/` and `demo/<territory>/` as `principal`. Fails whole on the first invalid file.
    public func loadDemo(territory: String, as principal: Principal) async throws -> DemoSummary {
        let importer = CSVImporter(storage: storage, clock: clock)
        let folder = "demo/\(territory)/"
        let collectivites = try CSVTable(parsing: text(folder + "collectivites.csv"))
        let service = InventoryService(resource: CollectiviteResource(), storage: storage, clock: clock)
        for row in collectivites.rows {
            _ = try await service.create(
                CollectiviteInput(
                    kind: collectivites.value("kind", in: row.fields), code: collectivites.value("code", in: row.fields),
                    name: collectivites.value("name", in: row.fields), academieCode: collectivites.value("academie_code", in: row.fields)),
                principal: principal)
        }
        _ = try await importer.run(.deviceModels, csv: text("catalogue/device-models.csv"), principal: principal, dryRun: false)
        let establishments = try await importer.run(.establishments, csv: text(folder + "establishments.csv"), principal: principal, dryRun: false)
        try await loadSites(try text(folder + "sites.json"), as: principal)
        let devices = try await importer.run(.devices, csv: text(folder + "devices.csv"), principal: principal, dryRun: false)
        return DemoSummary(establishments: establishments.created, devices: devices.created)
    }

    struct Site: Decodable {
        struct BuildingSpec: Decodable {
            var name: String
            var rooms: [RoomSpec]
        }
        struct RoomSpec: Decodable {
            var name: String
            var kind: String?
            var teaching: Bool?
            var floor: Int?
            var wifiCoverage: String?
        }
        struct AccessPointSpec: Decodable {
            var name: String
            var room: String?
            var manufacturer: String?
            var model: String?
            var bands: [String]?
            var standard: String?
            var maxClients: Int?
            var poe: Bool?
            var switchable: Bool?
            var schedule: String?
            var conseilEcoleInformedOn: String?
        }
        struct LinkSpec: Decodable {
            var technology: String
            var provider: String?
            var downMbps: Double
            var upMbps: Double
            var filtering: Bool?
        }
        struct CartSpec: Decodable {
            var name: String
            var capacity: Int
            var homeRoom: String?
            var accessPoint: String?
        }
        var uai: String
        var buildings: [BuildingSpec]
        var accessPoints: [AccessPointSpec]
        var internetLinks: [LinkSpec]
        var carts: [CartSpec]
    }

    /// Buildings, rooms, access points, Internet links and classes mobiles of each establishment, by UAI.
    func loadSites(_ json: String, as principal: Principal) async throws {
        let sites = try APIJSON.decoder.decode([Site].self, from: Data(json.utf8))
        let establishments = try await storage.repository(Establishment.self).find(where: "uai", in: sites.map(\.uai.sqlValue))
        let byUAI = Dictionary(establishments.map { ($0.uai.value, $0) }, uniquingKeysWith: { a, _ in a })
        let buildings = InventoryService(resource: BuildingResource(), storage: storage, clock: clock)
        let rooms = InventoryService(resource: RoomResource(), storage: storage, clock: clock)
        let accessPoints = InventoryService(resource: AccessPointResource(), storage: storage, clock: clock)
        let links = InventoryService(resource: InternetLinkResource(), storage: storage, clock: clock)
        let carts = InventoryService(resource: MobileCartResource(), storage: storage, clock: clock)
        for site in sites {
            guard let establishment = byUAI[site.uai] else {
                throw ParcError.validation([FieldError(field: "uai", reason: "\(site.uai) is not loaded")])
            }
            var roomIDs: [String: UUID] = [:]
            for building in site.buildings {
                let b = try await buildings.create(BuildingInput(establishmentID: establishment.id, name: building.name), principal: principal)
                for room in building.rooms {
                    let r = try await rooms.create(
                        RoomInput(
                            establishmentID: establishment.id, buildingID: b.id, name: room.name, kind: room.kind, teaching: room.teaching,
                            floor: room.floor,
                            wifiCoverage: room.wifiCoverage), principal: principal)
                    roomIDs[room.name] = r.id
                }
            }
            var apIDs: [String: UUID] = [:]
            for ap in site.accessPoints {
                let created = try await accessPoints.create(
                    AccessPointInput(
                        establishmentID: establishment.id, roomID: ap.room.flatMap { roomIDs[$0] }, name: ap.name, manufacturer: ap.manufacturer,
                        model: ap.model, bands: ap.bands, standard: ap.standard, maxClients: ap.maxClients, poe: ap.poe, switchable: ap.switchable,
                        schedule: ap.schedule, conseilEcoleInformedOn: ap.conseilEcoleInformedOn), principal: principal)
                apIDs[ap.name] = created.id
            }
            for link in site.internetLinks {
                _ = try await links.create(
                    InternetLinkInput(
                        establishmentID: establishment.id, technology: link.technology, provider: link.provider, downMbps: link.downMbps,
                        upMbps: link.upMbps, filtering: link.filtering), principal: principal)
            }
            for cart in site.carts {
                let builtIn = cart.accessPoint == "builtin"
                _ = try await carts.create(
                    MobileCartInput(
                        establishmentID: establishment.id, name: cart.name, capacity: cart.capacity,
                        homeRoomID: cart.homeRoom.flatMap { roomIDs[$0] },
                        accessPointID: builtIn ? nil : cart.accessPoint.flatMap { apIDs[$0] }, builtInAccessPoint: builtIn), principal: principal)
            }
        }
    }
}
