import ArgumentParser
import Foundation
import ParcCore
import ParcServer

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a CSV file (columns in README). Every row is checked first; on any error nothing is written.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "establishments, device-models or devices.")
    var kind: String

    @Argument(help: "The CSV file.")
    var file: String

    @Flag(help: "Only check the file.")
    var dryRun = false

    func run() async throws {
        guard let kind = CSVImporter.Kind(rawValue: kind) else {
            throw ValidationError("kind must be one of: \(CSVImporter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        let configuration = try ParcConfiguration(reader: try await options.reader())
        let parc = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
        // The operator at the console acts as a national administrator; the audit trail names the command.
        let operatorPrincipal = Principal(id: UUID(), name: "parc import (\(NSUserName()))", role: .admin, createdAt: Date())
        do {
            let report = try await withStorageRunning(parc) {
                _ = try await parc.prepare()
                return try await parc.importer.run(kind, csv: csv, principal: operatorPrincipal, dryRun: dryRun)
            }
            print(
                "\(report.kind): \(report.rows) rows, \(report.created) created, \(report.updated) updated, \(report.unchanged) unchanged\(report.dryRun ? " (dry run: nothing written)" : "")"
            )
        } catch ParcError.validation(let errors) {
            for error in errors { print("line \(error.row.map(String.init) ?? "-"): \(error.field): \(error.reason)") }
            throw ExitCode(65)
        }
    }
}
