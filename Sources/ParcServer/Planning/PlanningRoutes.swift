import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
public import ParcCore
import ParcStore

extension ParcApplication {
    /// `/api/v1/refresh-plans`, `/api/v1/refresh-scenarios` and `/api/v1/indicators`: what collectivités plan and watch.
    func addPlanningRoutes(to api: APIRoutes) {
        let planning = self.planning
        let storage = self.storage

        api.add(
            .post, "refresh-plans",
            "Compute a multi-year refresh plan without saving it: replacements by reason and score, cost per year split by funder, backlog, equity before and after. lines=true includes every line; format=csv gives the lines as CSV, format=svg the chart",
            tag: "Planning", query: ["lines", "format"], body: .json(schema: "RefreshPlanInput"), reply: .object(schema: "RefreshPlan")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let input = try await request.decodeJSON(RefreshPlanInput.self, context: context)
            let format = request.queryDictionary["format"] ?? "json"
            guard ["json", "csv", "svg"].contains(format) else {
                throw ParcError.validation([FieldError(field: "format", reason: "must be json, csv or svg")])
            }
            let lines = format == "csv" || request.queryDictionary["lines"] == "true"
            let (plan, _) = try await planning.plan(input, principal: principal, lines: lines)
            switch format {
            case "csv": return Reply.csv(ParcApplication.planLinesCSV(plan), filename: "plan-lines.csv")
            case "svg": return Reply.svg(PlanChart.svg(plan))
            default: return try Reply.json(plan)
            }
        }
        api.add(
            .post, "refresh-scenarios", "Compute a refresh plan and save it as a scenario, to compare with others", tag: "Planning",
            body: .json(schema: "RefreshPlanInput"), reply: .object(schema: "RefreshScenario"), status: 201
        ) { request, context in
            let (scenario, _) = try await planning.save(
                try await request.decodeJSON(RefreshPlanInput.self, context: context), principal: try context.requirePrincipal())
            return try Reply.json(scenario, status: .created, location: "/api/v1/refresh-scenarios/\(scenario.id)")
        }
        api.add(
            .get, "refresh-scenarios", "Saved scenarios in the caller's scope, newest first (without their lines)", tag: "Planning", query: ["limit"],
            reply: .list(schema: "RefreshScenario")
        ) { request, context in
            let principal = try context.requirePrincipal()
            try planning.authorize(principal, .read)
            let limit = try PageRequest(query: request.queryDictionary.filter { $0.key == "limit" }).limit
            return try Reply.json(try await storage.planning.scenarios(in: principal.scope, limit: limit))
        }
        api.add(
            .get, "refresh-scenarios/compare",
            "Scenarios side by side (ids=a,b,…; the first is the reference): total cost, own share, subsidies, backlog, equity spread. format=csv for CSV",
            tag: "Planning", query: ["ids", "format"], reply: .object(schema: "ScenarioComparison")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let raw = request.queryDictionary["ids"] ?? ""
            let ids = raw.split(separator: ",").map { UUID(uuidString: String($0).trimmingCharacters(in: .whitespaces)) }
            guard (2...10).contains(ids.count), ids.allSatisfy({ $0 != nil }) else {
                throw ParcError.validation([FieldError(field: "ids", reason: "must list 2 to 10 scenario ids separated by commas")])
            }
            var scenarios: [(id: UUID, plan: RefreshPlan)] = []
            for id in ids { scenarios.append((id!, try await planning.scenario(id!, principal: principal).plan)) }
            let comparison = ScenarioComparison(scenarios)
            if request.queryDictionary["format"] == "csv" { return Reply.csv(comparison.csv, filename: "scenarios.csv") }
            return try Reply.json(comparison)
        }
        api.add(
            .get, "refresh-scenarios/{id}",
            "A saved scenario: its request and its plan (years, summary, establishments). format=csv for the years as CSV",
            tag: "Planning", query: ["format"], reply: .object(schema: "RefreshScenario")
        ) { request, context in
            let scenario = try await planning.scenario(try context.id(), principal: try context.requirePrincipal())
            if request.queryDictionary["format"] == "csv" { return Reply.csv(RefreshPlan.yearsCSV(scenario.plan), filename: "plan-years.csv") }
            return try Reply.json(scenario)
        }
        api.add(
            .get, "refresh-scenarios/{id}/lines",
            "A scenario's lines in plan order (replace, add, backlog), filtered by year, action or establishment_id; after=<n> pages on. format=csv streams them all",
            tag: "Planning", query: ["year", "action", "establishment_id", "after", "limit", "format"], reply: .object(schema: "RefreshPlanLinePage")
        ) { request, context in
            let scenario = try await planning.scenario(try context.id(), principal: try context.requirePrincipal())
            let query = request.queryDictionary
            var v = Validator()
            var filter = PlanningStore.LineFilter()
            if let year = query["year"] { filter.year = v.range(Int(year) ?? -1, "year", scenario.plan.firstYear...scenario.plan.lastYear) }
            if let action = query["action"] { filter.action = v.enumValue(action, "action", as: RefreshPlan.Action.self) }
            filter.establishmentID = v.uuid(query["establishment_id"], "establishment_id")
            var after: Int?
            if let raw = query["after"] {
                after = Int(raw)
                if after == nil { v.fail("after", "must be a line number") }
            }
            try v.check()
            let selected = filter
            let funders = scenario.plan.funders
            if query["format"] == "csv" {
                let id = scenario.id
                let body = ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: RefreshPlan.linesCSVHeader(funders: funders)))
                    var cursor: Int?
                    while true {
                        let page = try await storage.planning.lines(scenarioID: id, filter: selected, after: cursor, limit: 5000)
                        if page.isEmpty { break }
                        try await writer.write(
                            ByteBuffer(string: page.map { RefreshPlan.csvLine($0.line, programmes: funders.count - 1) }.joined()))
                        cursor = page.last!.n
                    }
                    try await writer.finish(nil)
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"plan-lines.csv\""],
                    body: body)
            }
            let limit = try PageRequest(query: query.filter { $0.key == "limit" }).limit
            let page = try await storage.planning.lines(scenarioID: scenario.id, filter: selected, after: after, limit: limit)
            return try Reply.json(LinePage(funders: funders, items: page.map(\.line), nextAfter: page.count == limit ? page.last?.n : nil))
        }
        api.add(
            .get, "refresh-scenarios/{id}/establishments",
            "Per establishment: devices per 100 pupils before and after, target, replaced, added, cost, backlog. format=csv for CSV", tag: "Planning",
            query: ["format"], reply: .list(schema: "RefreshPlanEstablishment")
        ) { request, context in
            let scenario = try await planning.scenario(try context.id(), principal: try context.requirePrincipal())
            if request.queryDictionary["format"] == "csv" {
                return Reply.csv(RefreshPlan.establishmentsCSV(scenario.plan.establishments), filename: "plan-establishments.csv")
            }
            return try Reply.json(scenario.plan.establishments)
        }
        api.add(
            .get, "refresh-scenarios/{id}/chart.svg", "The scenario drawn for a report: cost per year stacked by funder, budget, backlog",
            tag: "Planning",
            reply: .svg
        ) { _, context in
            let scenario = try await planning.scenario(try context.id(), principal: try context.requirePrincipal())
            return Reply.svg(PlanChart.svg(scenario.plan))
        }
        api.add(.delete, "refresh-scenarios/{id}", "Delete a saved scenario and its lines", tag: "Planning", reply: .empty, status: 204) {
            _, context in
            let principal = try context.requirePrincipal()
            try planning.authorize(principal, .delete)
            let scenario = try await planning.scenario(try context.id(), principal: principal)
            try await storage.database.write(storage.planning.delete(scenario.id))
            return Reply.noContent()
        }
        addIndicatorRoutes(to: api)
    }

    func addIndicatorRoutes(to api: APIRoutes) {
        let engine = self.indicators
        let snapshots = self.snapshots
        api.add(.get, "indicators/definitions", "What each indicator means", tag: "Indicators", reply: .list(schema: "IndicatorDefinition")) {
            _, context in
            try engine.authorize(try context.requirePrincipal())
            return try Reply.json(Indicators.definitions)
        }
        api.add(
            .get, "indicators",
            "Indicators now, per establishment, collectivite, departement, academie or territory (level), inside the caller's scope; filters collectivite_id, departement, academie_code. format=csv for CSV",
            tag: "Indicators", query: ["level", "collectivite_id", "departement", "academie_code", "format"], reply: .list(schema: "IndicatorRow")
        ) { request, context in
            let query = request.queryDictionary
            var v = Validator()
            let level = v.enumValue(query["level"] ?? "establishment", "level", as: IndicatorRow.Level.self)
            let filters = IndicatorEngine.Filters(
                collectiviteID: v.uuid(query["collectivite_id"], "collectivite_id"), departement: query["departement"],
                academieCode: query["academie_code"])
            try v.check()
            let rows = try await engine.table(level: level!, filters: filters, principal: try context.requirePrincipal())
            if query["format"] == "csv" { return Reply.csv(IndicatorRow.csv(rows), filename: "indicators-\(level!.rawValue).csv") }
            return try Reply.json(rows)
        }
        api.add(
            .get, "indicators/series",
            "Daily snapshots of one subject's indicators (level and key: an id, or a département or académie code; level=territory for the caller's whole scope) from/to (YYYY-MM-DD, default the last 365 days). format=csv for CSV",
            tag: "Indicators", query: ["level", "key", "from", "to", "format"], reply: .list(schema: "IndicatorRow")
        ) { request, context in
            let query = request.queryDictionary
            var v = Validator()
            let level = v.enumValue(query["level"] ?? "territory", "level", as: IndicatorRow.Level.self)
            let today = engine.today(engine.clock.now())
            let to = v.date(query["to"], "to") ?? today
            let from = v.date(query["from"], "from") ?? LocalDate(daysSinceEpoch: to.daysSinceEpoch - 365)
            if from > to { v.fail("from", "must not be after to") }
            if to.daysSinceEpoch - from.daysSinceEpoch > 3660 { v.fail("from", "a series spans at most ten years") }
            try v.check()
            let rows = try await engine.series(level: level!, key: query["key"], from: from, to: to, principal: try context.requirePrincipal())
            if query["format"] == "csv" { return Reply.csv(IndicatorRow.csv(rows), filename: "indicators-series.csv") }
            return try Reply.json(rows)
        }
        api.add(
            .post, "indicators/snapshots", "Take today's snapshot now (administrators; the daily job does it once per cluster)", tag: "Indicators",
            reply: .object(schema: "SnapshotReport")
        ) { _, context in
            guard try context.requirePrincipal().role == .admin else { throw ParcError.forbidden("only an administrator takes snapshots by hand") }
            return try Reply.json(try await snapshots.engine.snapshot())
        }
    }

    public static func planLinesCSV(_ plan: RefreshPlan) -> String {
        let programmes = plan.funders.count - 1
        return plan.lines.reduce(into: RefreshPlan.linesCSVHeader(funders: plan.funders)) { $0 += RefreshPlan.csvLine($1, programmes: programmes) }
    }
}

/// A page of a scenario's lines; `next_after` is the value of `after` for the next page.
struct LinePage: Codable, Sendable {
    var funders: [String]
    var items: [RefreshPlan.Line]
    var nextAfter: Int?
}
