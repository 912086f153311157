public import Foundation
public import ParcCore

/// The counts behind the indicators, per establishment, aggregated by the database (one grouped query per kind
/// of fact), and the daily snapshots of those counts.
public struct IndicatorStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    /// An establishment as indicator tables name and group it.
    public struct Subject: Equatable, Sendable {
        public var id: UUID
        public var uai: String
        public var name: String
        public var ownerID: UUID
        public var departement: String
        public var academieCode: String?
    }

    /// The instants and windows the counts depend on, decided by the caller (the calendar lives above the store).
    public struct Moments: Sendable {
        /// Devices bought on or after this day are "under 5 years".
        public var under5YearsSince: LocalDate
        public var measuredSince: Date
        public var resolvedSince: Date
        /// Per département: a device seen since this instant counts as online.
        public var onlineSince: [String: Date]
        public var fallbackOnlineSince: Date
        public init(under5YearsSince: LocalDate, measuredSince: Date, resolvedSince: Date, onlineSince: [String: Date], fallbackOnlineSince: Date) {
            self.under5YearsSince = under5YearsSince
            self.measuredSince = measuredSince
            self.resolvedSince = resolvedSince
            self.onlineSince = onlineSince
            self.fallbackOnlineSince = fallbackOnlineSince
        }
    }

    public func subjects(in scope: Scope) async throws -> [Subject] {
        try await database.query(
            """
            SELECT e.id, e.uai, e.name, e.owner_id, e.departement, e.academie_code FROM establishments e
            WHERE e.deleted_at IS NULL AND \(ScopeSQL.predicate(scope, .establishmentRow, alias: "e")) ORDER BY e.uai
            """
        ).map { row in
            Subject(
                id: try row.uuid("id"), uai: try row.string("uai"), name: try row.string("name"), ownerID: try row.uuid("owner_id"),
                departement: try row.string("departement"), academieCode: try row.optionalString("academie_code"))
        }
    }

    /// Counts per establishment in the scope. Every establishment of the scope has an entry, zero where nothing is known.
    public func facts(in scope: Scope, moments: Moments) async throws -> [UUID: IndicatorFacts] {
        var facts: [UUID: IndicatorFacts] = [:]
        for row in try await database.query(
            "SELECT e.id, e.pupils FROM establishments e WHERE e.deleted_at IS NULL AND \(ScopeSQL.predicate(scope, .establishmentRow, alias: "e"))")
        {
            var f = IndicatorFacts()
            f.establishments = 1
            f.pupils = try row.int("pupils")
            facts[try row.uuid("id")] = f
        }
        let statuses = Indicators.countedStatuses.map(\.rawValue)
        for row in try await database.query(
            """
            SELECT d.establishment_id AS e, d.kind, COUNT(*) AS n, COUNT(d.purchase_date) AS dated,
              SUM(CASE WHEN d.purchase_date >= \(moments.under5YearsSince) THEN 1 ELSE 0 END) AS recent
            FROM devices d WHERE d.deleted_at IS NULL AND d.status IN \(list: statuses) AND \(ScopeSQL.predicate(scope, .denormalized, alias: "d"))
            GROUP BY d.establishment_id, d.kind
            """)
        {
            let id = try row.uuid("e")
            guard var f = facts[id], let kind = DeviceModel.Kind(rawValue: try row.string("kind")) else { continue }
            let n = try row.int("n")
            if [.desktop, .laptop, .chromebook].contains(kind) { f.computers += n }
            if kind.isMobile { f.mobileDevices += n }
            if kind.isClientDevice {
                f.clientDevices += n
                f.clientDevicesDated += try row.int("dated")
                f.clientDevicesUnder5Years += try row.int("recent")
            }
            if kind == .interactiveDisplay { f.interactiveDisplays += n }
            if kind == .videoProjector { f.videoProjectors += n }
            facts[id] = f
        }
        let viaEstablishment = ScopeSQL.predicate(scope, .viaEstablishment, alias: "t")
        for row in try await database.query(
            "SELECT t.establishment_id AS e, COUNT(*) AS n FROM mobile_carts t WHERE t.deleted_at IS NULL AND \(viaEstablishment) GROUP BY t.establishment_id"
        ) {
            facts[try row.uuid("e")]?.mobileCarts = try row.int("n")
        }
        for row in try await database.query(
            """
            SELECT t.establishment_id AS e, COUNT(*) AS n, SUM(CASE WHEN t.wifi_coverage = \(WifiCoverage.covered.rawValue) THEN 1 ELSE 0 END) AS covered
            FROM rooms t WHERE t.deleted_at IS NULL AND t.teaching = \(true) AND \(viaEstablishment) GROUP BY t.establishment_id
            """)
        {
            let id = try row.uuid("e")
            facts[id]?.teachingRooms = try row.int("n")
            facts[id]?.teachingRoomsCovered = try row.int("covered")
        }
        for row in try await database.query(
            """
            SELECT t.establishment_id AS e, CAST(SUM(t.down_mbps) * 1000 AS BIGINT) AS kbps,
              SUM(CASE WHEN t.filtering THEN 1 ELSE 0 END) AS filtering
            FROM internet_links t WHERE t.deleted_at IS NULL AND \(viaEstablishment) GROUP BY t.establishment_id
            """)
        {
            let id = try row.uuid("e")
            facts[id]?.establishmentsWithLink = 1
            facts[id]?.contractedDownKbps = try row.int("kbps")
            facts[id]?.establishmentsFiltering = try row.int("filtering") > 0 ? 1 : 0
        }
        // Measured: per link, the median of its samples in the window; summed per establishment.
        var samples: [UUID: (establishment: UUID, values: [Double])] = [:]
        for row in try await database.query(
            """
            SELECT s.link_id, s.establishment_id AS e, s.down_mbps FROM throughput_samples s JOIN internet_links t ON t.id = s.link_id
            WHERE s.measured_at >= \(moments.measuredSince) AND t.deleted_at IS NULL AND \(viaEstablishment)
            """)
        {
            let establishment = try row.uuid("e")
            samples[try row.uuid("link_id"), default: (establishment, [])].values.append(try row.double("down_mbps"))
        }
        var measured: [UUID: Double] = [:]
        for (_, link) in samples {
            let sorted = link.values.sorted()
            measured[link.establishment, default: 0] += sorted[sorted.count / 2]
        }
        for (id, mbps) in measured where facts[id] != nil {
            facts[id]!.measuredDownKbps = Int((mbps * 1000).rounded())
            facts[id]!.pupilsMeasured = facts[id]!.pupils
        }
        // Online: the threshold depends on the establishment's calendar, so it is chosen per département in SQL.
        // A CASE needs at least one WHEN: with no département to tell apart (an empty territory), the fallback is it.
        var threshold: SQLQuery = "\(Int64(moments.fallbackOnlineSince.timeIntervalSince1970 * 1000))"
        if !moments.onlineSince.isEmpty {
            threshold = "CASE e.departement"
            for (departement, since) in moments.onlineSince.sorted(by: { $0.key < $1.key }) {
                threshold = threshold + " WHEN \(departement) THEN \(Int64(since.timeIntervalSince1970 * 1000))"
            }
            threshold = threshold + " ELSE \(Int64(moments.fallbackOnlineSince.timeIntervalSince1970 * 1000)) END"
        }
        for row in try await database.query(
            """
            SELECT d.establishment_id AS e, COUNT(*) AS n, SUM(CASE WHEN s.received_ms >= \(threshold) THEN 1 ELSE 0 END) AS online
            FROM agent_devices a JOIN devices d ON d.id = a.device_id JOIN establishments e ON e.id = d.establishment_id
            LEFT JOIN device_state s ON s.device_key = a.device_key
            WHERE a.revoked_at IS NULL AND d.deleted_at IS NULL AND \(ScopeSQL.predicate(scope, .denormalized, alias: "d"))
            GROUP BY d.establishment_id
            """)
        {
            let id = try row.uuid("e")
            facts[id]?.enrolledDevices = try row.int("n")
            facts[id]?.onlineDevices = try row.optionalInt("online") ?? 0
        }
        for row in try await database.query(
            """
            SELECT t.establishment_id AS e, SUM(CASE WHEN t.is_open THEN 1 ELSE 0 END) AS open,
              SUM(CASE WHEN t.resolved_at >= \(moments.resolvedSince) AND t.gtr_met IS NOT NULL THEN 1 ELSE 0 END) AS known,
              SUM(CASE WHEN t.resolved_at >= \(moments.resolvedSince) AND t.gtr_met THEN 1 ELSE 0 END) AS met
            FROM tickets t WHERE t.deleted_at IS NULL AND (t.is_open OR t.resolved_at >= \(moments.resolvedSince))
              AND \(ScopeSQL.predicate(scope, .denormalized, alias: "t"))
            GROUP BY t.establishment_id
            """)
        {
            let id = try row.uuid("e")
            facts[id]?.openTickets = try row.int("open")
            facts[id]?.restorationKnown = try row.int("known")
            facts[id]?.restorationMet = try row.int("met")
        }
        return facts
    }

    // MARK: Snapshots

    /// Writes (or rewrites) one day's counts for these establishments.
    public func snapshot(day: LocalDate, subjects: [Subject], facts: [UUID: IndicatorFacts]) -> WriteBatch {
        let names = IndicatorFacts.columns.map(\.name)
        var batch = WriteBatch()
        var start = 0
        while start < subjects.count {
            let chunk = subjects[start..<min(start + 100, subjects.count)]
            var values: [SQLQuery] = []
            for subject in chunk {
                let f = facts[subject.id] ?? IndicatorFacts()
                let counts = SQLQuery.joined(IndicatorFacts.columns.map { "\(f[keyPath: $0.path])" }, separator: ", ")
                values.append(
                    "(\(day), \(subject.id), \(subject.ownerID), \(subject.departement), \(subject.academieCode), \(counts))")
            }
            batch.append(
                """
                INSERT INTO indicator_snapshots (day, establishment_id, owner_id, departement, academie_code, \(raw: names.joined(separator: ", ")))
                VALUES \(SQLQuery.joined(values, separator: ", "))
                ON CONFLICT (day, establishment_id) DO UPDATE SET owner_id = excluded.owner_id, departement = excluded.departement,
                  academie_code = excluded.academie_code, \(raw: names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                """)
            start += 100
        }
        return batch
    }

    /// Which snapshot rows a series sums.
    public enum SeriesSubject: Sendable {
        case territory
        case establishment(UUID)
        case collectivite(UUID)
        case departement(String)
        case academie(String)
    }

    /// Summed counts per day in `[from, to]`, inside the scope.
    public func series(_ subject: SeriesSubject, in scope: Scope, from: LocalDate, to: LocalDate) async throws -> [(
        day: LocalDate, facts: IndicatorFacts
    )] {
        var conditions: [SQLQuery] = [ScopeSQL.predicate(scope, .denormalized, alias: "t"), "t.day >= \(from)", "t.day <= \(to)"]
        switch subject {
        case .territory: break
        case .establishment(let id): conditions.append("t.establishment_id = \(id)")
        case .collectivite(let id): conditions.append("t.owner_id = \(id)")
        case .departement(let code): conditions.append("t.departement = \(code)")
        case .academie(let code): conditions.append("t.academie_code = \(code)")
        }
        // PostgreSQL sums BIGINT columns as NUMERIC: cast back so both backends return integers.
        let sums = IndicatorFacts.columns.map { "CAST(SUM(t.\($0.name)) AS BIGINT) AS \($0.name)" }.joined(separator: ", ")
        return try await database.query(
            "SELECT t.day, \(raw: sums) FROM indicator_snapshots t WHERE \(SQLQuery.joined(conditions, separator: " AND ")) GROUP BY t.day ORDER BY t.day"
        ).map { row in
            var f = IndicatorFacts()
            for column in IndicatorFacts.columns { f[keyPath: column.path] = try row.int(column.name) }
            guard let day = try row.optionalLocalDate("day") else { throw StoreError.decoding("snapshot without a day") }
            return (day, f)
        }
    }

    /// The count columns the snapshot migration created, in order, read from its text: a test holds them equal to
    /// `IndicatorFacts.columns`, so a new fact cannot be forgotten in the table.
    public static var snapshotColumns: [String] {
        IndicatorSchema.columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")[0] }.map(
            String.init)
    }

    public func pruneSnapshots(before day: LocalDate) -> WriteStatement {
        WriteStatement("DELETE FROM indicator_snapshots WHERE day < \(day)")
    }
}
