import Configuration
import Foundation
import Logging
import ParcServer
import ServiceLifecycle

/// What the `bench-*` commands share: an embedded database in a scratch folder, the real server on 127.0.0.1, a
/// warmed-up client, `/health` measured first as the baseline, and one results table.
enum BenchServer {
    static var logger: Logger {
        var logger = Logger(label: "parc.bench")
        logger.logLevel = .warning
        return logger
    }

    /// The application on SQLite in `data` (`synchronous=normal`: seeding speed, not durability, matters here).
    static func application(data: String, inventory: String) throws -> ParcApplication {
        let values: [String: String] = [
            "store.sqlite.directory": data, "inventory.path": inventory, "demo.load": "false", "http.port": "0", "log.level": "warning",
            "store.sqlite.synchronous": "normal",
        ]
        let reader = ConfigReader(
            provider: InMemoryProvider(
                values: Dictionary(
                    uniqueKeysWithValues: values.map {
                        (AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)), ConfigValue(.string($0.value), isSecret: false))
                    })))
        return try ParcApplication(configuration: try ParcConfiguration(reader: reader), logger: logger)
    }

    /// Runs the server, measures `/health` then each scenario `scenarios` returns, prints the table, shuts down.
    static func measure(
        _ parc: ParcApplication, requests: Int,
        scenarios: (_ base: String, _ client: BenchClient) async throws -> [(String, [Duration])]
    ) async throws {
        let ports = AsyncStream<Int>.makeStream()
        let app = parc.makeApplication(onListening: { ports.continuation.yield($0) })
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var portIterator = ports.stream.makeAsyncIterator()
            guard let port = await portIterator.next() else { return }
            let base = "http://127.0.0.1:\(port)"
            let client = BenchClient()
            // Warm up connections and SQLite's page cache the same way for every scenario.
            for _ in 0..<100 { _ = try await client.get(base + "/health", token: nil) }
            var results = [("GET /health (baseline)", try await client.measure(requests) { _ in (base + "/health", nil) })]
            results += try await scenarios(base, client)
            say("\n| scenario | requests | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|")
            for (name, samples) in results {
                let sorted = samples.sorted()
                func ms(_ d: Duration) -> String {
                    String(format: "%.2f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
                }
                say(
                    "| \(name) | \(sorted.count) | \(ms(sorted[sorted.count / 2])) | \(ms(sorted[min(sorted.count - 1, sorted.count * 99 / 100)])) | \(ms(sorted.last!)) |"
                )
            }
            await services.triggerGracefulShutdown()
        }
    }
}
