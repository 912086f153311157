public import Foundation
public import ParcCore

/// Gathers the facts readiness is computed from, with one query per kind of fact, all on indexed columns.
public struct ReadinessQueries: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    public func facts(for establishment: Establishment, measuredSince: Date) async throws -> ReadinessFacts {
        let id = establishment.id
        let rooms = try await database.query(
            "SELECT id, teaching, wifi_coverage FROM rooms WHERE establishment_id = \(id) AND deleted_at IS NULL"
        ).map { row in
            ReadinessFacts.RoomFact(
                id: try row.uuid("id"), teaching: try row.bool("teaching"), coverage: try row.optionalEnum("wifi_coverage", as: WifiCoverage.self))
        }
        let accessPoints = try await database.query(
            """
            SELECT id, room_id, max_clients, switchable, schedule, conseil_ecole_informed_on FROM access_points
            WHERE establishment_id = \(id) AND deleted_at IS NULL
            """
        ).map { row in
            ReadinessFacts.AccessPointFact(
                id: try row.uuid("id"), roomID: try row.optionalUUID("room_id"), maxClients: try row.optionalInt("max_clients"),
                switchable: try row.bool("switchable"), schedule: try row.optionalString("schedule"),
                conseilEcoleInformed: try row.optionalString("conseil_ecole_informed_on") != nil)
        }
        let carts = try await database.query(
            """
            SELECT c.id, c.capacity, c.access_point_id, c.built_in_access_point,
              (SELECT COUNT(*) FROM devices d WHERE d.cart_id = c.id AND d.deleted_at IS NULL) AS devices
            FROM mobile_carts c WHERE c.establishment_id = \(id) AND c.deleted_at IS NULL
            """
        ).map { row in
            ReadinessFacts.CartFact(
                id: try row.uuid("id"), capacity: try row.int("capacity"), devices: try row.int("devices"),
                accessPointID: try row.optionalUUID("access_point_id"), builtInAccessPoint: try row.bool("built_in_access_point"))
        }
        let contracted =
            try await database.query(
                "SELECT CAST(COALESCE(SUM(down_mbps), 0) AS DOUBLE PRECISION) AS down FROM internet_links WHERE establishment_id = \(id) AND deleted_at IS NULL"
            ).first?.double("down") ?? 0
        // Measured bandwidth: the median of each live link's recent samples, summed over links.
        let samples = try await database.query(
            """
            SELECT s.link_id, s.down_mbps FROM throughput_samples s JOIN internet_links l ON l.id = s.link_id
            WHERE s.establishment_id = \(id) AND s.measured_at >= \(measuredSince) AND l.deleted_at IS NULL
            """)
        var byLink: [UUID: [Double]] = [:]
        for row in samples { byLink[try row.uuid("link_id"), default: []].append(try row.double("down_mbps")) }
        let measured = byLink.isEmpty ? nil : byLink.values.compactMap(median).reduce(0, +)
        let clientKinds = DeviceModel.Kind.allCases.filter(\.isClientDevice).map(\.rawValue)
        let clients =
            try await database.query(
                """
                SELECT COUNT(*) AS n FROM devices WHERE establishment_id = \(id) AND deleted_at IS NULL
                  AND status = \(Device.Status.inService.rawValue) AND kind IN \(list: clientKinds)
                """
            ).first?.int("n") ?? 0
        return ReadinessFacts(
            kind: establishment.kind, rooms: rooms, accessPoints: accessPoints, carts: carts, contractedDownMbps: contracted,
            measuredDownMbps: measured, clientDevicesInService: clients)
    }

    /// Throughput samples of one link, newest first.
    public func samples(linkID: UUID, limit: Int) async throws -> [ThroughputSample] {
        try await database.query("SELECT * FROM throughput_samples WHERE link_id = \(linkID) ORDER BY measured_at DESC, id LIMIT \(limit)").map {
            row in
            ThroughputSample(
                id: try row.uuid("id"), linkID: try row.uuid("link_id"), establishmentID: try row.uuid("establishment_id"),
                measuredAt: try row.date("measured_at"), downMbps: try row.double("down_mbps"), upMbps: try row.optionalDouble("up_mbps"),
                source: try row.enumValue("source", as: ThroughputSample.Source.self))
        }
    }

    public func insert(_ sample: ThroughputSample) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO throughput_samples (id, link_id, establishment_id, measured_at, down_mbps, up_mbps, source)
            VALUES (\(sample.id), \(sample.linkID), \(sample.establishmentID), \(sample.measuredAt), \(sample.downMbps), \(sample.upMbps), \(sample.source.rawValue))
            """)
    }
}
