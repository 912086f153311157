import Foundation
import ParcCore
import Testing

/// The refresh planner on hand-built fleets: budgets, funders, reasons, equity, determinism.
@Suite struct RefreshPlannerTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))! }
    static let model = id(900_000)

    static func site(_ n: Int, _ kind: Establishment.Kind = .college, pupils: Int = 100) -> PlanFacts.Site {
        PlanFacts.Site(id: id(100_000 + n), uai: "UAI\(n)", name: "Établissement \(n)", kind: kind, pupils: pupils)
    }

    static func tablet(
        _ n: Int, site: Int32 = 0, bought: String? = "2019-09-01", lost: Bool = false, health: Double? = nil, failures: Int = 0,
        warrantyEnd: String? = nil, planned: String? = nil
    ) -> PlanFacts.Unit {
        PlanFacts.Unit(
            id: id(n), site: site, kind: .tablet, modelID: model, lost: lost, purchase: bought.flatMap(LocalDate.init),
            warrantyEnd: warrantyEnd.flatMap(LocalDate.init),
            plannedRefresh: planned.flatMap(LocalDate.init), batteryHealth: health, failures: failures)
    }

    static func parameters(
        years: ClosedRange<Int> = 2027...2027, budget: Int, covers: RefreshPlanParameters.BudgetCovers = .ownShare, price: Int = 50_000,
        refurbished: Int = 0, programmes: [RefreshPlanParameters.Programme] = [],
        targets: [Establishment.Kind: RefreshPlanParameters.EquityTarget] = [:]
    ) -> RefreshPlanParameters {
        RefreshPlanParameters(
            years: years, budgets: Dictionary(uniqueKeysWithValues: years.map { ($0, budget) }), budgetCovers: covers,
            prices: [.tablet: .init(unitCents: price, refurbishedPercent: refurbished, refurbishedUnitCents: 20_000)], programmes: programmes,
            kindLifespans: [.tablet: 60], batteryHealthBelow: 60, failuresWithin12Months: 3, equityTargets: targets)
    }

    /// A seeded fleet of many establishments with mixed ages, losses and battery health.
    static func randomFleet(seed: UInt64, sites: Int, devices: Int) -> PlanFacts {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let kinds: [Establishment.Kind] = [.ecoleElementaire, .college, .lyceeGeneralTechnologique]
        return PlanFacts(
            sites: (0..<sites).map { site($0, kinds[$0 % 3], pupils: 50 + next() % 900) },
            units: (0..<devices).map { n in
                tablet(
                    n, site: Int32(next() % sites), bought: "20\(15 + next() % 11)-0\(1 + next() % 9)-01", lost: next() % 50 == 0,
                    health: next() % 10 == 0 ? Double(next() % 100) : nil, failures: next() % 8)
            })
    }

    @Test(arguments: [(UInt64(1), RefreshPlanParameters.BudgetCovers.ownShare), (2, .totalCost), (3, .ownShare), (4, .totalCost)])
    func neverOverBudgetInAnyYear(_ seed: UInt64, _ covers: RefreshPlanParameters.BudgetCovers) {
        let facts = Self.randomFleet(seed: seed, sites: 40, devices: 3_000)
        for budget in [0, 37_000, 1_000_000, 25_000_000, 400_000_000] {
            let p = Self.parameters(
                years: 2027...2032, budget: budget, covers: covers, refurbished: 25,
                programmes: [
                    .init(name: "État", sharePercent: 50, capPerPupilCents: 19_000), .init(name: "Région", sharePercent: 30, capPeriod: .year),
                ],
                targets: [.college: .init(devicesPer100Pupils: 40, deviceKind: .tablet)])
            let plan = RefreshPlanner.plan(facts, p)
            for year in plan.years {
                #expect(year.chargedCents <= year.budgetCents, "\(year.year) budget \(budget)")
                let charged = covers == .ownShare ? year.funders.last!.cents : year.totalCents
                #expect(charged == year.chargedCents)
                #expect(year.funders.reduce(0) { $0 + $1.cents } == year.totalCents)
            }
            // Every line's split adds up to its cost, and the lines add up to the years.
            let bought = plan.lines.filter { $0.action != .backlog }
            #expect(bought.allSatisfy { $0.subsidiesCents.reduce(0, +) + $0.ownCents == $0.costCents })
            #expect(bought.reduce(0) { $0 + $1.costCents } == plan.summary.totalCents)
        }
    }

    @Test func programmeCapsPerPupilAcrossThePlan() {
        // 10 pupils × 190 € = 1 900 € of State money for the whole plan; half of each 500 € tablet until it runs out.
        let facts = PlanFacts(sites: [Self.site(0, pupils: 10)], units: (0..<12).map { Self.tablet($0, bought: "2015-01-01") })
        let p = Self.parameters(
            years: 2027...2028, budget: 1_000_000_000, programmes: [.init(name: "État", sharePercent: 50, capPerPupilCents: 19_000, kinds: [.tablet])]
        )
        let plan = RefreshPlanner.plan(facts, p)
        let state = plan.lines.filter { $0.action == .replace }.map { $0.subsidiesCents[0] }
        #expect(state == [25_000, 25_000, 25_000, 25_000, 25_000, 25_000, 25_000, 15_000, 0, 0, 0, 0])
        #expect(plan.summary.funders == [.init(funder: "État", cents: 190_000), .init(funder: "collectivite", cents: 600_000 - 190_000)])
        #expect(plan.funders == ["État", "collectivite"])
    }

    @Test(arguments: [
        // (cap period, years of the programme, State money per year)
        (RefreshPlanParameters.CapPeriod.year, 2027...2028, [50_000, 50_000]),
        (.plan, 2027...2028, [50_000, 0]),
        (.year, 2028...2028, [0, 50_000]),
    ])
    func capPeriodsAndProgrammeYears(_ period: RefreshPlanParameters.CapPeriod, _ window: ClosedRange<Int>, _ expected: [Int]) {
        // 1 pupil × 500 € cap; one tablet due each year (bought 2022 and 2023 with a 5-year life).
        let facts = PlanFacts(
            sites: [Self.site(0, pupils: 1)], units: [Self.tablet(1, bought: "2022-03-01"), Self.tablet(2, bought: "2023-03-01")])
        let p = Self.parameters(
            years: 2027...2028, budget: 1_000_000,
            programmes: [.init(name: "État", sharePercent: 100, capPerPupilCents: 50_000, capPeriod: period, years: window)])
        let plan = RefreshPlanner.plan(facts, p)
        #expect(plan.years.map { $0.funders[0].cents } == expected)
    }

    @Test func reasonsOrderThePurchasesWhenMoneyIsShort() {
        // Budget for three tablets: the lost one first, then the bad battery, then the failing out-of-warranty one;
        // the old one and the failing one still under warranty wait.
        let facts = PlanFacts(
            sites: [Self.site(0)],
            units: [
                Self.tablet(1, bought: "2016-01-01"), Self.tablet(2, bought: "2024-01-01", failures: 5, warrantyEnd: "2029-01-01"),
                Self.tablet(3, bought: "2022-01-01", failures: 4, warrantyEnd: "2024-01-01"), Self.tablet(4, bought: "2025-01-01", health: 41),
                Self.tablet(5, bought: "2025-06-01", lost: true), Self.tablet(6, bought: nil),
            ])
        let plan = RefreshPlanner.plan(facts, Self.parameters(budget: 150_000))
        let bought = plan.lines.filter { $0.action == .replace }
        #expect(bought.map(\.deviceID) == [Self.id(5), Self.id(4), Self.id(3)])
        #expect(bought.map(\.reason) == [.lost, .batteryHealth, .failures])
        #expect(bought.map(\.score) == [400, 300, 250 + 11])
        let backlog = plan.lines.filter { $0.action == .backlog }
        #expect(backlog.map(\.deviceID) == [Self.id(1)])
        #expect(backlog.first?.reason == .age)
        // Due January 2021, so 84 months overdue at the end of 2027.
        #expect(backlog.first?.overdueMonths == 84)
        #expect(backlog.first?.score == 184)
        #expect(plan.summary.devicesUndated == 1)
        #expect(plan.years[0].backlogDevices == 1)
        #expect(plan.years[0].backlogCostCents == 50_000)
    }

    @Test func aPlannedRefreshDateComesBeforeTheEndOfLife() {
        let facts = PlanFacts(sites: [Self.site(0)], units: [Self.tablet(1, bought: "2025-01-01", planned: "2027-08-01")])
        let plan = RefreshPlanner.plan(facts, Self.parameters(years: 2026...2027, budget: 1_000_000))
        #expect(plan.lines.map(\.year) == [2027])
        #expect(plan.lines.map(\.reason) == [.planned])
    }

    @Test func devicesBoughtByThePlanAgeToo() {
        // Bought in 2027 (dated 1 July) with a 5-year life: due again in 2032, not before.
        let facts = PlanFacts(sites: [Self.site(0)], units: [Self.tablet(1, bought: "2015-01-01")])
        let plan = RefreshPlanner.plan(facts, Self.parameters(years: 2027...2033, budget: 1_000_000))
        #expect(plan.lines.map(\.year) == [2027, 2032])
    }

    @Test func spareBudgetGoesToTheEstablishmentsFurthestBelowTheTarget() {
        // Target 10 per 100 pupils. Site 0: 2 devices for 100 pupils (8 short); site 1: 5 for 100 (5 short); site 2 at target.
        let facts = PlanFacts(
            sites: [Self.site(0), Self.site(1), Self.site(2, pupils: 10)],
            units: (0..<2).map { Self.tablet($0, site: 0, bought: "2026-01-01") } + (10..<15).map { Self.tablet($0, site: 1, bought: "2026-01-01") }
                + [Self.tablet(20, site: 2, bought: "2026-01-01")])
        let p = Self.parameters(budget: 5 * 50_000, targets: [.college: .init(devicesPer100Pupils: 10, deviceKind: .tablet)])
        let plan = RefreshPlanner.plan(facts, p)
        let added = plan.lines.filter { $0.action == .add }
        // Site 0 alone until it is as short as site 1 (3 devices), then turn by turn, ties by id: 0, 0, 0, 0, 1.
        #expect(added.map(\.establishmentID) == [0, 0, 0, 0, 1].map { Self.id(100_000 + $0) })
        #expect(added.map(\.reason) == Array(repeating: .equity, count: 5))
        #expect(added.map(\.score) == [8, 7, 6, 5, 5])
        #expect(plan.establishments.map(\.devicesPer100PupilsAfter) == [6, 6, 10])
        #expect(plan.establishments.map(\.devicesPer100PupilsBefore) == [2, 5, 10])
        #expect(plan.summary.equityBefore.belowTarget == 2)
        #expect(plan.summary.equityAfter.spread == 4)
        #expect(plan.summary.equityBefore.spread == 8)
    }

    @Test func shortfallRaisesTheScoreOfEqualReplacements() throws {
        // Two equally old tablets, one in each establishment, money for one: the poorer establishment's goes first.
        let facts = PlanFacts(
            sites: [Self.site(0, pupils: 10), Self.site(1, pupils: 100)],
            units: [Self.tablet(1, site: 0, bought: "2019-01-01"), Self.tablet(2, site: 1, bought: "2019-01-01")])
        let plan = RefreshPlanner.plan(
            facts, Self.parameters(budget: 50_000, targets: [.college: .init(devicesPer100Pupils: 10, deviceKind: .tablet)]))
        #expect(plan.lines.first?.deviceID == Self.id(2))
        let score = try #require(plan.lines.first?.score)
        #expect(score == 157, "100 for age, 48 months overdue, 9 below the target")
    }

    @Test func refurbishedShareIsSpreadOverPurchases() {
        let facts = PlanFacts(sites: [Self.site(0)], units: (0..<10).map { Self.tablet($0, bought: "2015-01-01") })
        let plan = RefreshPlanner.plan(facts, Self.parameters(budget: 10_000_000, refurbished: 20))
        #expect(plan.lines.map(\.refurbished) == [false, false, false, false, true, false, false, false, false, true])
        #expect(plan.summary.totalCents == 8 * 50_000 + 2 * 20_000)
        #expect(plan.years[0].refurbished == 2)
    }

    @Test func samePlanWhateverTheOrderOfTheFleet() {
        let facts = Self.randomFleet(seed: 9, sites: 25, devices: 2_000)
        var shuffled = facts
        var generator = SystemRandomNumberGenerator()
        shuffled.units.shuffle(using: &generator)
        let p = Self.parameters(
            years: 2027...2031, budget: 30_000_000, refurbished: 10, programmes: [.init(name: "État", sharePercent: 50, capPerPupilCents: 19_000)],
            targets: [.ecoleElementaire: .init(devicesPer100Pupils: 20, deviceKind: .tablet)])
        let first = RefreshPlanner.plan(facts, p)
        #expect(first == RefreshPlanner.plan(shuffled, p))
        #expect(first == RefreshPlanner.plan(facts, p))
        #expect(!first.lines.isEmpty)
        // Previews skip the lines, not the figures.
        var figures = first
        figures.lines = []
        #expect(RefreshPlanner.plan(shuffled, p, lines: false) == figures)
    }

    @Test func lostDevicesAreLeftOutWhenThePolicySaysSo() {
        let facts = PlanFacts(sites: [Self.site(0)], units: [Self.tablet(1, lost: true), Self.tablet(2, bought: "2026-01-01")])
        var p = Self.parameters(budget: 1_000_000)
        p.replaceLost = false
        let plan = RefreshPlanner.plan(facts, p)
        #expect(plan.lines.isEmpty)
        #expect(plan.summary.devicesConsidered == 1)
    }

    @Test func scenariosCompareAgainstTheFirst() {
        let facts = Self.randomFleet(seed: 5, sites: 10, devices: 800)
        let five = RefreshPlanner.plan(facts, Self.parameters(years: 2027...2031, budget: 5_000_000))
        var sevenYears = Self.parameters(years: 2027...2031, budget: 5_000_000)
        sevenYears.kindLifespans[.tablet] = 84
        let seven = RefreshPlanner.plan(facts, sevenYears)
        let comparison = ScenarioComparison([(Self.id(1), five), (Self.id(2), seven)])
        #expect(comparison.rows.map(\.totalDeltaCents) == [0, seven.summary.totalCents - five.summary.totalCents])
        #expect(comparison.rows[1].backlogDelta == seven.summary.backlogDevices - five.summary.backlogDevices)
        #expect(seven.summary.backlogDevices < five.summary.backlogDevices)
        #expect(comparison.csv.split(separator: "\r\n").count == 3)
    }

    @Test func requestsAreValidatedFieldByField() {
        let model = DeviceModel(
            id: Self.model, kind: .laptop, manufacturer: "Dell", name: "Latitude", lifespanMonths: 60, unitPriceCents: nil, createdAt: Date(),
            updatedAt: Date())
        let input = RefreshPlanInput(
            firstYear: 2027, lastYear: 2050, budgets: [.init(year: 2026, amountCents: 5)], budgetCovers: "everything",
            replacements: [.init(kind: "tablet", modelID: Self.model), .init(kind: "toaster", unitPriceCents: 1)],
            funding: [.init(name: "collectivite", sharePercent: 150)],
            policy: .init(equityTargets: [.init(establishmentKind: "college", devicesPer100Pupils: 30, deviceKind: "laptop")]))
        #expect {
            _ = try input.validate(models: [Self.model: model])
        } throws: { error in
            guard case .validation(let fields)? = error as? ParcError else { return false }
            let names = Set(fields.map(\.field))
            return names.isSuperset(of: [
                "last_year", "budget_covers", "replacements[0].model_id", "replacements[0].unit_price_cents", "replacements[1].kind",
                "funding[0].name", "funding[0].share_percent", "policy.equity_targets[0].device_kind",
            ])
        }
        let good = RefreshPlanInput(
            firstYear: 2027, lastYear: 2028, annualBudgetCents: 100, budgets: [.init(year: 2028, amountCents: 500)],
            replacements: [.init(modelID: Self.model, unitPriceCents: 60_000)])
        let parameters = try? good.validate(models: [Self.model: model])
        #expect(parameters?.budgets == [2027: 100, 2028: 500])
        #expect(parameters?.prices[.laptop]?.lifespanMonths == 60)
        #expect(parameters?.budgetCovers == .ownShare)
    }

    @Test func theChartDrawsEveryFunderAndTheBudget() {
        let facts = PlanFacts(sites: [Self.site(0, pupils: 10)], units: (0..<12).map { Self.tablet($0, bought: "2015-01-01") })
        var p = Self.parameters(
            years: 2027...2028, budget: 300_000, programmes: [.init(name: "État <plan> & co", sharePercent: 50, capPerPupilCents: 19_000)])
        p.name = "Plan \"test\""
        let svg = PlanChart.svg(RefreshPlanner.plan(facts, p))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<title>Plan &quot;test&quot;</title>"))
        #expect(svg.contains("État &lt;plan&gt; &amp; co"))
        #expect(svg.contains("<title>Budget 2027 : 3 k€</title>"))
        #expect(svg.contains("<title>2027 — Collectivité (part propre) : 2,6 k€</title>"))
        #expect(svg.contains("<polyline"))
        #expect(!svg.contains("<plan>"))
        #expect(svg.contains("height=\"420.0\""))
        // Many programmes with long names: the legend wraps onto new lines and the drawing grows to hold them.
        p.programmes = (1...6).map { .init(name: "Programme de cofinancement régional numéro \($0)", sharePercent: 5) }
        let wide = PlanChart.svg(RefreshPlanner.plan(facts, p))
        #expect(wide.contains("height=\"474.0\""), "two long names a line, four lines")
    }
}

