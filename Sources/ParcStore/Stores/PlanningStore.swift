public import Foundation
public import ParcCore

/// Refresh planning: the fleet a plan reads, and saved scenarios with their lines.
public struct PlanningStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    /// Where a plan applies: a scope, optionally narrowed to some establishments.
    public struct Territory: Sendable {
        public var scope: Scope
        public var establishmentIDs: [UUID]?
        public init(scope: Scope, establishmentIDs: [UUID]? = nil) {
            self.scope = scope
            self.establishmentIDs = establishmentIDs
        }

        func predicate(_ scoping: Scoping, alias: String, column: String) -> SQLQuery {
            var query = ScopeSQL.predicate(scope, scoping, alias: alias)
            if let ids = establishmentIDs { query = query + " AND \(raw: alias).\(raw: column) IN \(list: ids)" }
            return query
        }
    }

    /// Establishments, devices (retired ones left out), battery health from the agents, and hardware tickets
    /// since `failuresSince` per device and per model.
    public func facts(_ territory: Territory, failuresSince: Date) async throws -> PlanFacts {
        var sites: [PlanFacts.Site] = []
        var index: [UUID: Int32] = [:]
        for row in try await database.query(
            """
            SELECT e.id, e.uai, e.name, e.kind, e.pupils FROM establishments e
            WHERE e.deleted_at IS NULL AND \(territory.predicate(.establishmentRow, alias: "e", column: "id")) ORDER BY e.uai
            """)
        {
            let id = try row.uuid("id")
            index[id] = Int32(sites.count)
            sites.append(
                PlanFacts.Site(
                    id: id, uai: try row.string("uai"), name: try row.string("name"), kind: try row.enumValue("kind", as: Establishment.Kind.self),
                    pupils: try row.int("pupils")))
        }
        let inScope = territory.predicate(.denormalized, alias: "d", column: "establishment_id")
        var health: [UUID: Double] = [:]
        for row in try await database.query(
            """
            SELECT a.device_id, s.battery_health FROM agent_devices a JOIN device_state s ON s.device_key = a.device_key
            JOIN devices d ON d.id = a.device_id WHERE s.battery_health IS NOT NULL AND d.deleted_at IS NULL AND \(inScope)
            """)
        {
            health[try row.uuid("device_id")] = try row.double("battery_health")
        }
        var failures: [UUID: Int] = [:]
        var modelTickets: [UUID: Int] = [:]
        for row in try await database.query(
            """
            SELECT d.id, d.model_id, COUNT(*) AS n FROM tickets t JOIN devices d ON d.id = t.device_id
            WHERE t.category = \(Ticket.Category.hardware.rawValue) AND t.opened_at >= \(failuresSince) AND t.deleted_at IS NULL AND \(inScope)
            GROUP BY d.id, d.model_id
            """)
        {
            let n = try row.int("n")
            failures[try row.uuid("id")] = n
            modelTickets[try row.uuid("model_id"), default: 0] += n
        }
        // The one large read: mapped row by row by position, nothing kept but the compact unit.
        let sitesByID = index
        let batteries = health
        let failed = failures
        // Rows come in index order, so a run of rows shares its establishment and often its kind: remembering the
        // last one spares most hash lookups and enum parses.
        let run = RunMemo()
        let units = try await database.query(
            """
            SELECT d.id, d.establishment_id, d.kind, d.model_id,
              CASE WHEN d.status IN (\(Device.Status.lost.rawValue), \(Device.Status.stolen.rawValue)) THEN 1 ELSE 0 END AS lost,
              d.purchase_date, d.warranty_end, d.planned_refresh
            FROM devices d WHERE d.deleted_at IS NULL AND d.status <> \(Device.Status.retired.rawValue) AND \(inScope)
            """
        ) { row -> PlanFacts.Unit? in
            guard let id = row[position: 0].uuidValue, let establishment = row[position: 1].uuidValue else { return nil }
            guard let site = run.site(establishment, sitesByID) else { return nil }
            guard let kind = row[position: 2].textValue.flatMap(run.kind), let model = row[position: 3].uuidValue else {
                throw StoreError.decoding("device \(id) has an unknown kind or no model")
            }
            return PlanFacts.Unit(
                id: id, site: site, kind: kind, modelID: model, lost: row[position: 4] == .int(1),
                purchase: row[position: 5].textValue.flatMap(LocalDate.init), warrantyEnd: row[position: 6].textValue.flatMap(LocalDate.init),
                plannedRefresh: row[position: 7].textValue.flatMap(LocalDate.init), batteryHealth: batteries.isEmpty ? nil : batteries[id],
                failures: failed.isEmpty ? 0 : failed[id] ?? 0)
        }.compactMap { $0 }
        var modelDevices: [UUID: Int] = [:]
        for unit in units { modelDevices[unit.modelID, default: 0] += 1 }
        var lifespans: [UUID: Int] = [:]
        for row in try await database.query("SELECT id, lifespan_months FROM device_models WHERE deleted_at IS NULL") {
            lifespans[try row.uuid("id")] = try row.int("lifespan_months")
        }
        var rates: [UUID: Double] = [:]
        for (model, tickets) in modelTickets {
            if let devices = modelDevices[model], devices > 0 { rates[model] = Double(tickets) * 100 / Double(devices) }
        }
        return PlanFacts(sites: sites, units: units, modelLifespans: lifespans, modelFailureRates: rates)
    }

    // MARK: Scenarios

    /// A saved plan as lists and reads show it: the request, and the plan without its lines.
    public struct Scenario: Codable, Equatable, Sendable {
        public var id: UUID
        public var name: String
        public var collectiviteID: UUID?
        public var academieCode: String?
        public var createdBy: UUID?
        public var createdByName: String
        public var createdAt: Date
        public var lineCount: Int
        public var input: RefreshPlanInput
        public var plan: RefreshPlan
        public init(
            id: UUID, name: String, collectiviteID: UUID?, academieCode: String?, createdBy: UUID?, createdByName: String, createdAt: Date,
            lineCount: Int, input: RefreshPlanInput, plan: RefreshPlan
        ) {
            self.id = id
            self.name = name
            self.collectiviteID = collectiviteID
            self.academieCode = academieCode
            self.createdBy = createdBy
            self.createdByName = createdByName
            self.createdAt = createdAt
            self.lineCount = lineCount
            self.input = input
            self.plan = plan
        }
    }

    /// Lines go in multi-row inserts of this many rows: few statements, and far below either backend's
    /// limit on bound parameters.
    static let linesPerInsert = 200

    /// The scenario row and every line, in one transaction.
    public func save(_ scenario: Scenario, lines: [RefreshPlan.Line]) throws -> WriteBatch {
        var stored = scenario.plan
        stored.lines = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let input = String(decoding: try encoder.encode(scenario.input), as: UTF8.self)
        let plan = String(decoding: try encoder.encode(stored), as: UTF8.self)
        var batch = WriteBatch()
        batch.append(
            """
            INSERT INTO refresh_scenarios (id, name, collectivite_id, academie_code, created_by, created_by_name, created_at, input, plan,
              total_cents, backlog_devices, line_count)
            VALUES (\(scenario.id), \(scenario.name), \(scenario.collectiviteID), \(scenario.academieCode), \(scenario.createdBy),
              \(scenario.createdByName), \(scenario.createdAt), \(input), \(plan), \(stored.summary.totalCents), \(stored.summary.backlogDevices),
              \(lines.count))
            """)
        var n = 0
        while n < lines.count {
            let chunk = lines[n..<min(n + Self.linesPerInsert, lines.count)]
            var values: [SQLQuery] = []
            for (offset, line) in chunk.enumerated() {
                let subsidies = line.subsidiesCents.map(String.init).joined(separator: ";")
                values.append(
                    """
                    (\(scenario.id), \(n + offset), \(line.year), \(line.action.rawValue), \(line.deviceID), \(line.establishmentID), \(line.kind.rawValue),
                      \(line.modelID), \(line.reason.rawValue), \(line.score), \(line.overdueMonths), \(line.refurbished), \(line.costCents),
                      \(subsidies), \(line.ownCents))
                    """)
            }
            batch.append(
                """
                INSERT INTO refresh_plan_lines (scenario_id, n, year, action, device_id, establishment_id, kind, model_id, reason, score,
                  overdue_months, refurbished, cost_cents, subsidies, own_cents) VALUES \(SQLQuery.joined(values, separator: ", "))
                """)
            n += Self.linesPerInsert
        }
        return batch
    }

    /// Saved plans are the collectivité's (or, for an académie-wide plan, the académie administrators').
    static func scenarioScope(_ scope: Scope) -> SQLQuery {
        switch scope {
        case .all: "1 = 1"
        case .academie(let code): "s.academie_code = \(code)"
        case .collectivite(let id): "s.collectivite_id = \(id)"
        case .establishments, .nothing: "1 = 0"
        }
    }

    public func scenarios(in scope: Scope, limit: Int) async throws -> [Scenario] {
        try await database.query(
            "SELECT s.* FROM refresh_scenarios s WHERE \(Self.scenarioScope(scope)) ORDER BY s.created_at DESC, s.id LIMIT \(limit)"
        ).map(Self.scenario(from:))
    }

    public func scenario(_ id: UUID, in scope: Scope) async throws -> Scenario? {
        try await database.query("SELECT s.* FROM refresh_scenarios s WHERE s.id = \(id) AND \(Self.scenarioScope(scope))").first.map(
            Self.scenario(from:))
    }

    public struct LineFilter: Sendable {
        public var year: Int?
        public var action: RefreshPlan.Action?
        public var establishmentID: UUID?
        public init(year: Int? = nil, action: RefreshPlan.Action? = nil, establishmentID: UUID? = nil) {
            self.year = year
            self.action = action
            self.establishmentID = establishmentID
        }
    }

    /// A scenario's lines in plan order, from `after` (exclusive) on: keyset pagination on the line number.
    public func lines(scenarioID: UUID, filter: LineFilter, after: Int?, limit: Int) async throws -> [(n: Int, line: RefreshPlan.Line)] {
        var conditions: [SQLQuery] = ["scenario_id = \(scenarioID)"]
        if let after { conditions.append("n > \(after)") }
        if let year = filter.year { conditions.append("year = \(year)") }
        if let action = filter.action { conditions.append("action = \(action.rawValue)") }
        if let establishment = filter.establishmentID { conditions.append("establishment_id = \(establishment)") }
        return try await database.query(
            "SELECT * FROM refresh_plan_lines WHERE \(SQLQuery.joined(conditions, separator: " AND ")) ORDER BY n LIMIT \(limit)"
        ).map { row in
            let subsidies = try row.string("subsidies").split(separator: ";").compactMap { Int($0) }
            return (
                try row.int("n"),
                RefreshPlan.Line(
                    year: try row.int("year"), action: try row.enumValue("action", as: RefreshPlan.Action.self),
                    deviceID: try row.optionalUUID("device_id"),
                    establishmentID: try row.uuid("establishment_id"), kind: try row.enumValue("kind", as: DeviceModel.Kind.self),
                    modelID: try row.optionalUUID("model_id"), reason: try row.enumValue("reason", as: RefreshPlan.Reason.self),
                    score: try row.double("score"), overdueMonths: try row.int("overdue_months"), refurbished: try row.bool("refurbished"),
                    costCents: try row.int("cost_cents"), subsidiesCents: subsidies, ownCents: try row.int("own_cents"))
            )
        }
    }

    public func delete(_ id: UUID) -> WriteBatch {
        WriteBatch([
            WriteStatement("DELETE FROM refresh_plan_lines WHERE scenario_id = \(id)"),
            WriteStatement("DELETE FROM refresh_scenarios WHERE id = \(id) RETURNING id", expect: .exactlyOne(orElse: .notFound("scenario"))),
        ])
    }

    static func scenario(from row: SQLRow) throws -> Scenario {
        let decoder = JSONDecoder()
        return Scenario(
            id: try row.uuid("id"), name: try row.string("name"), collectiviteID: try row.optionalUUID("collectivite_id"),
            academieCode: try row.optionalString("academie_code"), createdBy: try row.optionalUUID("created_by"),
            createdByName: try row.string("created_by_name"), createdAt: try row.date("created_at"), lineCount: try row.int("line_count"),
            input: try decoder.decode(RefreshPlanInput.self, from: Data(try row.string("input").utf8)),
            plan: try decoder.decode(RefreshPlan.self, from: Data(try row.string("plan").utf8)))
    }
}

/// The last establishment and kind a bulk read decoded. Used by one read, row after row, on one thread at a time.
private final class RunMemo: @unchecked Sendable {
    private var establishment: UUID?
    private var siteIndex: Int32?
    private var kindText = ""
    private var kindValue: DeviceModel.Kind?

    func site(_ id: UUID, _ sites: [UUID: Int32]) -> Int32? {
        if id != establishment {
            establishment = id
            siteIndex = sites[id]
        }
        return siteIndex
    }

    func kind(_ text: String) -> DeviceModel.Kind? {
        if text != kindText || kindValue == nil {
            kindText = text
            kindValue = DeviceModel.Kind(rawValue: text)
        }
        return kindValue
    }
}
