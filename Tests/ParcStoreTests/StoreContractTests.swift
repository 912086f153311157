import Foundation
import ParcCore
import ParcStore
import ParcTestSupport
import Testing

/// Every store behaviour, checked on SQLite and on PostgreSQL with the same assertions.
@Suite struct StoreContractTests {
    @Test(arguments: Backend.allCases)
    func migrationsAreCurrentAndIdempotent(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let migrator = Migrator(database: db)
            let status = try await migrator.status()
            #expect(status.pending.isEmpty)
            #expect(status.applied == Migrator.knownMigrations)
            #expect(try await migrator.migrate().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func recordsRoundTripEveryColumn(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            let model = Fixture.model()
            var device = Fixture.device("DMPT12345678", model: model, in: college, assetTag: "974-CLG-0000001")
            device.notes = "écran fêlé, « à surveiller »"
            try await db.insert(dept)
            try await db.insert(college)
            try await db.insert(model)
            try await db.insert(device)
            #expect(try await Repository<Collectivite>(db).get(dept.id, in: .all) == dept)
            #expect(try await Repository<Establishment>(db).get(college.id, in: .all) == college)
            #expect(try await Repository<DeviceModel>(db).get(model.id, in: .all) == model)
            #expect(try await Repository<Device>(db).get(device.id, in: .all) == device)
        }
    }

    @Test(arguments: Backend.allCases)
    func duplicatesMapToTheSameConflictOnBothBackends(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            try await db.insert(dept)
            try await db.insert(college)
            let twin = Fixture.establishment("9740979w".uppercased(), owner: dept)
            await #expect(throws: ParcError.conflict(field: "uai", message: "an establishment with this UAI already exists")) {
                try await db.insert(twin)
            }
            let model = Fixture.model()
            try await db.insert(model)
            try await db.insert(Fixture.device("SN-1", model: model, in: college, assetTag: "TAG-1"))
            // Same serial, manufacturer written differently: still the same manufacturer.
            var otherModel = Fixture.model("iPad Air 2", manufacturer: " apple ")
            otherModel.manufacturer = "APPLE"
            try await db.insert(otherModel)
            await #expect(throws: ParcError.conflict(field: "serial_number", message: "a device of this manufacturer already has this serial number"))
            {
                try await db.insert(Fixture.device("SN-1", model: otherModel, in: college))
            }
            await #expect(throws: ParcError.conflict(field: "asset_tag", message: "another device already carries this asset tag")) {
                try await db.insert(Fixture.device("SN-2", model: model, in: college, assetTag: "TAG-1"))
            }
            // A failed batch writes nothing: the first insert of the batch is rolled back with the second.
            let fresh = Fixture.device("SN-3", model: model, in: college)
            let clash = Fixture.device("SN-1", model: model, in: college)
            await #expect(throws: ParcError.self) {
                try await db.write(WriteBatch([Repository<Device>(db).insert(fresh), Repository<Device>(db).insert(clash)]))
            }
            #expect(try await Repository<Device>(db).get(fresh.id, in: .all) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func scopeFiltersListsAndReads(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let reunion = Fixture.collectivite()
            var corse = Fixture.collectivite(.collectiviteUnique, code: "2A", name: "Collectivité de Corse")
            corse.academieCode = "27"
            let mine = Fixture.establishment("9740979W", owner: reunion)
            let theirs = Fixture.establishment("6200001G", owner: corse, kind: .lyceeGeneralTechnologique)
            try await db.insert(reunion, corse)
            try await db.insert(mine, theirs)
            let model = Fixture.model()
            try await db.insert(model)
            let myDevice = Fixture.device("A1", model: model, in: mine)
            let theirDevice = Fixture.device("B1", model: model, in: theirs)
            try await db.insert(myDevice, theirDevice)

            let devices = Repository<Device>(db)
            for scope in [Scope.collectivite(reunion.id), .academie("28"), .establishments([mine.id])] {
                let page = try await devices.list([], in: scope, page: PageRequest())
                #expect(page.items.map(\.id) == [myDevice.id], "scope \(scope)")
                #expect(try await devices.get(theirDevice.id, in: scope) == nil, "scope \(scope)")
                #expect(try await Repository<Establishment>(db).get(theirs.id, in: scope) == nil, "scope \(scope)")
                #expect(try await Repository<Collectivite>(db).list([], in: scope, page: PageRequest()).items.map(\.id) == [reunion.id])
            }
            #expect(try await devices.list([], in: .nothing, page: PageRequest()).items.isEmpty)
            #expect(try await devices.list([], in: .all, page: PageRequest()).items.count == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func cursorPaginationVisitsEveryRowOnce(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            let model = Fixture.model()
            try await db.insert(dept)
            try await db.insert(college)
            try await db.insert(model)
            let all = (0..<23).map { Fixture.device("SN\($0)", model: model, in: college) }
            try await db.write(WriteBatch(all.map { Repository<Device>(db).insert($0) }))
            var seen: [UUID] = []
            var cursor: Cursor?
            repeat {
                let page = try await Repository<Device>(db).list(
                    [.equals("establishment_id", college.id)], in: .collectivite(dept.id), page: PageRequest(cursor: cursor, limit: 5))
                seen += page.items.map(\.id)
                cursor = try page.nextCursor.map { try Cursor(encoded: $0) }
            } while cursor != nil
            #expect(seen.count == 23)
            #expect(Set(seen) == Set(all.map(\.id)))
            #expect(seen == seen.sorted { $0.uuidString < $1.uuidString } || backend == .sqlite)
        }
    }

    @Test(arguments: Backend.allCases)
    func searchIsCaseInsensitiveTakesWildcardsLiterallyAndCountsMatchLists(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            try await db.insert(dept)
            try await db.insert(
                Fixture.establishment("9740979W", owner: dept, name: "Collège Bourbon"),
                Fixture.establishment("9741051Z", owner: dept, name: "Collège 100%_Numérique"),
                Fixture.establishment("6200001G", owner: dept, name: "Lycée Fesch"))
            let repo = Repository<Establishment>(db)
            for (text, expected) in [
                ("BOURBON", ["Collège Bourbon"]), ("100%_", ["Collège 100%_Numérique"]), ("%", ["Collège 100%_Numérique"]),
                ("_", ["Collège 100%_Numérique"]), ("collège", ["Collège 100%_Numérique", "Collège Bourbon"]),
            ] {
                let filters = [Filter("name", .contains(text))]
                let names = try await repo.list(filters, in: .all, page: PageRequest()).items.map(\.name).sorted()
                #expect(names == expected, "search \(text)")
                #expect(try await repo.count(filters) == names.count, "count \(text)")
            }
            #expect(try await repo.count([.equals("kind", "college")], in: .collectivite(dept.id)) == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func staleVersionIsRejectedAndDeleteIsGuarded(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            try await db.insert(dept)
            try await db.insert(college)
            var renamed = college
            renamed.name = "Collège Bourbon"
            renamed.version = 2
            let repo = Repository<Establishment>(db)
            try await db.write(WriteBatch([repo.update(renamed, expectedVersion: 1)]))
            #expect(try await repo.get(college.id, in: .all)?.name == "Collège Bourbon")
            await #expect(throws: ParcError.versionMismatch(expected: 1, actual: nil)) {
                try await db.write(WriteBatch([repo.update(renamed, expectedVersion: 1)]))
            }
            let model = Fixture.model()
            try await db.insert(model)
            try await db.insert(Fixture.device("X", model: model, in: college))
            await #expect(throws: ParcError.self) {
                try await db.write(
                    WriteBatch([
                        Repository<Establishment>.noDependents("devices", column: "establishment_id", on: college.id, describe: "devices"),
                        repo.softDelete(college.id, expectedVersion: 2, at: Fixture.t0),
                    ]))
            }
            #expect(try await repo.get(college.id, in: .all) != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func auditTrailPagesNewestFirst(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let log = AuditLog(db)
            let object = UUID()
            let events = (0..<7).map { i in
                AuditEvent(
                    id: UUID(), at: Fixture.t0.addingTimeInterval(Double(i)), principalID: nil, principalName: "test", change: .update,
                    objectType: "device", objectID: object, establishmentID: nil, before: "{\"v\":\(i)}", after: "{\"v\":\(i + 1)}")
            }
            try await db.write(WriteBatch(events.map(log.append)))
            let first = try await log.list(.object(object), page: PageRequest(limit: 4))
            #expect(first.items.map(\.id) == events.reversed().prefix(4).map(\.id))
            let second = try await log.list(.object(object), page: PageRequest(cursor: try Cursor(encoded: #require(first.nextCursor)), limit: 4))
            #expect(second.items.map(\.id) == events.reversed().dropFirst(4).map(\.id))
            #expect(second.nextCursor == nil)
            #expect(second.items.last?.before == "{\"v\":0}")
        }
    }
}
