import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ParcServer
import ParcStore
import ParcTestSupport
import Testing

@Suite struct APIErrorTests {
    @Test(arguments: Backend.allCases)
    func everyErrorHasTheStableBodyAndStatus(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            // 401: no token, and a token that does not exist.
            var r = try await client.call(.get, "/api/v1/devices", token: nil)
            #expect(r.status == .unauthorized)
            #expect(r.errorCode == "unauthenticated")
            r = try await client.call(.get, "/api/v1/devices", token: "parc_notatoken")
            #expect(r.status == .unauthorized)

            // 400: a body that is not JSON.
            r = try await client.call(.post, "/api/v1/devices", raw: "{not json", token: w.admin)
            #expect(r.status == .badRequest)
            #expect(r.errorCode == "malformed_request")

            // 422: every wrong field named at once.
            r = try await client.call(
                .post, "/api/v1/establishments", json: ["uai": "9740979A", "kind": "lycee", "commune": "Le Port", "pupils": "many"], token: w.admin)
            #expect(r.status == .unprocessableContent)
            #expect(r.errorFields == ["pupils"])
            r = try await client.call(
                .post, "/api/v1/establishments", json: ["uai": "9740979A", "kind": "lycee", "commune": "Le Port"], token: w.admin)
            #expect(r.status == .unprocessableContent)
            #expect(Set(r.errorFields) == ["uai", "kind", "name"])

            // 403: staff may not issue tokens nor delete their establishment.
            r = try await client.call(.post, "/api/v1/tokens", json: ["name": "x", "role": "admin"], token: w.collegeStaffToken)
            #expect(r.status == .forbidden)
            r = try await client.call(.delete, "/api/v1/establishments/\(w.college)", token: w.collegeStaffToken)
            #expect(r.status == .forbidden)

            // 404: unknown id, unknown route.
            r = try await client.call(.get, "/api/v1/devices/\(UUID())", token: w.admin)
            #expect(r.status == .notFound)
            r = try await client.call(.get, "/api/v1/nothing-here", token: w.admin)
            #expect(r.status == .notFound)
            #expect(r.errorCode == "not_found")

            // 409: duplicate UAI and duplicate serial.
            r = try await client.call(
                .post, "/api/v1/establishments",
                json: ["uai": "9749011b", "kind": "college", "name": "Twin", "commune": "Saint-Denis", "commune_code": "97411"],
                token: w.admin)
            #expect(r.status == .conflict)
            #expect(r.errorFields == ["uai"])
            let device: [String: Any] = ["establishment_id": w.college.uuidString, "model_id": w.model.uuidString, "serial_number": "DMPT0001"]
            _ = try await client.create("devices", device, token: w.admin)
            r = try await client.call(.post, "/api/v1/devices", json: device, token: w.admin)
            #expect(r.status == .conflict)
            #expect(r.errorFields == ["serial_number"])

            // 412: a stale If-Match.
            r = try await client.call(
                .patch, "/api/v1/establishments/\(w.college)", json: ["pupils": 830], token: w.admin, headers: [.ifMatch: "\"7\""])
            #expect(r.status == .preconditionFailed)
            r = try await client.call(
                .patch, "/api/v1/establishments/\(w.college)", json: ["pupils": 830], token: w.admin, headers: [.ifMatch: "\"1\""])
            #expect(r.status == .ok)
            #expect(r.headers[.eTag] == "\"2\"")

            // 413: a JSON body over the limit.
            let big = String(repeating: "x", count: APIJSON.maxBodySize + 10)
            r = try await client.call(.post, "/api/v1/rooms", json: ["name": big], token: w.admin)
            #expect(r.status == .contentTooLarge)
            #expect(r.errorCode == "payload_too_large")

            // Unknown list filters are refused rather than ignored.
            r = try await client.call(.get, "/api/v1/devices?colour=red", token: w.admin)
            #expect(r.status == .unprocessableContent)
            #expect(r.errorFields == ["colour"])
        }
    }

    @Test func ownerDefaultsFromLegalCompetenceAndCanBeOverridden() async throws {
        try await withApp { client, w in
            var r = try await client.call(.get, "/api/v1/establishments/\(w.college)", token: w.admin)
            #expect(r.json["owner_id"] as? String == w.reunion.uuidString)
            #expect(r.json["owner_overridden"] as? Bool == false)
            #expect(r.json["departement"] as? String == "974")
            #expect(r.json["academie_code"] as? String == "28")
            // Corsica: no département or région record, the collectivité unique owns the lycée.
            r = try await client.call(.get, "/api/v1/establishments/\(w.lycee)", token: w.admin)
            #expect(r.json["owner_id"] as? String == w.corse.uuidString)
            #expect(r.json["departement"] as? String == "2A")
            // An école whose commune is not registered cannot be placed: the error says what to do.
            r = try await client.call(
                .post, "/api/v1/establishments",
                json: ["uai": "6200088B", "kind": "ecole_primaire", "name": "École de Bonifacio", "commune": "Bonifacio", "commune_code": "2A041"],
                token: w.admin)
            #expect(r.status == .unprocessableContent)
            #expect(r.errorFields == ["owner"])
            // The administrator may place it under the collectivité explicitly.
            r = try await client.call(
                .post, "/api/v1/establishments",
                json: [
                    "uai": "6200088B", "kind": "ecole_primaire", "name": "École de Bonifacio", "commune": "Bonifacio", "commune_code": "2A041",
                    "owner_id": w.corse.uuidString,
                ],
                token: w.admin)
            #expect(r.status == .created)
            #expect(r.json["owner_overridden"] as? Bool == true)
        }
    }
}

