public import Foundation
public import Logging
public import ParcCore
public import ParcStore
public import ServiceLifecycle

/// Rolls raw heartbeats past their retention into daily rows, and drops daily rows past theirs, every
/// `intervalSeconds`. Every node runs it; on PostgreSQL an advisory lock lets one node at a time do the work,
/// so a cluster rolls each day up once.
public struct RetentionService: Service {
    let telemetry: TelemetryStore
    let policy: RetentionPolicy
    let intervalSeconds: Int
    let now: @Sendable () -> Date
    let logger: Logger

    public init(telemetry: TelemetryStore, policy: RetentionPolicy, intervalSeconds: Int, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.telemetry = telemetry
        self.policy = policy
        self.intervalSeconds = intervalSeconds
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // Sleep first: at start the server is still migrating, and a restart loop should not hammer the database.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(intervalSeconds))
                if Task.isCancelled { break }
                await runOnce()
            }
        }
    }

    /// One pass; failures are logged and retried at the next pass, never fatal to the server.
    @discardableResult
    public func runOnce() async -> TelemetryStore.RetentionReport? {
        do {
            let report = try await telemetry.applyRetention(policy, now: now())
            if report.heartbeatsRolledUp > 0 || report.dailyRowsDeleted > 0 {
                logger.info(
                    "retention applied",
                    metadata: [
                        "days": "\(report.daysRolledUp)", "heartbeats": "\(report.heartbeatsRolledUp)", "daily.deleted": "\(report.dailyRowsDeleted)",
                    ])
            }
            return report
        } catch ParcError.conflict {
            logger.debug("retention skipped: another node holds the lock")
            return nil
        } catch {
            logger.error("retention failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
