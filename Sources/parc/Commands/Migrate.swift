import ArgumentParser
import ParcServer
import ParcStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show pending database migrations; --apply runs them.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Apply the pending migrations (without it, only list them).")
    var apply = false

    func run() async throws {
        let configuration = try ParcConfiguration(reader: try await options.reader())
        let parc = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
        try await withStorageRunning(parc) {
            let status = try await parc.storage.migrator.status()
            print("Applied: \(status.applied.count); pending: \(status.pending.isEmpty ? "none" : status.pending.joined(separator: ", "))")
            if apply, !status.pending.isEmpty {
                let applied = try await parc.storage.migrator.migrate()
                print("Applied now: \(applied.joined(separator: ", "))")
            }
        }
    }
}
