import ArgumentParser
import Foundation
import Hummingbird
import ParcServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API. On first start with an empty database: migrate, load the demo territory, print an administrator token.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Address to listen on (http.host).")
    var host: String?

    @Option(help: "Port to listen on (http.port).")
    var port: Int?

    @Flag(help: "Apply pending migrations before serving (store.migrate).")
    var migrate = false

    @Flag(help: "Do not load the demo territory into an empty database (demo.load=false).")
    var noDemo = false

    @Flag(help: "Also serve POST /bench/noop, the no-op baseline `parc loadgen --baseline` measures (http.benchmarkRoutes).")
    var benchmarkRoutes = false

    func run() async throws {
        var extra: [String: String] = [:]
        if benchmarkRoutes { extra["http.benchmarkRoutes"] = "true" }
        if let host { extra["http.host"] = host }
        if let port { extra["http.port"] = String(port) }
        if migrate { extra["store.migrate"] = "true" }
        if noDemo { extra["demo.load"] = "false" }
        let configuration = try ParcConfiguration(reader: try await options.reader(extra: extra))
        let logger = options.logger(configuration)
        let parc = try ParcApplication(configuration: configuration, logger: logger)
        let app = parc.makeApplication { startup in
            if !startup.appliedMigrations.isEmpty { say("Applied migrations: \(startup.appliedMigrations.joined(separator: ", "))") }
            if let demo = startup.demo {
                say("Loaded the demo territory: \(demo.establishments) establishments, \(demo.devices) devices, \(demo.tickets) maintenance tickets.")
            }
            if let token = startup.bootstrapToken {
                say(
                    """

                    Administrator token (shown once, keep it):
                      \(token)
                    Try:
                      curl -H 'Authorization: Bearer \(token)' http://\(configuration.host):\(configuration.port)/api/v1/establishments

                    """)
            }
        }
        try await app.runService()
    }
}

/// Writes a line to standard output at once: `print` is block-buffered when output goes to a file or a pipe,
/// and the first administrator token must be visible as soon as it exists.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
