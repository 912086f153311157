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

/// Maintenance tickets through the real application: contracts, rounds, workflow, scope, attachments, the
/// escalation pass, telemetry rules and reports.
@Suite struct TicketTests {
    /// Monday 23 November 2026, 09:00 in La Réunion (UTC+4), where the collège is.
    static let mondayNine = ISO8601DateFormatter().date(from: "2026-11-23T05:00:00Z")!

    /// Priority 3: intervene within 60 business minutes, restore within 120; escalate at 75 %.
    static func policyBody(_ collectivite: UUID, gti: Int = 60, gtr: Int = 120) -> [String: Any] {
        [
            "collectivite_id": collectivite.uuidString, "name": "Maintenance des collèges", "lot": "Lot unique",
            "targets": (1...5).map { ["priority": $0, "intervention_minutes": gti, "restoration_minutes": gtr] },
            "pausing_reasons": ["supplier", "user"],
        ]
    }

    /// A technician covering the collège through a round of the Réunion département, with his token.
    static func technician(_ client: any TestClientProtocol, _ w: World, name: String = "Agent de maintenance Nord") async throws -> (
        id: UUID, token: String
    ) {
        let r = try await client.call(.post, "/api/v1/tokens", json: ["name": name, "role": "technician"], token: w.reunionToken)
        #expect(r.status == .created, "\(String(buffer: r.body))")
        let id = try #require(UUID(uuidString: (r.json["principal"] as? [String: Any])?["id"] as? String ?? ""))
        _ = try await client.create(
            "rounds",
            [
                "collectivite_id": w.reunion.uuidString, "technician_id": id.uuidString, "name": "Tournée Nord",
                "establishment_ids": [w.college.uuidString],
                "weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            ],
            token: w.reunionToken)
        return (id, try #require(r.json["token"] as? String))
    }

    static func move(_ client: any TestClientProtocol, _ ticket: String, _ body: [String: Any], token: String) async throws -> TestResponse {
        try await client.call(.post, "/api/v1/tickets/\(ticket)/transitions", json: body, token: token)
    }

    @Test(arguments: Backend.allCases)
    func lifecycleScopeAndHistory(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            _ = try await client.create("sla-policies", Self.policyBody(w.reunion), token: w.reunionToken)
            let tech = try await Self.technician(client, w)
            // Staff open a ticket; it goes to the round's technician with its deadlines.
            let opened = try await client.call(
                .post, "/api/v1/tickets",
                json: [
                    "establishment_id": w.college.uuidString, "category": "wifi", "urgency": "medium", "impact": "medium",
                    "title": "Pas de Wi-Fi en B12",
                ],
                token: w.collegeStaffToken)
            #expect(opened.status == .created, "\(String(buffer: opened.body))")
            let id = try #require(opened.json["id"] as? String)
            #expect(opened.json["number"] as? Int == 1)
            #expect(opened.json["status"] as? String == "assigned")
            #expect(opened.json["assignee_id"] as? String == tech.id.uuidString)
            #expect(opened.json["priority"] as? Int == 3)
            let sla = try #require(opened.json["sla"] as? [String: Any])
            #expect((sla["restoration"] as? [String: Any])?["target_minutes"] as? Int == 120)
            // Corse's ticket on its lycée stays invisible to the Réunion side, and the other way round.
            let corse = try await client.create(
                "tickets", ["establishment_id": w.lycee.uuidString, "category": "hardware", "title": "Écran cassé"], token: w.corseToken)
            #expect(try await client.call(.get, "/api/v1/tickets/\(corse)", token: tech.token).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/tickets/\(id)", token: w.corseToken).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/tickets", token: tech.token).items.map { $0["id"] as? String } == [id])
            #expect(try await client.call(.get, "/api/v1/tickets", token: w.reunionToken).items.count == 1)
            #expect(try await client.call(.get, "/api/v1/tickets", token: w.admin).items.count == 2)
            // The technician's scope is his round's establishment (and the key is `establishment_ids`, not `establishment_i_ds`).
            let me = try await client.call(.get, "/api/v1/me", token: tech.token)
            #expect(me.json["establishment_ids"] as? [String] == [w.college.uuidString], "\(String(buffer: me.body))")
            let queue = try await client.call(.get, "/api/v1/ticket-queue?assignee=me", token: tech.token)
            #expect((try JSONSerialization.jsonObject(with: Data(queue.body.readableBytesView)) as? [[String: Any]])?.count == 1)
            // Staff may not take a contract decision, nor log time; the collectivité's rounds are read-only to them.
            #expect(
                try await client.call(.post, "/api/v1/sla-policies", json: Self.policyBody(w.reunion), token: w.collegeStaffToken).status
                    == .forbidden)
            #expect(
                try await client.call(.post, "/api/v1/tickets/\(id)/time", json: ["minutes": 30], token: w.collegeStaffToken).status == .forbidden)
            // The workflow refuses what it does not allow, naming what it does.
            #expect(try await Self.move(client, id, ["to": "in_progress"], token: tech.token).status == .ok)
            let bad = try await Self.move(client, id, ["to": "assigned"], token: tech.token)
            #expect(bad.status == .conflict && bad.errorFields == ["status"])
            #expect(String(buffer: bad.body).contains("allowed: pending, resolved"))
            let noReason = try await Self.move(client, id, ["to": "pending"], token: tech.token)
            #expect(noReason.status == .unprocessableContent && noReason.errorFields == ["reason"])
            #expect(
                try await Self.move(client, id, ["to": "pending", "reason": "supplier", "comment": "Borne commandée"], token: tech.token).status
                    == .ok)
            #expect(try await Self.move(client, id, ["to": "in_progress"], token: tech.token).status == .ok)
            #expect(
                try await client.call(.post, "/api/v1/tickets/\(id)/time", json: ["minutes": 45, "note": "Remplacement"], token: tech.token).status
                    == .created)
            #expect(
                try await client.call(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "Merci !"], token: w.collegeStaffToken).status
                    == .created)
            let noSupplier = try await client.call(.post, "/api/v1/tickets/\(id)/escalate", json: ["level": 3], token: tech.token)
            #expect(noSupplier.status == .unprocessableContent && noSupplier.errorFields == ["supplier"])
            let escalated = try await client.call(
                .post, "/api/v1/tickets/\(id)/escalate",
                json: ["level": 3, "supplier": "Constructeur", "rma_number": "RMA-1", "supplier_deadline": "2026-12-04"],
                token: tech.token)
            #expect(escalated.json["level"] as? Int == 3)
            #expect((escalated.json["supplier_case"] as? [String: Any])?["rma_number"] as? String == "RMA-1")
            let resolved = try await Self.move(client, id, ["to": "resolved"], token: tech.token)
            #expect(resolved.json["status"] as? String == "resolved" && resolved.json["resolved_at"] != nil)
            #expect(try await Self.move(client, id, ["to": "in_progress", "comment": "Toujours en panne"], token: w.collegeStaffToken).status == .ok)
            #expect(try await Self.move(client, id, ["to": "resolved"], token: tech.token).status == .ok)
            #expect(try await Self.move(client, id, ["to": "closed"], token: w.collegeStaffToken).status == .ok)
            let final = try await Self.move(client, id, ["to": "in_progress"], token: tech.token)
            #expect(final.status == .conflict && String(buffer: final.body).contains("closed is final"))
            // Every step is in the history, in order.
            let history = try await client.call(.get, "/api/v1/tickets/\(id)/history", token: w.collegeStaffToken)
            let events = try #require(try JSONSerialization.jsonObject(with: Data(history.body.readableBytesView)) as? [[String: Any]])
            #expect(
                events.compactMap { $0["kind"] as? String } == [
                    "created", "assigned", "status", "status", "status", "comment", "status", "time", "comment", "escalated", "status", "status",
                    "comment",
                    "status", "status",
                ])
            #expect(events.first { $0["kind"] as? String == "time" }?["minutes"] as? Int == 45)
            // Reports count it for the collectivité; CSV carries the same figures.
            let report = try await client.call(.get, "/api/v1/ticket-reports?by=establishment", token: w.reunionToken)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.body.readableBytesView)) as? [[String: Any]])
            #expect(rows.count == 1 && rows.first?["opened"] as? Int == 1 && rows.first?["closed"] as? Int == 1)
            #expect((rows.first?["label"] as? String)?.hasPrefix("9749011B") == true)
            let csv = try await client.call(.get, "/api/v1/ticket-reports?by=technician&format=csv", token: w.reunionToken)
            #expect(String(buffer: csv.body).hasPrefix("key,label,opened,closed,open_now"))
            #expect(String(buffer: csv.body).contains("Agent de maintenance Nord"))
            let badReport = try await client.call(.get, "/api/v1/ticket-reports?by=color", token: w.reunionToken)
            #expect(badReport.status == .unprocessableContent && badReport.errorFields == ["by"])
        }
    }

    @Test(arguments: Backend.allCases)
    func openingByAssetTagFillsTheDevice(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let room = try await client.create(
                "rooms", ["establishment_id": w.college.uuidString, "name": "B12", "kind": "classroom"], token: w.admin)
            let device = try await client.create(
                "devices",
                [
                    "establishment_id": w.college.uuidString, "model_id": w.model.uuidString, "serial_number": "DMP1", "asset_tag": "974-CLG-0042",
                    "room_id": room.uuidString, "status": "in_service",
                ],
                token: w.admin)
            let opened = try await client.call(
                .post, "/api/v1/tickets",
                json: ["asset_tag": "974-CLG-0042", "category": "hardware", "title": "Écran fissuré", "urgency": "high", "impact": "low"],
                token: w.collegeStaffToken)
            #expect(opened.status == .created, "\(String(buffer: opened.body))")
            #expect(opened.json["establishment_id"] as? String == w.college.uuidString)
            #expect(opened.json["device_id"] as? String == device.uuidString)
            #expect(opened.json["model_id"] as? String == w.model.uuidString)
            #expect(opened.json["room_id"] as? String == room.uuidString)
            #expect(opened.json["priority"] as? Int == 3 && opened.json["status"] as? String == "new")
            // Another collectivité cannot open on a label outside its establishments; a missing title is named.
            let foreign = try await client.call(
                .post, "/api/v1/tickets", json: ["asset_tag": "974-CLG-0042", "category": "hardware", "title": "x"], token: w.corseToken)
            #expect(foreign.status == .unprocessableContent && foreign.errorFields == ["asset_tag"])
            let incomplete = try await client.call(
                .post, "/api/v1/tickets", json: ["asset_tag": "974-CLG-0042", "category": "toaster"], token: w.collegeStaffToken)
            #expect(incomplete.status == .unprocessableContent && Set(incomplete.errorFields) == ["category", "title"])
            let badID = try await client.call(
                .post, "/api/v1/tickets", json: ["establishment_id": "nope", "category": "hardware", "title": "x"], token: w.admin)
            #expect(badID.status == .unprocessableContent && badID.errorFields == ["establishment_id"])
            #expect(String(buffer: badID.body).contains("must be a UUID"))
            #expect(try await client.call(.get, "/api/v1/tickets", token: w.admin).items.count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func attachmentsAreTypeCheckedAndBounded(_ backend: Backend) async throws {
        try await withApp(backend, ["tickets.attachments.maxBytes": "2048"]) { client, w in
            let id = try await client.create(
                "tickets", ["establishment_id": w.college.uuidString, "category": "hardware", "title": "x"], token: w.collegeStaffToken)
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)
            func upload(_ bytes: [UInt8], name: String = "photo.png", type: String = "image/png") async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/tickets/\(id)/attachments?filename=\(name)", method: .post,
                    headers: [.authorization: "Bearer \(w.collegeStaffToken)", .contentType: type], body: ByteBuffer(bytes: bytes))
            }
            let stored = try await upload(png)
            #expect(stored.status == .created, "\(String(buffer: stored.body))")
            #expect(stored.json["content_type"] as? String == "image/png" && stored.json["size"] as? Int == 108)
            let attachment = try #require(stored.json["id"] as? String)
            let download = try await client.call(.get, "/api/v1/tickets/\(id)/attachments/\(attachment)", token: w.collegeStaffToken)
            #expect(download.status == .ok && Array(download.body.readableBytesView) == png)
            #expect(download.headers[.contentType] == "image/png")
            let script = try await upload(Array("#!/bin/sh\nrm -rf /".utf8), name: "photo.png", type: "application/octet-stream")
            #expect(script.status == .unprocessableContent && script.errorFields == ["content"])
            let lying = try await upload(png, type: "application/pdf")
            #expect(lying.status == .unprocessableContent && lying.errorFields == ["content_type"])
            let large = try await upload(png + Array(repeating: 0, count: 4096))
            #expect(large.status == .contentTooLarge)
            let list = try await client.call(.get, "/api/v1/tickets/\(id)/attachments", token: w.collegeStaffToken)
            #expect((try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as? [Any])?.count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func thePassRecordsBreachesEscalatesAndKeepsThem(_ backend: Backend) async throws {
        let clock = MutableClock(Self.mondayNine)
        try await withApp(backend, clock: clock) { client, w in
            let policy = try await client.create("sla-policies", Self.policyBody(w.reunion), token: w.reunionToken)
            let id = try await client.create(
                "tickets", ["establishment_id": w.college.uuidString, "category": "hardware", "title": "PC HS"], token: w.collegeStaffToken)
            // 90 business minutes later: GTI (60) has passed, and 75 % of the GTR (120) is used.
            clock.advance(by: 90 * 60)
            let run = try await client.call(.post, "/api/v1/maintenance/run", token: w.admin)
            #expect(run.status == .ok, "\(String(buffer: run.body))")
            let pass = try #require(run.json["pass"] as? [String: Any])
            #expect(pass["breaches"] as? Int == 1 && pass["escalated"] as? Int == 1)
            let ticket = try await client.call(.get, "/api/v1/tickets/\(id)", token: w.reunionToken)
            #expect(ticket.json["level"] as? Int == 2)
            let intervention = try #require((ticket.json["sla"] as? [String: Any])?["intervention"] as? [String: Any])
            #expect(intervention["phase"] as? String == "breached" && intervention["elapsed_minutes"] as? Int == 90)
            // An hour later the GTR (120) has passed too: one new breach, recorded once however often the pass runs.
            clock.advance(by: 60 * 60)
            let later = try await client.call(.post, "/api/v1/maintenance/run", token: w.admin)
            #expect((later.json["pass"] as? [String: Any])?["breaches"] as? Int == 1)
            #expect((later.json["pass"] as? [String: Any])?["escalated"] as? Int == 0)
            let again = try await client.call(.post, "/api/v1/maintenance/run", token: w.admin)
            #expect((again.json["pass"] as? [String: Any])?["breaches"] as? Int == 0)
            // A looser contract recomputes the clocks, but the recorded breach stays.
            let version = try await client.call(.get, "/api/v1/sla-policies/\(policy)", token: w.reunionToken).headers[.eTag] ?? ""
            let patched = try await client.call(
                .patch, "/api/v1/sla-policies/\(policy)",
                json: ["targets": (1...5).map { ["priority": $0, "intervention_minutes": 600, "restoration_minutes": 1200] }], token: w.reunionToken,
                headers: [.ifMatch: version])
            #expect(patched.status == .ok, "\(String(buffer: patched.body))")
            let recomputed = try await client.call(.get, "/api/v1/tickets/\(id)", token: w.reunionToken)
            let clocks = try #require(recomputed.json["sla"] as? [String: Any])
            #expect((clocks["intervention"] as? [String: Any])?["phase"] as? String == "running")
            #expect((clocks["restoration"] as? [String: Any])?["target_minutes"] as? Int == 1200)
            let breaches = try await client.call(.get, "/api/v1/tickets/\(id)/breaches", token: w.reunionToken)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(breaches.body.readableBytesView)) as? [[String: Any]])
            #expect(list.map { $0["clock"] as? String } == ["intervention", "restoration"])
            // Waiting for the user pauses the clock: an afternoon later, the elapsed time has not moved.
            #expect(try await Self.move(client, id.uuidString, ["to": "pending", "reason": "user"], token: w.reunionToken).status == .ok)
            clock.advance(by: 3 * 3600)
            let paused = try await client.call(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "relance"], token: w.reunionToken)
            #expect(paused.status == .created)
            let resumed = try await Self.move(client, id.uuidString, ["to": "in_progress"], token: w.reunionToken)
            let restoration = try #require((resumed.json["sla"] as? [String: Any])?["restoration"] as? [String: Any])
            #expect(restoration["elapsed_minutes"] as? Int == 150 && restoration["phase"] as? String == "running")
            // Deleting a contract that open tickets follow is refused.
            let version2 = try await client.call(.get, "/api/v1/sla-policies/\(policy)", token: w.reunionToken).headers[.eTag] ?? ""
            #expect(
                try await client.call(.delete, "/api/v1/sla-policies/\(policy)", token: w.reunionToken, headers: [.ifMatch: version2]).status
                    == .conflict)
        }
    }

    @Test func nobodyWritesOutsideTheirScopeOrRole() async throws {
        try await withApp { client, w in
            let policy = try await client.create("sla-policies", Self.policyBody(w.reunion), token: w.reunionToken)
            let tech = try await Self.technician(client, w)
            let id = try await client.create(
                "tickets", ["establishment_id": w.college.uuidString, "category": "hardware", "title": "x"], token: w.collegeStaffToken)
            // Another collectivité cannot reach the ticket at all.
            #expect(try await Self.move(client, id.uuidString, ["to": "in_progress"], token: w.corseToken).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "x"], token: w.corseToken).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/tickets/\(id)/history", token: w.corseToken).status == .notFound)
            // Assigning someone who does not cover the establishment, staff choosing the contract lot, or rounds
            // and lots naming another collectivité's establishment are refused.
            let corseTech = try await client.call(.post, "/api/v1/tokens", json: ["name": "Tech Corse", "role": "technician"], token: w.corseToken)
            let stranger = try #require((corseTech.json["principal"] as? [String: Any])?["id"] as? String)
            let assign = try await client.call(.post, "/api/v1/tickets/\(id)/assign", json: ["technician_id": stranger], token: w.reunionToken)
            #expect(assign.status == .unprocessableContent && assign.errorFields == ["technician_id"])
            let staffLot = try await client.call(
                .post, "/api/v1/tickets",
                json: ["establishment_id": w.college.uuidString, "category": "hardware", "title": "x", "sla_policy_id": policy.uuidString],
                token: w.collegeStaffToken)
            #expect(staffLot.status == .forbidden)
            #expect(
                try await client.call(.post, "/api/v1/tickets/\(id)/assign", json: ["technician_id": tech.id.uuidString], token: w.collegeStaffToken)
                    .status == .forbidden)
            let foreignRound = try await client.call(
                .post, "/api/v1/rounds",
                json: [
                    "collectivite_id": w.reunion.uuidString, "technician_id": tech.id.uuidString, "name": "x",
                    "establishment_ids": [w.lycee.uuidString],
                    "weekdays": ["monday"],
                ], token: w.admin)
            #expect(foreignRound.status == .unprocessableContent && foreignRound.errorFields == ["establishment_ids"])
            #expect(
                try await client.call(
                    .post, "/api/v1/rounds",
                    json: [
                        "collectivite_id": w.reunion.uuidString, "technician_id": tech.id.uuidString, "name": "y",
                        "establishment_ids": [w.college.uuidString],
                        "weekdays": ["monday"],
                    ], token: w.collegeStaffToken
                ).status == .forbidden)
            // Once closed, the measured party cannot rewrite a ticket's service levels.
            for step in ["in_progress", "resolved", "closed"] {
                #expect(try await Self.move(client, id.uuidString, ["to": step], token: tech.token).status == .ok)
            }
            let rewrite = try await client.call(.patch, "/api/v1/tickets/\(id)", json: ["priority": 5], token: tech.token)
            #expect(rewrite.status == .conflict && rewrite.errorFields == ["priority"])
            #expect(try await client.call(.patch, "/api/v1/tickets/\(id)", json: ["title": "Écran cassé (B12)"], token: tech.token).status == .ok)
        }
    }

    @Test func ticketsFollowTheirEstablishmentToANewOwner() async throws {
        try await withApp { client, w in
            let tech = try await Self.technician(client, w)
            let id = try await client.create(
                "tickets", ["establishment_id": w.college.uuidString, "category": "hardware", "title": "x"], token: w.collegeStaffToken)
            let etag = try await client.call(.get, "/api/v1/establishments/\(w.college)", token: w.admin).headers[.eTag] ?? ""
            let moved = try await client.call(
                .patch, "/api/v1/establishments/\(w.college)", json: ["owner_id": w.corse.uuidString], token: w.admin, headers: [.ifMatch: etag])
            #expect(moved.status == .ok, "\(String(buffer: moved.body))")
            #expect(try await client.call(.get, "/api/v1/tickets/\(id)", token: w.corseToken).status == .ok)
            #expect(try await client.call(.get, "/api/v1/tickets/\(id)", token: w.reunionToken).status == .notFound)
            // The former owner's round no longer covers it, so its technician lost the establishment.
            #expect(try await client.call(.get, "/api/v1/tickets/\(id)", token: tech.token).status == .notFound)
            let rounds = try await client.call(.get, "/api/v1/rounds", token: w.reunionToken)
            #expect(rounds.items.first?["establishment_ids"] as? [String] == [], "\(String(buffer: rounds.body))")
            // An establishment with an open ticket is not deleted.
            let etag2 = try await client.call(.get, "/api/v1/establishments/\(w.college)", token: w.admin).headers[.eTag] ?? ""
            #expect(
                try await client.call(.delete, "/api/v1/establishments/\(w.college)", token: w.admin, headers: [.ifMatch: etag2]).status == .conflict)
        }
    }

    static func heartbeat(_ seq: Int, health: Double, freeBytes: Int) -> String {
        """
        {"seq":\(seq),"observed_at":"\(Date().addingTimeInterval(Double(seq) - 1000).formatted(.iso8601))",\
        "battery":{"level_percent":80,"health_percent":\(health)},"storage":{"free_bytes":\(freeBytes),"total_bytes":100000}}
        """
    }

    @Test(arguments: Backend.allCases)
    func telemetryRulesOpenOneTicketPerDeviceAndRule(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let (secret, _) = try await AgentTests.enrollmentToken(client, w)
            let (deviceID, token) = try AgentTests.device(try await AgentTests.enroll(client, token: secret, serial: "PF1RULE"))
            #expect(try await AgentTests.send(client, token, Self.heartbeat(1, health: 61, freeBytes: 2000)).status == .ok)
            func run() async throws -> [String: Any] {
                let r = try await client.call(.post, "/api/v1/maintenance/run", token: w.admin)
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                return try #require(r.json["rules"] as? [String: Any])
            }
            #expect(try await run()["opened"] as? Int == 2)  // battery health 61 % < 70; 2 % free < 5 %
            #expect(try await run()["opened"] as? Int == 0)  // still true: no duplicate
            let open = try await client.call(.get, "/api/v1/tickets?device_id=\(deviceID)&open=true", token: w.collegeStaffToken)
            #expect(Set(open.items.compactMap { $0["rule"] as? String }) == ["battery_health", "storage_full"])
            #expect(open.items.allSatisfy { $0["source"] as? String == "rule" && $0["reporter_name"] as? String == "Parc" })
            // Both conditions clear: storage resolves itself, battery is annotated for a person to decide (once).
            #expect(try await AgentTests.send(client, token, Self.heartbeat(2, health: 95, freeBytes: 60000)).status == .ok)
            let cleared = try await run()
            #expect(cleared["resolved"] as? Int == 1 && cleared["annotated"] as? Int == 1)
            #expect(try await run()["annotated"] as? Int == 0)
            let still = try await client.call(.get, "/api/v1/tickets?device_id=\(deviceID)&open=true", token: w.collegeStaffToken)
            #expect(still.items.compactMap { $0["rule"] as? String } == ["battery_health"])
            // The storage fills again: a new ticket, since the old one is resolved.
            #expect(try await AgentTests.send(client, token, Self.heartbeat(3, health: 95, freeBytes: 1000)).status == .ok)
            #expect(try await run()["opened"] as? Int == 1)
            #expect(try await client.call(.get, "/api/v1/tickets?device_id=\(deviceID)&rule=storage_full", token: w.admin).items.count == 2)
        }
    }
}
