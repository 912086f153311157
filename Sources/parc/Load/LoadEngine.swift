import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import NIOHTTP1
import ParcCore
import Synchronization

/// One simulated device: its token and the sequence numbers it has used and had acknowledged.
struct SimulatedDevice: Sendable {
    var deviceID: UUID
    var token: String
    var firstSeq: Int64
    var nextSeq: Int64
    var acknowledged: Int
}

/// Drives load at a Parc server over HTTP/1.1 keep-alive connections (AsyncHTTPClient on SwiftNIO: URLSession
/// tops out far below what the server takes). Each connection's worker owns a disjoint set of devices, so one
/// device's heartbeats go out in sequence order like a real agent's, and a refused batch is resent with the
/// same sequence numbers.
struct LoadEngine: Sendable {
    let client: HTTPClient
    let baseURL: String
    let connections: Int
    let duration: Duration
    let rampUp: Duration
    let maxRequests: Int?

    struct Outcome: Sendable {
        var requests = 0
        var acknowledgedHeartbeats = 0
        var statuses: [Int: Int] = [:]
        var failures = 0
        var latencyMicros = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var elapsed: Duration = .zero

        mutating func merge(_ other: Outcome) {
            requests += other.requests
            acknowledgedHeartbeats += other.acknowledgedHeartbeats
            failures += other.failures
            for (status, n) in other.statuses { statuses[status, default: 0] += n }
            latencyMicros.add(other.latencyMicros)
        }

        var seconds: Double { Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 }
        var requestsPerSecond: Double { Double(requests) / max(seconds, 1e-9) }
        var heartbeatsPerSecond: Double { Double(acknowledgedHeartbeats) / max(seconds, 1e-9) }

        func millis(_ percentile: Double) -> Double { Double(latencyMicros.valueAtPercentile(percentile)) / 1000 }
        var maxMillis: Double { Double(latencyMicros.max) / 1000 }
    }

    /// The no-op baseline: `GET /health` on every connection, for the same time.
    func baseline() async throws -> Outcome {
        let url = baseURL + "/health"
        return try await drive(workers: connections) { _, outcome in
            let started = ContinuousClock.now
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 16)
            outcome.record(status: Int(response.status.code), since: started, heartbeats: 0)
            return true
        }.outcome
    }

    /// Heartbeats: `batch` per request, JSON (optionally gzip). Returns the devices with what was acknowledged.
    /// `path` is the heartbeat route, or the no-op route that receives the very same requests as a baseline.
    /// With `rounds`, each device sends that many requests and the phase ends (or at the deadline, if sooner).
    func heartbeats(
        devices: [SimulatedDevice], batch: Int, gzip: Bool, seed: UInt64, path: String = "/agent/v1/heartbeats", rounds: Int? = nil
    ) async throws -> (Outcome, [SimulatedDevice]) {
        let url = baseURL + path
        let workers = min(connections, devices.count)
        let shares = (0..<workers).map { w in DeviceShare(Array(stride(from: w, to: devices.count, by: workers).map { devices[$0] })) }
        var generator = SplitMix64(seed: seed)
        let variants = HeartbeatBodies.variants(64, now: Date(), generator: &generator)
        let (outcome, _) = try await drive(workers: workers) { worker, outcome in
            let share = shares[worker]
            let owned = share.devices.withLock { $0.count }
            if let rounds, outcome.requests >= rounds * owned { return false }
            let index = outcome.requests % owned
            let device = share.devices.withLock { $0[index] }
            let body = HeartbeatBodies.json(seq: device.nextSeq, count: batch, variants: variants)
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(device.token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            if gzip {
                request.headers.add(name: "Content-Encoding", value: "gzip")
                request.body = .bytes(try HeartbeatBodies.gzip(body))
            } else {
                request.body = .bytes(ByteBuffer(string: body))
            }
            let started = ContinuousClock.now
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 16)
            let ok = response.status == .ok
            if ok {
                share.devices.withLock {
                    $0[index].nextSeq += Int64(batch)
                    $0[index].acknowledged += batch
                }
            }
            outcome.record(status: Int(response.status.code), since: started, heartbeats: ok ? batch : 0)
            return true
        }
        return (outcome, shares.flatMap { $0.devices.withLock { $0 } })
    }

    /// Runs `workers` loops, started evenly over the ramp-up, until the duration (after ramp-up) or the request
    /// budget is spent, or `step` says the worker is done (false). A transport error counts as a failure and the
    /// worker goes on.
    func drive(workers: Int, _ step: @escaping @Sendable (Int, inout Outcome) async throws -> Bool) async throws -> (outcome: Outcome, Void) {
        let budget = RequestBudget(maxRequests ?? .max)
        let start = ContinuousClock.now
        let deadline = start + rampUp + duration
        let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for w in 0..<workers {
                let delay = rampUp * (Double(w) / Double(max(workers, 1)))
                group.addTask {
                    try await Task.sleep(until: start + delay)
                    var mine = Outcome()
                    while ContinuousClock.now < deadline, budget.take() {
                        do {
                            guard try await step(w, &mine) else { break }
                        } catch {
                            mine.failures += 1
                            mine.requests += 1
                        }
                    }
                    return mine
                }
            }
            var total = Outcome()
            for try await part in group { total.merge(part) }
            return total
        }
        var result = outcome
        // From the first request, ramp-up included: rates are slightly understated, never inflated.
        result.elapsed = ContinuousClock.now - start
        return (result, ())
    }
}

extension LoadEngine.Outcome {
    mutating func record(status: Int, since started: ContinuousClock.Instant, heartbeats: Int) {
        let micros = (ContinuousClock.now - started).components
        _ = latencyMicros.record(UInt64(max(0, micros.seconds * 1_000_000 + micros.attoseconds / 1_000_000_000_000)))
        requests += 1
        statuses[status, default: 0] += 1
        acknowledgedHeartbeats += heartbeats
    }
}

/// The devices one worker owns; a class because `Mutex` cannot be copied into an array.
final class DeviceShare: Sendable {
    let devices: Mutex<[SimulatedDevice]>

    init(_ devices: [SimulatedDevice]) { self.devices = Mutex(devices) }
}

/// Requests left in a phase, shared by its workers.
final class RequestBudget: Sendable {
    let remaining: Atomic<Int>

    init(_ requests: Int) { remaining = Atomic(requests) }

    func take() -> Bool { remaining.subtract(1, ordering: .relaxed).newValue >= 0 }
}
