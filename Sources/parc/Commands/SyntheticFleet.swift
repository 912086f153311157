import Foundation
import ParcCore
import ParcStore

/// A synthetic territory for benchmarks: one département collectivité per département, one région per région,
/// ten communes per département; establishments 60 % écoles, 30 % collèges, 10 % lycées with valid UAIs, each with
/// rooms, access points, a link, two classes mobiles and its share of the devices, bought over nine school years,
/// for 150 to 850 pupils.
struct SyntheticFleet: Sendable {
    var establishments: [UUID]
    var collectivites: [UUID]
    /// `kind:code` of each collectivité, to issue its token.
    var references: [UUID: String]

    static func load(_ storage: Storage) async throws -> SyntheticFleet {
        let owners = try await storage.repository(Collectivite.self).all()
        var ids: [UUID] = []
        var cursor: Cursor?
        repeat {
            let page = try await storage.repository(Establishment.self).list([], in: .all, page: PageRequest(cursor: cursor, limit: 500))
            ids += page.items.map(\.id)
            cursor = try page.nextCursor.map { try Cursor(encoded: $0) }
        } while cursor != nil
        return SyntheticFleet(
            establishments: ids, collectivites: owners.map(\.id), references: Dictionary(uniqueKeysWithValues: owners.map { ($0.id, $0.reference) }))
    }

