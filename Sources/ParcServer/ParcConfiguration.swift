public import Configuration
import Foundation
public import ParcCore
public import ParcStore

/// Everything `parc serve` reads, each key documented once here and in `Config/parc.example.yaml`.
///
/// Configuration keys:
/// - `http.host` (default `127.0.0.1`), `http.port` (default 8080), `http.serverName` (default `parc`).
/// - `http.benchmarkRoutes` (bool, default false): serve `POST /bench/noop`, the baseline of `parc loadgen --baseline`.
/// - `log.level` (default `info`): trace, debug, info, notice, warning, error, critical.
/// - `store.*`: see `StoreConfiguration`.
/// - `inventory.path` (default `Inventory`): the reference and demo data folder.
/// - `demo.load` (bool, default true): load the demo territory when the database has no establishment yet.
/// - `demo.territory` (default `reunion`): the folder under `Inventory/demo/`.
/// - `readiness.mbpsPerActiveDevice` (default 1.0), `readiness.devicesPerAccessPoint` (default 30),
///   `readiness.concurrentShare` (default 0.5), `readiness.measurementWindowDays` (default 30).
/// - `ingest.queueCapacity` (default 50000 heartbeats waiting for a commit; beyond, 503 + Retry-After),
///   `ingest.maxBatch` (default 5000 heartbeats per commit), `ingest.postgresWriters` (default 2 concurrent commits per
///   node on PostgreSQL), `ingest.maxBodyBytes` (default 1048576),
///   `ingest.maxDecompressedBytes` (default 8388608, gzip bodies), `ingest.maxHeartbeatsPerRequest` (default 1000).
/// - `agent.checkinSeconds` (default 300), `agent.jitter` (default 0.2: ±20 %), `agent.tokenCacheSeconds`
///   (default 60: how long a revoked device token may still work on a node), `agent.tokenCacheSize` (default 200000).
/// - `presence.onlineIntervals` (default 2), `presence.offlineAfterHours` (default 24).
/// - `retention.rawDays` (default 30), `retention.dailyDays` (default 1830), `retention.intervalMinutes` (default 60).
/// - `tickets.reopenDays` (default 7), `tickets.attachments.maxBytes` (default 5242880), `tickets.attachments.maxPerTicket`
///   (default 10), `tickets.passSeconds` (default 60), `tickets.rules.intervalMinutes` (default 15),
///   `tickets.rules.linkWindowDays` (default 7), and per rule (`battery_health`, `storage_full`, `silent`, `off_cart`,
///   `slow_link`) `tickets.rules.<rule>.enabled`, `.threshold`, `.category`, `.priority`, `.onClear` (defaults in
///   `TicketRule.standard`).
/// - `indicators.snapshotIntervalMinutes` (default 60: how often today's snapshot is rewritten, by one node of the cluster),
///   `indicators.retentionDays` (default 1100, about three school years), `indicators.timeZone` (default
///   `Europe/Paris`: the time zone that decides a snapshot's day).
/// - `loans.passMinutes` (default 15: offers, reminders and the outbox, by one node), `loans.retention.loanDetailsMonths`
///   (default 4), `loans.retention.householdMonths` (default 12), `loans.retention.documentYears` (default 5),
///   `loans.retention.accessLogMonths` (default 12), `loans.photos.maxBytes` (default 5242880), `loans.photos.maxPerLoan`
///   (default 12), `loans.simExpiryWarningDays` (default 30), `loans.sender` (default `log`).
public struct ParcConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var serverName: String
    public var benchmarkRoutes: Bool
    public var logLevel: String
    public var store: StoreConfiguration
    public var inventoryPath: String
    public var loadDemo: Bool
    public var demoTerritory: String
    public var readiness: ReadinessParameters
    public var ingest: IngestSettings
    public var maintenance: MaintenanceSettings
    public var indicators: IndicatorSettings
    public var loans: LoanSettings

    public init(reader: ConfigReader) throws {
        host = reader.checkedString("http.host", default: "127.0.0.1")
        port = try reader.checkedInt("http.port", default: 8080, in: 0...65535)
        serverName = reader.checkedString("http.serverName", default: "parc")
        benchmarkRoutes = try reader.checkedBool("http.benchmarkRoutes", default: false)
        logLevel = reader.checkedString("log.level", default: "info")
        do {
            store = try StoreConfiguration(reader: reader.scoped(to: "store"))
        } catch let error as ConfigurationError {
            // The store reads from a scoped reader; name the key as the operator writes it.
            throw ConfigurationError(key: "store.\(error.key)", reason: error.reason)
        }
        inventoryPath = reader.checkedString("inventory.path", default: "Inventory")
        loadDemo = try reader.checkedBool("demo.load", default: true)
        demoTerritory = reader.checkedString("demo.territory", default: "reunion")
        readiness = ReadinessParameters(
            mbpsPerActiveDevice: try reader.checkedDouble("readiness.mbpsPerActiveDevice", default: 1.0, in: 0.01...1000),
            devicesPerAccessPoint: try reader.checkedInt("readiness.devicesPerAccessPoint", default: 30, in: 1...1000),
            concurrentShare: try reader.checkedDouble("readiness.concurrentShare", default: 0.5, in: 0.01...1),
            measurementWindowDays: try reader.checkedInt("readiness.measurementWindowDays", default: 30, in: 1...3650))
        ingest = IngestSettings(
            queueCapacity: try reader.checkedInt("ingest.queueCapacity", default: 50_000, in: 100...10_000_000),
            maxBatch: try reader.checkedInt("ingest.maxBatch", default: 5_000, in: 1...100_000),
            postgresWriters: try reader.checkedInt("ingest.postgresWriters", default: 2, in: 1...64),
            maxBodyBytes: try reader.checkedInt("ingest.maxBodyBytes", default: 1 << 20, in: 1024...(64 << 20)),
            maxDecompressedBytes: try reader.checkedInt("ingest.maxDecompressedBytes", default: 8 << 20, in: 1024...(256 << 20)),
            decoder: HeartbeatDecoder(maxHeartbeats: try reader.checkedInt("ingest.maxHeartbeatsPerRequest", default: 1000, in: 1...10_000)),
            checkin: CheckInPolicy(
                defaultIntervalSeconds: try reader.checkedInt("agent.checkinSeconds", default: 300, in: CheckInPolicy.allowedIntervals),
                jitter: try reader.checkedDouble("agent.jitter", default: 0.2, in: 0...0.5)),
            credentialCacheSeconds: Double(try reader.checkedInt("agent.tokenCacheSeconds", default: 900, in: 0...3600)),
            credentialCacheSize: try reader.checkedInt("agent.tokenCacheSize", default: 300_000, in: 1...10_000_000),
            presence: PresencePolicy(
                onlineIntervals: try reader.checkedDouble("presence.onlineIntervals", default: 2, in: 1...20),
                offlineAfter: Double(try reader.checkedInt("presence.offlineAfterHours", default: 24, in: 1...720)) * 3600),
            retention: RetentionPolicy(
                rawDays: try reader.checkedInt("retention.rawDays", default: 30, in: 1...3650),
                dailyDays: try reader.checkedInt("retention.dailyDays", default: 1830, in: 30...36_500)),
            retentionIntervalSeconds: try reader.checkedInt("retention.intervalMinutes", default: 60, in: 1...1440) * 60)
        maintenance = MaintenanceSettings(
            reopenWindow: Double(try reader.checkedInt("tickets.reopenDays", default: 7, in: 0...365)) * 86_400,
            maxAttachmentBytes: try reader.checkedInt("tickets.attachments.maxBytes", default: 5 << 20, in: 1024...(64 << 20)),
            maxAttachmentsPerTicket: try reader.checkedInt("tickets.attachments.maxPerTicket", default: 10, in: 0...1000),
            passIntervalSeconds: try reader.checkedInt("tickets.passSeconds", default: 60, in: 5...86_400),
            rulesIntervalSeconds: try reader.checkedInt("tickets.rules.intervalMinutes", default: 15, in: 1...1440) * 60,
            linkWindowDays: try reader.checkedInt("tickets.rules.linkWindowDays", default: 7, in: 1...365),
            rules: try TicketRule.Kind.allCases.map { kind in
                let standard = TicketRule.standard(kind)
                let prefix = "tickets.rules.\(kind.rawValue)."
                return TicketRule(
                    kind: kind, enabled: try reader.checkedBool(prefix + "enabled", default: standard.enabled),
                    threshold: try reader.checkedDouble(prefix + "threshold", default: standard.threshold, in: 0...10_000),
                    category: try reader.checkedEnum(prefix + "category", default: standard.category),
                    priority: Priority(rawValue: try reader.checkedInt(prefix + "priority", default: standard.priority.rawValue, in: 1...5))!,
                    onClear: try reader.checkedEnum(prefix + "onClear", default: standard.onClear))
            })
        let zoneName = reader.checkedString("indicators.timeZone", default: "Europe/Paris")
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError(key: "indicators.timeZone", reason: "'\(zoneName)' is not a time zone identifier")
        }
        indicators = IndicatorSettings(
            checkIntervalSeconds: try reader.checkedInt("indicators.snapshotIntervalMinutes", default: 60, in: 1...1440) * 60,
            retentionDays: try reader.checkedInt("indicators.retentionDays", default: 1100, in: 30...36_500), timeZone: zone)
        let sender = reader.checkedString("loans.sender", default: "log")
        guard sender == "log" else { throw ConfigurationError(key: "loans.sender", reason: "'\(sender)' is not a notice sender; use log") }
        loans = LoanSettings(
            passSeconds: try reader.checkedInt("loans.passMinutes", default: 15, in: 1...1440) * 60,
            retention: LoanRetention(
                loanDetailsMonths: try reader.checkedInt("loans.retention.loanDetailsMonths", default: 4, in: 1...120),
                householdMonths: try reader.checkedInt("loans.retention.householdMonths", default: 12, in: 1...120),
                documentYears: try reader.checkedInt("loans.retention.documentYears", default: 5, in: 1...30),
                accessLogMonths: try reader.checkedInt("loans.retention.accessLogMonths", default: 12, in: 1...120)),
            maxPhotoBytes: try reader.checkedInt("loans.photos.maxBytes", default: 5_242_880, in: 1024...104_857_600),
            maxPhotosPerLoan: try reader.checkedInt("loans.photos.maxPerLoan", default: 12, in: 1...100),
            simExpiryWarningDays: try reader.checkedInt("loans.simExpiryWarningDays", default: 30, in: 0...365), timeZone: zone)
    }

    /// Every key this type reads, for the test that checks the example file documents them all.
    public static let documentedKeys =
        [
            "http.host", "http.port", "http.serverName", "http.benchmarkRoutes", "log.level", "store.backend", "store.sqlite.directory",
            "store.sqlite.synchronous", "store.sqlite.checkpointPages",
            "store.postgres.host", "store.postgres.port", "store.postgres.user", "store.postgres.password", "store.postgres.database",
            "store.postgres.socket", "store.postgres.maxConnections", "store.migrate", "inventory.path", "demo.load", "demo.territory",
            "readiness.mbpsPerActiveDevice", "readiness.devicesPerAccessPoint", "readiness.concurrentShare", "readiness.measurementWindowDays",
            "ingest.queueCapacity", "ingest.maxBatch", "ingest.postgresWriters", "ingest.maxBodyBytes", "ingest.maxDecompressedBytes",
            "ingest.maxHeartbeatsPerRequest",
            "agent.checkinSeconds", "agent.jitter", "agent.tokenCacheSeconds", "agent.tokenCacheSize", "presence.onlineIntervals",
            "presence.offlineAfterHours", "retention.rawDays", "retention.dailyDays", "retention.intervalMinutes", "tickets.reopenDays",
            "tickets.attachments.maxBytes", "tickets.attachments.maxPerTicket", "tickets.passSeconds", "tickets.rules.intervalMinutes",
            "tickets.rules.linkWindowDays", "indicators.snapshotIntervalMinutes", "indicators.retentionDays", "indicators.timeZone",
            "loans.passMinutes", "loans.retention.loanDetailsMonths", "loans.retention.householdMonths", "loans.retention.documentYears",
            "loans.retention.accessLogMonths", "loans.photos.maxBytes", "loans.photos.maxPerLoan", "loans.simExpiryWarningDays", "loans.sender",
        ]
        + TicketRule.Kind.allCases.flatMap { kind in
            ["enabled", "threshold", "category", "priority", "onClear"].map { "tickets.rules.\(kind.rawValue).\($0)" }
        }
}
