import Foundation

/// The agent: enrolls once, then every interval queues a heartbeat and drains the outbox oldest-first,
/// backing off with full jitter while the server cannot take it.
actor AgentLoop {
    static let backoffBase = 2.0
    static let backoffCap = 300.0

    private let configuration: AgentConfiguration
    private let environment: AgentEnvironment
    private let stateFile: AgentStateFile
    private var outbox: HeartbeatOutbox
    private var state: AgentState?

    init(configuration: AgentConfiguration, environment: AgentEnvironment) throws {
        self.configuration = configuration
        self.environment = environment
        stateFile = AgentStateFile(path: configuration.stateFilePath)
        // First run: the state directory may not exist yet; it holds the device token, hence owner-only.
        let directory = URL(fileURLWithPath: configuration.stateFilePath).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let outbox = try HeartbeatOutbox(path: configuration.outboxPath, capacity: configuration.outboxCapacity)
        self.outbox = outbox
        if outbox.unreadableLineCount > 0 || outbox.droppedCount > 0 {
            environment.log("outbox: skipped \(outbox.unreadableLineCount) unreadable lines, dropped \(outbox.droppedCount) over capacity")
        }
    }

    /// Runs until the task is cancelled (Task.sleep then throws CancellationError) or the server refuses the
    /// device for good.
    func run() async throws {
        try await loadOrEnroll(keepTrying: true)
        var lastSnapshot = environment.now()
        queueHeartbeat()
        var nextSend = lastSnapshot
        var failures = 0
        while true {
            try Task.checkCancellation()
            if environment.now() >= nextSend && !outbox.isEmpty {
                if let retry = try await flush().retry {
                    failures += 1
                    let delay = Self.backoffDelay(attempt: failures, retryAfter: retry.after, random: environment.random)
                    nextSend = environment.now().addingTimeInterval(delay)
                    environment.log("delivery failed (\(retry.reason)); \(outbox.count) queued, next try in \(Int(delay.rounded())) s")
                } else {
                    failures = 0
                }
            }
            let nextSnapshot = lastSnapshot.addingTimeInterval(interval)
            if environment.now() >= nextSnapshot {
                lastSnapshot = environment.now()
                queueHeartbeat()
                continue
            }
            let wake = outbox.isEmpty ? nextSnapshot : min(nextSnapshot, nextSend)
            let delay = wake.timeIntervalSince(environment.now())
            if delay > 0 { try await environment.sleep(.milliseconds(Int64((delay * 1000).rounded(.up)))) }
        }
    }

    /// Queues one heartbeat and makes one attempt to deliver it with the backlog. Returns whether it reached the
    /// server; the caller exits non-zero otherwise. Undelivered heartbeats stay queued for the next run.
    @discardableResult
    func runOnce() async throws -> Bool {
        try await loadOrEnroll(keepTrying: false)
        guard let seq = queueHeartbeat() else { return false }
        let report = try await flush()
        if let retry = report.retry {
            environment.log("not delivered: \(retry.reason); \(outbox.count) heartbeats stay queued")
            return false
        }
        guard !report.rejectedSeqs.contains(seq) else { return false }
        environment.log("delivered \(report.acknowledged) heartbeats")
        return true
    }

    /// Full jitter: uniform in [0, min(cap, base·2^(attempt−1))), yet never sooner than the server's Retry-After
    /// (itself capped at an hour, so a misconfigured proxy cannot silence the agent for days).
    static func backoffDelay(attempt: Int, retryAfter: Int?, random: () -> Double) -> Double {
        let ceiling = min(backoffCap, backoffBase * pow(2, Double(min(max(attempt, 1) - 1, 30))))
        return max(random() * ceiling, Double(min(retryAfter ?? 0, 3600)))
    }

    // MARK: Steps

    private var interval: Double {
        Double(max(1, configuration.intervalOverride ?? state?.intervalSeconds ?? 900))
    }

    private func loadOrEnroll(keepTrying: Bool) async throws {
        if let saved = try stateFile.load() {
            var current = saved
            // A restored backup or a lost state write must not make numbers go back.
            current.nextSeq = max(saved.nextSeq, (outbox.lastSeq ?? 0) + 1)
            current.serverURL = configuration.serverURL
            if current != saved { try stateFile.save(current) }
            state = current
            return
        }
        var attempt = 0
        while true {
            switch try await enroll() {
            case .acknowledged: return
            case .rejected(let status, let message): throw AgentError.enrollmentRejected(status: status, message: message)
            case .retryLater(let after, let reason):
                guard keepTrying else { throw AgentError.serverUnavailable(reason) }
                attempt += 1
                let delay = Self.backoffDelay(attempt: attempt, retryAfter: after, random: environment.random)
                environment.log("enrollment failed (\(reason)); next try in \(Int(delay.rounded())) s")
                try await environment.sleep(.milliseconds(Int64(delay * 1000)))
            }
        }
    }

    /// Enrolls with the command-line token and persists the credentials it gets back.
    private func enroll() async throws -> EnrollOutcome {
        guard let token = configuration.enrollmentToken else { throw AgentError.enrollmentTokenRequired }
        let hardware = environment.identity()
        let request = AgentAPI.EnrollRequest(
            enrollmentToken: token, hardware: .init(identity: hardware, kind: configuration.deviceKind),
            agentVersion: configuration.agentVersion)
        let outcome = await environment.transport.enroll(request)
        if case .acknowledged(let response) = outcome {
            // Numbering carries on across enrollments: it only has to grow.
            let enrolled = AgentState(
                serverURL: configuration.serverURL, deviceID: response.deviceID, deviceToken: response.deviceToken,
                establishmentID: response.establishmentID, nextSeq: max(state?.nextSeq ?? 1, (outbox.lastSeq ?? 0) + 1),
                intervalSeconds: response.checkinIntervalSeconds)
            try stateFile.save(enrolled)
            state = enrolled
            environment.log(
                "enrolled as \(response.created ? "new" : "existing") device \(response.deviceID) "
                    + "(establishment \(response.establishmentID), serial \(hardware.serialNumber))")
        }
        return outcome
    }

    /// Takes a snapshot and queues it under the next number; nil if it could not be queued.
    @discardableResult
    private func queueHeartbeat() -> Int? {
        guard var current = state else { return nil }
        let seq = current.nextSeq
        current.nextSeq += 1
        do {
            try stateFile.save(current)  // first: see AgentState.nextSeq
            state = current
            let now = environment.now().timeIntervalSince1970.rounded(.down)
            let heartbeat = AgentAPI.Heartbeat(
                seq: seq, observedAt: Date(timeIntervalSince1970: now), agentVersion: configuration.agentVersion,
                snapshot: environment.snapshot())
            let dropped = try outbox.append(heartbeat)
            if dropped > 0 {
                environment.log("outbox full (\(outbox.capacity)): dropped the \(dropped) oldest, \(outbox.droppedCount) since start")
            }
            return seq
        } catch {
            environment.log("could not queue heartbeat \(seq): \(error)")
            return nil
        }
    }

    private struct FlushReport {
        var acknowledged = 0
        var rejectedSeqs: [Int] = []
        var retry: (after: Int?, reason: String)?
    }

    /// Sends the outbox oldest-first in batches until it is empty or the server asks to wait.
    private func flush() async throws -> FlushReport {
        var report = FlushReport()
        var reenrolled = false
        while !outbox.isEmpty, let current = state {
            let batch = outbox.oldest(configuration.batchSize)
            switch await environment.transport.send(batch: batch, deviceToken: current.deviceToken) {
            case .acknowledged(let response):
                forget(batch.count)
                report.acknowledged += batch.count
                adopt(interval: response.nextCheckinSeconds)
                if response.actionCount > 0 { environment.log("ignored \(response.actionCount) server actions (not supported yet)") }
            case .retryLater(let after, let reason):
                report.retry = (after, reason)
                return report
            case .rejected(401, let message):
                // Token revoked or device deleted: enroll again once, then resend the same batch.
                guard !reenrolled else {
                    report.retry = (nil, "device token refused again right after enrolling: \(message)")
                    return report
                }
                reenrolled = true
                environment.log("device token refused (\(message)); enrolling again")
                switch try await enroll() {
                case .acknowledged: continue
                case .retryLater(let after, let reason):
                    report.retry = (after, "re-enrollment: \(reason)")
                    return report
                case .rejected(let status, let message): throw AgentError.enrollmentRejected(status: status, message: message)
                }
            case .rejected(let status, let message):
                // The batch itself is bad; resending it would fail forever and block everything behind it.
                environment.log("server rejected heartbeats \(batch.first!.seq)-\(batch.last!.seq) (HTTP \(status): \(message)); dropped")
                forget(batch.count)
                report.rejectedSeqs += batch.map(\.seq)
            }
        }
        return report
    }

    private func forget(_ count: Int) {
        do { try outbox.removeOldest(count) } catch { environment.log("could not rewrite the outbox: \(error)") }
    }

    private func adopt(interval seconds: Int) {
        guard seconds > 0, var current = state, current.intervalSeconds != seconds else { return }
        current.intervalSeconds = seconds
        state = current
        do { try stateFile.save(current) } catch { environment.log("could not save the new interval: \(error)") }
    }
}
