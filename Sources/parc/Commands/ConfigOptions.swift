import ArgumentParser
import Configuration
import Foundation
import Logging
import ParcServer
import ParcStore
import ServiceLifecycle

/// Options every command shares. Precedence: these flags > `PARC_*` environment variables > the YAML file > defaults.
struct ConfigOptions: ParsableArguments {
    @Option(help: "YAML configuration file (keys documented in Config/parc.example.yaml).")
    var config: String = "Config/parc.yaml"

    @Option(help: "Data folder of the embedded SQLite database (store.sqlite.directory).")
    var data: String?

    @Option(help: "Database backend: sqlite or postgres (store.backend).")
    var backend: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (log.level).")
    var logLevel: String?

    func reader(extra: [String: String] = [:]) async throws -> ConfigReader {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in extra {
            flags[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(.string(value), isSecret: false)
        }
        if let data { flags["store.sqlite.directory"] = ConfigValue(.string(data), isSecret: false) }
        if let backend { flags["store.backend"] = ConfigValue(.string(backend), isSecret: false) }
        if let logLevel { flags["log.level"] = ConfigValue(.string(logLevel), isSecret: false) }
        let file = try await FileProvider<YAMLSnapshot>(
            config: ConfigReader(
                provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(config), isSecret: false), "allowMissing": true])))
        return ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(secretsSpecifier: .specific(["PARC_STORE_POSTGRES_PASSWORD"])).prefixKeys(with: "parc"),
            file,
        ])
    }

    func logger(_ configuration: ParcConfiguration) -> Logger {
        var logger = Logger(label: "parc")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        return logger
    }
}

/// Runs `body` with the database services running (the PostgreSQL pool), then stops them.
func withStorageRunning<T: Sendable>(_ app: ParcApplication, _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in app.storage.services { group.addTask { try await service.run() } }
        defer { group.cancelAll() }
        return try await body()
    }
}
