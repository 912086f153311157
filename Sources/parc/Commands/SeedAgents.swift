import ArgumentParser
import Foundation
import ParcCore
import ParcServer
import ParcStore

/// `parc seed-agents`: a synthetic fleet with enrolled agents, straight into the store, and their device tokens in
/// a file for `parc loadgen`. Enrolling a million devices through the API would take longer than the benchmark.
struct SeedAgents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-agents",
        abstract: "Seed a synthetic fleet (if the database has none) and enrol its devices, writing their tokens for `parc loadgen`.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Devices to seed and enrol.")
    var devices = 10_000

    @Option(help: "Establishments of the synthetic fleet.")
    var establishments = 100

    @Option(help: "Where to write `device-id token` lines.")
    var tokensOut = "agent-tokens.txt"

    func run() async throws {
        let configuration = try ParcConfiguration(reader: try await options.reader(extra: ["demo.load": "false", "store.migrate": "true"]))
        let app = try ParcApplication(configuration: configuration, logger: options.logger(configuration))
        let started = Date()
        let written = try await withStorageRunning(app) {
            _ = try await app.prepare()
            let storage = app.storage
            if try await storage.repository(Device.self).count([]) < devices {
                say("seeding \(devices) devices in \(establishments) establishments…")
                _ = try await SyntheticFleet.seed(storage, devices: devices, establishments: establishments)
            }
            guard FileManager.default.createFile(atPath: tokensOut, contents: nil), let out = FileHandle(forWritingAtPath: tokensOut) else {
                throw ValidationError("cannot write \(tokensOut)")
            }
            defer { try? out.close() }
            var generator = SystemRandomNumberGenerator()
            var cursor: Cursor?
            var enrolled = 0
            let now = Date()
            repeat {
                let page = try await storage.repository(Device.self).list([], in: .all, page: PageRequest(cursor: cursor, limit: 500))
                var batch = WriteBatch()
                var lines = ""
                for device in page.items.prefix(devices - enrolled) {
                    let token = TokenMinting.mint(prefix: "pdev_", using: &generator)
                    batch.statements.append(
                        storage.telemetry.enroll(
                            deviceID: device.id, tokenHash: TokenMinting.hash(token), enrollmentTokenID: device.id, macAddresses: [],
                            agentVersion: "seed", at: now))
                    lines += "\(device.id.uuidString) \(token)\n"
                }
                try await storage.database.write(batch)
                out.write(Data(lines.utf8))
                enrolled += batch.statements.count
                cursor = try page.nextCursor.map { try Cursor(encoded: $0) }
            } while cursor != nil && enrolled < devices
            return enrolled
        }
        say(String(format: "enrolled %d devices in %.0f s; tokens in %@", written, Date().timeIntervalSince(started), tokensOut))
    }
}
