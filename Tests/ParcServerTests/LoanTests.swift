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

/// Family loans through the real application, on both backends.
@Suite struct LoanTests {
    static let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    /// A SIM plan ending within the report's 30-day warning, whatever day the suite runs.
    static var inTenDays: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date().addingTimeInterval(10 * 86_400))
    }
    static var drawn: [String: Any] { ["kind": "drawn", "signer_name": "Camille Martin", "image_png": png] }

    /// A laptop + 4G router + headset kit with a SIM line, in the collège; returns the kit id and its devices.
    static func kit(_ client: any TestClientProtocol, _ w: World, tag: String, n: Int, iccid: String? = nil) async throws -> (UUID, [UUID]) {
        var devices: [UUID] = []
        for (kind, name) in [("laptop", "Portable 14"), ("router_4g", "Routeur 4G"), ("headset", "Casque USB")] {
            let model = try await Self.model(client, w, kind: kind, name: name)
            devices.append(
                try await client.create(
                    "devices",
                    [
                        "establishment_id": w.college.uuidString, "model_id": model.uuidString, "serial_number": "\(tag)-\(kind)-\(n)",
                        "asset_tag": "INV-\(tag)-\(kind)", "status": "in_stock",
                    ], token: w.admin))
        }
        var body: [String: Any] = [
            "establishment_id": w.college.uuidString, "asset_tag": tag, "name": "Lot \(n)", "device_ids": devices.map(\.uuidString),
        ]
        if let iccid {
            body["sim_line_id"] = try await client.create(
                "sim-lines",
                ["establishment_id": w.college.uuidString, "iccid": iccid, "operator": "Opérateur", "expires_on": Self.inTenDays],
                token: w.collegeStaffToken
            ).uuidString
        }
        return (try await client.create("kits", body, token: w.collegeStaffToken), devices)
    }

    static func model(_ client: any TestClientProtocol, _ w: World, kind: String, name: String) async throws -> UUID {
        let existing = try await client.call(.get, "/api/v1/device-models?q=\(name.replacingOccurrences(of: " ", with: "%20"))", token: w.admin)
        if let id = existing.items.first?["id"] as? String { return UUID(uuidString: id)! }
        return try await client.create(
            "device-models", ["kind": kind, "manufacturer": "Fabricant", "name": name, "lifespan_months": 60], token: w.admin)
    }

    static func household(_ client: any TestClientProtocol, _ w: World, reference: String, criterion: String = "boursier") async throws -> UUID {
        try await client.create(
            "households",
            [
                "establishment_id": w.college.uuidString, "pupil_reference": reference, "criterion": criterion,
                "guardians": [["name": "Camille Martin", "email": "camille@example.org", "address": "1 rue des Lilas, Saint-Denis"]],
            ], token: w.collegeStaffToken)
    }

    static func allGood(_ client: any TestClientProtocol, _ w: World, loan: String) async throws -> TestResponse {
        try await client.call(
            .post, "/api/v1/loans/\(loan)/return", json: ["condition": "good", "all_checks_passed": true], token: w.collegeStaffToken)
    }

    @Test(arguments: Backend.allCases)
    func waitlistOfferCheckoutAndReturnWithAMissingPart(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let (kit, devices) = try await Self.kit(client, w, tag: "KIT-1", n: 1, iccid: "8933150319000000006")
            // A device belongs to one kit at a time.
            let twice = try await client.call(
                .post, "/api/v1/kits",
                json: ["establishment_id": w.college.uuidString, "asset_tag": "KIT-X", "name": "Doublon", "device_ids": [devices[0].uuidString]],
                token: w.collegeStaffToken)
            #expect(twice.status == .conflict && twice.errorFields == ["device_ids"], "\(String(buffer: twice.body))")

            let first = try await Self.household(client, w, reference: "6B-014")
            let second = try await Self.household(client, w, reference: "5A-003", criterion: "sans_connexion")
            // The first request is offered the kit on the shelf at once; the next one waits.
            let waiting = try await client.call(.post, "/api/v1/loans", json: ["household_id": second.uuidString], token: w.collegeStaffToken)
            #expect(waiting.json["status"] as? String == "offered", "the kit on the shelf is offered at once")
            let other = try await client.call(.post, "/api/v1/loans", json: ["household_id": first.uuidString], token: w.collegeStaffToken)
            #expect(other.json["status"] as? String == "requested")
            let list = try await client.call(.get, "/api/v1/establishments/\(w.college)/waitlist", token: w.collegeStaffToken)
            #expect((list.body.readableBytes > 0) && String(buffer: list.body).contains(first.uuidString))
            let loanID = try #require(waiting.json["id"] as? String)

            // A checkout needs the guardian's signature; the convention lists every serial and inventory number.
            let unsigned = try await client.call(
                .post, "/api/v1/loans/\(loanID)/checkout", json: ["kit_asset_tag": "KIT-1"], token: w.collegeStaffToken)
            #expect(unsigned.status == .unprocessableContent && unsigned.errorFields == ["signature"])
            let out = try await client.call(
                .post, "/api/v1/loans/\(loanID)/checkout", json: ["kit_asset_tag": "KIT-1", "signature": Self.drawn], token: w.collegeStaffToken)
            #expect(out.status == .ok, "\(String(buffer: out.body))")
            let convention = try #require(out.json["convention"] as? [String: Any])
            let text = try #require(convention["text"] as? String)
            #expect(text.contains("KIT-1-laptop-1") && text.contains("INV-KIT-1-router_4g") && text.contains("8933150319000000006"))
            #expect(text.contains("Camille Martin") && text.contains("5A-003") && text.contains("4 juillet"))
            #expect(convention["template_version"] as? Int == 1 && (convention["sha256"] as? String)?.count == 64)
            let loan = try #require(out.json["loan"] as? [String: Any])
            #expect(loan["status"] as? String == "checked_out")
            let device = try await client.call(.get, "/api/v1/devices/\(devices[0])", token: w.admin)
            #expect(device.json["status"] as? String == "on_loan")

            // The kit is out: the other household cannot have it; the printable page shows the drawn signature.
            let taken = try await client.call(
                .post, "/api/v1/loans/\(other.json["id"] as! String)/checkout", json: ["kit_asset_tag": "KIT-1", "signature": Self.drawn],
                token: w.collegeStaffToken)
            #expect(taken.status == .conflict && taken.errorFields == ["kit_asset_tag"], "\(String(buffer: taken.body))")
            let page = try await client.call(.get, "/api/v1/loan-documents/\(convention["id"] as! String)/print", token: w.collegeStaffToken)
            #expect(page.status == .ok && String(buffer: page.body).contains("data:image/png;base64,"))

            // Back without its router: the receipt attests the wipe, a ticket is opened, the router is lost, a fee applies.
            let laptopChecks = [
                "powers_on": true, "screen_intact": true, "charger_present": true, "account_signed_out": true, "keyboard_complete": true,
            ]
            let returned = try await client.call(
                .post, "/api/v1/loans/\(loanID)/return",
                json: [
                    "condition": "fair", "fees": ["router"],
                    "components": [
                        ["device_id": devices[0].uuidString, "state": "present", "checklist": laptopChecks, "data_wiped": true],
                        ["device_id": devices[1].uuidString, "state": "missing"],
                        ["device_id": devices[2].uuidString, "state": "present", "checklist": ["works": true, "cable_intact": true]],
                    ],
                ], token: w.collegeStaffToken)
            #expect(returned.status == .ok, "\(String(buffer: returned.body))")
            let receipt = try #require(returned.json["receipt"] as? [String: Any])
            let receiptText = try #require(receipt["text"] as? String)
            #expect(receiptText.contains("données effacées") && receiptText.contains("non rendu") && receiptText.contains("60,00 €"))
            let ticketID = try #require(returned.json["ticket_id"] as? String)
            let ticket = try await client.call(.get, "/api/v1/tickets/\(ticketID)", token: w.collegeStaffToken)
            #expect(ticket.json["category"] as? String == "loan_damage")
            #expect((try await client.call(.get, "/api/v1/devices/\(devices[1])", token: w.admin)).json["status"] as? String == "lost")
            #expect((try await client.call(.get, "/api/v1/devices/\(devices[0])", token: w.admin)).json["status"] as? String == "in_stock")
            let kitNow = try await client.call(.get, "/api/v1/kits/\(kit)", token: w.collegeStaffToken)
            #expect(kitNow.json["status"] as? String == "incomplete")
            // The kit is incomplete: the waiting household is not offered it.
            #expect(
                (try await client.call(.get, "/api/v1/loans/\(other.json["id"] as! String)", token: w.collegeStaffToken)).json["status"] as? String
                    == "requested")

            // Invalid moves are conflicts naming what is allowed.
            let again = try await client.call(.post, "/api/v1/loans/\(loanID)/extend", json: [:], token: w.collegeStaffToken)
            #expect(again.status == .conflict)
            let lost = try await client.call(.post, "/api/v1/loans/\(loanID)/transitions", json: ["to": "lost"], token: w.collegeStaffToken)
            #expect(lost.status == .conflict && (lost.json["error"] as? [String: Any])?["message"] as? String != nil)
            let unknown = try await client.call(.post, "/api/v1/loans/\(loanID)/transitions", json: ["to": "borrowed"], token: w.collegeStaffToken)
            #expect(unknown.status == .unprocessableContent && unknown.errorFields == ["to"])

            // Reports count it all, in JSON and CSV.
            let report = try await client.call(.get, "/api/v1/loan-reports", token: w.reunionToken)
            let row = try #require((try JSONSerialization.jsonObject(with: Data(report.body.readableBytesView)) as? [[String: Any]])?.first)
            #expect(row["kits"] as? Int == 1 && row["households_waiting"] as? Int == 1 && row["returns_fair"] as? Int == 1)
            #expect(row["households_served"] as? Int == 1 && row["sim_lines_expiring"] as? Int == 1)
            let csv = try await client.call(.get, "/api/v1/loan-reports?level=collectivite&format=csv", token: w.reunionToken)
            let lines = String(buffer: csv.body).split(separator: "\r\n")
            #expect(lines.count == 2 && lines[1].contains("Département de La Réunion"))
        }
    }

    @Test(arguments: Backend.allCases)
    func householdsAreReadOnlyByTheLendingEstablishmentAndEveryReadIsLogged(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            let household = try await Self.household(client, w, reference: "4C-101")
            // Administrators, other collectivités and the collectivité's staff who are not its loan manager see nothing.
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.admin).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.corseToken).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.reunionToken).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/households", token: w.reunionToken).status == .forbidden)
            // Naming a loan manager in the policy opens it to that person only.
            let manager = try await client.call(
                .post, "/api/v1/tokens", json: ["name": "Responsable des prêts", "role": "collectivite", "collectivite_id": w.reunion.uuidString],
                token: w.reunionToken)
            let managerToken = try #require(manager.json["token"] as? String)
            let managerID = try #require((manager.json["principal"] as? [String: Any])?["id"] as? String)
            _ = try await client.create(
                "loan-policies", ["collectivite_id": w.reunion.uuidString, "loan_manager_ids": [managerID]], token: w.reunionToken)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: managerToken).status == .ok)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.reunionToken).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/households", token: w.collegeStaffToken).items.count == 1)

            let log = try await client.call(.get, "/api/v1/households/\(household)/access-log", token: w.collegeStaffToken)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.body.readableBytesView)) as? [[String: Any]])
            #expect(entries.compactMap { $0["action"] as? String } == ["list", "read", "create"])
            #expect(entries[1]["principal_name"] as? String == "Responsable des prêts")

            // Bad input names its fields; nothing is stored.
            let bad = try await client.call(
                .post, "/api/v1/households",
                json: ["establishment_id": w.college.uuidString, "pupil_reference": "1234567890A", "guardians": [], "criterion": "salaire"],
                token: w.collegeStaffToken)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields) == ["pupil_reference", "guardians", "criterion"], "\(bad.errorFields)")
            #expect(try await client.call(.get, "/api/v1/households", token: w.collegeStaffToken).items.count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func subjectAccessExportAndErasure(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            _ = try await Self.kit(client, w, tag: "KIT-E", n: 7)
            let household = try await Self.household(client, w, reference: "3D-007")
            let desk = try await client.call(
                .post, "/api/v1/loan-desk/checkout",
                json: ["establishment_id": w.college.uuidString, "pupil_reference": "3D-007", "kit_asset_tag": "KIT-E", "signature": Self.drawn],
                token: w.collegeStaffToken)
            #expect(desk.status == .ok, "\(String(buffer: desk.body))")
            let loanID = try #require((desk.json["loan"] as? [String: Any])?["id"] as? String)
            let refused = try await client.call(.delete, "/api/v1/households/\(household)", token: w.collegeStaffToken)
            #expect(refused.status == .conflict)
            let export = try await client.call(.get, "/api/v1/households/\(household)/export", token: w.collegeStaffToken)
            #expect((export.json["household"] as? [String: Any])?["pupil_reference"] as? String == "3D-007")
            #expect((export.json["loans"] as? [[String: Any]])?.count == 1 && (export.json["documents"] as? [[String: Any]])?.count == 1)
            #expect(((export.json["access_log"] as? [[String: Any]]) ?? []).contains { $0["action"] as? String == "export" })

            #expect(try await Self.allGood(client, w, loan: loanID).status == .ok)
            let erased = try await client.call(.delete, "/api/v1/households/\(household)", token: w.collegeStaffToken)
            #expect(erased.status == .ok, "\(String(buffer: erased.body))")
            #expect(erased.json["loans_anonymised"] as? Int == 1 && erased.json["documents_kept"] as? Int == 2)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.collegeStaffToken).status == .notFound)
            let loan = try await client.call(.get, "/api/v1/loans/\(loanID)", token: w.collegeStaffToken)
            #expect(loan.json["household_id"] == nil && loan.json["anonymized_at"] != nil && loan.json["status"] as? String == "returned")
        }
    }

    @Test(arguments: Backend.allCases)
    func signedConventionsCannotChange(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            _ = try await Self.kit(client, w, tag: "KIT-C", n: 3)
            _ = try await Self.household(client, w, reference: "6A-001")
            let out = try await client.call(
                .post, "/api/v1/loan-desk/checkout",
                json: [
                    "establishment_id": w.college.uuidString, "pupil_reference": "6A-001", "kit_asset_tag": "KIT-C",
                    "signature": ["kind": "typed", "signer_name": "Camille Martin"],
                ], token: w.collegeStaffToken)
            let document = try #require(out.json["convention"] as? [String: Any])
            let id = try #require(UUID(uuidString: document["id"] as? String ?? ""))
            // A new version of the collectivité's text does not touch what was signed.
            let bad = try await client.call(
                .post, "/api/v1/convention-templates",
                json: ["collectivite_id": w.reunion.uuidString, "kind": "convention", "title": "V2", "body": "{{kit_items}} {{revenu}}"],
                token: w.reunionToken)
            #expect(bad.status == .unprocessableContent && bad.errorFields == ["body"])
            let v2 = try await client.call(
                .post, "/api/v1/convention-templates",
                json: ["collectivite_id": w.reunion.uuidString, "kind": "convention", "title": "Convention 2027", "body": "Lot : {{kit_items}}"],
                token: w.reunionToken)
            #expect(v2.status == .created && v2.json["version"] as? Int == 1)
            #expect(try await client.call(.post, "/api/v1/convention-templates", json: [:], token: w.collegeStaffToken).status == .forbidden)
            let stored = try await client.call(.get, "/api/v1/loan-documents/\(id)", token: w.collegeStaffToken)
            #expect(
                stored.json["text"] as? String == document["text"] as? String && stored.json["sha256"] as? String == document["sha256"] as? String)
            // The database refuses any change to a signed document, whoever asks.
            await #expect(throws: (any Error).self) {
                try await w.parc.storage.database.write("UPDATE loan_documents SET text = 'autre' WHERE id = \(id)")
            }
            let after = try await client.call(.get, "/api/v1/loan-documents/\(id)", token: w.collegeStaffToken)
            #expect(after.json["text"] as? String == document["text"] as? String)
        }
    }

    @Test(arguments: Backend.allCases)
    func retentionRemindersAndOfferExpiryFollowTheClock(_ backend: Backend) async throws {
        let clock = MutableClock(Date(timeIntervalSince1970: 1_788_000_000))  // 2026-08-29
        try await withApp(backend, clock: clock) { client, w in
            _ = try await Self.kit(client, w, tag: "KIT-R", n: 5)
            let household = try await Self.household(client, w, reference: "2B-020")
            let later = try await Self.household(client, w, reference: "2B-021")
            let desk = try await client.call(
                .post, "/api/v1/loan-desk/checkout",
                json: ["household_id": household.uuidString, "kit_asset_tag": "KIT-R", "due_on": "2026-09-10", "signature": Self.drawn],
                token: w.collegeStaffToken)
            let loanID = try #require((desk.json["loan"] as? [String: Any])?["id"] as? String)
            let pass = { () async throws -> [String: Any] in
                let r = try await client.call(.post, "/api/v1/loan-passes", token: w.admin)
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                return r.json
            }
            // Due in 12 days: nothing. Due in 5: one notice; the same pass again queues nothing new.
            #expect(try await pass()["notices_queued"] as? Int == 0)
            clock.advance(by: 7 * 86_400)
            let soon = try await pass()
            #expect(soon["notices_queued"] as? Int == 1 && soon["notices_sent"] as? Int == 1)
            #expect(try await pass()["notices_queued"] as? Int == 0)
            clock.advance(by: 10 * 86_400)  // 5 days late
            #expect(try await pass()["notices_queued"] as? Int == 1)

            // Returned; the other household is offered the kit, lets the offer expire, and the kit is back on the shelf.
            #expect(try await Self.allGood(client, w, loan: loanID).status == .ok)
            let request = try await client.call(.post, "/api/v1/loans", json: ["household_id": later.uuidString], token: w.collegeStaffToken)
            #expect(request.json["status"] as? String == "offered")
            clock.advance(by: 6 * 86_400)
            #expect(try await pass()["offers_expired"] as? Int == 1)
            let kits = try await client.call(.get, "/api/v1/kits?asset_tag=KIT-R", token: w.collegeStaffToken)
            #expect(kits.items.first?["status"] as? String == "available")

            // Four months after the return the loan is anonymised; a year after, the households go; the documents
            // stay five years.
            clock.advance(by: 125 * 86_400)
            let anonymised = try await pass()
            #expect(anonymised["loans_anonymised"] as? Int == 2 && anonymised["households_deleted"] as? Int == 0)
            let loan = try await client.call(.get, "/api/v1/loans/\(loanID)", token: w.collegeStaffToken)
            #expect(loan.json["household_id"] == nil)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.collegeStaffToken).status == .ok)
            clock.advance(by: 250 * 86_400)
            #expect(try await pass()["households_deleted"] as? Int == 2)
            #expect(try await client.call(.get, "/api/v1/households/\(household)", token: w.collegeStaffToken).status == .notFound)
            let documents = { () async throws -> Int in
                try await w.parc.storage.database.query("SELECT COUNT(*) AS n FROM loan_documents").first?.int("n") ?? -1
            }
            #expect(try await documents() == 2)
            clock.advance(by: 4 * 366 * 86_400)
            #expect(try await pass()["documents_deleted"] as? Int == 2)
            #expect(try await documents() == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func bulkReturnRecordsEachKitOnItsOwn(_ backend: Backend) async throws {
        try await withApp(backend) { client, w in
            for n in 1...3 {
                _ = try await Self.kit(client, w, tag: "KIT-B\(n)", n: n)
                _ = try await Self.household(client, w, reference: "B-\(n)")
                let out = try await client.call(
                    .post, "/api/v1/loan-desk/checkout",
                    json: [
                        "establishment_id": w.college.uuidString, "pupil_reference": "B-\(n)", "kit_asset_tag": "KIT-B\(n)", "signature": Self.drawn,
                    ], token: w.collegeStaffToken)
                #expect(out.status == .ok, "\(String(buffer: out.body))")
            }
            let bulk = try await client.call(
                .post, "/api/v1/loan-desk/returns",
                json: [
                    "items": [
                        ["kit_asset_tag": "KIT-B1", "condition": "good", "all_checks_passed": true],
                        ["kit_asset_tag": "KIT-NOPE", "condition": "good", "all_checks_passed": true],
                        ["kit_asset_tag": "KIT-B2", "condition": "good"],
                        ["kit_asset_tag": "KIT-B3", "condition": "poor", "all_checks_passed": true],
                    ]
                ], token: w.collegeStaffToken)
            let outcomes = try #require(try JSONSerialization.jsonObject(with: Data(bulk.body.readableBytesView)) as? [[String: Any]])
            #expect(outcomes.map { $0["receipt_id"] != nil } == [true, false, false, true])
            #expect((outcomes[1]["error"] as? [String: Any])?["code"] as? String == "validation_failed")
            #expect((outcomes[2]["error"] as? [String: Any])?["code"] as? String == "validation_failed")
            // The kit whose line failed is still out; the others are on the shelf.
            let kits = try await client.call(.get, "/api/v1/kits?status=on_loan", token: w.collegeStaffToken)
            #expect(kits.items.map { $0["asset_tag"] as? String } == ["KIT-B2"])
        }
    }
}
