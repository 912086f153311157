import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ParcCore
import ParcServer
import ParcStore
import ParcTestSupport
import Testing

/// Refresh plans, scenarios and indicators through the real application, on both backends.
@Suite struct PlanningTests {
    static func device(
        _ client: any TestClientProtocol, _ w: World, serial: String, model: UUID? = nil, bought: String, status: String = "in_service"
    )
        async throws -> UUID
    {
        try await client.create(
            "devices",
            [
                "establishment_id": w.college.uuidString, "model_id": (model ?? w.model).uuidString, "serial_number": serial, "purchase_date": bought,
                "status": status,
            ], token: w.admin)
    }

    static func request(name: String = "Cycle 5 ans", lifespan: Int = 60, budget: Int = 100_000, extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "name": name, "first_year": 2027, "last_year": 2028, "annual_budget_cents": budget,
            "replacements": [["kind": "tablet", "unit_price_cents": 40_900]],
            "funding": [["name": "État", "share_percent": 50, "cap_per_pupil_cents": 19_000]],
            "policy": ["lifespans": [["kind": "tablet", "months": lifespan]]],
        ]
        body.merge(extra) { _, new in new }
        return body
    }

    @Test(arguments: Backend.allCases)
    func plansAndScenariosForACollectivite(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            for n in 0..<3 { _ = try await Self.device(client, w, serial: "OLD\(n)", bought: "2016-09-01") }
            _ = try await Self.device(client, w, serial: "NEW1", bought: "2025-09-01")
            // Staff and technicians do not plan budgets; bad requests name their fields.
            #expect(try await client.call(.post, "/api/v1/refresh-plans", json: Self.request(), token: w.collegeStaffToken).status == .forbidden)
            let bad = try await client.call(
                .post, "/api/v1/refresh-plans", json: ["first_year": 2027, "last_year": 2026, "replacements": [["kind": "toaster"]]],
                token: w.reunionToken)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields).isSuperset(of: ["last_year", "replacements[0].kind"]), "\(bad.errorFields)")
            let foreign = try await client.call(
                .post, "/api/v1/refresh-plans", json: Self.request(extra: ["collectivite_id": w.corse.uuidString]), token: w.reunionToken)
            #expect(foreign.errorFields == ["collectivite_id"])
            let outside = try await client.call(
                .post, "/api/v1/refresh-plans", json: Self.request(extra: ["establishment_ids": [w.lycee.uuidString]]), token: w.reunionToken)
            #expect(outside.errorFields == ["establishment_ids"])

            // 1 000 € a year of own money; the State pays half of each 409 € tablet: the three due tablets fit in 2027.
            let plan = try await client.call(.post, "/api/v1/refresh-plans", json: Self.request(), token: w.reunionToken)
            #expect(plan.status == .ok, "\(String(buffer: plan.body))")
            let years = try #require(plan.json["years"] as? [[String: Any]])
            #expect(years.map { $0["replaced"] as? Int } == [3, 0])
            #expect(years.map { $0["charged_cents"] as? Int } == [61_350, 0])
            #expect((years[0]["funders"] as? [[String: Any]])?.map { $0["cents"] as? Int } == [61_350, 61_350])
            #expect((plan.json["lines"] as? [Any])?.isEmpty == true)
            let summary = try #require(plan.json["summary"] as? [String: Any])
            #expect(summary["devices_considered"] as? Int == 4)
            let withLines = try await client.call(.post, "/api/v1/refresh-plans?lines=true", json: Self.request(), token: w.reunionToken)
            let lines = try #require(withLines.json["lines"] as? [[String: Any]])
            #expect(lines.map { $0["reason"] as? String } == ["age", "age", "age"])
            #expect(lines.allSatisfy { ($0["subsidies_cents"] as? [Int]) == [20_450] && $0["own_cents"] as? Int == 20_450 })
            let csv = try await client.call(.post, "/api/v1/refresh-plans?format=csv", json: Self.request(), token: w.reunionToken)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(String(buffer: csv.body).split(separator: "\r\n").count == 4)
            let svg = try await client.call(.post, "/api/v1/refresh-plans?format=svg", json: Self.request(), token: w.reunionToken)
            #expect(svg.headers[.contentType] == "image/svg+xml; charset=utf-8")
            #expect(String(buffer: svg.body).hasPrefix("<svg"))

            // Two scenarios, compared side by side; the other collectivité sees neither.
            let five = try await client.create("refresh-scenarios", Self.request(budget: 30_000), token: w.reunionToken)
            let seven = try await client.create(
                "refresh-scenarios", Self.request(name: "Cycle 9 ans", lifespan: 108, budget: 30_000), token: w.reunionToken)
            #expect(try await client.call(.get, "/api/v1/refresh-scenarios", token: w.reunionToken).status == .ok)
            let listed = try await client.call(.get, "/api/v1/refresh-scenarios", token: w.reunionToken)
            let names = (try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [[String: Any]])?.compactMap {
                $0["name"] as? String
            }
            #expect(Set(names ?? []) == ["Cycle 5 ans", "Cycle 9 ans"])
            let corseList = try await client.call(.get, "/api/v1/refresh-scenarios", token: w.corseToken)
            #expect(String(buffer: corseList.body) == "[]")
            #expect(try await client.call(.get, "/api/v1/refresh-scenarios/\(five)", token: w.corseToken).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/refresh-scenarios/\(five)", token: w.corseToken).status == .notFound)
            let compare = try await client.call(.get, "/api/v1/refresh-scenarios/compare?ids=\(five),\(seven)", token: w.reunionToken)
            let rows = try #require(compare.json["rows"] as? [[String: Any]])
            // 300 € a year: one tablet a year (204.50 € own); nine years of life leave the 2016 tablets due from 2025 still.
            #expect(rows.map { $0["replaced"] as? Int } == [2, 2])
            #expect(rows.map { $0["backlog_devices"] as? Int } == [1, 1])
            #expect(rows.map { $0["total_delta_cents"] as? Int } == [0, 0])
            let compareCSV = try await client.call(.get, "/api/v1/refresh-scenarios/compare?ids=\(five),\(seven)&format=csv", token: w.reunionToken)
            #expect(String(buffer: compareCSV.body).split(separator: "\r\n").count == 3)
            #expect(
                try await client.call(.get, "/api/v1/refresh-scenarios/compare?ids=\(five)", token: w.reunionToken).errorFields == ["ids"])
            let page = try await client.call(.get, "/api/v1/refresh-scenarios/\(five)/lines?limit=1", token: w.reunionToken)
            #expect(page.items.count == 1)
            let next = try #require(page.json["next_after"] as? Int)
            let rest = try await client.call(.get, "/api/v1/refresh-scenarios/\(five)/lines?after=\(next)", token: w.reunionToken)
            #expect(rest.items.map { $0["action"] as? String } == ["replace", "backlog"])
            let backlog = try await client.call(.get, "/api/v1/refresh-scenarios/\(five)/lines?action=backlog&format=csv", token: w.reunionToken)
            #expect(String(buffer: backlog.body).split(separator: "\r\n").count == 2)
            #expect(try await client.call(.get, "/api/v1/refresh-scenarios/\(five)/lines?year=1990", token: w.reunionToken).errorFields == ["year"])
            let outcomes = try await client.call(.get, "/api/v1/refresh-scenarios/\(five)/establishments?format=csv", token: w.reunionToken)
            #expect(String(buffer: outcomes.body).contains("9749011B"))
            let chart = try await client.call(.get, "/api/v1/refresh-scenarios/\(five)/chart.svg", token: w.reunionToken)
            #expect(String(buffer: chart.body).contains("<title>Budget 2027 : 300 €</title>"))
            let years5 = try await client.call(.get, "/api/v1/refresh-scenarios/\(five)?format=csv", token: w.reunionToken)
            #expect(String(buffer: years5.body).hasPrefix("year,budget_cents,charged_cents,total_cents,funder:État,funder:collectivite,"))
            #expect(try await client.call(.delete, "/api/v1/refresh-scenarios/\(five)", token: w.reunionToken).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/refresh-scenarios/\(five)", token: w.reunionToken).status == .notFound)

            // An administrator plans for an académie, not across into another one by establishment.
            let academie = try await client.call(
                .post, "/api/v1/refresh-plans", json: Self.request(extra: ["academie_code": "28"]), token: w.admin)
            #expect((academie.json["summary"] as? [String: Any])?["devices_considered"] as? Int == 4)
            let national = try await client.call(
                .post, "/api/v1/refresh-plans", json: Self.request(extra: ["academie_code": "28", "establishment_ids": [w.lycee.uuidString]]),
                token: w.admin)
            #expect(national.errorFields == ["establishment_ids"])
        }
    }

    @Test(arguments: Backend.allCases)
    func oneSnapshotPerIntervalPerCluster(_ backend: Backend) async throws {
        let clock = MutableClock(TicketTests.mondayNine)
        try await withApp(backend, clock: clock) { _, w in
            // The node's service may have taken its turn at start; a second call in the same interval does nothing.
            _ = try await w.parc.snapshots.runIfDue()
            #expect(try await w.parc.snapshots.runIfDue().ran == false)
            clock.advance(by: 600)
            #expect(try await w.parc.snapshots.runIfDue().ran == false)
            // An hour later (the default interval) today's counts are rewritten; the next day gets its own row.
            clock.advance(by: 3_000)
            #expect(try await w.parc.snapshots.runIfDue().day == LocalDate("2026-11-23"))
            clock.advance(by: 86_400)
            let tuesday = try await w.parc.snapshots.runIfDue()
            #expect(tuesday.ran)
            #expect(tuesday.day == LocalDate("2026-11-24"))
            #expect(tuesday.establishments == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func indicatorsOfAHandCountedTerritory(_ backend: Backend) async throws {
        let clock = MutableClock(TicketTests.mondayNine)
        try await withApp(backend, clock: clock) { client, w in
            let patched = try await client.call(.patch, "/api/v1/establishments/\(w.college)", json: ["pupils": 200], token: w.admin)
            #expect(patched.status == .ok, "\(String(buffer: patched.body))")
            let desktop = try await client.create(
                "device-models", ["kind": "desktop", "manufacturer": "Dell", "name": "OptiPlex 3060", "lifespan_months": 72], token: w.admin)
            let screen = try await client.create(
                "device-models", ["kind": "interactive_display", "manufacturer": "Promethean", "name": "ActivPanel", "lifespan_months": 120],
                token: w.admin)
            // Client devices: two tablets (one under 5 years) and a desktop without purchase date; a lost tablet and
            // a retired one do not count.
            _ = try await Self.device(client, w, serial: "T1", bought: "2016-09-01")
            _ = try await Self.device(client, w, serial: "T2", bought: "2024-09-01")
            _ = try await client.create(
                "devices", ["establishment_id": w.college.uuidString, "model_id": desktop.uuidString, "serial_number": "D1"], token: w.admin)
            _ = try await Self.device(client, w, serial: "T3", bought: "2024-09-01", status: "lost")
            _ = try await Self.device(client, w, serial: "T4", bought: "2024-09-01", status: "retired")
            _ = try await Self.device(client, w, serial: "S1", model: screen, bought: "2022-09-01")
            _ = try await client.create(
                "mobile-carts", ["establishment_id": w.college.uuidString, "name": "Classe mobile 1", "capacity": 16], token: w.admin)
            for (name, teaching, coverage) in [("B12", true, "covered"), ("B13", true, "weak"), ("CDI", false, "covered")] {
                _ = try await client.create(
                    "rooms",
                    [
                        "establishment_id": w.college.uuidString, "name": name, "kind": teaching ? "classroom" : "library", "teaching": teaching,
                        "wifi_coverage": coverage,
                    ],
                    token: w.admin)
            }
            let link = try await client.create(
                "internet-links",
                ["establishment_id": w.college.uuidString, "technology": "fibre", "down_mbps": 100, "up_mbps": 50, "filtering": true],
                token: w.admin)
            let sample = try await client.call(
                .post, "/api/v1/internet-links/\(link)/samples",
                json: ["measured_at": TicketTests.mondayNine.addingTimeInterval(-3600).formatted(.iso8601), "down_mbps": 60, "source": "speedtest"],
                token: w.admin)
            #expect(sample.status == .created, "\(String(buffer: sample.body))")
            // Two enrolled tablets; one reports.
            let enrollment = try await AgentTests.enrollmentToken(client, w)
            let first = try AgentTests.device(try await AgentTests.enroll(client, token: enrollment.secret, serial: "T1", manufacturer: "Apple"))
            _ = try await AgentTests.enroll(client, token: enrollment.secret, serial: "T2", manufacturer: "Apple")
            #expect(try await AgentTests.send(client, first.token, AgentTests.heartbeat(1, now: TicketTests.mondayNine)).status == .ok)
            // One open ticket; one resolved within its GTR is not needed for the open count.
            _ = try await client.create(
                "tickets", ["establishment_id": w.college.uuidString, "category": "wifi", "title": "Wi-Fi B13"], token: w.reunionToken)

            let table = try await client.call(.get, "/api/v1/indicators?level=establishment", token: w.reunionToken)
            #expect(table.status == .ok, "\(String(buffer: table.body))")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(table.body.readableBytesView)) as? [[String: Any]])
            #expect(rows.count == 1)
            let facts = try #require(rows[0]["facts"] as? [String: Any])
            let values = try #require(rows[0]["indicators"] as? [String: Any])
            #expect(facts["client_devices"] as? Int == 3)
            #expect(facts["client_devices_dated"] as? Int == 2)
            #expect(facts["interactive_displays"] as? Int == 1)
            #expect(values["computers_per_100_pupils"] as? Double == 0.5)
            #expect(values["mobile_devices_per_100_pupils"] as? Double == 1)
            #expect(values["client_devices_per_100_pupils"] as? Double == 1.5)
            #expect(values["share_under_5_years_percent"] as? Double == 50)
            #expect(values["classes_mobiles_per_1000_pupils"] as? Double == 5)
            #expect(values["interactive_displays_per_1000_pupils"] as? Double == 5)
            #expect(values["teaching_rooms_wifi_percent"] as? Double == 50)
            #expect(values["contracted_mbps_per_pupil"] as? Double == 0.5)
            #expect(values["measured_mbps_per_pupil"] as? Double == 0.3)
            #expect(values["filtering_percent"] as? Double == 100)
            #expect(values["online_7_school_days_percent"] as? Double == 50)
            #expect(values["open_tickets"] as? Int == 1)
            #expect(values["restoration_compliance_percent"] == nil || values["restoration_compliance_percent"] is NSNull)

            // The administrator sees each collectivité's aggregate; the Corse one counts its lycée and nothing else.
            let byCollectivite = try await client.call(.get, "/api/v1/indicators?level=collectivite", token: w.admin)
            let aggregates = try #require(try JSONSerialization.jsonObject(with: Data(byCollectivite.body.readableBytesView)) as? [[String: Any]])
            #expect(Set(aggregates.compactMap { $0["label"] as? String }) == ["Département de La Réunion", "Collectivité de Corse"])
            let corseView = try await client.call(.get, "/api/v1/indicators?level=collectivite&format=csv", token: w.corseToken)
            let corseLines = String(buffer: corseView.body).split(separator: "\r\n")
            #expect(corseLines.count == 2)
            #expect(corseLines[1].hasPrefix("collectivite,\(w.corse.uuidString.lowercased()),Collectivité de Corse,"))
            #expect(try await client.call(.get, "/api/v1/indicators?level=canton", token: w.admin).errorFields == ["level"])
            let definitions = try await client.call(.get, "/api/v1/indicators/definitions", token: w.collegeStaffToken)
            #expect(definitions.status == .ok)

            // Daily snapshots make a series: Monday, then Tuesday with one more tablet.
            #expect(try await client.call(.post, "/api/v1/indicators/snapshots", token: w.reunionToken).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/indicators/snapshots", token: w.admin).json["establishments"] as? Int == 2)
            clock.advance(by: 86_400)
            _ = try await Self.device(client, w, serial: "T5", bought: "2026-09-01")
            #expect(try await client.call(.post, "/api/v1/indicators/snapshots", token: w.admin).json["day"] as? String == "2026-11-24")
            let series = try await client.call(
                .get, "/api/v1/indicators/series?level=collectivite&key=\(w.reunion)&from=2026-11-01", token: w.reunionToken)
            let points = try #require(try JSONSerialization.jsonObject(with: Data(series.body.readableBytesView)) as? [[String: Any]])
            #expect(points.map { $0["day"] as? String } == ["2026-11-23", "2026-11-24"])
            #expect(points.compactMap { ($0["facts"] as? [String: Any])?["client_devices"] as? Int } == [3, 4])
            #expect(points.first?["label"] as? String == "Département de La Réunion")
            let hidden = try await client.call(
                .get, "/api/v1/indicators/series?level=collectivite&key=\(w.reunion)&from=2026-11-01", token: w.corseToken)
            #expect(String(buffer: hidden.body) == "[]")
            #expect(
                try await client.call(.get, "/api/v1/indicators/series?level=departement&from=2026-12-01&to=2026-11-01", token: w.admin).errorFields
                    .contains("from"))
        }
    }
}
