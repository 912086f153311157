import Foundation
import ParcCore
import ParcStore

extension ParcApplication {
    /// Schemas of the planning and indicator routes, from examples the planner itself produces.
    static let planningSchemas: [String: JSONValue] = {
        let epoch = Date(timeIntervalSince1970: 0)
        let input = RefreshPlanInput(
            name: "Cycle 5 ans avec reconditionné", collectiviteID: UUID(), academieCode: "28", establishmentIDs: [UUID()], firstYear: 2027,
            lastYear: 2032, annualBudgetCents: 150_000_000, budgets: [.init(year: 2027, amountCents: 200_000_000)], budgetCovers: "own_share",
            replacements: [
                .init(kind: "tablet", modelID: UUID(), unitPriceCents: 56_600, refurbishedSharePercent: 20, refurbishedUnitPriceCents: 25_000)
            ],
            funding: [
                .init(
                    name: "État — socle numérique", sharePercent: 50, capPerPupilCents: 19_000, capPeriod: "plan", kinds: ["tablet"],
                    establishmentKinds: ["college"], firstYear: 2027, lastYear: 2028)
            ],
            policy: .init(
                lifespans: [.init(kind: "tablet", months: 60), .init(modelID: UUID(), months: 84)], batteryHealthBelowPercent: 60,
                failuresWithin12Months: 3, modelFailuresPer100Devices: 40, replaceLost: true,
                equityTargets: [.init(establishmentKind: "college", devicesPer100Pupils: 30, deviceKind: "tablet")]))
        let site = PlanFacts.Site(id: UUID(), uai: "9741234A", name: "Collège Bourbon", kind: .college, pupils: 600)
        let facts = PlanFacts(
            sites: [site],
            units: [
                .init(id: UUID(), site: 0, kind: .tablet, modelID: UUID(), purchase: LocalDate("2019-09-01")),
                .init(id: UUID(), site: 0, kind: .tablet, modelID: UUID(), lost: true, purchase: LocalDate("2024-09-01")),
            ])
        let parameters = RefreshPlanParameters(
            name: "Cycle 5 ans", years: 2027...2028, budgets: [2027: 5_000_000, 2028: 100_000],
            prices: [.tablet: .init(unitCents: 56_600, refurbishedPercent: 20, refurbishedUnitCents: 25_000)],
            programmes: [.init(name: "État — socle numérique", sharePercent: 50, capPerPupilCents: 19_000)],
            equityTargets: [.college: .init(devicesPer100Pupils: 30, deviceKind: .tablet)])
        var plan = RefreshPlanner.plan(facts, parameters)
        plan.notes = ["…"]
        let scenario = PlanningStore.Scenario(
            id: UUID(), name: plan.name, collectiviteID: UUID(), academieCode: "28", createdBy: UUID(), createdByName: "Département — DSI",
            createdAt: epoch, lineCount: plan.lines.count, input: input, plan: plan)
        let line = plan.lines.first { $0.deviceID != nil }!
        var withModel = line
        withModel.modelID = UUID()
        var schemas: [String: JSONValue] = [:]
        schemas["RefreshPlanInput"] = OpenAPIDocument.schema(example: input)
        schemas["RefreshPlan"] = OpenAPIDocument.schema(example: plan)
        schemas["RefreshScenario"] = OpenAPIDocument.schema(example: scenario)
        schemas["RefreshPlanLinePage"] = OpenAPIDocument.schema(example: LinePage(funders: plan.funders, items: [withModel], nextAfter: 200))
        schemas["RefreshPlanEstablishment"] = OpenAPIDocument.schema(example: plan.establishments[0])
        schemas["ScenarioComparison"] = OpenAPIDocument.schema(example: ScenarioComparison([(UUID(), plan), (UUID(), plan)]))
        var counts = IndicatorFacts()
        for column in IndicatorFacts.columns { counts[keyPath: column.path] = 1 }
        schemas["IndicatorRow"] = OpenAPIDocument.schema(
            example: IndicatorRow(
                level: .collectivite, key: UUID().uuidString.lowercased(), label: "Département de La Réunion", day: LocalDate("2026-11-23"),
                facts: counts))
        schemas["IndicatorDefinition"] = OpenAPIDocument.schema(example: Indicators.definitions[0])
        schemas["SnapshotReport"] = OpenAPIDocument.schema(
            example: IndicatorEngine.SnapshotReport(ran: true, day: LocalDate("2026-11-23"), establishments: 412))
        return schemas
    }()
}
