import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ParcCore
import ParcServer
import ParcStore
import ParcTestSupport
import Testing

/// The repository's `Inventory/` folder, found from this file so tests run from any directory.
let inventoryPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Inventory").path

/// Builds the real application through the composition root, on an in-memory SQLite database, and runs `body`
/// with a router test client and a small territory: two collectivités, each owning one establishment.
func withApp<T: Sendable>(
    _ backend: Backend = .sqlite, _ extra: [String: String] = [:], clock: MutableClock? = nil,
    _ body: @Sendable (any TestClientProtocol, World) async throws -> T
) async throws -> T {
    let postgres = backend == .postgres ? try await TestPostgres.shared.freshDatabase(logger: .quietForTests) : nil
    let configuration = try testConfiguration(backend, extra, postgres: postgres)
    let appClock = clock.map { c in AppClock(now: { c.now }) } ?? AppClock()
    let parc = try ParcApplication(configuration: configuration, clock: appClock, logger: .quietForTests)
    let startup = StartupBox()
    let app = parc.makeApplication { startup.set($0) }
    return try await app.test(.router) { client in
        let admin = try #require(startup.token)
        let world = try await World.make(client: client, admin: admin, parc: parc)
        return try await body(client, world)
    }
}

/// The configuration `serve` would read, for an in-memory SQLite database or a given PostgreSQL database.
func testConfiguration(_ backend: Backend, _ extra: [String: String] = [:], postgres: PostgresDatabase.Settings? = nil) throws
    -> ParcConfiguration
{
    var values: [AbsoluteConfigKey: ConfigValue] = [
        "store.backend": "sqlite", "store.sqlite.directory": ":memory:", "inventory.path": ConfigValue(.string(inventoryPath), isSecret: false),
        "demo.load": "false", "http.port": "0",
    ]
    if backend == .postgres, let settings = postgres {
        // A fresh, migrated database on the suite's throwaway server, reached the way `serve` reaches one.
        values["store.backend"] = "postgres"
        values["store.postgres.socket"] = ConfigValue(.string(settings.socketPath!), isSecret: false)
        values["store.postgres.user"] = ConfigValue(.string(settings.user), isSecret: false)
        values["store.postgres.database"] = ConfigValue(.string(settings.database), isSecret: false)
    }
    for (key, value) in extra { values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(.string(value), isSecret: false) }
    return try ParcConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
}

final class StartupBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ParcApplication.Startup?
    func set(_ startup: ParcApplication.Startup) { lock.withLock { value = startup } }
    var token: String? { lock.withLock { value?.bootstrapToken } }
}

/// Two collectivités that must never see each other's data, with a token each, an establishment each, and staff.
struct World: Sendable {
    let parc: ParcApplication
    let admin: String
    let reunion: UUID
    let corse: UUID
    let reunionToken: String
    let corseToken: String
    let college: UUID
    let lycee: UUID
    let collegeStaffToken: String
    let model: UUID

    static func make(client: any TestClientProtocol, admin: String, parc: ParcApplication) async throws -> World {
        let reunion = try await client.create(
            "collectivites", ["kind": "departement", "code": "974", "name": "Département de La Réunion", "academie_code": "28"], token: admin)
        let corse = try await client.create(
            "collectivites", ["kind": "collectivite_unique", "code": "2A", "name": "Collectivité de Corse", "academie_code": "27"], token: admin)
        let college = try await client.create(
            "establishments",
            ["uai": "9749011B", "kind": "college", "name": "Collège Bourbon", "commune": "Saint-Denis", "commune_code": "97411", "pupils": 820],
            token: admin)
        let lycee = try await client.create(
            "establishments",
            ["uai": "6200001G", "kind": "lycee_general_technologique", "name": "Lycée Fesch", "commune": "Ajaccio", "commune_code": "2A004"],
            token: admin)
        let model = try await client.create(
            "device-models",
            ["kind": "tablet", "manufacturer": "Apple", "name": "iPad 9.7 (2018)", "lifespan_months": 60, "unit_price_cents": 40900],
            token: admin)
        func token(_ body: [String: Any]) async throws -> String {
            let response = try await client.call(.post, "/api/v1/tokens", json: body, token: admin)
            #expect(response.status == .created, "POST tokens: \(String(buffer: response.body))")
            return try #require(response.json["token"] as? String)
        }
        return World(
            parc: parc, admin: admin, reunion: reunion, corse: corse,
            reunionToken: try await token(["name": "DSI collèges 974", "role": "collectivite", "collectivite_id": reunion.uuidString]),
            corseToken: try await token(["name": "DSI Corse", "role": "collectivite", "collectivite_id": corse.uuidString]), college: college,
            lycee: lycee,
            collegeStaffToken: try await token([
                "name": "Direction Bourbon", "role": "establishment_staff", "establishment_ids": [college.uuidString],
            ]),
            model: model)
    }
}

extension TestResponse {
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorFields: [String] { ((json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    var errorRows: [Int] { ((json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["row"] as? Int } }
}

extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, json: Any? = nil, raw: String? = nil, token: String?, headers extra: HTTPFields = [:])
        async throws -> TestResponse
    {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            body = ByteBuffer(string: raw)
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }

    /// POSTs a JSON object to a collection and returns the new object's id, failing the test on anything but 201.
    func create(_ collection: String, _ object: [String: Any], token: String) async throws -> UUID {
        let response = try await call(.post, "/api/v1/\(collection)", json: object, token: token)
        #expect(response.status == .created, "POST \(collection): \(String(buffer: response.body))")
        return try #require(UUID(uuidString: response.json["id"] as? String ?? ""))
    }
}
