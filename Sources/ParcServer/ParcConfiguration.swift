public import Configuration
import Foundation
public import ParcCore
public import ParcStore

/// Everything `parc serve` reads, each key documented once here and in `Config/parc.example.yaml`.
///
/// Configuration keys:
/// - `http.host` (default `127.0.0.1`), `http.port` (default 8080), `http.serverName` (default `parc`).
/// - `log.level` (default `info`): trace, debug, info, notice, warning, error, critical.
/// - `store.*`: see `StoreConfiguration`.
/// - `inventory.path` (default `Inventory`): the reference and demo data folder.
/// - `demo.load` (bool, default true): load the demo territory when the database has no establishment yet.
/// - `demo.territory` (default `reunion`): the folder under `Inventory/demo/`.
/// - `readiness.mbpsPerActiveDevice` (default 1.0), `readiness.devicesPerAccessPoint` (default 30),
///   `readiness.concurrentShare` (default 0.5), `readiness.measurementWindowDays` (default 30).
public struct ParcConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var serverName: String
    public var logLevel: String
    public var store: StoreConfiguration
    public var inventoryPath: String
    public var loadDemo: Bool
    public var demoTerritory: String
    public var readiness: ReadinessParameters

    public init(reader: ConfigReader) throws {
        host = reader.checkedString("http.host", default: "127.0.0.1")
        port = try reader.checkedInt("http.port", default: 8080, in: 0...65535)
        serverName = reader.checkedString("http.serverName", default: "parc")
        logLevel = reader.checkedString("log.level", default: "info")
        store = try StoreConfiguration(reader: reader.scoped(to: "store"))
        inventoryPath = reader.checkedString("inventory.path", default: "Inventory")
        loadDemo = try reader.checkedBool("demo.load", default: true)
        demoTerritory = reader.checkedString("demo.territory", default: "reunion")
        readiness = ReadinessParameters(
            mbpsPerActiveDevice: try reader.checkedDouble("readiness.mbpsPerActiveDevice", default: 1.0, in: 0.01...1000),
            devicesPerAccessPoint: try reader.checkedInt("readiness.devicesPerAccessPoint", default: 30, in: 1...1000),
            concurrentShare: try reader.checkedDouble("readiness.concurrentShare", default: 0.5, in: 0.01...1),
            measurementWindowDays: try reader.checkedInt("readiness.measurementWindowDays", default: 30, in: 1...3650))
    }

    /// Every key this type reads, for the test that checks the example file documents them all.
    public static let documentedKeys = [
        "http.host", "http.port", "http.serverName", "log.level", "store.backend", "store.sqlite.directory", "store.sqlite.synchronous",
        "store.postgres.host", "store.postgres.port", "store.postgres.user", "store.postgres.password", "store.postgres.database",
        "store.postgres.socket", "store.postgres.maxConnections", "store.migrate", "inventory.path", "demo.load", "demo.territory",
        "readiness.mbpsPerActiveDevice", "readiness.devicesPerAccessPoint", "readiness.concurrentShare", "readiness.measurementWindowDays",
    ]
}
