public import Foundation
import Logging
public import ParcCore
import ParcStore
public import ServiceLifecycle

/// How often snapshots are taken and how long they are kept.
public struct IndicatorSettings: Sendable {
    /// How often today's snapshot is rewritten (by one node of the cluster).
    public var checkIntervalSeconds: Int
    public var retentionDays: Int
    /// The day a snapshot belongs to is the date in this time zone.
    public var timeZone: TimeZone

    public init(checkIntervalSeconds: Int = 3600, retentionDays: Int = 1100, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris")!) {
        self.checkIntervalSeconds = checkIntervalSeconds
        self.retentionDays = retentionDays
        self.timeZone = timeZone
    }
}

/// Computes indicator tables for a caller's territory, at any level, and the series from daily snapshots.
public struct IndicatorEngine: Sendable {
    let storage: Storage
    let clock: AppClock
    let zones: HolidayZones
    let settings: IndicatorSettings
    let measurementWindowDays: Int

    func authorize(_ principal: Principal) throws {
        guard Permissions.allows(principal.role, .read, .indicator) else { throw ParcError.forbidden("this role cannot read indicators") }
    }

    /// The snapshot day `now` falls in, in the configured time zone.
    func today(_ now: Date) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The instants the counts depend on. "Online" starts at the 7th school day back on each département's
    /// calendar (its time zone, public holidays and its académie's school holidays).
    func moments(for subjects: [IndicatorStore.Subject], now: Date) -> IndicatorStore.Moments {
        var online: [String: Date] = [:]
        for subject in subjects where online[subject.departement] == nil {
            let calendar = zones.calendar(
                departement: subject.departement, academie: subject.academieCode, hours: .schoolDefault, excludeSchoolHolidays: true, around: now)
            online[subject.departement] =
                calendar.startOfBusinessDay(Indicators.onlineSchoolDays - 1, before: now)
                ?? now.addingTimeInterval(-Double(Indicators.onlineSchoolDays) * 86_400)
        }
        let day = today(now)
        return IndicatorStore.Moments(
            under5YearsSince: day.adding(months: -60), measuredSince: now.addingTimeInterval(-Double(measurementWindowDays) * 86_400),
            resolvedSince: now.addingTimeInterval(-365 * 86_400), onlineSince: online,
            fallbackOnlineSince: now.addingTimeInterval(-Double(Indicators.onlineSchoolDays) * 86_400))
    }

    struct Filters: Sendable {
        var collectiviteID: UUID?
        var departement: String?
        var academieCode: String?
    }

    /// One row per subject of `level` inside the caller's scope (and the filters), sorted by key.
    func table(level: IndicatorRow.Level, filters: Filters, principal: Principal) async throws -> [IndicatorRow] {
        try authorize(principal)
        let now = clock.now()
        let subjects = try await storage.indicators.subjects(in: principal.scope).filter { subject in
            (filters.collectiviteID.map { $0 == subject.ownerID } ?? true) && (filters.departement.map { $0 == subject.departement } ?? true)
                && (filters.academieCode.map { $0 == subject.academieCode } ?? true)
        }
        let facts = try await storage.indicators.facts(in: principal.scope, moments: moments(for: subjects, now: now))
        return try await rows(level: level, subjects: subjects, facts: facts, day: nil)
    }

    func rows(level: IndicatorRow.Level, subjects: [IndicatorStore.Subject], facts: [UUID: IndicatorFacts], day: LocalDate?) async throws
        -> [IndicatorRow]
    {
        let labels = try await labels(level: level, subjects: subjects)
        var groups: [String: IndicatorFacts] = [:]
        for subject in subjects {
            groups[key(level, subject), default: IndicatorFacts()] =
                groups[key(level, subject), default: IndicatorFacts()] + (facts[subject.id] ?? IndicatorFacts())
        }
        if level == .territory, groups.isEmpty { groups[""] = IndicatorFacts() }
        return groups.keys.sorted().map { key in
            IndicatorRow(level: level, key: key, label: labels[key] ?? key, day: day, facts: groups[key]!)
        }
    }

    func key(_ level: IndicatorRow.Level, _ subject: IndicatorStore.Subject) -> String {
        switch level {
        case .establishment: subject.id.uuidString.lowercased()
        case .collectivite: subject.ownerID.uuidString.lowercased()
        case .departement: subject.departement
        case .academie: subject.academieCode ?? ""
        case .territory: ""
        }
    }

