import Foundation

/// How the agent is set up, mostly from the command line.
struct AgentConfiguration: Sendable {
    var serverURL: URL
    /// Needed at first run, and again should the server stop accepting the device token.
    var enrollmentToken: String?
    var stateFilePath: String
    var outboxPath: String
    /// Overrides the server's check-in interval when set (demos, tests); otherwise the server decides.
    var intervalOverride: Int?
    var agentVersion = AgentAPI.agentVersion
    var deviceKind = "laptop"
    var outboxCapacity = 10_000
    var batchSize = 100

    init(serverURL: URL, enrollmentToken: String?, stateFilePath: String, intervalOverride: Int? = nil) {
        self.serverURL = serverURL
        self.enrollmentToken = enrollmentToken
        self.stateFilePath = stateFilePath
        self.outboxPath = stateFilePath + ".outbox.jsonl"
        self.intervalOverride = intervalOverride
    }
}

/// Everything the loop touches outside itself, injected so a test can drive it with a fake server and clock.
struct AgentEnvironment: Sendable {
    var transport: any AgentTransport
    var identity: @Sendable () -> SystemProbe.HardwareIdentity
    var snapshot: @Sendable () -> SystemProbe.Snapshot
    var now: @Sendable () -> Date
    var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform in [0, 1): the jitter source.
    var random: @Sendable () -> Double
    var log: @Sendable (String) -> Void

    static func live(configuration: AgentConfiguration, probe: SystemProbe = SystemProbe(), log: @escaping @Sendable (String) -> Void)
        -> AgentEnvironment
    {
        AgentEnvironment(
            transport: AgentClient(serverURL: configuration.serverURL, agentVersion: configuration.agentVersion),
            identity: { probe.identity() }, snapshot: { probe.snapshot() }, now: { Date() },
            sleep: { try await Task.sleep(for: $0) }, random: { Double.random(in: 0..<1) }, log: log)
    }
}

enum AgentError: Error, CustomStringConvertible {
    case enrollmentTokenRequired
    case enrollmentRejected(status: Int, message: String)
    case serverUnavailable(String)

    var description: String {
        switch self {
        case .enrollmentTokenRequired: "not enrolled (or the device token was refused) and no enrollment token was given"
        case .enrollmentRejected(let status, let message): "enrollment refused (HTTP \(status)): \(message)"
        case .serverUnavailable(let reason): "server unavailable: \(reason)"
        }
    }
}
