import ArgumentParser
import Foundation
import ParcCore
import ParcServer
import ParcStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `parc bench-inventory`: seeds a synthetic territory (by default 1 000 000 devices in 10 000 establishments) into
/// an embedded SQLite database, runs the real server on 127.0.0.1, and measures the latency of the device list
/// (by establishment, by collectivité, following cursors) and of readiness, beside `/health` as the baseline of
/// the same server in the same run. Traffic goes to loopback only and stops after `--requests` per scenario.
struct BenchInventory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-inventory", abstract: "Benchmark the inventory API on a large synthetic fleet (loopback only).")

    @Option(help: "Devices to seed.")
    var devices = 1_000_000

    @Option(help: "Establishments to seed.")
    var establishments = 10_000

    @Option(help: "Requests per scenario.")
    var requests = 2_000

    @Option(help: "Folder of the benchmark database; reused when it already holds the same fleet.")
    var data = "/tmp/parc-bench-inventory"

    @Option(help: "Inventory folder (for the département reference table).")
    var inventory = "Inventory"

    @Option(help: "Seed of the random choices.")
    var seed: UInt64 = 42

    func run() async throws {
        let marker = URL(fileURLWithPath: data).appendingPathComponent("seeded-\(devices)-\(establishments)")
        if !FileManager.default.fileExists(atPath: marker.path) {
            try? FileManager.default.removeItem(atPath: data)
        }
        let parc = try BenchServer.application(data: data, inventory: inventory)
        _ = try await parc.prepare()
        let fleet: SyntheticFleet
        if FileManager.default.fileExists(atPath: marker.path) {
            say("Reusing the fleet in \(data)")
            fleet = try await SyntheticFleet.load(parc.storage)
        } else {
            let start = ContinuousClock.now
            fleet = try await SyntheticFleet.seed(parc.storage, devices: devices, establishments: establishments)
            _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
            say("Seeded \(devices) devices in \(establishments) establishments in \(start.duration(to: .now))")
        }
        let admin = try await parc.issueToken(name: "bench admin", role: "admin", academie: nil, collectivite: nil, uais: [], expiresAt: nil)
        try await BenchServer.measure(parc, requests: requests) { base, client in
            var random = SplitMix64(seed: seed)
            var results: [(String, [Duration])] = []
            results.append(
                (
                    "devices?establishment_id=…",
                    try await client.measure(requests) { _ in
                        (base + "/api/v1/devices?limit=50&establishment_id=\(fleet.establishments.randomElement(using: &random)!)", admin)
                    }
                ))
            results.append(
                (
                    "devices?collectivite_id=… (admin)",
                    try await client.measure(requests) { _ in
                        (base + "/api/v1/devices?limit=50&collectivite_id=\(fleet.collectivites.randomElement(using: &random)!)", admin)
                    }
                ))
            // A collectivité's own token: the scope alone filters; follow next_cursor for five pages.
            var scoped: [Duration] = []
            for _ in 0..<max(1, requests / 5) {
                let owner = fleet.collectivites.randomElement(using: &random)!
                let token = try await parc.issueToken(
                    name: "bench collectivité", role: "collectivite", academie: nil, collectivite: fleet.references[owner]!, uais: [], expiresAt: nil)
                var cursor: String?
                for _ in 0..<5 {
                    let url = base + "/api/v1/devices?limit=50" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let (elapsed, body) = try await client.timed(url, token: token)
                    scoped.append(elapsed)
                    cursor = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["next_cursor"] as? String
                    if cursor == nil { break }
                }
            }
            results.append(("devices, collectivité token, 5 pages", scoped))
            results.append(
                (
                    "establishments/…/readiness",
                    try await client.measure(requests) { _ in
                        (base + "/api/v1/establishments/\(fleet.establishments.randomElement(using: &random)!)/readiness", admin)
                    }
                ))
            return results
        }
    }
}

/// Sequential HTTP requests over one URLSession: latency, not throughput.
final class BenchClient: Sendable {
    let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 1
        return URLSession(configuration: configuration)
    }()

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// A GET, or a POST of `body` as JSON.
    func get(_ url: String, token: String?, body: Data? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            throw Failed(description: "\(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0): \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    func timed(_ url: String, token: String?, body: Data? = nil) async throws -> (Duration, Data) {
        let start = ContinuousClock.now
        let data = try await get(url, token: token, body: body)
        return (start.duration(to: .now), data)
    }

    func measure(_ count: Int, _ next: (Int) -> (String, String?)) async throws -> [Duration] {
        var samples: [Duration] = []
        samples.reserveCapacity(count)
        for i in 0..<count {
            let (url, token) = next(i)
            samples.append(try await timed(url, token: token).0)
        }
        return samples
    }
}

/// A small, seedable generator, so two runs pick the same establishments.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