    /// `concentrated`: the first establishments are lycées of one "Région témoin", for benchmarks that need a
    /// collectivité of a given size (the ticket report of a région with 500 lycées).
    static func seed(_ storage: Storage, devices: Int, establishments count: Int, concentrated: Int = 0) async throws -> SyntheticFleet {
        let now = Date()
        var generator = SplitMix64(seed: 7)
        func id() -> UUID {
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[6] = (bytes[6] & 0x0F) | 0x40
            bytes[8] = (bytes[8] & 0x3F) | 0x80
            return UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                    bytes[12], bytes[13], bytes[14], bytes[15]
                ))
        }
        let departements = try await storage.territory.departements().values.filter { $0.code.count == 2 && Int($0.code) != nil }
            .sorted { $0.code < $1.code }
        var batch = WriteBatch()
        func flush(_ force: Bool = false) async throws {
            if force || batch.statements.count >= 5_000 {
                if !batch.statements.isEmpty { try await storage.database.write(batch) }
                batch = WriteBatch()
            }
        }
        var owners: [String: Collectivite] = [:]
        func collectivite(_ kind: Collectivite.Kind, _ code: String, _ name: String, _ academie: String?) -> Collectivite {
            let key = "\(kind.rawValue):\(code)"
            if let existing = owners[key] { return existing }
            let c = Collectivite(id: id(), kind: kind, code: code, name: name, academieCode: academie, createdAt: now, updatedAt: now)
            owners[key] = c
            batch.statements.append(storage.repository(Collectivite.self).insert(c))
            return c
        }
        let models = (0..<20).map { i in
            DeviceModel(
                id: id(), kind: [.tablet, .laptop, .desktop, .interactiveDisplay][i % 4],
                manufacturer: ["Apple", "Lenovo", "Dell", "Acer", "HP"][i % 5],
                name: "Model \(i)", lifespanMonths: 60, unitPriceCents: 50_000, createdAt: now, updatedAt: now)
        }
        for m in models { batch.statements.append(storage.repository(DeviceModel.self).insert(m)) }
        var establishmentIDs: [UUID] = []
        let perEstablishment = max(1, devices / count)
        var deviceSerial = 0
        for n in 0..<count {
            let d = departements[n % departements.count]
            let sequence = 1000 + n / departements.count
            let digits = Int(d.code)! * 10_000 + sequence
            let uai = try UAI(validating: String(format: "%07d", digits) + String(UAI.checkLetter(for: digits)))
            let kind: Establishment.Kind =
                n < concentrated ? .lyceeGeneralTechnologique : n % 10 < 6 ? .ecoleElementaire : (n % 10 < 9 ? .college : .lyceeGeneralTechnologique)
            let communeCode = d.code + String(format: "%03d", n % 10 + 1)
            let owner: Collectivite =
                switch kind {
                case _ where n < concentrated: collectivite(.region, "99", "Région témoin", d.academieCode)
                case .college: collectivite(.departement, d.code, "Département \(d.code)", d.academieCode)
                case .lyceeGeneralTechnologique: collectivite(.region, d.regionCode ?? "00", "Région \(d.regionCode ?? "00")", d.academieCode)
                default: collectivite(.commune, communeCode, "Commune \(communeCode)", d.academieCode)
                }
            let e = Establishment(
                id: id(), uai: uai, kind: kind, name: "Établissement \(n)", commune: "Commune \(communeCode)", communeCode: communeCode,
                academieCode: d.academieCode, pupils: 150 + (n * 37) % 700, teachers: 25, ownerID: owner.id, ownerOverridden: false, createdAt: now,
                updatedAt: now)
            establishmentIDs.append(e.id)
            batch.statements.append(storage.repository(Establishment.self).insert(e))
            var rooms: [Room] = []
            for r in 0..<10 {
                let room = Room(
                    id: id(), establishmentID: e.id, buildingID: nil, name: "Salle \(r)", kind: r < 8 ? .classroom : .office, teaching: r < 8,
                    floor: r / 4, wifiCoverage: [.covered, .covered, .weak, nil][r % 4], coverageSource: r % 4 == 3 ? nil : .survey,
                    coverageAssessedOn: nil, createdAt: now, updatedAt: now)
                rooms.append(room)
                batch.statements.append(storage.repository(Room.self).insert(room))
            }
            for a in 0..<4 {
                batch.statements.append(
                    storage.repository(AccessPoint.self).insert(
                        AccessPoint(
                            id: id(), establishmentID: e.id, roomID: rooms[a * 2].id, name: "AP-\(a)", manufacturer: "Aruba", model: "AP-303",
                            bands: [.ghz2_4, .ghz5], standard: .wifi5, maxClients: 40, poe: true, switchable: true, schedule: nil,
                            conseilEcoleInformedOn: nil, createdAt: now, updatedAt: now)))
            }
            let link = InternetLink(
                id: id(), establishmentID: e.id, technology: .fibre, provider: "Orange", downMbps: 100, upMbps: 50, filtering: true, createdAt: now,
                updatedAt: now)
            batch.statements.append(storage.repository(InternetLink.self).insert(link))
            for s in 0..<3 {
                batch.statements.append(
                    storage.readiness.insert(
                        ThroughputSample(
                            id: id(), linkID: link.id, establishmentID: e.id, measuredAt: now.addingTimeInterval(Double(-s) * 86_400),
                            downMbps: 80 + Double(s), upMbps: 40, source: .speedtest)))
            }
            let carts = (0..<2).map { c in
                MobileCart(
                    id: id(), establishmentID: e.id, name: "Classe mobile \(c)", capacity: 16, homeRoomID: rooms[c].id, accessPointID: nil,
                    builtInAccessPoint: true, createdAt: now, updatedAt: now)
            }
            for cart in carts { batch.statements.append(storage.repository(MobileCart.self).insert(cart)) }
            let here = n == count - 1 ? devices - deviceSerial : perEstablishment
            for k in 0..<here {
                let model = models[(n + k) % models.count]
                deviceSerial += 1
                let device = Device(
                    id: id(), establishmentID: e.id, ownerID: owner.id, academieCode: d.academieCode, modelID: model.id, kind: model.kind,
                    manufacturer: model.manufacturer, serialNumber: "SN\(deviceSerial)", assetTag: "AT\(deviceSerial)", roomID: rooms[k % 10].id,
                    cartID: k < 30 ? carts[k / 15].id : nil, status: k % 25 == 0 ? .inRepair : .inService,
                    purchaseDate: LocalDate(year: 2016 + deviceSerial % 9, month: 9, day: 1),
                    purchasePriceCents: 50_000, fundingProgramme: "Budget propre collectivité",
                    funderShares: [FunderShare(funder: owner.name, percent: 100)],
                    warrantyEnd: LocalDate(year: 2018 + deviceSerial % 9, month: 9, day: 1),
                    plannedEndOfLife: LocalDate(year: 2021 + deviceSerial % 9, month: 9, day: 1), plannedRefresh: nil, notes: nil, createdAt: now,
                    updatedAt: now)
                batch.statements.append(storage.repository(Device.self).insert(device))
                try await flush()
            }
            try await flush()
        }
        try await flush(true)
        return SyntheticFleet(
            establishments: establishmentIDs, collectivites: owners.values.map(\.id),
            references: Dictionary(uniqueKeysWithValues: owners.values.map { ($0.id, $0.reference) }))
    }
}
