import ArgumentParser
import Foundation

/// `parc agent`: the reference agent for Linux laptops (see `Sources/parc/Agent`).
struct Agent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the device agent: enrol once, then send heartbeats with real battery, storage, Wi-Fi and OS values.")

    @Option(help: "Parc server base URL.")
    var server: String

    @Option(help: "Establishment enrollment token (needed on the first run only).")
    var enrollToken: String?

    @Option(help: "State file: device identity and token (mode 0600); the outbox of unsent heartbeats sits beside it.")
    var stateFile = "parc-agent.json"

    @Option(help: "Override the server's check-in interval, in seconds.")
    var interval: Int?

    @Flag(help: "Send one heartbeat (and any backlog), then exit; non-zero exit if it could not be delivered.")
    var once = false

    func run() async throws {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--server must be an http(s) URL")
        }
        let configuration = AgentConfiguration(serverURL: url, enrollmentToken: enrollToken, stateFilePath: stateFile, intervalOverride: interval)
        let environment = AgentEnvironment.live(configuration: configuration) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let loop = try AgentLoop(configuration: configuration, environment: environment)
        if once {
            guard try await loop.runOnce() else { throw ExitCode.failure }
        } else {
            try await loop.run()
        }
    }
}
