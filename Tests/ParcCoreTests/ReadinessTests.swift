import Foundation
import ParcCore
import Testing

@Suite struct ReadinessTests {
    let parameters = ReadinessParameters(mbpsPerActiveDevice: 1.0, devicesPerAccessPoint: 30, concurrentShare: 0.5)

    func rooms(covered: Int, weak: Int = 0, none: Int = 0, unknown: Int = 0, office: Int = 0) -> [ReadinessFacts.RoomFact] {
        (0..<covered).map { _ in .init(id: UUID(), teaching: true, coverage: .covered) }
            + (0..<weak).map { _ in .init(id: UUID(), teaching: true, coverage: .weak) }
            + (0..<none).map { _ in .init(id: UUID(), teaching: true, coverage: WifiCoverage.none) }
            + (0..<unknown).map { _ in .init(id: UUID(), teaching: true, coverage: nil) }
            + (0..<office).map { _ in .init(id: UUID(), teaching: false, coverage: .covered) }
    }

    func carts(_ sizes: [Int], builtIn: Bool = true) -> [ReadinessFacts.CartFact] {
        sizes.map { .init(id: UUID(), capacity: $0, devices: $0, accessPointID: nil, builtInAccessPoint: builtIn) }
    }

    @Test func coverageCountsTeachingRoomsOnly() {
        let facts = ReadinessFacts(
            kind: .college, rooms: rooms(covered: 6, weak: 2, none: 1, unknown: 1, office: 5), accessPoints: [], carts: [], contractedDownMbps: 100,
            measuredDownMbps: nil, clientDevicesInService: 0)
        let r = Readiness.compute(facts, parameters: parameters)
        #expect(r.wifi.teachingRooms == 10)
        #expect(r.wifi.coverageShare == 0.6)
        #expect(r.wifi.unknown == 1)
    }

    /// (Mbit/s, cart sizes, requested carts) → max carts by bandwidth, can run.
    @Test(arguments: [
        (100.0, [15, 15, 15], 3, 6, true),
        (20.0, [15, 15, 15], 2, 1, false),
        (8.0, [12], 1, 0, false),
        (30.0, [15, 15], 2, 2, true),
    ])
    func bandwidthLimitsConcurrentCarts(_ down: Double, _ sizes: [Int], _ requested: Int, _ maxByBandwidth: Int, _ canRun: Bool) {
        let facts = ReadinessFacts(
            kind: .ecoleElementaire, rooms: rooms(covered: 8), accessPoints: [], carts: carts(sizes), contractedDownMbps: down,
            measuredDownMbps: nil, clientDevicesInService: sizes.reduce(0, +))
        let r = Readiness.compute(facts, requestedCarts: requested, parameters: parameters)
        #expect(r.carts.maxConcurrentByBandwidth == maxByBandwidth)
        #expect(r.carts.canRun == canRun)
        #expect(r.carts.limits.isEmpty == canRun)
    }

    @Test func measuredThroughputWinsOverContracted() {
        let facts = ReadinessFacts(
            kind: .college, rooms: rooms(covered: 2), accessPoints: [], carts: carts([15, 15]), contractedDownMbps: 100, measuredDownMbps: 12,
            clientDevicesInService: 40)
        let r = Readiness.compute(facts, parameters: parameters)
        #expect(r.bandwidth.effectiveDownMbps == 12)
        #expect(r.bandwidth.concurrentDevices == 20)
        #expect(r.bandwidth.mbpsPerConcurrentDevice == 0.6)
        #expect(r.bandwidth.meetsTarget == false)
        #expect(r.carts.maxConcurrentByBandwidth == 0)
    }

    @Test func cartsWithoutTheirOwnAccessPointNeedCoveredRooms() {
        let facts = ReadinessFacts(
            kind: .college, rooms: rooms(covered: 1, none: 3), accessPoints: [], carts: carts([15, 15, 15], builtIn: false), contractedDownMbps: 1000,
            measuredDownMbps: nil, clientDevicesInService: 45)
        let r = Readiness.compute(facts, parameters: parameters)
        #expect(r.carts.maxConcurrentByWifi == 1)
        #expect(r.carts.canRun == false)
    }

    @Test func loiAbeilleFlagsNonSwitchableAccessPointsInEcoleClassrooms() {
        let classroom = ReadinessFacts.RoomFact(id: UUID(), teaching: true, coverage: .covered)
        let office = ReadinessFacts.RoomFact(id: UUID(), teaching: false, coverage: .covered)
        let bad = ReadinessFacts.AccessPointFact(
            id: UUID(), roomID: classroom.id, maxClients: 30, switchable: false, schedule: nil, conseilEcoleInformed: true)
        let uninformed = ReadinessFacts.AccessPointFact(
            id: UUID(), roomID: classroom.id, maxClients: 30, switchable: true, schedule: nil, conseilEcoleInformed: false)
        let fine = ReadinessFacts.AccessPointFact(
            id: UUID(), roomID: office.id, maxClients: 30, switchable: false, schedule: nil, conseilEcoleInformed: false)
        for kind in [Establishment.Kind.ecolePrimaire, .college] {
            let facts = ReadinessFacts(
                kind: kind, rooms: [classroom, office], accessPoints: [bad, uninformed, fine], carts: [], contractedDownMbps: 8,
                measuredDownMbps: nil,
                clientDevicesInService: 0)
            let law = Readiness.compute(facts, parameters: parameters).wifiLaw
            #expect(law.applies == kind.isEcole)
            #expect(Set(law.nonCompliantAccessPoints) == (kind.isEcole ? [bad.id, uninformed.id] : []))
        }
    }
}
