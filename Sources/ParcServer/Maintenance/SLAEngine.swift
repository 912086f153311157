public import Foundation
public import ParcCore
import ParcStore

/// What the maintenance module reads from configuration.
public struct MaintenanceSettings: Sendable {
    /// How long after resolution a ticket may be reopened; after it, the pass closes the ticket.
    public var reopenWindow: TimeInterval
    public var maxAttachmentBytes: Int
    public var maxAttachmentsPerTicket: Int
    /// How often the escalation pass runs (breaches, automatic escalation, closing).
    public var passIntervalSeconds: Int
    /// How often telemetry rules are evaluated.
    public var rulesIntervalSeconds: Int
    /// How far back speed tests count for the slow-link rule.
    public var linkWindowDays: Int
    public var rules: [TicketRule]

    public init(
        reopenWindow: TimeInterval = 7 * 86_400, maxAttachmentBytes: Int = 5 << 20, maxAttachmentsPerTicket: Int = 10,
        passIntervalSeconds: Int = 60, rulesIntervalSeconds: Int = 900, linkWindowDays: Int = 7,
        rules: [TicketRule] = TicketRule.Kind.allCases.map(TicketRule.standard)
    ) {
        self.reopenWindow = reopenWindow
        self.maxAttachmentBytes = maxAttachmentBytes
        self.maxAttachmentsPerTicket = maxAttachmentsPerTicket
        self.passIntervalSeconds = passIntervalSeconds
        self.rulesIntervalSeconds = rulesIntervalSeconds
        self.linkWindowDays = linkWindowDays
        self.rules = rules
    }

    public func rule(_ kind: TicketRule.Kind) -> TicketRule { rules.first { $0.kind == kind } ?? TicketRule.standard(kind) }
}

/// Puts a ticket's SLA state in step with its history: finds the governing policy, builds the establishment's
/// calendar, replays the clocks, and returns the breaches to record. Used by every path that changes a ticket.
struct SLAEngine: Sendable {
    let storage: Storage
    let zones: HolidayZones

    /// The ticket with its SLA recomputed as of `now`, given its status changes (stored plus `pending`), and the
    /// breaches that computation shows.
    func refresh(_ ticket: Ticket, establishment: Establishment, policy: SLAPolicy?, history: [SLAChange], now: Date) -> (Ticket, [SLABreach]) {
        var ticket = ticket
        guard let policy else {
            ticket.slaPolicyID = nil
            ticket.sla = nil
            return (ticket, [])
        }
        let calendar = zones.calendar(
            departement: establishment.departement, academie: establishment.academieCode, hours: policy.hours,
            excludeSchoolHolidays: policy.excludeSchoolHolidays, around: now)
        ticket.slaPolicyID = policy.id
        ticket.sla = SLAClock.evaluate(
            opened: ticket.openedAt, history: history, priority: ticket.priority, policy: policy, calendar: calendar, now: now)
        return (ticket, ticket.sla.map { SLABreach.found(in: $0, ticketID: ticket.id, now: now) } ?? [])
    }

    /// The policy a ticket follows: the one it names, else the one governing its establishment.
    func policy(for ticket: Ticket) async throws -> SLAPolicy? {
        if let id = ticket.slaPolicyID, let policy = try await storage.repository(SLAPolicy.self).get(id, in: .all) { return policy }
        return SLAPolicy.governing(ticket.establishmentID, among: try await storage.tickets.policies(collectiviteID: ticket.ownerID))
    }

    /// Recomputes many tickets at once (a policy changed, or the pass); returns the statements to write.
    func recompute(_ tickets: [Ticket], policy fixed: SLAPolicy?, now: Date) async throws -> [WriteStatement] {
        guard !tickets.isEmpty else { return [] }
        let histories = try await storage.tickets.timelines(ticketIDs: tickets.map(\.id))
        let establishments = try await storage.repository(Establishment.self).get(ids: Array(Set(tickets.map(\.establishmentID))))
        var statements: [WriteStatement] = []
        for ticket in tickets {
            guard let establishment = establishments[ticket.establishmentID] else { continue }
            let policy: SLAPolicy? = if let fixed { fixed } else { try await self.policy(for: ticket) }
            var (updated, breaches) = refresh(ticket, establishment: establishment, policy: policy, history: histories[ticket.id] ?? [], now: now)
            guard updated != ticket else { continue }
            updated.version = ticket.version + 1
            updated.updatedAt = now
            statements.append(storage.repository(Ticket.self).update(updated, expectedVersion: ticket.version))
            let known = Set(try await storage.tickets.breaches(ticketID: ticket.id).map(\.clock))
            for breach in breaches where !known.contains(breach.clock) {
                statements.append(storage.tickets.record(breach))
                statements.append(storage.tickets.append(TicketEvent.breach(breach, at: now)))
            }
        }
        return statements
    }
}
