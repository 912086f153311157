import ArgumentParser
import Foundation
import ParcCore
import ParcServer

/// `parc tickets`: what an operator does from the console: print a maintenance report, or run the escalation
/// pass and the telemetry rules now (the server runs both on its own, once per cluster).
struct Tickets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Maintenance tickets from the console: reports and the escalation and rule passes.", subcommands: [Report.self, Run.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print ticket figures by collectivite, establishment, technician or model (CSV or JSON), as an administrator.")

        @OptionGroup var options: ConfigOptions

        @Option(help: "collectivite, establishment, technician or model.")
        var by: String

        @Option(help: "First day (YYYY-MM-DD); default 365 days ago.")
        var from: String?

        @Option(help: "Last day (YYYY-MM-DD); default today.")
        var to: String?

        @Option(help: "Only this collectivité (its id).")
        var collectivite: String?

        @Option(help: "csv or json.")
        var format = "csv"

        func run() async throws {
            let configuration = try ParcConfiguration(reader: try await options.reader())
            let parc = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
            var query = ["by": by, "format": format]
            query["from"] = from
            query["to"] = to
            query["collectivite_id"] = collectivite
            let parameters = query
            let text = try await withStorageRunning(parc) {
                _ = try await parc.prepare()
                return try await parc.ticketReport(
                    parameters, as: Principal(id: UUID(), name: "parc tickets (\(NSUserName()))", role: .admin, createdAt: Date()))
            }
            print(text, terminator: "")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the escalation pass and the telemetry rules once, now.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let configuration = try ParcConfiguration(reader: try await options.reader())
            let parc = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
            let (pass, rules) = try await withStorageRunning(parc) {
                _ = try await parc.prepare()
                return (try await parc.maintenance.runPass(claimed: true), try await parc.maintenance.runRules(claimed: true))
            }
            print("pass: \(pass.looked) looked at, \(pass.breaches) breaches recorded, \(pass.escalated) escalated, \(pass.closed) closed")
            print(
                "rules: \(rules.devices) devices and \(rules.links) links evaluated, \(rules.opened) tickets opened, \(rules.resolved) resolved, \(rules.annotated) annotated, \(rules.stillOpen) still open"
            )
        }
    }
}
