import Foundation
import Logging
import ParcCore
import ParcServer
import ParcStore
import ParcTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// A writer that holds its first commit until the test opens the gate, so the queue can be filled at will.
final class GatedWriter: HeartbeatWriter, Sendable {
    let inner: (any HeartbeatWriter)?
    let opened = Mutex(false)
    let commits = Mutex(0)
    /// Heartbeats handed to `commit` so far.
    let held = Mutex(0)
    let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])

    init(_ inner: (any HeartbeatWriter)? = nil) { self.inner = inner }

    func open() {
        let waiters = waiting.withLock { w -> [CheckedContinuation<Void, Never>] in
            defer { w = [] }
            return w
        }
        opened.withLock { $0 = true }
        for w in waiters { w.resume() }
    }

    func commit(_ items: [IngestItem]) async throws -> [Int] {
        commits.withLock { $0 += 1 }
        held.withLock { $0 += items.reduce(0) { $0 + $1.heartbeats.count } }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = opened.withLock { $0 }
            if now { c.resume() } else { waiting.withLock { $0.append(c) } }
        }
        if let inner { return try await inner.commit(items) }
        return items.map(\.heartbeats.count)
    }

    var started: Bool { commits.withLock { $0 } > 0 }
}

func heartbeats(_ seqs: ClosedRange<Int64>) -> [Heartbeat] {
    seqs.map { Heartbeat(seq: $0, observedAtMs: 1_795_422_600_000 + $0) }
}

func eventually(_ condition: () -> Bool) async throws {
    for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    #expect(condition())
}

@Suite struct IngestPipelineTests {
    @Test func aFullQueueRefusesWithUnavailableAndLosesNothingQueued() async throws {
        let writer = GatedWriter()
        let pipeline = IngestPipeline(writer: writer, capacity: 10, maxBatch: 100, metrics: .unregistered(), logger: .quietForTests)
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                try await pipeline.run(); return -1
            }
            group.addTask { try await pipeline.submit(IngestItem(deviceKey: 1, heartbeats: heartbeats(1...5), receivedAtMs: 0)) }
            try await eventually { writer.started }  // the writer holds 5 heartbeats
            group.addTask { try await pipeline.submit(IngestItem(deviceKey: 2, heartbeats: heartbeats(1...6), receivedAtMs: 0)) }
            group.addTask { try await pipeline.submit(IngestItem(deviceKey: 3, heartbeats: heartbeats(1...4), receivedAtMs: 0)) }
            try await eventually { pipeline.queuedHeartbeats == 10 }
            await #expect(throws: ParcError.unavailable("the ingest queue is full; retry after the delay")) {
                try await pipeline.submit(IngestItem(deviceKey: 4, heartbeats: heartbeats(1...1), receivedAtMs: 0))
            }
            writer.open()
            var acknowledged: [Int] = []
            for _ in 0..<3 { acknowledged.append(try await group.next()!) }
            #expect(acknowledged.sorted() == [4, 5, 6])
            pipeline.close()
            #expect(try await group.next() == -1)
        }
    }

    /// With two writers, the second starts only while the first commits and a backlog (a quarter of `maxBatch`)
    /// waits; both commits then run at once, and every request is acknowledged once they finish.
    @Test func aSecondWriterTakesOnlyABacklog() async throws {
        let writer = GatedWriter()
        let pipeline = IngestPipeline(writer: writer, capacity: 100, maxBatch: 8, writers: 2, metrics: .unregistered(), logger: .quietForTests)
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                try await pipeline.run(); return -1
            }
            group.addTask { try await pipeline.submit(IngestItem(deviceKey: 1, heartbeats: heartbeats(1...1), receivedAtMs: 0)) }
            try await eventually { writer.commits.withLock { $0 } == 1 }
            group.addTask { try await pipeline.submit(IngestItem(deviceKey: 2, heartbeats: heartbeats(1...1), receivedAtMs: 0)) }
            try await eventually { pipeline.queuedHeartbeats == 1 }
            try await Task.sleep(for: .milliseconds(50))
            #expect(writer.commits.withLock { $0 } == 1, "one queued heartbeat waits for the busy writer")
            group.addTask { try await pipeline.submit(IngestItem(deviceKey: 3, heartbeats: heartbeats(1...1), receivedAtMs: 0)) }
            try await eventually { writer.commits.withLock { $0 } == 2 }
            #expect(pipeline.queuedHeartbeats == 0 && writer.held.withLock { $0 } == 3)
            writer.open()
            var acknowledged: [Int] = []
            for _ in 0..<3 { acknowledged.append(try await group.next()!) }
            #expect(acknowledged == [1, 1, 1])
            pipeline.close()
            #expect(try await group.next() == -1)
        }
    }

    /// Graceful shutdown: whatever was queued when it began is committed before the writer returns, every
    /// waiting request gets its acknowledgement, and what comes later is refused (so the agent keeps it).
    @Test(arguments: Backend.allCases)
    func shutdownFlushesTheQueue(_ backend: Backend) async throws {
        let postgres = backend == .postgres ? try await TestPostgres.shared.freshDatabase(logger: .quietForTests) : nil
        let parc = try ParcApplication(configuration: try testConfiguration(backend, postgres: postgres), logger: .quietForTests)
        try await withThrowingTaskGroup(of: Void.self) { services in
            for service in parc.storage.services { services.addTask { try await service.run() } }
            _ = try await parc.prepare()
            let device = try await enrolDirectly(parc)
            let writer = GatedWriter(parc.storage.telemetry.writer)
            let pipeline = IngestPipeline(writer: writer, capacity: 10_000, maxBatch: 7, metrics: .unregistered(), logger: .quietForTests)
            let group = ServiceGroup(configuration: .init(services: [pipeline], logger: .quietForTests))
            try await withThrowingTaskGroup(of: Int.self) { requests in
                requests.addTask {
                    try await group.run(); return -1
                }
                for n in 0..<40 {
                    let seqs = Int64(n * 3 + 1)...Int64(n * 3 + 3)
                    requests.addTask { try await pipeline.submit(IngestItem(deviceKey: device, heartbeats: heartbeats(seqs), receivedAtMs: 1)) }
                }
                try await eventually { pipeline.queuedHeartbeats + writer.held.withLock { $0 } == 120 }
                await group.triggerGracefulShutdown()
                try await eventually { !pipeline.isAccepting }  // the signal reaches the pipeline asynchronously
                await #expect(throws: ParcError.self) {
                    try await pipeline.submit(IngestItem(deviceKey: device, heartbeats: heartbeats(500...500), receivedAtMs: 1))
                }
                writer.open()
                var acknowledged = 0
                while let n = try await requests.next() { if n >= 0 { acknowledged += n } }
                #expect(acknowledged == 120)
            }
            let counts = try await parc.storage.telemetry.heartbeatCounts(deviceKeys: [device], fromSeq: 1)
            #expect(counts[device]?.count == 120 && counts[device]?.maxSeq == 120)
            services.cancelAll()
        }
    }
}

