import ArgumentParser
import Foundation
import ParcServer
import ParcStore

/// `parc bench-loans`: a start-of-year campaign and its end-of-year return at one desk. Seeds one collège with
/// `--kits` kits (laptop, 4G router, headset) and as many households through the API, then runs the real server on
/// 127.0.0.1 and measures, beside `/health` and a kit read of the same server: one desk checkout per household
/// (household → kit asset tag → signature → convention stored), then the returns by asset tag in bulk batches.
struct BenchLoans: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-loans", abstract: "Benchmark a loan campaign: desk checkouts and bulk returns (loopback only).")

    @Option(help: "Kits, households, checkouts and returns.")
    var kits = 1_000

    @Option(help: "Kits per bulk return request.")
    var batch = 100

    @Option(help: "Folder of the benchmark database (emptied first).")
    var data = "/tmp/parc-bench-loans"

    @Option(help: "Inventory folder (reference tables, holiday calendars).")
    var inventory = "Inventory"

    func run() async throws {
        try? FileManager.default.removeItem(atPath: data)
        let parc = try BenchServer.application(data: data, inventory: inventory)
        guard let admin = try await parc.prepare().bootstrapToken else { throw ValidationError("the benchmark database was not empty") }
        let kitCount = kits
        let batchSize = batch
        try await BenchServer.measure(parc, requests: 1_000) { base, client in
            func post(_ path: String, _ body: [String: Any], token: String) async throws -> [String: Any] {
                let data = try await client.get(base + "/api/v1/" + path, token: token, body: try JSONSerialization.data(withJSONObject: body))
                return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            }
            let seeding = ContinuousClock.now
            _ = try await post(
                "collectivites", ["kind": "departement", "code": "974", "name": "Département de La Réunion", "academie_code": "28"], token: admin)
            let college = try await post(
                "establishments",
                [
                    "uai": "9749011B", "kind": "college", "name": "Collège Bourbon", "commune": "Saint-Denis", "pupils": 900,
                ], token: admin)
            let collegeID = college["id"] as? String ?? ""
            let staff = try await parc.issueToken(
                name: "Secrétariat Bourbon", role: "establishment_staff", academie: nil, collectivite: nil, uais: ["9749011B"], expiresAt: nil)
            var models: [String] = []
            for (kind, name) in [("laptop", "Portable 14"), ("router_4g", "Routeur 4G"), ("headset", "Casque USB")] {
                models.append(
                    try await post("device-models", ["kind": kind, "manufacturer": "Fabricant", "name": name, "lifespan_months": 60], token: admin)[
                        "id"]
                        as? String ?? "")
            }
            var firstKit = ""
            for n in 0..<kitCount {
                var devices: [String] = []
                for (i, model) in models.enumerated() {
                    devices.append(
                        try await post(
                            "devices",
                            [
                                "establishment_id": collegeID, "model_id": model, "serial_number": "B\(n)-\(i)", "asset_tag": "INV-\(n)-\(i)",
                                "status": "in_stock",
                            ],
                            token: staff)["id"] as? String ?? "")
                }
                let kit = try await post(
                    "kits", ["establishment_id": collegeID, "asset_tag": "KIT-\(n)", "name": "Lot \(n)", "device_ids": devices], token: staff)
                if n == 0 { firstKit = kit["id"] as? String ?? "" }
                _ = try await post(
                    "households",
                    [
                        "establishment_id": collegeID, "pupil_reference": "P-\(n)", "criterion": "boursier",
                        "guardians": [["name": "Responsable \(n)", "email": "famille\(n)@example.org"]],
                    ], token: staff)
            }
            say("Seeded \(kitCount) kits (\(kitCount * 3) devices) and \(kitCount) households in \(seeding.duration(to: .now))")

            let kitRead = try await client.measure(1_000) { _ in (base + "/api/v1/kits/\(firstKit)", staff) }
            var checkouts: [Duration] = []
            let campaign = ContinuousClock.now
            for n in 0..<kitCount {
                let body: [String: Any] = [
                    "establishment_id": collegeID, "pupil_reference": "P-\(n)", "kit_asset_tag": "KIT-\(n)",
                    "signature": ["kind": "typed", "signer_name": "Responsable \(n)"],
                ]
                checkouts.append(
                    try await client.timed(base + "/api/v1/loan-desk/checkout", token: staff, body: try JSONSerialization.data(withJSONObject: body))
                        .0)
            }
            let checkoutTotal = campaign.duration(to: .now)
            var returns: [Duration] = []
            let returning = ContinuousClock.now
            for start in stride(from: 0, to: kitCount, by: batchSize) {
                let items = (start..<min(kitCount, start + batchSize)).map { n -> [String: Any] in
                    ["kit_asset_tag": "KIT-\(n)", "condition": "good", "all_checks_passed": true]
                }
                let (duration, data) = try await client.timed(
                    base + "/api/v1/loan-desk/returns", token: staff, body: try JSONSerialization.data(withJSONObject: ["items": items]))
                let outcomes = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
                let failed = outcomes.filter { $0["receipt_id"] == nil }
                guard outcomes.count == items.count, failed.isEmpty else {
                    throw BenchClient.Failed(description: "bulk return failed for \(failed.count) kit(s): \(failed.prefix(3))")
                }
                returns.append(duration)
            }
            let returnTotal = returning.duration(to: .now)
            let stored = try await parc.storage.database.query("SELECT COUNT(*) AS n FROM loan_documents").first?.int("n") ?? 0
            guard stored == 2 * kitCount else { throw BenchClient.Failed(description: "\(stored) signed documents stored, expected \(2 * kitCount)") }
            say("\(kitCount) desk checkouts in \(checkoutTotal); \(kitCount) returns in \(returnTotal) (\(returns.count) bulk requests)")
            say("Signed documents stored: \(stored) (a convention and a receipt per loan)")
            return [
                ("GET /kits/{id} (a scoped read)", kitRead), ("POST /loan-desk/checkout (household → kit → signature)", checkouts),
                ("POST /loan-desk/returns (\(batchSize) kits each)", returns),
            ]
        }
    }
}