/// Indicator definitions on a hand-computed territory of two establishments.
@Suite struct IndicatorDefinitionTests {
    @Test func aTerritoryIsTheRatioOfItsSumsNotTheMeanOfItsRatios() {
        var a = IndicatorFacts()
        a.establishments = 1
        a.pupils = 100
        a.computers = 30
        a.mobileDevices = 20
        a.clientDevices = 40
        a.clientDevicesDated = 40
        a.clientDevicesUnder5Years = 10
        a.mobileCarts = 1
        a.interactiveDisplays = 2
        a.teachingRooms = 8
        a.teachingRoomsCovered = 6
        a.establishmentsWithLink = 1
        a.establishmentsFiltering = 1
        a.contractedDownKbps = 100_000
        a.measuredDownKbps = 80_000
        a.pupilsMeasured = 100
        a.enrolledDevices = 20
        a.onlineDevices = 15
        a.openTickets = 3
        a.restorationKnown = 4
        a.restorationMet = 3
        var b = IndicatorFacts()
        b.establishments = 1
        b.pupils = 300
        b.computers = 10
        b.clientDevices = 10
        b.teachingRooms = 12
        b.establishmentsWithLink = 1
        b.contractedDownKbps = 20_000
        let one = IndicatorValues(a)
        #expect(one.computersPer100Pupils == 30)
        #expect(one.shareUnder5YearsPercent == 25)
        #expect(one.classesMobilesPer1000Pupils == 10)
        #expect(one.teachingRoomsWifiPercent == 75)
        #expect(one.contractedMbpsPerPupil == 1)
        #expect(one.measuredMbpsPerPupil == 0.8)
        #expect(one.online7SchoolDaysPercent == 75)
        #expect(one.restorationCompliancePercent == 75)
        let both = IndicatorValues(a + b)
        // (30 + 10) / 400 pupils, not the mean of 30 and 3.3.
        #expect(both.computersPer100Pupils == 10)
        #expect(both.clientDevicesPer100Pupils == 12.5)
        #expect(both.teachingRoomsWifiPercent == 30)
        #expect(both.contractedMbpsPerPupil == 0.3)
        // Measured only where measured: b has no measurement, so its pupils do not dilute the figure.
        #expect(both.measuredMbpsPerPupil == 0.8)
        #expect(both.filteringPercent == 50)
        #expect(both.shareUnder5YearsPercent == 25)
        #expect(IndicatorValues(b).shareUnder5YearsPercent == nil)
        #expect(IndicatorValues(IndicatorFacts()).computersPer100Pupils == nil)
        let csv = IndicatorRow.csv([IndicatorRow(level: .territory, key: "", label: "Tout", facts: a + b)])
        let lines = csv.split(separator: "\r\n")
        #expect(lines[0].hasPrefix("level,key,label,day,computers_per_100_pupils,"))
        #expect(lines[1].hasPrefix("territory,,Tout,,10,"))
        #expect(Indicators.definitions.map(\.key) == IndicatorValues(a).named.map(\.0))
    }
}
