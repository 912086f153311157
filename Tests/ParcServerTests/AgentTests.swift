import CompressNIO
import Configuration
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

/// Protocol v1 through the real application: enrollment, heartbeats, scope, limits, derived views.
@Suite struct AgentTests {
    static let t0 = "2026-11-23T08:30:00Z"

    /// `now` is the server's clock: tests with an injected clock pass it, or the heartbeat would be from the future.
    static func heartbeat(
        _ seq: Int, battery: Int = 80, bssid: String = "aa:bb:cc:00:00:01", rssi: Int = -60, cart: UUID? = nil, down: Double? = nil,
        now: Date = Date()
    ) -> String {
        var extra = ""
        if let cart { extra += #","cart":{"cart_id":"\#(cart.uuidString)","slot":3}"# }
        if let down { extra += #","throughput":{"down_mbps":\#(down),"up_mbps":9.5}"# }
        return """
            {"seq":\(seq),"observed_at":"\(now.addingTimeInterval(Double(seq) - 1000).formatted(.iso8601))","agent_version":"1.0.0",\
            "battery":{"level_percent":\(battery)},"storage":{"free_bytes":1000,"total_bytes":5000},"os":{"name":"Debian GNU/Linux","version":"12"},\
            "wifi":{"ssid":"CLG","bssid":"\(bssid)","rssi_dbm":\(rssi),"band":"5GHz"}\(extra)}
            """
    }

    /// An enrollment token for the collège, created by its staff.
    static func enrollmentToken(_ client: any TestClientProtocol, _ world: World, maxUses: Int = 10, expires: Date? = nil) async throws -> (
        secret: String, id: String
    ) {
        var body: [String: Any] = ["label": "salle info", "max_uses": maxUses]
        if let expires { body["expires_at"] = expires.formatted(.iso8601) }
        let r = try await client.call(.post, "/api/v1/establishments/\(world.college)/enrollment-tokens", json: body, token: world.collegeStaffToken)
        #expect(r.status == .created, "\(String(buffer: r.body))")
        let record = try #require(r.json["enrollment_token"] as? [String: Any])
        return (try #require(r.json["token"] as? String), try #require(record["id"] as? String))
    }

    static func enroll(_ client: any TestClientProtocol, token: String, serial: String, manufacturer: String = "Lenovo") async throws -> TestResponse
    {
        try await client.call(
            .post, "/agent/v1/enroll",
            json: [
                "enrollment_token": token,
                "hardware": ["manufacturer": manufacturer, "serial_number": serial, "model": "ThinkPad 11e", "mac_addresses": ["AA:BB:CC:DD:EE:FF"]],
                "agent_version": "1.0.0",
            ], token: nil)
    }

    static func device(_ response: TestResponse) throws -> (id: String, token: String) {
        (try #require(response.json["device_id"] as? String), try #require(response.json["device_token"] as? String))
    }

    static func send(_ client: any TestClientProtocol, _ token: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = headers
        all[.contentType] = "application/json"
        return try await client.call(.post, "/agent/v1/heartbeats", raw: body, token: token, headers: all)
    }

    @Test func enrollmentCreatesOrAttachesAndRefusesBadTokens() async throws {
        try await withApp { client, world in
            let (secret, tokenID) = try await Self.enrollmentToken(client, world, maxUses: 3)
            let created = try await Self.enroll(client, token: secret, serial: "PF1ABC")
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let (deviceID, _) = try Self.device(created)
            let device = try await client.call(.get, "/api/v1/devices/\(deviceID)", token: world.collegeStaffToken)
            #expect(device.json["establishment_id"] as? String == world.college.uuidString)
            #expect(device.json["status"] as? String == "in_service" && device.json["serial_number"] as? String == "PF1ABC")
            // The same serial (any case of manufacturer) attaches to the inventoried device; the old token stops working.
            let again = try await Self.enroll(client, token: secret, serial: "PF1ABC", manufacturer: "LENOVO")
            #expect(again.status == .ok && again.json["created"] as? Bool == false && again.json["device_id"] as? String == deviceID)
            #expect(try await Self.send(client, try Self.device(created).token, Self.heartbeat(1)).status == .unauthorized)
            #expect(try await Self.send(client, try Self.device(again).token, Self.heartbeat(1)).status == .ok)
            // Third use is the last one; the fourth is refused.
            #expect(try await Self.enroll(client, token: secret, serial: "PF1DEF").status == .created)
            let exhausted = try await Self.enroll(client, token: secret, serial: "PF1GHI")
            #expect(exhausted.status == .unauthorized && exhausted.errorCode == "unauthenticated")
            #expect((exhausted.json["error"] as? [String: Any])?["message"] as? String == "the enrollment token has been used its 3 allowed times")
            // Unknown, revoked, and (with its own token) malformed requests.
            #expect(try await Self.enroll(client, token: "penr_nope", serial: "X1").status == .unauthorized)
            let (other, otherID) = try await Self.enrollmentToken(client, world)
            #expect(try await client.call(.delete, "/api/v1/enrollment-tokens/\(otherID)", token: world.collegeStaffToken).status == .noContent)
            let revoked = try await Self.enroll(client, token: other, serial: "X2")
            #expect(revoked.status == .unauthorized && String(buffer: revoked.body).contains("revoked"))
            let missing = try await client.call(
                .post, "/agent/v1/enroll", json: ["enrollment_token": secret, "hardware": ["manufacturer": "HP"]], token: nil)
            #expect(missing.status == .unprocessableContent && missing.errorFields == ["hardware.serial_number"])
            // Another collectivité cannot see or revoke this establishment's tokens.
            #expect(
                try await client.call(.get, "/api/v1/establishments/\(world.college)/enrollment-tokens", token: world.corseToken).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/enrollment-tokens/\(tokenID)", token: world.corseToken).status == .notFound)
            let listed = try await client.call(.get, "/api/v1/establishments/\(world.college)/enrollment-tokens", token: world.reunionToken)
            #expect(listed.status == .ok && String(buffer: listed.body).contains("\"uses\":3"))
        }
    }

    @Test func anExpiredEnrollmentTokenIsRefused() async throws {
        let clock = MutableClock(Date())
        try await withApp(.sqlite, [:], clock: clock) { client, world in
            let (secret, _) = try await Self.enrollmentToken(client, world, expires: clock.now.addingTimeInterval(3600))
            clock.advance(by: 7200)
            let r = try await Self.enroll(client, token: secret, serial: "PF9")
            #expect(r.status == .unauthorized && String(buffer: r.body).contains("expired"))
        }
    }

    @Test(arguments: Backend.allCases)
    func heartbeatsAreDurableIdempotentAndScopedToTheirDevice(_ backend: Backend) async throws {
        try await withApp(backend) { client, world in
            let (secret, _) = try await Self.enrollmentToken(client, world)
            let a = try Self.device(try await Self.enroll(client, token: secret, serial: "A1"))
            let b = try Self.device(try await Self.enroll(client, token: secret, serial: "B1"))
            let batch = "[" + (1...5).map { Self.heartbeat($0, battery: 50 + $0) }.joined(separator: ",") + "]"
            let first = try await Self.send(client, a.token, batch)
            #expect(first.status == .ok, "\(String(buffer: first.body))")
            #expect(
                first.json["accepted"] as? Int == 5 && first.json["duplicates"] as? Int == 0 && (first.json["actions"] as? [Any])?.isEmpty == true)
            let interval = try #require(first.json["next_checkin_seconds"] as? Int)
            #expect((240...360).contains(interval))
            // A retry of the same batch is acknowledged again and stored once.
            let retry = try await Self.send(client, a.token, batch)
            #expect(retry.status == .ok && retry.json["duplicates"] as? Int == 5)
            let history = try await client.call(.get, "/api/v1/devices/\(a.id)/heartbeats?limit=50", token: world.collegeStaffToken)
            #expect((try JSONSerialization.jsonObject(with: Data(history.body.readableBytesView)) as? [Any])?.count == 5)
            // The token writes its own device only: device B has no state, A's latest is seq 5.
            let state = try await client.call(.get, "/api/v1/devices/\(a.id)/state", token: world.collegeStaffToken)
            #expect(
                (state.json["latest"] as? [String: Any])?["seq"] as? Int == 5
                    && (state.json["latest"] as? [String: Any])?["battery_level"] as? Double == 55 && state.json["presence"] as? String == "online")
            #expect(try await client.call(.get, "/api/v1/devices/\(b.id)/state", token: world.collegeStaffToken).status == .notFound)
            // ...and reads nothing: not the API, not the agent routes.
            #expect(try await client.call(.get, "/api/v1/devices/\(a.id)/state", token: a.token).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: a.token).status == .unauthorized)
            #expect(try await client.call(.get, "/agent/v1/heartbeats", token: a.token).status != .ok)
            // Another collectivité does not see the device's telemetry.
            #expect(try await client.call(.get, "/api/v1/devices/\(a.id)/state", token: world.corseToken).status == .notFound)
            // Revoking the agent locks the device out at once on this node.
            #expect(try await client.call(.post, "/api/v1/devices/\(a.id)/agent/revoke", token: world.collegeStaffToken).status == .noContent)
            #expect(try await Self.send(client, a.token, Self.heartbeat(6)).status == .unauthorized)
            // So does deleting the device, though its credential was cached by the heartbeat just before.
            #expect(try await Self.send(client, b.token, Self.heartbeat(1)).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/devices/\(b.id)", token: world.collegeStaffToken).status == .noContent)
            #expect(try await Self.send(client, b.token, Self.heartbeat(2)).status == .unauthorized)
            // Operators see it: accepted, duplicate and rejected heartbeats, with bounded labels.
            let metrics = String(buffer: try await client.call(.get, "/metrics", token: nil).body)
            let label = #"backend="\#(backend.rawValue)""#
            #expect(metrics.contains("parc_heartbeats_accepted_total{\(label)} 11"))
            #expect(metrics.contains("parc_heartbeats_duplicate_total{\(label)} 5"))
            #expect(metrics.contains("parc_heartbeats_rejected_total{\(label),reason=\"unauthenticated\"}"))
            #expect(metrics.contains(#"route="POST /agent/v1/heartbeats""#) && !metrics.contains(a.id))
        }
    }

    @Test func badBodiesAreRefusedAndStoreNothing() async throws {
        try await withApp(.sqlite, ["ingest.maxBodyBytes": "16384", "ingest.maxDecompressedBytes": "65536"]) { client, world in
            let (secret, _) = try await Self.enrollmentToken(client, world)
            let a = try Self.device(try await Self.enroll(client, token: secret, serial: "A1"))
            let malformed = try await Self.send(client, a.token, #"[{"seq": 1, "observed_at": "#)
            #expect(malformed.status == .badRequest && malformed.errorCode == "malformed_request")
            let invalid = try await Self.send(client, a.token, "[" + Self.heartbeat(1) + "," + Self.heartbeat(2, battery: 140) + "]")
            #expect(invalid.status == .unprocessableContent && invalid.errorFields == ["[1].battery.level_percent"])
            let big = "[" + (1...80).map { Self.heartbeat($0) }.joined(separator: ",") + "]"
            #expect(try await Self.send(client, a.token, big).status == .contentTooLarge)
            // A gzip bomb: about 10 KB on the wire, 10 MB inflated.
            var zeros = ByteBuffer(repeating: 0x20, count: 10 << 20)
            let bomb = try zeros.compress(with: .gzip())
            #expect(bomb.readableBytes < 16384)
            let bombed = try await client.execute(
                uri: "/agent/v1/heartbeats", method: .post,
                headers: [.authorization: "Bearer \(a.token)", .contentType: "application/json", .contentEncoding: "gzip"], body: bomb)
            #expect(bombed.status == .contentTooLarge)
            let garbage = try await Self.send(client, a.token, "not gzip at all", headers: [.contentEncoding: "gzip"])
            #expect(garbage.status == .badRequest)
            #expect(try await Self.send(client, a.token, Self.heartbeat(1), headers: [.contentEncoding: "br"]).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/devices/\(a.id)/state", token: world.collegeStaffToken).status == .notFound)
            // A well-formed gzip body goes through.
            var text = ByteBuffer(string: "[" + Self.heartbeat(1) + "]")
            let zipped = try text.compress(with: .gzip())
            let ok = try await client.execute(
                uri: "/agent/v1/heartbeats", method: .post,
                headers: [.authorization: "Bearer \(a.token)", .contentType: "application/json", .contentEncoding: "gzip"], body: zipped)
            #expect(ok.status == .ok, "\(String(buffer: ok.body))")
            #expect(try await Self.send(client, "pdev_unknown", Self.heartbeat(2)).status == .unauthorized)
            #expect(try await Self.send(client, world.admin, Self.heartbeat(2)).status == .unauthorized)
        }
    }

    @Test func aClosedPipelineAnswers503WithRetryAfter() async throws {
        try await withApp { client, world in
            let (secret, _) = try await Self.enrollmentToken(client, world)
            let a = try Self.device(try await Self.enroll(client, token: secret, serial: "A1"))
            world.parc.pipeline.close()
            let refused = try await Self.send(client, a.token, Self.heartbeat(1))
            #expect(refused.status == .serviceUnavailable && refused.headers[.retryAfter] != nil)
            #expect(try await client.call(.get, "/api/v1/devices/\(a.id)/state", token: world.collegeStaffToken).status == .notFound)
        }
    }

    /// The load generator's baseline: off by default, and when on it reads the body and stores nothing.
    @Test(arguments: [false, true])
    func theNoOpBenchmarkRouteIsServedOnlyWhenConfigured(_ enabled: Bool) async throws {
        try await withApp(.sqlite, ["http.benchmarkRoutes": "\(enabled)"]) { client, world in
            let (secret, _) = try await Self.enrollmentToken(client, world)
            let a = try Self.device(try await Self.enroll(client, token: secret, serial: "A1"))
            let noop = try await client.execute(
                uri: "/bench/noop", method: .post, headers: [.authorization: "Bearer \(a.token)", .contentType: "application/json"],
                body: ByteBuffer(string: Self.heartbeat(1)))
            #expect(noop.status == (enabled ? .ok : .notFound))
            #expect(try await client.call(.get, "/api/v1/devices/\(a.id)/state", token: world.collegeStaffToken).status == .notFound)
        }
    }

    @Test(arguments: Backend.allCases)
    func presenceSignalCartsAndBandwidthAreDerivedFromReports(_ backend: Backend) async throws {
        try await withApp(backend) { client, world in
            let staff = world.collegeStaffToken
            let room = try await client.create(
                "rooms", ["establishment_id": world.college.uuidString, "name": "Salle 12", "kind": "classroom", "teaching": true], token: staff)
            let ap = try await client.create(
                "access-points",
                [
                    "establishment_id": world.college.uuidString, "room_id": room.uuidString, "name": "AP-12", "bands": ["2.4", "5"], "poe": true,
                    "switchable": true,
                ],
                token: staff)
            let bad = try await client.call(.put, "/api/v1/access-points/\(ap)/bssids", json: ["bssids": ["zz"]], token: staff)
            #expect(bad.status == .unprocessableContent && bad.errorFields == ["bssids[0]"])
            let set = try await client.call(.put, "/api/v1/access-points/\(ap)/bssids", json: ["bssids": ["AA-BB-CC-00-00-01"]], token: staff)
            #expect(set.status == .ok && (set.json["bssids"] as? [String]) == ["aa:bb:cc:00:00:01"])
            let cart = try await client.create(
                "mobile-carts",
                ["establishment_id": world.college.uuidString, "name": "Chariot 1", "capacity": 16, "access_point_id": ap.uuidString],
                token: staff)
            let (secret, _) = try await Self.enrollmentToken(client, world)
            var tablets: [(id: String, token: String)] = []
            for n in 0..<3 {
                let d = try Self.device(try await Self.enroll(client, token: secret, serial: "T\(n)"))
                let patched = try await client.call(.patch, "/api/v1/devices/\(d.id)", json: ["cart_id": cart.uuidString], token: staff)
                #expect(patched.status == .ok, "\(String(buffer: patched.body))")
                tablets.append(d)
            }
            // Two tablets report from the cart's access point; the third was never switched on.
            #expect(try await Self.send(client, tablets[0].token, Self.heartbeat(1, rssi: -58, down: 40)).status == .ok)
            #expect(try await Self.send(client, tablets[1].token, Self.heartbeat(1, rssi: -66, cart: cart, down: 60)).status == .ok)
            let completeness = try await client.call(.get, "/api/v1/mobile-carts/\(cart)/completeness", token: staff)
            #expect(completeness.json["expected"] as? Int == 3 && completeness.json["present"] as? Int == 2)
            #expect(((completeness.json["missing"] as? [[String: Any]])?.first?["device_id"] as? String) == tablets[2].id)
            let presence = try await client.call(.get, "/api/v1/establishments/\(world.college)/presence", token: staff)
            #expect((presence.json["counts"] as? [String: Int])?["online"] == 2 && (presence.json["counts"] as? [String: Int])?["never_seen"] == 1)
            let signal = try await client.call(.get, "/api/v1/establishments/\(world.college)/wifi-signal", token: staff)
            let rooms = try #require(signal.json["rooms"] as? [[String: Any]])
            #expect(rooms.count == 1 && rooms[0]["rssi_average"] as? Double == -62 && rooms[0]["measured_coverage"] as? String == "covered")
            let applied = try await client.call(.post, "/api/v1/establishments/\(world.college)/wifi-signal/apply", token: staff)
            #expect(applied.status == .ok)
            let updated = try await client.call(.get, "/api/v1/rooms/\(room)", token: staff)
            #expect(updated.json["wifi_coverage"] as? String == "covered" && updated.json["coverage_source"] as? String == "measured")
            let bandwidth = try await client.call(.get, "/api/v1/establishments/\(world.college)/measured-bandwidth", token: staff)
            #expect((bandwidth.json["down_mbps"] as? [String: Any])?["average"] as? Double == 50)
            #expect((bandwidth.json["down_mbps"] as? [String: Any])?["count"] as? Int == 2)
            // The check-in interval is the establishment's, with jitter around it.
            let settings = try await client.call(
                .put, "/api/v1/establishments/\(world.college)/agent-settings", json: ["checkin_interval_seconds": 900], token: staff)
            #expect(settings.status == .ok)
            let next = try await Self.send(client, tablets[0].token, Self.heartbeat(2))
            #expect((720...1080).contains(next.json["next_checkin_seconds"] as? Int ?? 0))
            let tooShort = try await client.call(
                .put, "/api/v1/establishments/\(world.college)/agent-settings", json: ["checkin_interval_seconds": 5], token: staff)
            #expect(tooShort.status == .unprocessableContent && tooShort.errorFields == ["checkin_interval_seconds"])
            // A transfer by CSV import reaches the node's cached credential as a PATCH does: the next answer has the
            // interval of the new establishment (the lycée keeps the default, 300 s with jitter).
            let loose = try Self.device(try await Self.enroll(client, token: secret, serial: "T9"))
            #expect((720...1080).contains(try await Self.send(client, loose.token, Self.heartbeat(1)).json["next_checkin_seconds"] as? Int ?? 0))
            let csv = "manufacturer,serial_number,model,uai\nLenovo,T9,ThinkPad 11e,6200001G\n"
            let imported = try await client.call(.post, "/api/v1/import/devices", raw: csv, token: world.admin, headers: [.contentType: "text/csv"])
            #expect(imported.status == .ok && imported.json["updated"] as? Int == 1, "\(String(buffer: imported.body))")
            #expect((240...360).contains(try await Self.send(client, loose.token, Self.heartbeat(2)).json["next_checkin_seconds"] as? Int ?? 0))
        }
    }

    /// `serve`'s first start on an empty database: migrations, the demo territory and the first token.
    @Test func theDemoTerritoryLoadsOnAFreshDatabase() async throws {
        let configuration = try testConfiguration(.sqlite, ["demo.load": "true"])
        let parc = try ParcApplication(configuration: configuration, logger: .quietForTests)
        let startup = try await parc.prepare()
        #expect(startup.bootstrapToken != nil)
        #expect(startup.demo?.establishments == 67 && startup.demo?.devices == 3891)
        // The demo's maintenance: tickets at various stages, in the technicians' queues, with their contract's clocks.
        #expect(startup.demo?.tickets == 6)
        let open = try await parc.storage.tickets.queue(in: .all, assigneeID: nil, limit: 50)
        #expect(open.count == 5)
        #expect(open.allSatisfy { $0.sla != nil && $0.assigneeID != nil })
        #expect(open.contains { $0.level == 3 && $0.supplierCase?.rmaNumber == "RMA-974-1182" && $0.status == .pending })
    }
}

/// A settable clock for expiry tests.
final class MutableClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// The stored form of every token: what `hash` returns must be the standard SHA-256, whichever string type holds the
/// token (the heartbeat path hashes a slice of the Authorization header).
@Suite struct TokenHashTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func hashIsLowerCaseHexSHA256(_ token: String, _ expected: String) {
        #expect(TokenMinting.hash(token) == expected)
        let header = "Bearer \(token)  "
        #expect(TokenMinting.hash(header.dropFirst(7).dropLast(2)) == expected)
    }
}
