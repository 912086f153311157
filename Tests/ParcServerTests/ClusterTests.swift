import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ParcCore
import ParcServer
import ParcStore
import ParcTestSupport
import Testing

/// Several stateless `parc serve` nodes on one PostgreSQL database: each with its own queue and writer.
@Suite struct ClusterTests {
    /// Every batch goes to one node and, as a retry after a lost answer would, to the other at the same time.
    /// The history holds each heartbeat once and the latest state is the newest, whichever node wrote last.
    @Test func twoNodesIngestIntoOnePostgreSQLWithoutLossOrDuplicates() async throws {
        let settings = try await TestPostgres.shared.freshDatabase(logger: .quietForTests)
        let nodeA = try ParcApplication(configuration: try testConfiguration(.postgres, postgres: settings), logger: .quietForTests)
        let nodeB = try ParcApplication(configuration: try testConfiguration(.postgres, postgres: settings), logger: .quietForTests)
        let startup = StartupBox()
        try await nodeA.makeApplication { startup.set($0) }.test(.router) { a in
            try await nodeB.makeApplication().test(.router) { b in
                let world = try await World.make(client: a, admin: try #require(startup.token), parc: nodeA)
                let (secret, _) = try await AgentTests.enrollmentToken(a, world, maxUses: 20)
                var devices: [(id: String, token: String)] = []
                for n in 0..<6 {
                    devices.append(try AgentTests.device(try await AgentTests.enroll(n % 2 == 0 ? a : b, token: secret, serial: "N\(n)")))
                }
                let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for (n, device) in devices.enumerated() {
                        group.addTask {
                            var seen: [Int] = []
                            // Four batches of five, newest batch first for half the devices: arrival order must not matter.
                            var batches = (0..<4).map { k in
                                "[" + (1...5).map { AgentTests.heartbeat(k * 5 + $0, battery: k * 5 + $0) }.joined(separator: ",") + "]"
                            }
                            if n % 2 == 1 { batches.reverse() }
                            for (k, batch) in batches.enumerated() {
                                async let first = AgentTests.send(k % 2 == 0 ? a : b, device.token, batch)
                                async let retry = AgentTests.send(k % 2 == 0 ? b : a, device.token, batch)
                                seen += [Int(try await first.status.code), Int(try await retry.status.code)]
                            }
                            return seen
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0 += $1 }
                }
                #expect(statuses.count == 48 && statuses.allSatisfy { $0 == 200 }, "\(statuses)")
                for device in devices {
                    let history = try await b.call(.get, "/api/v1/devices/\(device.id)/heartbeats?limit=100", token: world.admin)
                    let seqs = ((try JSONSerialization.jsonObject(with: Data(history.body.readableBytesView)) as? [[String: Any]]) ?? []).compactMap {
                        $0["seq"] as? Int
                    }
                    #expect(seqs == Array((1...20).reversed()))
                    let state = try await a.call(.get, "/api/v1/devices/\(device.id)/state", token: world.admin)
                    #expect(
                        (state.json["latest"] as? [String: Any])?["seq"] as? Int == 20
                            && (state.json["latest"] as? [String: Any])?["battery_level"] as? Double == 20)
                }
            }
        }
    }
}
