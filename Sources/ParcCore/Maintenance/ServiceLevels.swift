public import Foundation

/// A collectivité's maintenance contract (one lot): intervention and restoration targets per priority, in
/// business minutes on the establishment's calendar, and the waiting reasons that stop the clock.
public struct SLAPolicy: Codable, Equatable, Sendable, Identifiable {
    public struct Target: Codable, Equatable, Sendable {
        public var priority: Priority
        /// GTI: before someone starts working on it.
        public var interventionMinutes: Int
        /// GTR: before service is restored.
        public var restorationMinutes: Int

        public init(priority: Priority, interventionMinutes: Int, restorationMinutes: Int) {
            self.priority = priority
            self.interventionMinutes = interventionMinutes
            self.restorationMinutes = restorationMinutes
        }
    }

    public var id: UUID
    public var collectiviteID: UUID
    public var name: String
    public var lot: String?
    /// The establishments this lot covers; empty: every establishment of the collectivité not named by another lot.
    public var establishmentIDs: [UUID]
    public var targets: [Target]
    public var pausingReasons: [Ticket.PendingReason]
    public var hours: WeekHours
    /// School holidays stop the clock like weekends (the school is shut).
    public var excludeSchoolHolidays: Bool
    /// Share of the GTR after which an open level-1 ticket is escalated to level 2.
    public var escalateAtPercent: Int
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, collectiviteID: UUID, name: String, lot: String?, establishmentIDs: [UUID], targets: [Target],
        pausingReasons: [Ticket.PendingReason], hours: WeekHours, excludeSchoolHolidays: Bool, escalateAtPercent: Int, version: Int = 1,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.collectiviteID = collectiviteID
        self.name = name
        self.lot = lot
        self.establishmentIDs = establishmentIDs
        self.targets = targets
        self.pausingReasons = pausingReasons
        self.hours = hours
        self.excludeSchoolHolidays = excludeSchoolHolidays
        self.escalateAtPercent = escalateAtPercent
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func target(_ priority: Priority) -> Target? { targets.first { $0.priority == priority } }

    /// The policy that governs an establishment: the lot naming it, else the collectivité's lot naming none.
    public static func governing(_ establishmentID: UUID, among policies: [SLAPolicy]) -> SLAPolicy? {
        policies.first { $0.establishmentIDs.contains(establishmentID) }
            ?? policies.filter(\.establishmentIDs.isEmpty).min { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
    }
}

/// What the SLA replay needs from a ticket's history: each status change, in order. Priority changes need no
/// entry: targets are always those of the current priority, counted from opening (as GLPI users expect).
public struct SLAChange: Equatable, Sendable {
    public var at: Date
    public var status: Ticket.Status
    public var pendingReason: Ticket.PendingReason?

    public init(at: Date, status: Ticket.Status, pendingReason: Ticket.PendingReason? = nil) {
        self.at = at
        self.status = status
        self.pendingReason = pendingReason
    }
}

/// Where a ticket's two clocks stand. Computed by replaying its history, so pauses, priority or policy
/// changes and reopenings are always accounted for from the start (U17: GLPI lost pending time on changes).
public struct SLAState: Codable, Equatable, Sendable {
    public enum Phase: String, Codable, Sendable {
        case running, paused, met, breached
    }

    public struct Clock: Codable, Equatable, Sendable {
        public var targetMinutes: Int
        public var elapsedMinutes: Int
        public var phase: Phase
        /// When the target is (or was) reached while running; nil while paused or once met.
        public var dueAt: Date?
        /// When the clock stopped within its target.
        public var metAt: Date?
        /// When the target passed. Kept even if the ticket is later fixed.
        public var breachedAt: Date?

        public init(targetMinutes: Int, elapsedMinutes: Int, phase: Phase, dueAt: Date?, metAt: Date?, breachedAt: Date?) {
            self.targetMinutes = targetMinutes
            self.elapsedMinutes = elapsedMinutes
            self.phase = phase
            self.dueAt = dueAt
            self.metAt = metAt
            self.breachedAt = breachedAt
        }