@Suite struct ScopeIsolationTests {
    @Test(arguments: Backend.allCases)
    func aCollectiviteNeverSeesOrChangesAnothersData(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let corseDevice = try await client.create(
                "devices", ["establishment_id": w.lycee.uuidString, "model_id": w.model.uuidString, "serial_number": "CORSE-1"], token: w.admin)
            let reunionDevice = try await client.create(
                "devices", ["establishment_id": w.college.uuidString, "model_id": w.model.uuidString, "serial_number": "REU-1"], token: w.reunionToken
            )

            // Lists hold only own rows, whatever the filter asks for.
            var r = try await client.call(.get, "/api/v1/establishments", token: w.reunionToken)
            #expect(r.items.map { $0["id"] as? String } == [w.college.uuidString])
            r = try await client.call(.get, "/api/v1/devices?establishment_id=\(w.lycee)", token: w.reunionToken)
            #expect(r.items.isEmpty)
            r = try await client.call(.get, "/api/v1/devices", token: w.corseToken)
            #expect(r.items.map { $0["id"] as? String } == [corseDevice.uuidString])
            r = try await client.call(.get, "/api/v1/collectivites", token: w.reunionToken)
            #expect(r.items.map { $0["id"] as? String } == [w.reunion.uuidString])

            // Foreign objects are "not found" for reads, changes and deletes alike: ids do not leak.
            for (method, uri) in [
                (HTTPRequest.Method.get, "/api/v1/establishments/\(w.lycee)"), (.get, "/api/v1/devices/\(corseDevice)"),
                (.patch, "/api/v1/devices/\(corseDevice)"), (.delete, "/api/v1/devices/\(corseDevice)"),
                (.patch, "/api/v1/establishments/\(w.lycee)"),
                (.get, "/api/v1/establishments/\(w.lycee)/readiness"), (.get, "/api/v1/devices/\(corseDevice)/audit"),
            ] {
                r = try await client.call(method, uri, json: method == .patch ? ["status": "lost"] : nil, token: w.reunionToken)
                #expect(r.status == .notFound, "\(method) \(uri)")
            }
            // Nor can it create into, or move a device into, a foreign establishment.
            r = try await client.call(
                .post, "/api/v1/devices", json: ["establishment_id": w.lycee.uuidString, "model_id": w.model.uuidString, "serial_number": "X-1"],
                token: w.reunionToken)
            #expect(r.status == .unprocessableContent)
            #expect(r.errorFields == ["establishment_id"])
            r = try await client.call(
                .patch, "/api/v1/devices/\(reunionDevice)", json: ["establishment_id": w.lycee.uuidString], token: w.reunionToken)
            #expect(r.status == .unprocessableContent)
            // The foreign device is untouched.
            r = try await client.call(.get, "/api/v1/devices/\(corseDevice)", token: w.admin)
            #expect(r.json["status"] as? String == "in_service")
            #expect(r.json["version"] as? Int == 1)
            // A collectivité cannot take another's establishment by changing its owner.
            r = try await client.call(.patch, "/api/v1/establishments/\(w.college)", json: ["owner_id": w.corse.uuidString], token: w.reunionToken)
            #expect(r.status == .forbidden)
            // Staff see their establishment only.
            r = try await client.call(.get, "/api/v1/establishments", token: w.collegeStaffToken)
            #expect(r.items.map { $0["id"] as? String } == [w.college.uuidString])
            // Exports are scoped too.
            r = try await client.call(.get, "/api/v1/export/devices.csv", token: w.corseToken)
            let csv = String(buffer: r.body)
            #expect(csv.contains("CORSE-1"))
            #expect(!csv.contains("REU-1"))
        }
    }

    @Test func theSharedCatalogueIsChangedOnlyByAnAdministrator() async throws {
        try await withApp { client, w in
            var r = try await client.call(.patch, "/api/v1/device-models/\(w.model)", json: ["lifespan_months": 12], token: w.reunionToken)
            #expect(r.status == .forbidden)
            r = try await client.call(
                .post, "/api/v1/device-models", json: ["kind": "laptop", "manufacturer": "Lenovo", "name": "ThinkPad 11e", "lifespan_months": 60],
                token: w.reunionToken)
            #expect(r.status == .created)
            // The same rule holds through an import: a changed catalogue row is refused, an unchanged one is fine.
            let csv = "kind,manufacturer,model,lifespan_months,unit_price_eur\ntablet,Apple,iPad 9.7 (2018),60,409.00\n"
            r = try await client.call(.post, "/api/v1/import/device-models", raw: csv, token: w.reunionToken)
            #expect(r.json["unchanged"] as? Int == 1)
            r = try await client.call(
                .post, "/api/v1/import/device-models", raw: csv.replacingOccurrences(of: ",60,", with: ",12,"), token: w.reunionToken)
            #expect(r.status == .unprocessableContent)
            r = try await client.call(.get, "/api/v1/device-models/\(w.model)", token: w.admin)
            #expect(r.json["lifespan_months"] as? Int == 60)
        }
    }

    @Test func anAcademieAdministratorIssuesTokensInsideItsAcademieOnly() async throws {
        try await withApp { client, w in
            var r = try await client.call(
                .post, "/api/v1/tokens", json: ["name": "Rectorat 974", "role": "admin", "academie_code": "28"], token: w.admin)
            let rectorat = try #require(r.json["token"] as? String)
            r = try await client.call(
                .post, "/api/v1/tokens", json: ["name": "DSI Corse", "role": "collectivite", "collectivite_id": w.corse.uuidString], token: rectorat)
            #expect(r.status == .forbidden)
            r = try await client.call(
                .post, "/api/v1/tokens", json: ["name": "Admin Corse", "role": "admin", "academie_code": "27"], token: rectorat)
            #expect(r.status == .forbidden)
            r = try await client.call(
                .post, "/api/v1/tokens", json: ["name": "DSI 974", "role": "collectivite", "collectivite_id": w.reunion.uuidString], token: rectorat)
            #expect(r.status == .created)
            r = try await client.call(.get, "/api/v1/establishments", token: rectorat)
            #expect(r.items.map { $0["id"] as? String } == [w.college.uuidString])
        }
    }

    @Test func auditTrailRecordsWhoChangedWhat() async throws {
        try await withApp { client, w in
            let device = try await client.create(
                "devices", ["establishment_id": w.college.uuidString, "model_id": w.model.uuidString, "serial_number": "AUD-1"],
                token: w.collegeStaffToken)
            var r = try await client.call(
                .patch, "/api/v1/devices/\(device)", json: ["status": "in_repair", "notes": "écran cassé"], token: w.reunionToken)
            #expect(r.status == .ok)
            r = try await client.call(.get, "/api/v1/devices/\(device)/audit", token: w.collegeStaffToken)
            let events = r.items
            #expect(events.map { $0["change"] as? String } == ["update", "create"])
            #expect(events.map { $0["principal_name"] as? String } == ["DSI collèges 974", "Direction Bourbon"])
            #expect((events[0]["before"] as? String)?.contains("\"status\":\"in_service\"") == true)
            #expect((events[0]["after"] as? String)?.contains("\"status\":\"in_repair\"") == true)
            r = try await client.call(.get, "/api/v1/establishments/\(w.college)/audit", token: w.reunionToken)
            #expect(r.items.count >= 3)
            r = try await client.call(.get, "/api/v1/establishments/\(w.college)/audit", token: w.corseToken)
            #expect(r.status == .notFound)
        }
    }
}

