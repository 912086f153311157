import ArgumentParser
import Foundation
import ParcCore
import ParcServer
import ParcStore

/// `parc bench-tickets`: seeds a synthetic territory (10 000 establishments, one région owning 500 lycées) and
/// 1 000 000 tickets over three years into an embedded SQLite database, runs the real server on 127.0.0.1, and
/// measures a technician's queue and a collectivité's SLA report beside `/health`, the baseline of the same server
/// in the same run. Traffic goes to loopback only and stops after `--requests` per scenario.
struct BenchTickets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-tickets", abstract: "Benchmark ticket queues and SLA reports on 1 000 000 tickets (loopback only).")

    @Option(help: "Tickets to seed.")
    var tickets = 1_000_000

    @Option(help: "Establishments to seed.")
    var establishments = 10_000

    @Option(help: "Establishments of the one collectivité whose report is measured.")
    var collectiviteSize = 500

    @Option(help: "Establishments each technician covers.")
    var perTechnician = 50

    @Option(help: "Requests per scenario.")
    var requests = 500

    @Option(help: "Folder of the benchmark database; reused when it already holds the same data.")
    var data = "/tmp/parc-bench-tickets"

    @Option(help: "Inventory folder (reference tables, holiday calendars).")
    var inventory = "Inventory"

    func run() async throws {
        let marker = URL(fileURLWithPath: data).appendingPathComponent("seeded-\(tickets)-\(establishments)-\(collectiviteSize)")
        if !FileManager.default.fileExists(atPath: marker.path) { try? FileManager.default.removeItem(atPath: data) }
        let parc = try BenchServer.application(data: data, inventory: inventory)
        _ = try await parc.prepare()
        let fleet: SyntheticFleet
        if FileManager.default.fileExists(atPath: marker.path) {
            say("Reusing the tickets in \(data)")
            fleet = try await SyntheticFleet.load(parc.storage)
        } else {
            var start = ContinuousClock.now
            fleet = try await SyntheticFleet.seed(
                parc.storage, devices: establishments * 10, establishments: establishments, concentrated: collectiviteSize)
            say("Seeded \(establishments) establishments and \(establishments * 10) devices in \(start.duration(to: .now))")
            start = .now
            try await seedTickets(parc.storage, fleet: fleet)
            _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
            say("Seeded \(tickets) tickets in \(start.duration(to: .now))")
        }
        let establishmentRecords = try await parc.storage.repository(Establishment.self).get(ids: fleet.establishments)
        let byOwner = Dictionary(grouping: establishmentRecords.values, by: \.ownerID)
        guard let (region, owned) = byOwner.max(by: { $0.value.count < $1.value.count }) else { return }
        say("Measured collectivité: \(fleet.references[region] ?? "?") with \(owned.count) establishments")
        let collectiviteToken = try await parc.issueToken(
            name: "bench région", role: "collectivite", academie: nil, collectivite: fleet.references[region], uais: [], expiresAt: nil)
        var technicianTokens: [String] = []
        let sorted = establishmentRecords.values.sorted { $0.uai.value < $1.uai.value }
        for start in stride(from: 0, to: min(sorted.count, 20 * perTechnician), by: perTechnician) {
            let uais = sorted[start..<min(sorted.count, start + perTechnician)].map(\.uai.value)
            technicianTokens.append(
                try await parc.issueToken(
                    name: "Technicien \(start / perTechnician)", role: "technician", academie: nil, collectivite: nil, uais: uais, expiresAt: nil))
        }
        try await BenchServer.measure(parc, requests: requests) { base, client in
            [
                (
                    "ticket-queue, technician token (\(perTechnician) establishments)",
                    try await client.measure(requests) { i in (base + "/api/v1/ticket-queue?limit=50", technicianTokens[i % technicianTokens.count]) }
                ),
                (
                    "ticket-reports?by=establishment, collectivité of \(owned.count) establishments, last 365 days",
                    try await client.measure(requests) { _ in (base + "/api/v1/ticket-reports?by=establishment", collectiviteToken) }
                ),
                (
                    "ticket-reports?by=collectivite, same token",
                    try await client.measure(requests) { _ in (base + "/api/v1/ticket-reports?by=collectivite", collectiviteToken) }
                ),
            ]
        }
    }

    /// Tickets spread evenly over the establishments and over three years; the last 8 % are still open. Resolved
    /// ones carry a restoration time and whether GTI and GTR were met, as the SLA replay would have stored them.
    func seedTickets(_ storage: Storage, fleet: SyntheticFleet) async throws {
        var random = SplitMix64(seed: 11)
        let establishments = try await storage.repository(Establishment.self).get(ids: fleet.establishments)
        let ordered = fleet.establishments.compactMap { establishments[$0] }
        let now = Date()
        let span = 3 * 365 * 86_400.0
        let policy = UUID()
        var numbers: [UUID: Int] = [:]
        var batch = WriteBatch()
        for n in 0..<tickets {
            let establishment = ordered[n % ordered.count]
            let age = span * Double(tickets - n) / Double(tickets)
            let opened = now.addingTimeInterval(-age)
            let open = n >= tickets * 92 / 100
            let priority = Priority(rawValue: Int(random.next() % 5) + 1)!
            let restore = Int(random.next() % 2_400) + 30
            let target = 480 * priority.rawValue
            let gti = SLAState.Clock(
                targetMinutes: target / 4, elapsedMinutes: restore / 6, phase: restore / 6 > target / 4 ? .breached : .met, dueAt: nil,
                metAt: opened, breachedAt: nil)
            let gtr = SLAState.Clock(
                targetMinutes: target, elapsedMinutes: restore, phase: open ? .running : (restore > target ? .breached : .met),
                dueAt: open ? now.addingTimeInterval(Double(random.next() % 400_000) - 100_000) : nil, metAt: nil, breachedAt: nil)
            numbers[establishment.id, default: 0] += 1
            let ticket = Ticket(
                id: UUID(), number: numbers[establishment.id]!, establishmentID: establishment.id, ownerID: establishment.ownerID,
                academieCode: establishment.academieCode, category: Ticket.Category.allCases[n % Ticket.Category.allCases.count], urgency: .medium,
                impact: .medium, priority: priority, priorityOverridden: true, title: "Ticket \(n)", description: "", reporterID: nil,
                reporterName: "bench", assigneeID: nil, status: open ? .inProgress : .closed, pendingReason: nil, level: 1, supplierCase: nil,
                deviceID: nil, modelID: nil, cartID: nil, accessPointID: nil, internetLinkID: nil, roomID: nil, source: .manual, rule: nil,
                dedupKey: nil,
                slaPolicyID: policy, sla: SLAState(policyID: policy, priority: priority, intervention: gti, restoration: gtr, escalateAt: nil),
                openedAt: opened, resolvedAt: open ? nil : opened.addingTimeInterval(Double(restore) * 120),
                closedAt: open ? nil : opened.addingTimeInterval(Double(restore) * 120), createdAt: opened, updatedAt: opened)
            batch.statements.append(storage.repository(Ticket.self).insert(ticket))
            if batch.statements.count == 5_000 {
                try await storage.database.write(batch)
                batch = WriteBatch()
            }
        }
        if !batch.statements.isEmpty { try await storage.database.write(batch) }
    }
}
