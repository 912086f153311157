public import Foundation

/// A deadline that passed, as it was seen: kept even when a later change would compute the clock differently.
public struct SLABreach: Codable, Equatable, Sendable {
    public enum Clock: String, Codable, Sendable {
        case intervention, restoration
    }

    public var ticketID: UUID
    public var clock: Clock
    public var dueAt: Date
    public var detectedAt: Date
    public var priority: Priority
    public var policyID: UUID

    public init(ticketID: UUID, clock: Clock, dueAt: Date, detectedAt: Date, priority: Priority, policyID: UUID) {
        self.ticketID = ticketID
        self.clock = clock
        self.dueAt = dueAt
        self.detectedAt = detectedAt
        self.priority = priority
        self.policyID = policyID
    }

    /// The breaches an SLA state shows, to be recorded (recording is idempotent per ticket and clock).
    public static func found(in state: SLAState, ticketID: UUID, now: Date) -> [SLABreach] {
        var found: [SLABreach] = []
        if let due = state.intervention.breachedAt {
            found.append(
                SLABreach(ticketID: ticketID, clock: .intervention, dueAt: due, detectedAt: now, priority: state.priority, policyID: state.policyID))
        }
        if let due = state.restoration.breachedAt {
            found.append(
                SLABreach(ticketID: ticketID, clock: .restoration, dueAt: due, detectedAt: now, priority: state.priority, policyID: state.policyID))
        }
        return found
    }
}

/// Maintenance figures per collectivité, establishment, technician or device model over a period.
///
/// Definitions:
/// - `opened`: tickets opened in the period; `closed`: those of them now resolved or closed; `open_now`: every open
///   ticket of the group today, whatever its opening date (the backlog).
/// - `intervention_compliance` / `restoration_compliance`: among tickets of the period whose clock has stopped or
///   breached, the share that met GTI / GTR (null when none).
/// - `mean_restore_minutes`, `p90_restore_minutes`: business minutes to restoration of the period's restored
///   tickets (pauses excluded), p90 by nearest rank.
/// - `backlog_mean_age_days`, `backlog_max_age_days`: calendar age of the open tickets.
/// - `tickets_per_100_devices` (by model): tickets of the period per 100 live devices of the model in scope:
///   the failure rate refresh planning uses.
public enum TicketReport {
    public enum Dimension: String, Codable, CaseIterable, Sendable {
        case collectivite, establishment, technician, model
    }

    /// What the store aggregates for one group.
    public struct Facts: Sendable, Equatable {
        public var key: UUID?
        public var opened = 0
        public var closed = 0
        public var interventionKnown = 0
        public var interventionMet = 0
        public var restorationKnown = 0
        public var restorationMet = 0
        /// Business minutes to restoration → how many restored tickets took that long.
        public var restoreHistogram: [Int: Int] = [:]
        public var openNow = 0
        public var oldestOpenedAt: Date?
        /// The mean opening instant of the open tickets: the backlog's mean age is `now` minus it.
        public var meanOpenedAt: Date?
        public var devices: Int?

        public init(key: UUID?) { self.key = key }
    }

    public struct Row: Codable, Equatable, Sendable {
        public var key: UUID?
        public var label: String
        public var opened: Int
        public var closed: Int
        public var openNow: Int
        public var interventionCompliance: Double?
        public var restorationCompliance: Double?
        public var meanRestoreMinutes: Double?
        public var p90RestoreMinutes: Int?
        public var backlogMeanAgeDays: Double?
        public var backlogMaxAgeDays: Double?
        public var devices: Int?
        public var ticketsPer100Devices: Double?

        public init(
            key: UUID?, label: String, opened: Int, closed: Int, openNow: Int, interventionCompliance: Double?, restorationCompliance: Double?,
            meanRestoreMinutes: Double?, p90RestoreMinutes: Int?, backlogMeanAgeDays: Double?, backlogMaxAgeDays: Double?, devices: Int?,
            ticketsPer100Devices: Double?
        ) {
            self.key = key
            self.label = label
            self.opened = opened
            self.closed = closed
            self.openNow = openNow
            self.interventionCompliance = interventionCompliance
            self.restorationCompliance = restorationCompliance
            self.meanRestoreMinutes = meanRestoreMinutes
            self.p90RestoreMinutes = p90RestoreMinutes
            self.backlogMeanAgeDays = backlogMeanAgeDays
            self.backlogMaxAgeDays = backlogMaxAgeDays
            self.devices = devices
            self.ticketsPer100Devices = ticketsPer100Devices
        }
    }

    public static func row(_ facts: Facts, label: String, now: Date) -> Row {
        func percent(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : rounded(Double(part) * 100 / Double(whole)) }
        let restored = facts.restoreHistogram.values.reduce(0, +)
        let total = facts.restoreHistogram.reduce(0) { $0 + $1.key * $1.value }
        func age(_ date: Date?) -> Double? { date.map { rounded(max(0, now.timeIntervalSince($0)) / 86_400) } }
        return Row(
            key: facts.key, label: label, opened: facts.opened, closed: facts.closed, openNow: facts.openNow,
            interventionCompliance: percent(facts.interventionMet, facts.interventionKnown),
            restorationCompliance: percent(facts.restorationMet, facts.restorationKnown),
            meanRestoreMinutes: restored == 0 ? nil : rounded(Double(total) / Double(restored)),
            p90RestoreMinutes: nearestRank(facts.restoreHistogram, 0.9), backlogMeanAgeDays: age(facts.meanOpenedAt),
            backlogMaxAgeDays: age(facts.oldestOpenedAt), devices: facts.devices,
            ticketsPer100Devices: facts.devices.flatMap { $0 == 0 ? nil : rounded(Double(facts.opened) * 100 / Double($0)) })
    }

    /// The nearest-rank percentile of values given as value → count.
    public static func nearestRank(_ histogram: [Int: Int], _ p: Double) -> Int? {
        let n = histogram.values.reduce(0, +)
        guard n > 0 else { return nil }
        let rank = max(1, Int((p * Double(n)).rounded(.up)))
        var seen = 0
        for value in histogram.keys.sorted() {
            seen += histogram[value]!
            if seen >= rank { return value }
        }
        return histogram.keys.max()
    }

    static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    public static let csvHeader = [
        "key", "label", "opened", "closed", "open_now", "intervention_compliance", "restoration_compliance", "mean_restore_minutes",
        "p90_restore_minutes", "backlog_mean_age_days", "backlog_max_age_days", "devices", "tickets_per_100_devices",
    ]

    public static func csv(_ rows: [Row]) -> String {
        rows.reduce(CSVWriter.line(csvHeader)) { $0 + CSVWriter.line(csvFields($1)) }
    }

    public static func csvFields(_ row: Row) -> [String] {
        func text(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        return [
            row.key?.uuidString.lowercased() ?? "", row.label, String(row.opened), String(row.closed), String(row.openNow),
            text(row.interventionCompliance), text(row.restorationCompliance), text(row.meanRestoreMinutes),
            row.p90RestoreMinutes.map(String.init) ?? "", text(row.backlogMeanAgeDays), text(row.backlogMaxAgeDays),
            row.devices.map(String.init) ?? "", text(row.ticketsPer100Devices),
        ]
    }
}
