import ArgumentParser

@main
struct Parc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parc",
        abstract: "Parc: the device fleet of French schools (inventory, readiness, scoped API, agent telemetry).",
        subcommands: [
            Serve.self, Migrate.self, Import.self, Token.self, Agent.self, SeedAgents.self, LoadGen.self, BenchInventory.self, Tickets.self,
            BenchTickets.self, Plan.self, BenchPlan.self, BenchLoans.self,
        ],
        defaultSubcommand: Serve.self)
}