/// An enrolled device written straight to the store, for tests below the HTTP layer.
func enrolDirectly(_ parc: ParcApplication) async throws -> Int64 {
    let storage = parc.storage
    let now = Date()
    let owner = Collectivite(
        id: UUID(), kind: .departement, code: "974", name: "Département de La Réunion", academieCode: "28", createdAt: now, updatedAt: now)
    let college = Establishment(
        id: UUID(), uai: try UAI(validating: "9740979W"), kind: .college, name: "Collège", commune: "Saint-Denis", communeCode: "97411",
        academieCode: "28", pupils: 500, teachers: 40, ownerID: owner.id, ownerOverridden: false, createdAt: now, updatedAt: now)
    let model = DeviceModel(
        id: UUID(), kind: .tablet, manufacturer: "Apple", name: "iPad", lifespanMonths: 60, unitPriceCents: nil, createdAt: now, updatedAt: now)
    let device = Device(
        id: UUID(), establishmentID: college.id, ownerID: owner.id, academieCode: "28", modelID: model.id, kind: .tablet, manufacturer: "Apple",
        serialNumber: "SN1", assetTag: nil, roomID: nil, cartID: nil, status: .inService, purchaseDate: nil, purchasePriceCents: nil,
        fundingProgramme: nil, funderShares: [], warrantyEnd: nil, plannedEndOfLife: nil, plannedRefresh: nil, notes: nil, createdAt: now,
        updatedAt: now)
    let rows = try await storage.database.write(
        WriteBatch([
            storage.repository(Collectivite.self).insert(owner), storage.repository(Establishment.self).insert(college),
            storage.repository(DeviceModel.self).insert(model), storage.repository(Device.self).insert(device),
            storage.telemetry.enroll(deviceID: device.id, tokenHash: "test", enrollmentTokenID: UUID(), macAddresses: [], agentVersion: nil, at: now),
        ]))
    return try rows[4][0].int64("device_key")
}