        public var percentUsed: Int { targetMinutes == 0 ? 100 : elapsedMinutes * 100 / targetMinutes }
    }

    public var policyID: UUID
    public var priority: Priority
    public var intervention: Clock
    public var restoration: Clock
    /// When the restoration clock reaches the policy's escalation share, while it runs.
    public var escalateAt: Date?

    public init(policyID: UUID, priority: Priority, intervention: Clock, restoration: Clock, escalateAt: Date?) {
        self.policyID = policyID
        self.priority = priority
        self.intervention = intervention
        self.restoration = restoration
        self.escalateAt = escalateAt
    }
}

/// Replays a ticket's history on a calendar. Pure: the same history, policy, calendar and `now` give the same state.
public enum SLAClock {
    /// - Parameters:
    ///   - opened: when the ticket was opened (status new).
    ///   - history: status changes after opening.
    ///   - priority: the current priority, whose targets apply from opening.
    public static func evaluate(
        opened: Date, history: [SLAChange], priority: Priority, policy: SLAPolicy, calendar: BusinessCalendar, now: Date
    ) -> SLAState? {
        guard let target = policy.target(priority) else { return nil }
        // Intervals in which each clock runs. GTI runs until work first starts (or the ticket is resolved);
        // GTR runs until resolution, restarts on reopening; both stop while pending for a pausing reason.
        var gti: [(Date, Date?)] = []
        var gtr: [(Date, Date?)] = []
        var gtiStopped: Date?
        var status = Ticket.Status.new
        var reason: Ticket.PendingReason?
        func runs(_ s: Ticket.Status, _ r: Ticket.PendingReason?) -> Bool {
            switch s {
            case .resolved, .closed: false
            case .pending: !(r.map(policy.pausingReasons.contains) ?? false)
            default: true
            }
        }
        var since = opened
        var running = runs(status, reason)
        // When service was last restored: the move from an open status to resolved or closed (not a later close).
        var restoredAt: Date?
        for change in history.sorted(by: { $0.at < $1.at }) where change.at >= opened {
            let next = change.status
            let nextReason = next == .pending ? change.pendingReason : nil
            if gtiStopped == nil, next == .inProgress || next == .resolved || next == .closed { gtiStopped = change.at }
            if running, change.at > since { gtr.append((since, change.at)) }
            if status.isOpen, !next.isOpen { restoredAt = change.at }
            status = next
            reason = nextReason
            since = change.at
            running = runs(next, nextReason)
        }
        if running { gtr.append((since, nil)) }
        // GTI intervals: the GTR intervals cut at the first start of work.
        for (a, b) in gtr {
            if let stop = gtiStopped {
                if a >= stop { break }
                gti.append((a, min(b ?? stop, stop)))
            } else {
                gti.append((a, b))
            }
        }
        let gtiDone = gtiStopped.map { $0 <= now } ?? false
        let gtrDone = !status.isOpen
        let stopTime = restoredAt
        let intervention = clock(
            gti, target: target.interventionMinutes, stoppedAt: gtiDone ? gtiStopped : nil, pausedNow: !gtiDone && !running,
            calendar: calendar, now: now)
        let restoration = clock(
            gtr, target: target.restorationMinutes, stoppedAt: gtrDone ? stopTime : nil, pausedNow: !gtrDone && !running, calendar: calendar,
            now: now)
        var escalateAt: Date?
        if !gtrDone, running {
            let threshold = target.restorationMinutes * 60 * policy.escalateAtPercent / 100
            let elapsed = restoration.elapsedMinutes * 60
            escalateAt = elapsed >= threshold ? now : calendar.date(adding: threshold - elapsed, to: now)
        }
        return SLAState(
            policyID: policy.id, priority: priority, intervention: intervention, restoration: restoration, escalateAt: escalateAt)
    }

