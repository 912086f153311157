import Foundation
import Logging
import ParcCore
import ParcStore
public import ServiceLifecycle

/// The background work of the maintenance module, once per cluster: every node runs this service, and a
/// claim in `maintenance_runs` gives each round to one of them.
///
/// - The **pass** (every `passIntervalSeconds`) looks at open tickets whose deadline or escalation share has come:
///   it records breaches, escalates level-1 tickets to level 2, and closes resolved tickets past the reopen delay.
/// - The **rules** (every `rulesIntervalSeconds`) evaluate telemetry rules on devices' latest state and links'
///   speed tests: one open ticket per subject and rule, resolved or annotated when the condition clears.
public struct MaintenanceService: Service {
    let tickets: TicketService
    let logger: Logger

    init(tickets: TicketService, logger: Logger) {
        self.tickets = tickets
        self.logger = logger
    }

    var storage: Storage { tickets.storage }
    var settings: MaintenanceSettings { tickets.settings }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var sinceRules = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(settings.passIntervalSeconds))
                if Task.isCancelled { break }
                await guarded("ticket pass") { try await runPass(claimed: false) }
                sinceRules += settings.passIntervalSeconds
                if sinceRules >= settings.rulesIntervalSeconds {
                    sinceRules = 0
                    await guarded("ticket rules") { try await runRules(claimed: false) }
                }
            }
        }
    }

    /// Whether this node takes the cluster's turn of `job`: nobody ran it within most of its interval.
    func turn(_ job: String, every seconds: Int, now: Date) async throws -> Bool {
        try await storage.tickets.claim(job: job, now: now, notSince: now.addingTimeInterval(-Double(seconds) * 0.8))
    }

    func guarded(_ what: String, _ body: () async throws -> some Sendable) async {
        do { _ = try await body() } catch { logger.error("\(what) failed", metadata: ["error": "\(error)"]) }
    }

    public struct PassReport: Codable, Sendable, Equatable {
        public var ran: Bool
        public var looked = 0
        public var breaches = 0
        public var escalated = 0
        public var closed = 0
    }

    /// One pass. `claimed` skips the cluster claim (an operator asked for it now).
    public func runPass(claimed: Bool) async throws -> PassReport {
        let now = tickets.clock.now()
        if !claimed, try await !turn("tickets.pass", every: settings.passIntervalSeconds, now: now) { return PassReport(ran: false) }
        var report = PassReport(ran: true)
        for old in try await storage.tickets.needingAttention(now: now, limit: 1000) {
            report.looked += 1
            do {
                let before = Set(try await storage.tickets.breaches(ticketID: old.id).map(\.clock))
                var draft = old
                var events: [TicketEvent] = []
                let policy = try await tickets.engine.policy(for: old)
                // Replayed as of now first, to decide on escalation with current figures.
                let history = try await storage.tickets.timelines(ticketIDs: [old.id])[old.id] ?? []
                let establishments = try await storage.repository(Establishment.self).get(ids: [old.establishmentID])
                guard let establishment = establishments[old.establishmentID] else { continue }
                let (current, breaches) = tickets.engine.refresh(old, establishment: establishment, policy: policy, history: history, now: now)
                let fresh = breaches.filter { !before.contains($0.clock) }
                report.breaches += fresh.count
                // Escalate once: a person who brought a ticket back to level 1 has the last word.
                let escalatedBefore = try await storage.tickets.events(ticketID: old.id).contains { $0.kind == .escalated }
                if let sla = current.sla, let policy, old.level == 1, !escalatedBefore,
                    sla.restoration.percentUsed >= policy.escalateAtPercent || sla.intervention.phase == .breached
                {
                    draft.level = 2
                    let why =
                        sla.intervention.phase == .breached
                        ? "automatic: intervention deadline passed"
                        : "automatic: \(sla.restoration.percentUsed) % of the restoration time used"
                    events.append(
                        TicketEvent(
                            ticketID: old.id, at: now, actorID: nil, actorName: TicketService.systemActor, kind: .escalated, from: "1", to: "2",
                            body: why))
                    report.escalated += 1
                }
                if events.isEmpty, fresh.isEmpty, current.sla == old.sla { continue }
                _ = try await tickets.commit(draft, old: old, events: events, changes: [], now: now)
            } catch ParcError.versionMismatch {
                continue  // someone changed it meanwhile: the next pass looks again
            } catch {
                // One broken ticket must not stop the pass for the others.
                logger.error("ticket pass: ticket skipped", metadata: ["ticket": "\(old.id)", "error": "\(error)"])
            }
        }
        for old in try await storage.tickets.resolved(before: now.addingTimeInterval(-settings.reopenWindow), limit: 1000) {
            var draft = old
            tickets.apply(.closed, reason: nil, to: &draft, now: now)
            let event = TicketEvent(
                ticketID: old.id, at: now, actorID: nil, actorName: TicketService.systemActor, kind: .status, from: "resolved", to: "closed",
                body: nil)
            do {
                _ = try await tickets.commit(draft, old: old, events: [event], changes: [SLAChange(at: now, status: .closed)], now: now)
                report.closed += 1
            } catch ParcError.versionMismatch {
                continue
            } catch {
                logger.error("ticket pass: ticket not closed", metadata: ["ticket": "\(old.id)", "error": "\(error)"])
            }
        }
        if report.breaches + report.escalated + report.closed > 0 {
            logger.info(
                "ticket pass", metadata: ["breaches": "\(report.breaches)", "escalated": "\(report.escalated)", "closed": "\(report.closed)"])
        }
        return report
    }

    public struct RulesReport: Codable, Sendable, Equatable {
        public var ran: Bool
        public var devices = 0
        public var links = 0
        public var opened = 0
        public var resolved = 0
        public var annotated = 0
        public var stillOpen = 0
    }

    /// One evaluation of every enabled rule.
    public func runRules(claimed: Bool) async throws -> RulesReport {
        let now = tickets.clock.now()
        if !claimed, try await !turn("tickets.rules", every: settings.rulesIntervalSeconds, now: now) { return RulesReport(ran: false) }
        var report = RulesReport(ran: true)
        let rules = settings.rules.filter(\.enabled)
        guard !rules.isEmpty else { return report }
        let establishments = Dictionary(uniqueKeysWithValues: try await storage.repository(Establishment.self).all().map { ($0.id, $0) })
        let carts = try await storage.tickets.cartBSSIDs()
        let silent = settings.rule(.silent)
        var silentCutoffs: [String: Date?] = [:]
        func silentBefore(_ establishment: Establishment) -> Date? {
            guard silent.enabled else { return nil }
            let key = "\(establishment.departement)|\(tickets.engine.zones.zone(academie: establishment.academieCode) ?? "")"
            if let known = silentCutoffs[key] { return known }
            let calendar = tickets.engine.zones.calendar(
                departement: establishment.departement, academie: establishment.academieCode, hours: .schoolDefault, excludeSchoolHolidays: true,
                around: now)
            let cutoff = calendar.startOfBusinessDay(Int(silent.threshold), before: now)
            silentCutoffs[key] = cutoff
            return cutoff
        }
        var findings: [String: (RuleFinding, TicketRule)] = [:]
        var afterKey: Int64 = 0
        while true {
            let page = try await storage.tickets.ruleFacts(afterKey: afterKey, limit: 5000)
            for var facts in page.facts {
                guard let establishment = establishments[facts.establishmentID] else { continue }
                facts.cartBSSIDs = page.cartIDs[facts.deviceID].flatMap { carts[$0] }
                for finding in RuleEvaluator.findings(facts, rules: rules, silentBefore: silentBefore(establishment)) {
                    let rule = settings.rule(finding.rule)
                    findings[rule.dedupKey(subject: finding.subject)] = (finding, rule)
                }
            }
            report.devices += page.facts.count
            guard let last = page.lastKey, page.facts.count == 5000 else { break }
            afterKey = last
        }
        let slow = settings.rule(.slowLink)
        if slow.enabled {
            for (link, median) in try await storage.tickets.linkMeasurements(since: now.addingTimeInterval(-Double(settings.linkWindowDays) * 86_400))
            {
                report.links += 1
                if let finding = RuleEvaluator.linkFinding(
                    linkID: link.id, establishmentID: link.establishmentID, contractedDownMbps: link.downMbps, measuredDownMbps: median, rule: slow)
                {
                    findings[slow.dedupKey(subject: link.id)] = (finding, slow)
                }
            }
        }
        let open = try await storage.tickets.openRuleTickets()
        // New findings open tickets.
        let newKeys = findings.keys.filter { open[$0] == nil }.sorted()
        let devices = try await storage.repository(Device.self).get(
            ids: newKeys.compactMap { findings[$0]?.0.rule == .slowLink ? nil : findings[$0]?.0.subject })
        let links = try await storage.repository(InternetLink.self).get(
            ids: newKeys.compactMap { findings[$0]?.0.rule == .slowLink ? findings[$0]?.0.subject : nil })
        for key in newKeys {
            guard let (finding, rule) = findings[key], let establishment = establishments[finding.establishmentID] else { continue }
            do {
                _ = try await tickets.open(
                    finding, rule: rule, device: devices[finding.subject], link: links[finding.subject], establishment: establishment)
                report.opened += 1
            } catch ParcError.conflict(let field, _) where field == "dedup_key" {
                continue  // another node opened it a moment ago
            } catch {
                logger.error("ticket rules: ticket not opened", metadata: ["rule": "\(key)", "error": "\(error)"])
            }
        }
        // Open tickets whose condition cleared are resolved or annotated; those whose condition came back are noted again.
        let enabled = Set(rules.map(\.kind.rawValue))
        for (key, entry) in open.sorted(by: { $0.key < $1.key }) {
            guard let ruleName = entry.ticket.rule, enabled.contains(ruleName), let kind = TicketRule.Kind(rawValue: ruleName) else { continue }
            let rule = settings.rule(kind)
            if findings[key] != nil {
                report.stillOpen += 1
                if entry.clearedAt != nil { try await storage.database.write(WriteBatch([storage.tickets.forgetRuleCleared(entry.ticket.id)])) }
                continue
            }
            let note = "The condition of rule \(ruleName) no longer holds."
            switch rule.onClear {
            case .resolve:
                var draft = entry.ticket
                tickets.apply(.resolved, reason: nil, to: &draft, now: now)
                let events = [
                    TicketEvent(
                        ticketID: draft.id, at: now, actorID: nil, actorName: TicketService.systemActor, kind: .status,
                        from: entry.ticket.status.rawValue,
                        to: "resolved"),
                    TicketEvent(ticketID: draft.id, at: now, actorID: nil, actorName: TicketService.systemActor, kind: .rule, body: note),
                ]
                do {
                    _ = try await tickets.commit(draft, old: entry.ticket, events: events, changes: [SLAChange(at: now, status: .resolved)], now: now)
                    report.resolved += 1
                } catch ParcError.versionMismatch {
                    continue
                } catch {
                    logger.error("ticket rules: ticket not resolved", metadata: ["ticket": "\(entry.ticket.id)", "error": "\(error)"])
                }
            case .annotate:
                guard entry.clearedAt == nil else { continue }
                do {
                    try await storage.database.write(
                        WriteBatch([
                            storage.tickets.noteRuleCleared(entry.ticket.id, at: now),
                            storage.tickets.append(
                                TicketEvent(
                                    ticketID: entry.ticket.id, at: now, actorID: nil, actorName: TicketService.systemActor, kind: .rule, body: note)),
                        ]))
                    report.annotated += 1
                } catch ParcError.conflict {
                    continue  // another run noted it a moment ago
                }
            }
        }
        if report.opened + report.resolved + report.annotated > 0 {
            logger.info(
                "ticket rules", metadata: ["opened": "\(report.opened)", "resolved": "\(report.resolved)", "annotated": "\(report.annotated)"])
        }
        return report
    }
}