@Suite struct ImportTests {
    static let header =
        "manufacturer,serial_number,model,asset_tag,uai,room,status,purchase_date,purchase_price_eur,funding_programme,funder_shares,warranty_end,planned_eol,planned_refresh,cart\n"

    @Test(arguments: Backend.allCases)
    func oneBadRowLeavesTheStoreUnchangedAndEveryErrorIsReported(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let csv =
                Self.header
                + "Apple,IMP-1,iPad 9.7 (2018),974-CLG-1,9749011B,,in_service,2016-09-15,409.00,Plan numérique 2016,Etat:50;Département:50,2018-09-15,,,\n"
                + "Apple,IMP-2,iPad 9.7 (2018),974-CLG-2,9749011X,,in_service,2016-09-15,409.00,,,,,,\n"
                + "Apple,IMP-3,iPad Pro,974-CLG-3,9749011B,,broken,2016-13-15,abc,,Etat:60,,,,\n"
                + "Apple,IMP-1,iPad 9.7 (2018),974-CLG-4,9749011B,,in_service,,,,,,,,\n"
            let r = try await client.call(.post, "/api/v1/import/devices", raw: csv, token: w.admin, headers: [.contentType: "text/csv"])
            #expect(r.status == .unprocessableContent)
            #expect(Set(r.errorRows) == [3, 4, 5])
            let listed = try await client.call(.get, "/api/v1/devices", token: w.admin)
            #expect(listed.items.isEmpty)
        }
    }

    @Test func anImportCannotOverfillAClasseMobile() async throws {
        try await withApp { client, w in
            _ = try await client.create(
                "mobile-carts", ["establishment_id": w.college.uuidString, "name": "Chariot A", "capacity": 2], token: w.admin)
            let rows = (1...3).map { "Apple,CART-\($0),iPad 9.7 (2018),,9749011B,,in_service,,,,,,,,Chariot A\n" }.joined()
            var r = try await client.call(.post, "/api/v1/import/devices", raw: Self.header + rows, token: w.admin)
            #expect(r.status == .unprocessableContent)
            #expect(r.errorRows == [4])
            #expect(r.errorFields == ["cart"])
            r = try await client.call(
                .post, "/api/v1/import/devices", raw: Self.header + rows.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n",
                token: w.admin)
            #expect(r.json["created"] as? Int == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func importIsAnIdempotentUpsertAndExportRoundTrips(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let csv =
                Self.header
                + "Apple,IMP-1,iPad 9.7 (2018),974-CLG-1,9749011B,,in_service,2016-09-15,409.00,Plan numérique 2016,Etat:50;Département de La Réunion:50,2018-09-15,,,\n"
                + "apple,IMP-2,iPad 9.7 (2018),,9749011b,,on_loan,2016-09-15,409,,,,,,\n"
            var r = try await client.call(.post, "/api/v1/import/devices?dry_run=true", raw: csv, token: w.admin)
            #expect(r.json["created"] as? Int == 2)
            #expect(try await client.call(.get, "/api/v1/devices", token: w.admin).items.isEmpty)
            r = try await client.call(.post, "/api/v1/import/devices", raw: csv, token: w.admin)
            #expect(r.json["created"] as? Int == 2)
            r = try await client.call(.post, "/api/v1/import/devices", raw: csv, token: w.admin)
            #expect(r.json["created"] as? Int == 0)
            #expect(r.json["unchanged"] as? Int == 2)
            let exported = String(buffer: try await client.call(.get, "/api/v1/export/devices.csv", token: w.admin).body)
            r = try await client.call(.post, "/api/v1/import/devices", raw: exported, token: w.admin)
            #expect(r.json["unchanged"] as? Int == 2, "\(exported)")
            r = try await client.call(.get, "/api/v1/devices?serial_number=IMP-1", token: w.admin)
            #expect(r.items.first?["planned_end_of_life"] as? String == "2021-09-15")
            #expect(r.items.first?["purchase_price_cents"] as? Int == 40900)
        }
    }
}