    static func clock(
        _ intervals: [(Date, Date?)], target: Int, stoppedAt: Date?, pausedNow: Bool, calendar: BusinessCalendar, now: Date
    ) -> SLAState.Clock {
        let targetSeconds = target * 60
        var elapsed = 0
        var reachedAt: Date?
        for (a, b) in intervals {
            let end = min(b ?? now, now)
            guard end > a else { continue }
            let seconds = calendar.businessSeconds(from: a, to: end)
            if reachedAt == nil, elapsed + seconds > targetSeconds {
                reachedAt = calendar.date(adding: targetSeconds - elapsed, to: a)
            }
            elapsed += seconds
        }
        let minutes = elapsed / 60
        let breached = elapsed > targetSeconds
        if let stoppedAt {
            return SLAState.Clock(
                targetMinutes: target, elapsedMinutes: minutes, phase: breached ? .breached : .met, dueAt: nil,
                metAt: breached ? nil : stoppedAt, breachedAt: breached ? reachedAt : nil)
        }
        if breached {
            return SLAState.Clock(
                targetMinutes: target, elapsedMinutes: minutes, phase: .breached, dueAt: reachedAt, metAt: nil, breachedAt: reachedAt)
        }
        if pausedNow {
            return SLAState.Clock(targetMinutes: target, elapsedMinutes: minutes, phase: .paused, dueAt: nil, metAt: nil, breachedAt: nil)
        }
        let due = calendar.date(adding: targetSeconds - elapsed, to: now)
        return SLAState.Clock(targetMinutes: target, elapsedMinutes: minutes, phase: .running, dueAt: due, metAt: nil, breachedAt: nil)
    }
}

/// What a collectivité sends to define a contract lot.
public struct SLAPolicyInput: Codable, Sendable {
    public struct TargetInput: Codable, Sendable {
        public var priority: Int?
        public var interventionMinutes: Int?
        public var restorationMinutes: Int?

        public init(priority: Int?, interventionMinutes: Int?, restorationMinutes: Int?) {
            self.priority = priority
            self.interventionMinutes = interventionMinutes
            self.restorationMinutes = restorationMinutes
        }
    }

    public var collectiviteID: UUID?
    public var name: String?
    public var lot: String?
    public var establishmentIDs: [UUID]?
    public var targets: [TargetInput]?
    public var pausingReasons: [String]?
    /// `{"monday": ["08:00-12:00", "13:30-17:00"], …}`; absent: school hours.
    public var hours: [String: [String]]?
    public var excludeSchoolHolidays: Bool?
    public var escalateAtPercent: Int?

    public init(
        collectiviteID: UUID?, name: String?, lot: String? = nil, establishmentIDs: [UUID]? = nil, targets: [TargetInput]?,
        pausingReasons: [String]? = nil, hours: [String: [String]]? = nil, excludeSchoolHolidays: Bool? = nil, escalateAtPercent: Int? = nil
    ) {
        self.collectiviteID = collectiviteID
        self.name = name
        self.lot = lot
        self.establishmentIDs = establishmentIDs
        self.targets = targets
        self.pausingReasons = pausingReasons
        self.hours = hours
        self.excludeSchoolHolidays = excludeSchoolHolidays
        self.escalateAtPercent = escalateAtPercent
    }

    public init(_ policy: SLAPolicy) {
        self.init(
            collectiviteID: policy.collectiviteID, name: policy.name, lot: policy.lot, establishmentIDs: policy.establishmentIDs,
            targets: policy.targets.map {
                TargetInput(priority: $0.priority.rawValue, interventionMinutes: $0.interventionMinutes, restorationMinutes: $0.restorationMinutes)
            },
            pausingReasons: policy.pausingReasons.map(\.rawValue),
            hours: Dictionary(uniqueKeysWithValues: policy.hours.days.map { ($0.key.rawValue, $0.value.map(\.description)) }),
            excludeSchoolHolidays: policy.excludeSchoolHolidays, escalateAtPercent: policy.escalateAtPercent)
    }

