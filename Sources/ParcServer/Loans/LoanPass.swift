import Foundation
public import Logging
public import ParcCore
import ParcStore
public import ServiceLifecycle

/// Delivers a reminder. E-mail or SMS gateways plug in here; the default writes to the server log.
public protocol NoticeSender: Sendable {
    func send(_ notice: LoanNotice) async throws
}

/// Logs that a notice went out, without its recipient or text: the log must not become a copy of families'
/// contact details.
public struct LogNoticeSender: NoticeSender {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ notice: LoanNotice) async throws {
        logger.info(
            "loan notice",
            metadata: ["notice": "\(notice.id)", "loan": "\(notice.loanID)", "stage": "\(notice.stage)", "channel": "\(notice.channel.rawValue)"])
    }
}

/// What one pass did, for logs and tests.
public struct LoanPassReport: Codable, Equatable, Sendable {
    public var ran: Bool
    public var offersExpired = 0
    public var offersMade = 0
    public var noticesQueued = 0
    public var noticesSent = 0
    public var noticesFailed = 0
    public var loansAnonymised = 0
    public var householdsDeleted = 0
    public var documentsDeleted = 0
    public var accessEntriesDeleted = 0

    public init(ran: Bool) { self.ran = ran }
}

extension LoanService {
    /// Expires offers (and offers the kits again), queues the reminders due today, sends the outbox and applies
    /// retention. Safe to run twice: every step looks at the stored state.
    func pass(sender: any NoticeSender) async throws -> LoanPassReport {
        var report = LoanPassReport(ran: true)
        let now = clock.now()
        var establishments = Set<UUID>()
        for loan in try await storage.loans.expiredOffers(now: now) {
            do {
                _ = try await end(loan, as: .expired, note: "offer expired", principal: nil)
                report.offersExpired += 1
                establishments.insert(loan.establishmentID)
            } catch ParcError.versionMismatch {
                continue
            }
        }
        for establishment in establishments { report.offersMade += try await offerAvailableKits(establishmentID: establishment) }
        report.noticesQueued = try await queueReminders(now: now)
        for notice in try await storage.loans.pendingNotices(limit: 1_000) {
            do {
                try await sender.send(notice)
                try await storage.database.write(storage.loans.markSent(notice.id, at: clock.now()))
                report.noticesSent += 1
            } catch {
                try await storage.database.write(storage.loans.markFailed(notice.id, error: "\(error)"))
                report.noticesFailed += 1
            }
        }
        try await applyRetention(now: now, into: &report)
        return report
    }

    /// One notice per loan out and stage reached, per guardian; the unique key keeps a stage from going twice.
    func queueReminders(now: Date) async throws -> Int {
        let today = today(now)
        var policies: [UUID: LoanPolicy] = [:]
        var queued = 0
        let candidates = try await storage.loans.outLoans(dueBy: LocalDate(daysSinceEpoch: today.daysSinceEpoch + 60))
        let householdIDs = candidates.compactMap(\.householdID)
        let households = try await self.households.get(ids: householdIDs)
        let kitIDs = candidates.compactMap(\.kitID)
        let kits = try await self.kits.get(ids: kitIDs)
        let establishments = try await storage.repository(Establishment.self).get(ids: Array(Set(candidates.map(\.establishmentID))))
        for loan in candidates {
            guard let due = loan.dueOn, let householdID = loan.householdID, let household = households[householdID] else { continue }
            if policies[loan.ownerID] == nil { policies[loan.ownerID] = try await policy(collectiviteID: loan.ownerID) }
            let policy = policies[loan.ownerID]!
            guard let stage = LoanReminders.stage(dueOn: due, today: today, policy: policy) else { continue }
            let context = LoanReminders.Context(
                loanReference: LoanService.reference(loan.id), kitName: loan.kitID.flatMap { kits[$0]?.name } ?? "de matériel",
                establishment: establishments[loan.establishmentID]?.name ?? "l'établissement", dueOn: due, today: today)
            let drafts = LoanReminders.drafts(stage, guardians: household.guardians, context: context, policy: policy)
            let batch = WriteBatch(
                drafts.map { draft in
                    storage.loans.enqueue(
                        LoanNotice(
                            id: clock.newID(), loanID: loan.id, establishmentID: loan.establishmentID, stage: stage.code, channel: draft.channel,
                            recipient: draft.recipient, subject: draft.subject, body: draft.body, createdAt: now))
                })
            // Only the notices actually inserted come back from `RETURNING`.
            queued += try await storage.database.write(batch).reduce(0) { $0 + $1.count }
        }
        return queued
    }

    /// The retention rules, with cut-offs on the configured calendar.
    func applyRetention(now: Date, into report: inout LoanPassReport) async throws {
        let rules = settings.retention
        let zone = settings.timeZone
        while true {
            let ids = try await storage.loans.loansToAnonymize(
                endedBefore: LoanRetention.cutoff(now, months: rules.loanDetailsMonths, timeZone: zone), limit: 500)
            if ids.isEmpty { break }
            try await storage.database.write(WriteBatch(storage.loans.anonymize(loanIDs: ids, at: now)))
            report.loansAnonymised += ids.count
        }
        while true {
            let ids = try await storage.loans.householdsToDelete(
                before: LoanRetention.cutoff(now, months: rules.householdMonths, timeZone: zone), limit: 200)
            if ids.isEmpty { break }
            for id in ids {
                let loans = try await storage.loans.loans(householdID: id).map(\.id)
                var batch = WriteBatch(storage.loans.anonymize(loanIDs: loans, at: now))
                batch.statements.append(storage.loans.deleteHousehold(id, required: false))
                try await storage.database.write(batch)
                report.householdsDeleted += 1
            }
        }
        let documentCutoff = LoanRetention.cutoff(now, months: rules.documentYears * 12, timeZone: zone)
        let logCutoff = LoanRetention.cutoff(now, months: rules.accessLogMonths, timeZone: zone)
        let deleted = try await storage.database.write(
            WriteBatch([
                storage.loans.deleteDocuments(keptUntilBefore: today(now), loansEndedBefore: documentCutoff),
                storage.loans.pruneAccessLog(before: logCutoff),
            ]))
        report.documentsDeleted = deleted[0].count
        report.accessEntriesDeleted = deleted[1].count
    }
}

/// Runs the loan pass every `loans.passMinutes`, on one node of the cluster at a time (the `maintenance_runs`
/// claim), after migrations.
public struct LoanPassService: Service {
    let loans: LoanService
    let sender: any NoticeSender
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard (try? await loans.storage.migrator.status().isCurrent) == true else {
                    try? await Task.sleep(for: .seconds(5))
                    continue
                }
                do {
                    let report = try await runIfDue()
                    if report.ran, report != LoanPassReport(ran: true) { logger.info("loan pass", metadata: ["report": "\(report)"]) }
                } catch {
                    logger.error("loan pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(loans.settings.passSeconds))
            }
        }
    }

    public func runIfDue() async throws -> LoanPassReport {
        let now = loans.clock.now()
        let since = now.addingTimeInterval(-Double(loans.settings.passSeconds) * 0.8)
        guard try await loans.storage.tickets.claim(job: "loans.pass", now: now, notSince: since) else { return LoanPassReport(ran: false) }
        return try await loans.pass(sender: sender)
    }
}