@Suite struct DocumentationTests {
    @Test func everyRouteIsInTheOpenAPIDocumentAndViceVersa() async throws {
        try await withApp { client, w in
            let router = w.parc.buildRouter()
            let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description.hasPrefix("/") ? "" : "/")\($0.path.description)" })
            let r = try await client.call(.get, "/openapi.json", token: nil)
            let paths = try #require(r.json["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            #expect(registered == documented)
            #expect(r.json["openapi"] as? String == "3.1.0")
            let schemas = try #require((r.json["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let device = try #require((schemas["Device"] as? [String: Any])?["properties"] as? [String: Any])
            #expect(device["serial_number"] != nil)
            #expect(device["funder_shares"] != nil)
        }
    }

    @Test func theExampleConfigurationDocumentsEveryKey() throws {
        let root = URL(fileURLWithPath: inventoryPath).deletingLastPathComponent()
        let yaml = try String(contentsOf: root.appendingPathComponent("Config/parc.example.yaml"), encoding: .utf8)
        for key in ParcConfiguration.documentedKeys {
            let leaf = String(key.split(separator: ".").last!)
            #expect(yaml.contains("\(leaf):"), "Config/parc.example.yaml lacks \(key)")
        }
    }

    @Test(arguments: Backend.allCases)
    func healthAndReadiness(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            #expect(w.parc.storage.database.dialect.rawValue == backend.rawValue)
            #expect(try await client.call(.get, "/health", token: nil).status == .ok)
            let ready = try await client.call(.get, "/ready", token: nil)
            #expect(ready.status == .ok)
            #expect(ready.json["migrations_current"] as? Bool == true)
        }
    }
}
