import Foundation
import Metrics
public import Prometheus
import Synchronization

/// The Prometheus registry behind `/metrics`. Metrics are created through swift-metrics with an explicit
/// factory rather than the process-wide bootstrap, so each application (and each test) has its own registry.
/// Labels are bounded on purpose: route templates, status codes, reasons, backend — never a device or token.
public struct ParcMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    public let ingest: IngestMetrics
    let residentMemory: Metrics.Gauge
    let requestCounters = SharedCounters()

    public init(backend: String) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["parc_ingest_batch_heartbeats"] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000]
        factory.durationHistogramBuckets["parc_ingest_commit_seconds"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(1000),
        ]
        self.factory = factory
        ingest = IngestMetrics(factory: factory, backend: backend)
        residentMemory = Metrics.Gauge(label: "parc_process_resident_memory_bytes", factory: factory)
    }

    /// Counts one answered request by route template and status. Counters are kept, not looked up in the
    /// registry each time: this runs on every heartbeat.
    func request(route: String, status: Int) {
        requestCounters.counter(RequestKey(route: route, status: status)) {
            Metrics.Counter(label: "parc_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
        }.increment()
    }

    struct RequestKey: Hashable {
        var route: String
        var status: Int
    }

    /// The exposition text; the resident set size is read at scrape time.
    func render() -> [UInt8] {
        if let rss = ProcessMemory.residentBytes() { residentMemory.record(rss) }
        return registry.emitToBuffer()
    }
}

/// What operators watch on the heartbeat path.
public struct IngestMetrics: Sendable {
    public enum Rejection: String, Sendable, CaseIterable {
        case malformed, invalid, unauthenticated, tooLarge = "too_large", overloaded, shuttingDown = "shutting_down"
        case storeFailure = "store_failure"
    }

    let accepted: Metrics.Counter
    let duplicates: Metrics.Counter
    let rejections: [Rejection: Metrics.Counter]
    let queueDepth: Metrics.Gauge
    let batchSize: Metrics.Recorder
    let commitLatency: Metrics.Timer

    init(factory: PrometheusMetricsFactory, backend: String) {
        let b = [("backend", backend)]
        accepted = Metrics.Counter(label: "parc_heartbeats_accepted_total", dimensions: b, factory: factory)
        duplicates = Metrics.Counter(label: "parc_heartbeats_duplicate_total", dimensions: b, factory: factory)
        var rejections: [Rejection: Metrics.Counter] = [:]
        for reason in Rejection.allCases {
            rejections[reason] = Metrics.Counter(
                label: "parc_heartbeats_rejected_total", dimensions: b + [("reason", reason.rawValue)], factory: factory)
        }
        self.rejections = rejections
        queueDepth = Metrics.Gauge(label: "parc_ingest_queue_heartbeats", dimensions: b, factory: factory)
        batchSize = Metrics.Recorder(label: "parc_ingest_batch_heartbeats", dimensions: b, aggregate: true, factory: factory)
        commitLatency = Metrics.Timer(label: "parc_ingest_commit_seconds", dimensions: b, factory: factory)
    }

    /// A detached set for tests and tools that do not scrape.
    public static func unregistered() -> IngestMetrics {
        IngestMetrics(factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()), backend: "none")
    }

    func committed(heartbeats: Int, new: Int, requests: Int, duration: Duration) {
        accepted.increment(by: Int64(heartbeats))
        if heartbeats > new { duplicates.increment(by: Int64(heartbeats - new)) }
        batchSize.record(heartbeats)
        commitLatency.recordNanoseconds(duration.nanoseconds)
    }

    func rejected(_ reason: Rejection, heartbeats: Int) {
        rejections[reason]?.increment(by: Int64(max(heartbeats, 1)))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

enum ProcessMemory {
    /// Resident set size from `/proc/self/statm` (Linux), nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// The per-route counters, shared by copies of `ParcMetrics`.
final class SharedCounters: Sendable {
    let counters = Mutex<[ParcMetrics.RequestKey: Metrics.Counter]>([:])

    func counter(_ key: ParcMetrics.RequestKey, make: () -> Metrics.Counter) -> Metrics.Counter {
        if let known = counters.withLock({ $0[key] }) { return known }
        let made = make()
        counters.withLock { $0[key] = made }
        return made
    }
}
