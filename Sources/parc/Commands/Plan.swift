import ArgumentParser
import Foundation
import ParcCore
import ParcServer

/// `parc plan`: a refresh plan from the console, as an administrator: the request is the JSON the API takes
/// (`POST /api/v1/refresh-plans`), the answer a table, JSON, the lines as CSV, or the chart as SVG.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute (and optionally save) a multi-year refresh plan under budget, from a JSON request.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "The plan request, as the API takes it (see Inventory/demo/reunion/refresh-plan.json).")
    var request: String

    @Option(help: "Plan for this collectivité (kind:code, e.g. departement:974), instead of collectivite_id in the request.")
    var collectivite: String?

    @Flag(help: "Save the plan as a scenario.")
    var save = false

    @Option(help: "table, json, csv (the lines) or svg (the chart).")
    var format = "table"

    @Option(help: "Write to this file instead of the standard output.")
    var output: String?

    func validate() throws {
        guard ["table", "json", "csv", "svg"].contains(format) else { throw ValidationError("--format must be table, json, csv or svg") }
    }

    func run() async throws {
        let body = try Data(contentsOf: URL(fileURLWithPath: request))
        let configuration = try ParcConfiguration(reader: try await options.reader())
        let parc = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
        let asked = collectivite
        let keep = save
        let (plan, scenarioID) = try await withStorageRunning(parc) {
            _ = try await parc.prepare()
            return try await parc.refreshPlan(
                requestJSON: body, collectivite: asked,
                as: Principal(id: UUID(), name: "parc plan (\(NSUserName()))", role: .admin, createdAt: Date()),
                save: keep)
        }
        let text: String =
            switch format {
            case "json": String(decoding: try APIJSON.encoder.encode(plan), as: UTF8.self) + "\n"
            case "csv": ParcApplication.planLinesCSV(plan)
            case "svg": PlanChart.svg(plan)
            default: Plan.table(plan) + (scenarioID.map { "\nSaved as scenario \($0.uuidString.lowercased())\n" } ?? "")
            }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            print(text, terminator: "")
        }
    }

    static func table(_ plan: RefreshPlan) -> String {
        func euros(_ cents: Int) -> String { String(format: "%.0f €", Double(cents) / 100) }
        var out = "\(plan.name), \(plan.firstYear)–\(plan.lastYear)\n\n| year | budget | charged | total | "
        out +=
            plan.funders.joined(separator: " | ") + " | replaced | added | backlog |\n|" + String(repeating: "---|", count: 7 + plan.funders.count)
            + "\n"
        for year in plan.years {
            out += "| \(year.year) | \(euros(year.budgetCents)) | \(euros(year.chargedCents)) | \(euros(year.totalCents)) | "
            out += year.funders.map { euros($0.cents) }.joined(separator: " | ")
            out += " | \(year.replaced) | \(year.added) | \(year.backlogDevices) |\n"
        }
        let s = plan.summary
        out += "\nDevices considered: \(s.devicesConsidered) (not planned: \(s.devicesNotPlanned), undated: \(s.devicesUndated))\n"
        out +=
            "Total: \(euros(s.totalCents)); replaced \(s.replaced), added \(s.added); backlog at the end: \(s.backlogDevices) devices (\(euros(s.backlogCostCents)))\n"
        func equity(_ e: RefreshPlan.Equity) -> String {
            "median \(e.median.map { String($0) } ?? "–"), p10–p90 spread \(e.spread.map { String($0) } ?? "–"), \(e.belowTarget) of \(e.establishments) below target"
        }
        out += "Devices per 100 pupils before: \(equity(s.equityBefore))\n"
        out += "Devices per 100 pupils after:  \(equity(s.equityAfter))\n"
        for note in plan.notes { out += "Note: \(note)\n" }
        return out
    }
}
