import ArgumentParser

@main
struct Parc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parc",
        abstract: "Parc: the device fleet of French schools (inventory, readiness, scoped API).",
        subcommands: [Serve.self, Migrate.self, Import.self, Token.self, BenchInventory.self],
        defaultSubcommand: Serve.self)
}
