import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import ParcCore
import ParcServer
import ParcStore

/// `parc loadgen`: simulated devices against a running server, loopback only, bounded in time and requests.
/// With `--baseline` it first measures the no-op route of the same server, so the figures compare side by side
/// in one run; with `--check` it then reads the store and verifies that every acknowledged heartbeat is there.
struct LoadGen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Send heartbeats from simulated devices to a local server and report throughput, latency, and what was stored.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Server base URL; only loopback addresses are accepted.")
    var url = "http://127.0.0.1:8080"

    @Option(help: "Device tokens file written by `parc seed-agents` (one `device-id token` per line).")
    var tokens: String

    @Option(help: "Simulated devices (the first lines of the tokens file).")
    var devices = 1000

    @Option(help: "Concurrent keep-alive connections.")
    var connections = 64

    @Option(help: "Heartbeats per request (1 sends a single JSON object).")
    var batch = 1

    @Option(help: "Seconds of load per phase, after the ramp-up.")
    var duration = 20.0

    @Option(help: "Seconds over which connections start, like agents waking up.")
    var rampUp = 1.0

    @Option(help: "Stop each phase after this many requests.")
    var maxRequests: Int?

    @Option(help: "Seed of the generated values.")
    var seed: UInt64 = 1

    @Flag(
        help:
            "First measure the no-op routes the same way — GET /health, and POST /bench/noop with the heartbeat requests (serve --benchmark-routes) — and report the ratios."
    )
    var baseline = false

    @Flag(
        help:
            "Before the measured heartbeat phase, each device sends one request, acknowledged and checked but not measured: the steady state of a fleet that has checked in before, whose tokens the server has cached."
    )
    var warmup = false

    @Flag(help: "Send gzip-compressed bodies.")
    var gzip = false

    @Flag(help: "Afterwards, read the store (same configuration as serve) and check every acknowledged heartbeat is stored.")
    var check = false

    func validate() throws {
        guard let host = URL(string: url)?.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            throw ValidationError("--url must be a loopback address: load is only ever sent to this machine")
        }
        guard (1...1024).contains(connections), (1...1000).contains(batch), duration > 0, duration <= 3600, devices >= 1 else {
            throw ValidationError("connections 1–1024, batch 1–1000, duration up to 3600 s, at least one device")
        }
    }

    func run() async throws {
        let simulated = try readDevices()
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let engine = LoadEngine(
                client: client, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, connections: connections,
                duration: .milliseconds(Int(duration * 1000)), rampUp: .milliseconds(Int(rampUp * 1000)), maxRequests: maxRequests)
            say(
                "parc loadgen: \(simulated.count) devices, \(connections) connections, batch \(batch)\(gzip ? " (gzip)" : ""), \(duration) s per phase"
            )
            say("phase                 requests   req/s      heartbeats/s  p50 ms  p90 ms  p99 ms  max ms  statuses")
            var baselines: [(String, LoadEngine.Outcome)] = []
            if baseline {
                let health = try await engine.baseline()
                report("GET /health", health)
                baselines.append(("GET /health", health))
                // The same requests (bodies, headers, connections) to a route that reads them and does nothing: the
                // ratio then isolates what ingest costs — authentication, decoding, the durable commit.
                let (noop, _) = try await engine.heartbeats(devices: simulated, batch: batch, gzip: gzip, seed: seed, path: "/bench/noop")
                if noop.statuses[404, default: 0] > 0 {
                    say("POST /bench/noop is not served: start the server with --benchmark-routes to measure it")
                } else {
                    report("POST /bench/noop", noop)
                    baselines.append(("POST /bench/noop", noop))
                }
            }
            var devices = simulated
            if warmup {
                // Not cut by --duration (a large fleet takes longer), but still bounded: one request per device.
                let once = LoadEngine(
                    client: client, baseURL: engine.baseURL, connections: connections, duration: .seconds(600), rampUp: .zero, maxRequests: nil)
                let (warm, after) = try await once.heartbeats(devices: devices, batch: batch, gzip: gzip, seed: seed, rounds: 1)
                report("warm-up (unmeasured)", warm)
                devices = after
            }
            let (outcome, after) = try await engine.heartbeats(devices: devices, batch: batch, gzip: gzip, seed: seed)
            report("POST heartbeats", outcome)
            for (name, noop) in baselines {
                say("ratio heartbeat req/s ÷ \(name) req/s: " + String(format: "%.1f %%", outcome.requestsPerSecond / noop.requestsPerSecond * 100))
            }
            if let rss = try? await residentMemory(client) { say(String(format: "server resident memory: %.0f MB", Double(rss) / 1_048_576)) }
            try await client.shutdown()
            if check { try await verify(after) }
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func readDevices() throws -> [SimulatedDevice] {
        let text = try String(contentsOfFile: tokens, encoding: .utf8)
        // Sequence numbers continue across runs: each run starts above anything an earlier run sent.
        let firstSeq = Int64(Date().timeIntervalSince1970) * 1_000_000
        var result: [SimulatedDevice] = []
        for line in text.split(separator: "\n").prefix(devices) {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let id = UUID(uuidString: String(parts[0])) else { throw ValidationError("bad line in \(tokens): \(line)") }
            result.append(SimulatedDevice(deviceID: id, token: String(parts[1]), firstSeq: firstSeq, nextSeq: firstSeq, acknowledged: 0))
        }
        guard result.count == devices else { throw ValidationError("\(tokens) holds \(result.count) devices, fewer than --devices \(devices)") }
        return result
    }

    func report(_ name: String, _ o: LoadEngine.Outcome) {
        let statuses =
            o.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            + (o.failures > 0 ? " transport-errors×\(o.failures)" : "")
        say(
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(
                    format: "%-10d %-10.0f %-13.0f %-7.2f %-7.2f %-7.2f %-7.2f ", o.requests, o.requestsPerSecond, o.heartbeatsPerSecond,
                    o.millis(50), o.millis(90), o.millis(99), o.maxMillis) + statuses)
    }

    func residentMemory(_ client: HTTPClient) async throws -> Int? {
        let response = try await client.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 4 << 20))
        for line in text.split(separator: "\n") where line.hasPrefix("parc_process_resident_memory_bytes") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return Int(value) }
        }
        return nil
    }

    /// Every acknowledged heartbeat must be stored. Stored but unacknowledged ones (a response lost to a timeout)
    /// are allowed and reported: the agent resends them and they are stored once.
    func verify(_ devices: [SimulatedDevice]) async throws {
        let configuration = try ParcConfiguration(reader: try await options.reader(extra: ["demo.load": "false"]))
        let app = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
        let (missing, extra, acknowledged) = try await withStorageRunning(app) {
            let telemetry = app.storage.telemetry
            let keys = try await telemetry.deviceKeys(deviceIDs: devices.map(\.deviceID))
            let counts = try await telemetry.heartbeatCounts(deviceKeys: Array(keys.values), fromSeq: devices.first?.firstSeq ?? 0)
            var missing = 0
            var extra = 0
            for device in devices {
                let stored = keys[device.deviceID].flatMap { counts[$0] } ?? (0, 0)
                let acknowledgedEnd = device.firstSeq + Int64(device.acknowledged)
                let beyond = stored.count > 0 && stored.maxSeq >= acknowledgedEnd ? Int(stored.maxSeq - acknowledgedEnd + 1) : 0
                missing += max(0, device.acknowledged - (stored.count - beyond))
                extra += beyond
            }
            return (missing, extra, devices.reduce(0) { $0 + $1.acknowledged })
        }
        say("check: \(acknowledged) heartbeats acknowledged, \(missing) missing from the store, \(extra) stored but not acknowledged")
        if missing > 0 { throw ExitCode.failure }
    }
}