    func labels(level: IndicatorRow.Level, subjects: [IndicatorStore.Subject]) async throws -> [String: String] {
        switch level {
        case .establishment:
            return Dictionary(subjects.map { (key(level, $0), "\($0.uai) \($0.name)") }, uniquingKeysWith: { a, _ in a })
        case .collectivite:
            let owners = try await storage.repository(Collectivite.self).get(ids: Array(Set(subjects.map(\.ownerID))))
            return Dictionary(owners.values.map { ($0.id.uuidString.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
        case .departement:
            return try await storage.territory.departements().mapValues(\.name)
        case .academie:
            return Dictionary(try await storage.territory.academies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        case .territory:
            return ["": "Ensemble du périmètre"]
        }
    }

    /// The daily series of one subject (or the caller's whole territory) between two days.
    func series(level: IndicatorRow.Level, key: String?, from: LocalDate, to: LocalDate, principal: Principal) async throws -> [IndicatorRow] {
        try authorize(principal)
        let subject: IndicatorStore.SeriesSubject
        var label = "Ensemble du périmètre"
        switch level {
        case .territory:
            subject = .territory
        case .establishment, .collectivite:
            guard let key, let id = UUID(uuidString: key) else {
                throw ParcError.validation([FieldError(field: "key", reason: "must be the \(level.rawValue)'s id")])
            }
            subject = level == .establishment ? .establishment(id) : .collectivite(id)
            label = key
        case .departement, .academie:
            guard let key, !key.isEmpty, key.count <= 3 else {
                throw ParcError.validation([FieldError(field: "key", reason: "must be the \(level.rawValue)'s code")])
            }
            subject = level == .departement ? .departement(key) : .academie(key)
            label = key
        }
        if level != .territory {
            let subjects = try await storage.indicators.subjects(in: principal.scope)
            let known = try await labels(level: level, subjects: subjects.filter { self.key(level, $0) == key!.lowercased() })
            label = known[key!.lowercased()] ?? label
        }
        return try await storage.indicators.series(subject, in: principal.scope, from: from, to: to).map { point in
            IndicatorRow(level: level, key: key?.lowercased() ?? "", label: label, day: point.day, facts: point.facts)
        }
    }

    public struct SnapshotReport: Codable, Sendable, Equatable {
        public var ran: Bool
        public var day: LocalDate?
        public var establishments = 0
    }

    /// Writes today's counts for every establishment, then drops snapshots past retention.
    func snapshot() async throws -> SnapshotReport {
        let now = clock.now()
        let day = today(now)
        let subjects = try await storage.indicators.subjects(in: .all)
        let facts = try await storage.indicators.facts(in: .all, moments: moments(for: subjects, now: now))
        var batch = storage.indicators.snapshot(day: day, subjects: subjects, facts: facts)
        batch.append(
            contentsOf: WriteBatch([storage.indicators.pruneSnapshots(before: LocalDate(daysSinceEpoch: day.daysSinceEpoch - settings.retentionDays))]
            ))
        try await storage.database.write(batch)
        return SnapshotReport(ran: true, day: day, establishments: subjects.count)
    }
}

/// Keeps today's indicator snapshot current, once per cluster: every `checkIntervalSeconds` one node (the one that
/// takes the turn in `maintenance_runs`) rewrites today's counts, so a day keeps its last state and a snapshot taken
/// while data was still loading does not stand.
public struct IndicatorSnapshotService: Service {
    let engine: IndicatorEngine
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Services start beside the server's preparation: on a fresh database, wait for its migrations
                // rather than fail and wait a whole interval.
                guard (try? await engine.storage.migrator.status().isCurrent) == true else {
                    try? await Task.sleep(for: .seconds(5))
                    continue
                }
                do { _ = try await runIfDue() } catch { logger.error("indicator snapshot failed", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .seconds(engine.settings.checkIntervalSeconds))
            }
        }
    }

    /// Rewrites today's snapshot unless a node of the cluster did within most of the interval.
    public func runIfDue() async throws -> IndicatorEngine.SnapshotReport {
        let now = engine.clock.now()
        let since = now.addingTimeInterval(-Double(engine.settings.checkIntervalSeconds) * 0.8)
        guard try await engine.storage.tickets.claim(job: "indicators.snapshot", now: now, notSince: since) else { return .init(ran: false) }
        return try await engine.snapshot()
    }
}
