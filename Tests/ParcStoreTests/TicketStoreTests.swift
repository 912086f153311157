import Foundation
import ParcCore
import ParcStore
import ParcTestSupport
import Testing

/// The ticket store's guarantees, with the same assertions on SQLite and PostgreSQL.
@Suite struct TicketStoreTests {
    static func ticket(_ e: Establishment, dedup: String? = nil, status: Ticket.Status = .new) -> Ticket {
        Ticket(
            id: UUID(), number: 0, establishmentID: e.id, ownerID: e.ownerID, academieCode: e.academieCode, category: .hardware, urgency: .medium,
            impact: .medium, priority: .medium, priorityOverridden: false, title: "Écran cassé", description: "", reporterID: nil,
            reporterName: "test", assigneeID: nil, status: status, pendingReason: nil, level: 1, supplierCase: nil, deviceID: nil, modelID: nil,
            cartID: nil, accessPointID: nil, internetLinkID: nil, roomID: nil, source: dedup == nil ? .manual : .rule,
            rule: dedup == nil ? nil : "storage_full", dedupKey: dedup, slaPolicyID: nil, sla: nil, openedAt: Fixture.t0, resolvedAt: nil,
            closedAt: nil, createdAt: Fixture.t0, updatedAt: Fixture.t0)
    }

    @Test(arguments: Backend.allCases)
    func concurrentTicketsOfOneEstablishmentGetDistinctNumbers(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            let other = Fixture.establishment("9749011B", owner: dept)
            try await db.insert(dept)
            try await db.insert(college, other)
            let store = TicketStore(db)
            let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await db.write(WriteBatch(store.insert(Self.ticket(college))))[1][0].int("number") }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(numbers.sorted() == Array(1...12))
            // Each establishment counts on its own.
            #expect(try await db.write(WriteBatch(store.insert(Self.ticket(other))))[1][0].int("number") == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func oneOpenTicketPerRuleAndSubject(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            try await db.insert(dept)
            try await db.insert(college)
            let store = TicketStore(db)
            let first = Self.ticket(college, dedup: "storage_full:abc")
            try await db.write(WriteBatch(store.insert(first)))
            await #expect(throws: ParcError.conflict(field: "dedup_key", message: "an open ticket already exists for this rule and subject")) {
                try await db.write(WriteBatch(store.insert(Self.ticket(college, dedup: "storage_full:abc"))))
            }
            // Once the first is resolved, the rule may open a new one; open tickets list by key.
            var resolved = try #require(try await Repository<Ticket>(db).get(first.id, in: .all))
            resolved.status = .resolved
            resolved.version += 1
            try await db.write(WriteBatch([Repository<Ticket>(db).update(resolved, expectedVersion: 1)]))
            let second = Self.ticket(college, dedup: "storage_full:abc")
            try await db.write(WriteBatch(store.insert(second)))
            #expect(try await store.openRuleTickets()["storage_full:abc"]?.ticket.id == second.id)
        }
    }

    @Test(arguments: Backend.allCases)
    func breachesAreRecordedOnceAndPeriodicJobsClaimedOnce(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let college = Fixture.establishment("9740979W", owner: dept)
            try await db.insert(dept)
            try await db.insert(college)
            let store = TicketStore(db)
            let ticket = Self.ticket(college)
            try await db.write(WriteBatch(store.insert(ticket)))
            let breach = SLABreach(
                ticketID: ticket.id, clock: .restoration, dueAt: Fixture.t0, detectedAt: Fixture.t0, priority: .medium, policyID: UUID())
            var later = breach
            later.detectedAt = Fixture.t0.addingTimeInterval(3600)
            try await db.write(WriteBatch([store.record(breach)]))
            try await db.write(WriteBatch([store.record(later)]))
            #expect(try await store.breaches(ticketID: ticket.id) == [breach])
            // Two nodes claiming the same round: one gets it; the next round can be claimed after the gap.
            let now = Fixture.t0
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { try await store.claim(job: "tickets.pass", now: now, notSince: now.addingTimeInterval(-50)) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1)
            #expect(try await store.claim(job: "tickets.pass", now: now.addingTimeInterval(10), notSince: now.addingTimeInterval(-40)) == false)
            #expect(try await store.claim(job: "tickets.pass", now: now.addingTimeInterval(60), notSince: now.addingTimeInterval(10)) == true)
        }
    }
}
