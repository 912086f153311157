import ArgumentParser
import Foundation
import ParcCore
import ParcServer

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token for a new principal and print it once.")

        @OptionGroup var options: ConfigOptions

        @Option(help: "Who the token is for, e.g. \"Collège Bourbon — direction\".")
        var name: String

        @Option(help: "admin, collectivite, establishment_staff or technician.")
        var role: String

        @Option(help: "For an académie administrator: the académie code (e.g. 28).")
        var academie: String?

        @Option(help: "For a collectivité: kind:code, e.g. departement:974.")
        var collectivite: String?

        @Option(help: "For staff (one) or a technician (several): establishment UAIs.")
        var uai: [String] = []

        @Option(help: "Days until the token expires.")
        var expiresInDays: Int?

        func run() async throws {
            let configuration = try ParcConfiguration(reader: try await options.reader())
            let parc = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
            let issued = try await withStorageRunning(parc) {
                _ = try await parc.prepare()
                return try await parc.issueToken(
                    name: name, role: role, academie: academie, collectivite: collectivite, uais: uai,
                    expiresAt: expiresInDays.map { Date().addingTimeInterval(Double($0) * 86_400) })
            }
            print(issued)
        }
    }
}
