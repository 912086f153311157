import ArgumentParser
import Foundation
import ParcCore
import ParcServer
import ParcStore

/// `parc bench-plan`: seeds a synthetic territory (10 000 establishments, 1 000 000 devices bought over nine years)
/// into an embedded SQLite database, then times a six-year national refresh plan three ways in one run: the planner
/// alone on the fleet in memory, the fleet read from the store (the baseline every plan pays), and the whole
/// `POST /api/v1/refresh-plans` through the real server on 127.0.0.1 beside `/health`.
struct BenchPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-plan", abstract: "Benchmark a refresh plan over 1 000 000 devices and 10 000 establishments (loopback only).")

    @Option(help: "Devices to seed.")
    var devices = 1_000_000

    @Option(help: "Establishments to seed.")
    var establishments = 10_000

    @Option(help: "Runs of each measurement.")
    var runs = 3

    @Option(help: "Folder of the benchmark database; reused when it already holds the same data.")
    var data = "/tmp/parc-bench-plan"

    @Option(help: "Inventory folder (reference tables, holiday calendars).")
    var inventory = "Inventory"

    static let request = RefreshPlanInput(
        name: "Renouvellement 2027-2032", firstYear: 2027, lastYear: 2032, annualBudgetCents: 6_000_000_000, budgetCovers: "own_share",
        replacements: [
            .init(kind: "tablet", unitPriceCents: 56_600, refurbishedSharePercent: 20, refurbishedUnitPriceCents: 25_000),
            .init(kind: "laptop", unitPriceCents: 60_000), .init(kind: "desktop", unitPriceCents: 70_000),
            .init(kind: "interactive_display", unitPriceCents: 320_000),
        ],
        funding: [.init(name: "État", sharePercent: 50, capPerPupilCents: 19_000, capPeriod: "plan", kinds: ["tablet", "laptop"])],
        policy: .init(
            lifespans: [
                .init(kind: "tablet", months: 60), .init(kind: "laptop", months: 60), .init(kind: "desktop", months: 72),
                .init(kind: "interactive_display", months: 120),
            ], batteryHealthBelowPercent: 60, failuresWithin12Months: 3,
            equityTargets: [
                .init(establishmentKind: "ecole_elementaire", devicesPer100Pupils: 15, deviceKind: "tablet"),
                .init(establishmentKind: "college", devicesPer100Pupils: 30, deviceKind: "tablet"),
                .init(establishmentKind: "lycee_general_technologique", devicesPer100Pupils: 40, deviceKind: "laptop"),
            ]))

    func run() async throws {
        let marker = URL(fileURLWithPath: data).appendingPathComponent("seeded-plan-\(devices)-\(establishments)")
        if !FileManager.default.fileExists(atPath: marker.path) { try? FileManager.default.removeItem(atPath: data) }
        let parc = try BenchServer.application(data: data, inventory: inventory)
        _ = try await parc.prepare()
        if FileManager.default.fileExists(atPath: marker.path) {
            say("Reusing the fleet in \(data)")
        } else {
            let start = ContinuousClock.now
            _ = try await SyntheticFleet.seed(parc.storage, devices: devices, establishments: establishments)
            _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
            say("Seeded \(establishments) establishments and \(devices) devices in \(start.duration(to: .now))")
        }
        let admin = Principal(id: UUID(), name: "bench", role: .admin, createdAt: Date())
        var reads: [Duration] = []
        var plans: [Duration] = []
        var figures: [Duration] = []
        var last: RefreshPlan?
        for _ in 0..<runs {
            let (read, plan, result) = try await parc.timedPlan(Self.request, as: admin, lines: true)
            reads.append(read)
            plans.append(plan)
            last = result
            figures.append(try await parc.timedPlan(Self.request, as: admin, lines: false).plan)
        }
        guard let plan = last else { return }
        say(Plan.table(plan))
        say("Lines: \(plan.lines.count)")
        let token = try await parc.issueToken(name: "bench admin", role: "admin", academie: nil, collectivite: nil, uais: [], expiresAt: nil)
        let body = try APIJSON.encoder.encode(Self.request)
        let runs = self.runs
        try await BenchServer.measure(parc, requests: 200) { base, client in
            var posts: [Duration] = []
            for _ in 0..<runs { posts.append(try await client.timed(base + "/api/v1/refresh-plans", token: token, body: body).0) }
            let saved = try await client.timed(base + "/api/v1/refresh-scenarios", token: token, body: body).0
            return [
                ("planner alone, fleet in memory (\(plan.summary.devicesConsidered) devices), every line kept", plans),
                ("planner alone, figures only (what POST /refresh-plans answers)", figures),
                ("fleet read from the store (baseline of every plan)", reads),
                ("POST /api/v1/refresh-plans, national administrator", posts),
                ("POST /api/v1/refresh-scenarios (plan + \(plan.lines.count) lines saved)", [saved]),
            ]
        }
        let median = { (samples: [Duration]) in samples.sorted()[samples.count / 2] }
        say(String(format: "\nPlanner with lines / fleet read (medians): %.2f", Double(median(plans) / median(reads))))
    }
}