    public struct Valid: Sendable {
        public var collectiviteID: UUID
        public var name: String
        public var lot: String?
        public var establishmentIDs: [UUID]
        public var targets: [SLAPolicy.Target]
        public var pausingReasons: [Ticket.PendingReason]
        public var hours: WeekHours
        public var excludeSchoolHolidays: Bool
        public var escalateAtPercent: Int
    }

    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let collectivite = v.require(collectiviteID, "collectivite_id")
        let name = v.requireText(name, "name")
        let lot = v.optionalText(lot, "lot")
        var targets: [SLAPolicy.Target] = []
        for (i, target) in (self.targets ?? []).enumerated() {
            let field = "targets[\(i)]"
            guard let p = target.priority.flatMap(Priority.init(rawValue:)) else {
                v.fail(field + ".priority", "must be 1 (critical) to 5 (planned)")
                continue
            }
            // Beyond 100 000 business minutes (over a school year) a deadline would outrun the calendar's horizon.
            guard let gti = target.interventionMinutes, let gtr = target.restorationMinutes, gti > 0, gtr > 0, gti <= 100_000, gtr <= 100_000 else {
                v.fail(field, "intervention_minutes and restoration_minutes must be whole minutes from 1 to 100000")
                continue
            }
            if gti > gtr { v.fail(field + ".intervention_minutes", "must not exceed restoration_minutes") }
            if targets.contains(where: { $0.priority == p }) { v.fail(field + ".priority", "is given twice") }
            targets.append(SLAPolicy.Target(priority: p, interventionMinutes: gti, restorationMinutes: gtr))
        }
        let missing = Priority.allCases.filter { p in !targets.contains { $0.priority == p } }
        if self.targets == nil {
            v.fail("targets", "is required: GTI and GTR for each priority 1 to 5")
        } else if !missing.isEmpty {
            v.fail("targets", "misses priorities \(missing.map { String($0.rawValue) }.joined(separator: ", "))")
        }
        var reasons: [Ticket.PendingReason] = []
        for raw in pausingReasons ?? [Ticket.PendingReason.supplier, .user, .roomAccess].map(\.rawValue) {
            if let reason = v.enumValue(raw, "pausing_reasons", as: Ticket.PendingReason.self), !reasons.contains(reason) { reasons.append(reason) }
        }
        var hours = WeekHours.schoolDefault
        if let raw = self.hours {
            var days: [Weekday: [OpeningSpan]] = [:]
            for (name, spans) in raw {
                guard let day = Weekday(rawValue: name) else {
                    v.fail("hours.\(name)", "is not a weekday (monday … sunday)")
                    continue
                }
                let parsed = spans.compactMap(OpeningSpan.init)
                if parsed.count != spans.count { v.fail("hours.\(name)", "spans must be written HH:MM-HH:MM with the start before the end") }
                days[day] = parsed
            }
            hours = WeekHours(days)
            for day in hours.overlapping { v.fail("hours.\(day.rawValue)", "spans overlap") }
            if hours.days.values.allSatisfy(\.isEmpty) { v.fail("hours", "must open at least one span in the week") }
        }
        let escalate = v.range(escalateAtPercent ?? 75, "escalate_at_percent", 1...100)
        if Set(establishmentIDs ?? []).count != (establishmentIDs ?? []).count { v.fail("establishment_ids", "lists an establishment twice") }
        try v.check()
        return Valid(
            collectiviteID: collectivite!, name: name!, lot: lot, establishmentIDs: establishmentIDs ?? [],
            targets: targets.sorted { $0.priority < $1.priority },
            pausingReasons: reasons, hours: hours, excludeSchoolHolidays: excludeSchoolHolidays ?? true, escalateAtPercent: escalate!)
    }
}
