import Foundation
import ParcCore
import ParcStore
import ParcTestSupport
import Testing

/// Planning facts, saved scenarios and indicator snapshots, with the same assertions on SQLite and PostgreSQL.
@Suite struct PlanningStoreTests {
    @Test func snapshotColumnsAreTheFacts() {
        #expect(IndicatorFacts.columns.map(\.name) == IndicatorStore.snapshotColumns)
    }

    /// `serve` snapshots before anything is imported: an empty territory has no département to build the online
    /// threshold from, and must still read.
    @Test(arguments: Backend.allCases)
    func factsOfAnEmptyTerritory(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let now = Date()
            let moments = IndicatorStore.Moments(
                under5YearsSince: LocalDate("2021-09-01")!, measuredSince: now, resolvedSince: now, onlineSince: [:], fallbackOnlineSince: now)
            let facts = try await IndicatorStore(db).facts(in: .all, moments: moments)
            #expect(facts.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func factsReadTheScopedFleetWithTelemetryAndFailures(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let other = Fixture.collectivite(.region, code: "04", name: "Région Réunion")
            let college = Fixture.establishment("9749011B", owner: dept)
            let lycee = Fixture.establishment("9740979W", owner: other, kind: .lyceeGeneralTechnologique)
            let model = Fixture.model()
            try await db.insert(dept, other)
            try await db.insert(college, lycee)
            try await db.insert(model)
            var lost = Fixture.device("LOST1", model: model, in: college)
            lost.status = .lost
            var retired = Fixture.device("OLD1", model: model, in: college)
            retired.status = .retired
            let ok = Fixture.device("OK1", model: model, in: college)
            try await db.insert(lost, retired, ok, Fixture.device("LYC1", model: model, in: lycee))
            // Two hardware tickets and one Wi-Fi ticket on the same device in the last year.
            for category in [Ticket.Category.hardware, .hardware, .wifi] {
                var ticket = TicketStoreTests.ticket(college)
                ticket.category = category
                ticket.deviceID = ok.id
                ticket.modelID = model.id
                try await db.write(WriteBatch(TicketStore(db).insert(ticket)))
            }
            let facts = try await PlanningStore(db).facts(.init(scope: .collectivite(dept.id)), failuresSince: Fixture.t0.addingTimeInterval(-86_400))
            #expect(facts.sites.map(\.id) == [college.id])
            #expect(Set(facts.units.map(\.id)) == [lost.id, ok.id])
            #expect(facts.units.first { $0.id == lost.id }?.lost == true)
            #expect(facts.units.first { $0.id == ok.id }?.failures == 2)
            #expect(facts.units.first { $0.id == ok.id }?.purchase == LocalDate("2016-09-01"))
            #expect(facts.modelLifespans[model.id] == 60)
            // Two hardware tickets over the two devices of the model in scope.
            #expect(facts.modelFailureRates[model.id] == 100)
            let narrowed = try await PlanningStore(db).facts(.init(scope: .all, establishmentIDs: [lycee.id]), failuresSince: Fixture.t0)
            #expect(narrowed.sites.map(\.id) == [lycee.id])
            #expect(narrowed.units.count == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func scenariosKeepTheirLinesAndStayInTheirScope(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let other = Fixture.collectivite(.region, code: "04", name: "Région Réunion")
            try await db.insert(dept, other)
            let site = PlanFacts.Site(id: UUID(), uai: "9749011B", name: "Collège", kind: .college, pupils: 10)
            let facts = PlanFacts(
                sites: [site],
                units: (0..<450).map { _ in PlanFacts.Unit(id: UUID(), site: 0, kind: .tablet, modelID: UUID(), purchase: LocalDate("2015-01-01")) })
            let plan = RefreshPlanner.plan(
                facts,
                RefreshPlanParameters(
                    years: 2027...2028, budgets: [2027: 10_000_000, 2028: 5_000_000], prices: [.tablet: .init(unitCents: 50_000)],
                    programmes: [.init(name: "État", sharePercent: 50, capPerPupilCents: 19_000)]))
            #expect(plan.lines.count == 450)
            #expect(plan.summary.backlogDevices == 147)
            let store = PlanningStore(db)
            let scenario = PlanningStore.Scenario(
                id: UUID(), name: "Cycle 5 ans", collectiviteID: dept.id, academieCode: "28", createdBy: nil, createdByName: "test",
                createdAt: Fixture.t0,
                lineCount: plan.lines.count, input: RefreshPlanInput(name: "Cycle 5 ans", firstYear: 2027, lastYear: 2028), plan: plan)
            try await db.write(try store.save(scenario, lines: plan.lines))
            let read = try #require(try await store.scenario(scenario.id, in: .collectivite(dept.id)))
            #expect(read.plan.summary == plan.summary)
            #expect(read.plan.years == plan.years)
            #expect(read.plan.lines.isEmpty)
            #expect(read.input.firstYear == 2027)
            #expect(try await store.scenario(scenario.id, in: .collectivite(other.id)) == nil)
            #expect(try await store.scenario(scenario.id, in: .academie("28")) != nil)
            #expect(try await store.scenarios(in: .collectivite(other.id), limit: 10).isEmpty)
            // Lines come back whole, in order, page by page, and filtered.
            var all: [RefreshPlan.Line] = []
            var after: Int?
            repeat {
                let page = try await store.lines(scenarioID: scenario.id, filter: .init(), after: after, limit: 200)
                all += page.map(\.line)
                after = page.count == 200 ? page.last?.n : nil
            } while after != nil
            #expect(all == plan.lines)
            let backlog = try await store.lines(scenarioID: scenario.id, filter: .init(year: 2028, action: .backlog), after: nil, limit: 500)
            #expect(backlog.map(\.line) == plan.lines.filter { $0.action == .backlog })
            try await db.write(store.delete(scenario.id))
            #expect(try await store.scenario(scenario.id, in: .all) == nil)
            #expect(try await store.lines(scenarioID: scenario.id, filter: .init(), after: nil, limit: 10).isEmpty)
            await #expect(throws: ParcError.notFound("scenario")) { try await db.write(store.delete(scenario.id)) }
        }
    }

    @Test(arguments: Backend.allCases)
    func snapshotsAreRewrittenPerDayAndSummedPerSubject(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db in
            let dept = Fixture.collectivite()
            let other = Fixture.collectivite(.region, code: "04", name: "Région Réunion")
            let a = Fixture.establishment("9749011B", owner: dept)
            let b = Fixture.establishment("9740979W", owner: other, kind: .lyceeGeneralTechnologique)
            try await db.insert(dept, other)
            try await db.insert(a, b)
            let store = IndicatorStore(db)
            let subjects = try await store.subjects(in: .all)
            #expect(subjects.map(\.id) == [b.id, a.id])
            func facts(_ computers: Int) -> [UUID: IndicatorFacts] {
                var f = IndicatorFacts()
                f.pupils = 600
                f.computers = computers
                return [a.id: f, b.id: f]
            }
            let monday = LocalDate("2026-11-23")!
            let tuesday = LocalDate("2026-11-24")!
            try await db.write(store.snapshot(day: monday, subjects: subjects, facts: facts(10)))
            try await db.write(store.snapshot(day: monday, subjects: subjects, facts: facts(20)))
            try await db.write(store.snapshot(day: tuesday, subjects: subjects, facts: facts(30)))
            let all = try await store.series(.territory, in: .all, from: monday, to: tuesday)
            #expect(all.map(\.day) == [monday, tuesday])
            #expect(all.map(\.facts.computers) == [40, 60])
            #expect(all.map(\.facts.pupils) == [1200, 1200])
            let mine = try await store.series(.territory, in: .collectivite(dept.id), from: monday, to: tuesday)
            #expect(mine.map(\.facts.computers) == [20, 30])
            #expect(try await store.series(.collectivite(other.id), in: .collectivite(dept.id), from: monday, to: tuesday).isEmpty)
            #expect(try await store.series(.establishment(b.id), in: .all, from: tuesday, to: tuesday).map(\.facts.computers) == [30])
            try await db.write(WriteBatch([store.pruneSnapshots(before: tuesday)]))
            #expect(try await store.series(.territory, in: .all, from: monday, to: tuesday).map(\.day) == [tuesday])
        }
    }
}
