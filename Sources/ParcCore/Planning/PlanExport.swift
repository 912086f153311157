public import Foundation

/// CSV views of a plan (one table per question a finance department asks) and the side-by-side comparison of
/// saved scenarios.
extension RefreshPlan {
    public static func yearsCSV(_ plan: RefreshPlan) -> String {
        var out = CSVWriter.line(
            ["year", "budget_cents", "charged_cents", "total_cents"] + plan.funders.map { "funder:" + $0 }
                + ["replaced", "added", "refurbished", "backlog_devices", "backlog_cost_cents"])
        for year in plan.years {
            let amounts = plan.funders.map { name in year.funders.first { $0.funder == name }?.cents ?? 0 }
            out += CSVWriter.line(
                [year.year, year.budgetCents, year.chargedCents, year.totalCents].map(String.init) + amounts.map(String.init)
                    + [year.replaced, year.added, year.refurbished, year.backlogDevices, year.backlogCostCents].map(String.init))
        }
        return out
    }

    public static let lineHeader = [
        "year", "action", "device_id", "establishment_id", "kind", "model_id", "reason", "score", "overdue_months", "refurbished", "cost_cents",
    ]

    public static func linesCSVHeader(funders: [String]) -> String {
        CSVWriter.line(lineHeader + funders.dropLast().map { "funder:" + $0 } + ["own_cents"])
    }

    public static func csvLine(_ line: Line, programmes: Int) -> String {
        let subsidies = (0..<programmes).map { $0 < line.subsidiesCents.count ? String(line.subsidiesCents[$0]) : "0" }
        return CSVWriter.line(
            [
                String(line.year), line.action.rawValue, line.deviceID?.uuidString.lowercased() ?? "", line.establishmentID.uuidString.lowercased(),
                line.kind.rawValue, line.modelID?.uuidString.lowercased() ?? "", line.reason.rawValue, String(line.score), String(line.overdueMonths),
                String(line.refurbished), String(line.costCents),
            ] + subsidies + [String(line.ownCents)])
    }

    public static func establishmentsCSV(_ outcomes: [EstablishmentOutcome]) -> String {
        func text(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        var out = CSVWriter.line([
            "establishment_id", "uai", "name", "kind", "pupils", "target", "devices_per_100_pupils_before", "devices_per_100_pupils_after",
            "replaced", "added", "cost_cents", "backlog_devices",
        ])
        for o in outcomes {
            out += CSVWriter.line([
                o.establishmentID.uuidString.lowercased(), o.uai, o.name, o.kind.rawValue, String(o.pupils), text(o.target),
                text(o.devicesPer100PupilsBefore), text(o.devicesPer100PupilsAfter), String(o.replaced), String(o.added), String(o.costCents),
                String(o.backlogDevices),
            ])
        }
        return out
    }
}

/// Saved plans side by side, on the figures a collectivité decides on.
public struct ScenarioComparison: Codable, Equatable, Sendable {
    public struct Row: Codable, Equatable, Sendable {
        public var scenarioID: UUID
        public var name: String
        public var firstYear: Int
        public var lastYear: Int
        public var totalCents: Int
        public var ownCents: Int
        public var subsidiesCents: Int
        public var replaced: Int
        public var added: Int
        public var backlogDevices: Int
        public var backlogCostCents: Int
        public var equitySpreadBefore: Double?
        public var equitySpreadAfter: Double?
        public var belowTargetAfter: Int
        public var medianAfter: Double?
        /// Differences from the first scenario listed (the reference).
        public var totalDeltaCents: Int
        public var backlogDelta: Int
    }

    public var rows: [Row]

    public init(_ scenarios: [(id: UUID, plan: RefreshPlan)]) {
        var rows: [Row] = []
        for (id, plan) in scenarios {
            let s = plan.summary
            let own = s.funders.first { $0.funder == RefreshPlan.ownShareFunder }?.cents ?? 0
            rows.append(
                Row(
                    scenarioID: id, name: plan.name, firstYear: plan.firstYear, lastYear: plan.lastYear, totalCents: s.totalCents, ownCents: own,
                    subsidiesCents: s.totalCents - own, replaced: s.replaced, added: s.added, backlogDevices: s.backlogDevices,
                    backlogCostCents: s.backlogCostCents, equitySpreadBefore: s.equityBefore.spread, equitySpreadAfter: s.equityAfter.spread,
                    belowTargetAfter: s.equityAfter.belowTarget, medianAfter: s.equityAfter.median,
                    totalDeltaCents: s.totalCents - (rows.first?.totalCents ?? s.totalCents),
                    backlogDelta: s.backlogDevices - (rows.first?.backlogDevices ?? s.backlogDevices)))
        }
        self.rows = rows
    }

    public var csv: String {
        func text(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        var out = CSVWriter.line([
            "scenario_id", "name", "first_year", "last_year", "total_cents", "own_cents", "subsidies_cents", "replaced", "added", "backlog_devices",
            "backlog_cost_cents", "equity_spread_before", "equity_spread_after", "below_target_after", "median_after", "total_delta_cents",
            "backlog_delta",
        ])
        for r in rows {
            out += CSVWriter.line([
                r.scenarioID.uuidString.lowercased(), r.name, String(r.firstYear), String(r.lastYear), String(r.totalCents), String(r.ownCents),
                String(r.subsidiesCents), String(r.replaced), String(r.added), String(r.backlogDevices), String(r.backlogCostCents),
                text(r.equitySpreadBefore), text(r.equitySpreadAfter), String(r.belowTargetAfter), text(r.medianAfter), String(r.totalDeltaCents),
                String(r.backlogDelta),
            ])
        }
        return out
    }
}
