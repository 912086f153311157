import Foundation
public import Logging
import Metrics
import ParcCore
public import ParcStore
public import ServiceLifecycle
import Synchronization

/// Hands validated heartbeats from many request handlers to one writer that group-commits them.
///
/// A handler's `submit` returns only once its heartbeats are committed, so an acknowledgement always means
/// durable. The writer takes whatever is queued when it is free (up to `maxBatch` heartbeats) and commits it
/// in one transaction: under load groups grow by themselves, and an idle server commits at once — no timer
/// lingers before a commit. The queue is bounded: past `capacity` queued heartbeats, `submit` refuses with
/// `.unavailable` (503 + Retry-After) instead of letting memory grow. On graceful shutdown the writer stops
/// taking new work and commits everything already queued before it returns.
///
/// `writers` commits may run at once. SQLite has one writer whatever is asked of it, so one is right there; a
/// PostgreSQL server commits concurrent transactions in parallel, as it does for several nodes (rows are locked
/// in key order, see `HeartbeatWriter`), so a node can keep more than one of its connections writing. A second
/// writer only starts while another commits if a backlog of `maxBatch / 4` heartbeats waits: single heartbeats
/// are better served by one writer taking bigger groups (one fsync each) than by two taking half as many.
public final class IngestPipeline: Service, Sendable {
    struct Pending {
        var item: IngestItem
        var continuation: CheckedContinuation<Int, any Error>
    }

    struct State {
        var queue: [Pending] = []
        var queuedHeartbeats = 0
        var accepting = true
        var writersWaiting: [CheckedContinuation<Void, Never>] = []
        var committing = 0
    }

    let writer: any HeartbeatWriter
    let capacity: Int
    let maxBatch: Int
    let writers: Int
    let metrics: IngestMetrics
    let logger: Logger
    let state = Mutex(State())

    public init(writer: any HeartbeatWriter, capacity: Int, maxBatch: Int, writers: Int = 1, metrics: IngestMetrics, logger: Logger) {
        self.writer = writer
        self.capacity = capacity
        self.maxBatch = maxBatch
        self.writers = max(1, writers)
        self.metrics = metrics
        self.logger = logger
    }

    /// Heartbeats waiting for a commit (not counting the group being committed).
    public var queuedHeartbeats: Int { state.withLock { $0.queuedHeartbeats } }

    /// False once shutdown began: new heartbeats are refused, queued ones are still committed.
    public var isAccepting: Bool { state.withLock { $0.accepting } }

    /// Queues the item and waits for its commit; returns how many of its heartbeats were new.
    public func submit(_ item: IngestItem) async throws -> Int {
        let count = item.heartbeats.count
        return try await withCheckedThrowingContinuation { continuation in
            enum Outcome {
                case queued(wake: CheckedContinuation<Void, Never>?, depth: Int)
                case refused(ParcError, reason: IngestMetrics.Rejection)
            }
            let outcome = state.withLock { s -> Outcome in
                guard s.accepting else { return .refused(.unavailable("the server is shutting down; retry"), reason: .shuttingDown) }
                guard s.queuedHeartbeats + count <= capacity || s.queue.isEmpty else {
                    return .refused(.unavailable("the ingest queue is full; retry after the delay"), reason: .overloaded)
                }
                s.queue.append(Pending(item: item, continuation: continuation))
                s.queuedHeartbeats += count
                let backlog = s.committing == 0 || s.queuedHeartbeats >= max(1, maxBatch / 4)
                let wake = backlog ? s.writersWaiting.popLast() : nil
                return .queued(wake: wake, depth: s.queuedHeartbeats)
            }
            switch outcome {
            case .queued(let wake, let depth):
                metrics.queueDepth.record(depth)
                wake?.resume()
            case .refused(let error, let reason):
                metrics.rejected(reason, heartbeats: count)
                continuation.resume(throwing: error)
            }
        }
    }

    /// The writers. Returns after graceful shutdown once the queue is empty.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    for _ in 0..<writers {
                        group.addTask {
                            while let pending = await self.nextGroup() {
                                await self.commit(pending)
                            }
                        }
                    }
                }
            } onCancel: {
                self.close()
            }
        } onGracefulShutdown: {
            self.close()
        }
        // Only reached when closed and drained; anything that raced in after the last group is refused, not lost.
        let leftovers = state.withLock { s -> [Pending] in
            defer { s.queue = [] }
            return s.queue
        }
        for pending in leftovers { pending.continuation.resume(throwing: ParcError.unavailable("the server is shutting down; retry")) }
    }

    /// Stops accepting; the writers drain what is queued, then `run` returns.
    public func close() {
        let waiting = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.accepting = false
            defer { s.writersWaiting = [] }
            return s.writersWaiting
        }
        for wake in waiting { wake.resume() }
    }

    /// Waits until work is queued; takes up to `maxBatch` heartbeats of it. Nil once closed and empty.
    func nextGroup() async -> [Pending]? {
        while true {
            let taken = state.withLock { s -> [Pending]? in
                guard !s.queue.isEmpty else { return s.accepting ? [] : nil }
                defer { metrics.queueDepth.record(s.queuedHeartbeats) }
                var n = 0
                var heartbeats = 0
                while n < s.queue.count, n == 0 || heartbeats + s.queue[n].item.heartbeats.count <= maxBatch {
                    heartbeats += s.queue[n].item.heartbeats.count
                    n += 1
                }
                let group = Array(s.queue[..<n])
                s.queue.removeFirst(n)
                s.queuedHeartbeats -= heartbeats
                s.committing += 1
                return group
            }
            guard let taken else { return nil }
            if !taken.isEmpty { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !s.queue.isEmpty || !s.accepting { return true }
                    s.writersWaiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    func commit(_ group: [Pending]) async {
        defer { state.withLock { $0.committing -= 1 } }
        let started = ContinuousClock.now
        let heartbeats = group.reduce(0) { $0 + $1.item.heartbeats.count }
        do {
            let inserted = try await writer.commit(group.map(\.item))
            metrics.committed(heartbeats: heartbeats, new: inserted.reduce(0, +), requests: group.count, duration: ContinuousClock.now - started)
            for (pending, n) in zip(group, inserted) { pending.continuation.resume(returning: n) }
        } catch {
            // Nothing of this group is acknowledged: agents keep the heartbeats and send them again.
            logger.error("heartbeat commit failed", metadata: ["error": "\(error)", "heartbeats": "\(heartbeats)"])
            metrics.rejected(.storeFailure, heartbeats: heartbeats)
            let failure = ParcError.unavailable("the heartbeats could not be stored; retry")
            for pending in group { pending.continuation.resume(throwing: failure) }
        }
    }
}
