public import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import ParcCore
public import ParcStore
import ServiceLifecycle

/// The composition root: the only place that picks concrete types. `parc serve` and the tests both build the
/// application here, from configuration.
public struct ParcApplication: Sendable {
    public let storage: Storage
    public let catalogue: APICatalogue
    public let configuration: ParcConfiguration
    public let metrics: ParcMetrics
    /// The heartbeat writer: a service, so graceful shutdown drains it after the HTTP server stopped.
    public let pipeline: IngestPipeline
    public let retention: RetentionService
    /// Escalation, breaches, closing and telemetry rules for tickets, once per cluster.
    public let maintenance: MaintenanceService
    /// The daily indicator snapshot, once per cluster.
    public let snapshots: IndicatorSnapshotService
    /// Offers, reminders, the outbox and loan retention, once per cluster.
    public let loanPass: LoanPassService
    let agents: AgentService
    let tickets: TicketService
    let planning: PlanningService
    let indicators: IndicatorEngine
    let loans: LoanService
    let clock: AppClock
    let logger: Logger

    /// What the first start did, for `serve` to print.
    public struct Startup: Sendable {
        public var appliedMigrations: [String]
        public var bootstrapToken: String?
        public var demo: InventoryLoader.DemoSummary?
    }

    public init(configuration: ParcConfiguration, clock: AppClock = AppClock(), logger: Logger) throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        catalogue = APICatalogue()
        if configuration.store.backend == .sqlite, configuration.store.sqliteDirectory == ":memory:" {
            storage = Storage(database: try SQLiteDatabase(inMemory: ()))
        } else {
            storage = try Storage.open(configuration.store, logger: logger)
        }
        let ingest = configuration.ingest
        metrics = ParcMetrics(backend: configuration.store.backend.rawValue)
        pipeline = IngestPipeline(
            writer: storage.telemetry.writer, capacity: ingest.queueCapacity, maxBatch: ingest.maxBatch,
            writers: configuration.store.backend == .postgres ? ingest.postgresWriters : 1, metrics: metrics.ingest, logger: logger)
        agents = AgentService(storage: storage, clock: clock, pipeline: pipeline, settings: ingest, metrics: metrics.ingest)
        retention = RetentionService(
            telemetry: storage.telemetry, policy: ingest.retention, intervalSeconds: ingest.retentionIntervalSeconds, now: clock.now, logger: logger)
        let zones = try InventoryLoader.holidayZones(root: URL(fileURLWithPath: configuration.inventoryPath))
        tickets = TicketService(
            storage: storage, clock: clock, settings: configuration.maintenance, engine: SLAEngine(storage: storage, zones: zones))
        maintenance = MaintenanceService(tickets: tickets, logger: logger)
        planning = PlanningService(storage: storage, clock: clock)
        indicators = IndicatorEngine(
            storage: storage, clock: clock, zones: zones, settings: configuration.indicators,
            measurementWindowDays: configuration.readiness.measurementWindowDays)
        snapshots = IndicatorSnapshotService(engine: indicators, logger: logger)
        loans = LoanService(storage: storage, clock: clock, settings: configuration.loans, tickets: tickets)
        loanPass = LoanPassService(loans: loans, sender: LogNoticeSender(logger: logger), logger: logger)
    }

    /// Migrations (when allowed), reference data, and on an empty database the demo territory and a first
    /// administrator token. Runs once the database services are up, before the server accepts requests.
    public func prepare() async throws -> Startup {
        let migrator = storage.migrator
        var status = try await migrator.status()
        var applied: [String] = []
        if !status.isCurrent {
            let fresh = status.applied.isEmpty && configuration.store.backend == .sqlite
            guard configuration.store.migrate || fresh else {
                throw StoreError.migration(
                    "\(status.pending.count) pending migration(s): \(status.pending.joined(separator: ", ")). Run `parc migrate --apply` or start with --migrate"
                )
            }
            applied = try await migrator.migrate(now: clock.now())
            status = try await migrator.status()
        }
        let loader = InventoryLoader(storage: storage, clock: clock, root: URL(fileURLWithPath: configuration.inventoryPath))
        try await loader.loadReference()
        var startup = Startup(appliedMigrations: applied, bootstrapToken: nil, demo: nil)
        if try await !storage.access.hasPrincipals() {
            let issued = try await TokenService(storage: storage, clock: clock).issue(
                .init(name: "Administrateur initial", role: Principal.Role.admin.rawValue, label: "created at first start"), by: nil)
            startup.bootstrapToken = issued.token
            if configuration.loadDemo, try await storage.repository(Establishment.self).count([]) == 0 {
                startup.demo = try await loader.loadDemo(territory: configuration.demoTerritory, as: issued.principal)
                startup.demo?.tickets = try await loadDemoMaintenance(territory: configuration.demoTerritory, as: issued.principal)
                // Today's indicators, so the series shows the demo at once (the service keeps it current).
                _ = try await indicators.snapshot()
            }
        }
        return startup
    }

    /// The Hummingbird application: routes, middleware, and the database services it needs running.
    public func makeApplication(
        onStartup: @escaping @Sendable (Startup) -> Void = { _ in }, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = buildRouter()
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
            // Shut down in reverse: the server (finishing in-flight requests), then the background passes, then the
            // pipeline (committing what is queued), then the database.
            services: storage.services + [pipeline, retention, maintenance, snapshots, loanPass],
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let prepare = self.prepare
        app.beforeServerStarts {
            onStartup(try await prepare())
        }
        return app
    }

    public func buildRouter() -> Router<ParcRequestContext> {
        let router = Router(context: ParcRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        let open = APIRoutes(group: router.group(""), prefix: "", catalogue: catalogue, authenticated: false)
        let storage = self.storage
        let catalogue = self.catalogue

        open.add(.get, "health", "Liveness: the process answers", tag: "Operations", reply: .text) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        open.add(
            .get, "ready", "Readiness: the database answers and its migrations are current", tag: "Operations", reply: .object(schema: "ReadyStatus")
        ) {
            _, _ in
            let status: ReadyStatus
            do {
                let migrations = try await storage.migrator.status()
                status = ReadyStatus(database: "reachable", migrationsCurrent: migrations.isCurrent, pendingMigrations: migrations.pending)
            } catch {
                status = ReadyStatus(database: "unreachable", migrationsCurrent: false, pendingMigrations: [])
            }
            let ready = status.database == "reachable" && status.migrationsCurrent
            return try Reply.json(status, status: ready ? .ok : .serviceUnavailable)
        }
        open.add(.get, "openapi.json", "This document", tag: "Operations", reply: .object(schema: "Object")) { _, _ in
            let document = OpenAPIDocument.build(catalogue.operations, schemas: ParcApplication.schemas)
            return try Reply.json(document)
        }

        if configuration.benchmarkRoutes {
            // Takes what a heartbeat POST sends and answers a receipt of the same size without touching anything, so
            // `parc loadgen --baseline` can price ingest against plain HTTP handling of identical requests.
            let maxBody = configuration.ingest.maxBodyBytes
            let receipt = AgentService.Receipt(accepted: 1, duplicates: 0, nextCheckinSeconds: configuration.ingest.checkin.defaultIntervalSeconds)
            open.add(
                .post, "bench/noop", "Benchmark baseline (http.benchmarkRoutes): reads the body, does nothing", tag: "Operations",
                reply: .object(schema: "HeartbeatReceipt")
            ) {
                request, _ in
                _ = try await request.body.collect(upTo: maxBody)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: receipt.json)))
            }
        }
        let metrics = self.metrics
        open.add(
            .get, "metrics", "Prometheus metrics: requests, heartbeats accepted and rejected, queue depth, commit latency", tag: "Operations",
            reply: .text
        ) {
            _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        let agentGroup = router.group("agent/v1")
        addAgentRoutes(
            enroll: APIRoutes(group: agentGroup, prefix: "/agent/v1", catalogue: catalogue, authenticated: false),
            heartbeats: APIRoutes(group: agentGroup, prefix: "/agent/v1", catalogue: catalogue, authenticated: true), agents: agents)

        let v1 = router.group("api/v1").add(middleware: AuthenticationMiddleware(access: storage.access, now: clock.now))
        let api = APIRoutes(group: v1, prefix: "/api/v1", catalogue: catalogue, authenticated: true)
        addResourceRoutes(InventoryService(resource: CollectiviteResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: EstablishmentResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: BuildingResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: RoomResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: DeviceModelResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(
            InventoryService(resource: DeviceResource(), storage: storage, clock: clock, afterChange: agents.deviceChanged), to: api)
        addResourceRoutes(InventoryService(resource: MobileCartResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: AccessPointResource(), storage: storage, clock: clock), to: api)
        addResourceRoutes(InventoryService(resource: InternetLinkResource(), storage: storage, clock: clock), to: api)
        addReadinessRoutes(to: api)
        addImportExportRoutes(to: api, agents: agents)
        addAccessRoutes(to: api)
        addTelemetryRoutes(to: api, agents: agents)
        addTicketRoutes(to: api)
        addPlanningRoutes(to: api)
        addLoanRoutes(to: api)
        return router
    }

    func addReadinessRoutes(to api: APIRoutes) {
        let establishments = InventoryService(resource: EstablishmentResource(), storage: storage, clock: clock)
        let links = InventoryService(resource: InternetLinkResource(), storage: storage, clock: clock)
        let parameters = configuration.readiness
        let storage = self.storage
        let clock = self.clock
        api.add(
            .get, "establishments/{id}/readiness",
            "Readiness for digital teaching: Wi-Fi coverage of teaching rooms, Mbit/s per concurrent device, classes mobiles at once",
            tag: "Establishment", query: ["carts"], reply: .object(schema: "Readiness")
        ) { request, context in
            let establishment = try await establishments.get(try context.id(), principal: try context.requirePrincipal())
            var carts: Int?
            if let text = request.queryDictionary["carts"] {
                guard let n = Int(text), (0...1000).contains(n) else {
                    throw ParcError.validation([FieldError(field: "carts", reason: "must be a whole number from 0 to 1000")])
                }
                carts = n
            }
            let since = clock.now().addingTimeInterval(-Double(parameters.measurementWindowDays) * 86_400)
            let facts = try await storage.readiness.facts(for: establishment, measuredSince: since)
            return try Reply.json(Readiness.compute(facts, requestedCarts: carts, parameters: parameters))
        }
        api.add(
            .get, "internet-links/{id}/samples", "Measured throughput of a link, newest first", tag: "InternetLink", query: ["limit"],
            reply: .list(schema: "ThroughputSample")
        ) {
            request, context in
            let link = try await links.get(try context.id(), principal: try context.requirePrincipal())
            let limit = try PageRequest(query: request.queryDictionary).limit
            return try Reply.json(try await storage.readiness.samples(linkID: link.id, limit: limit))
        }
        api.add(
            .post, "internet-links/{id}/samples", "Record a measured throughput (speed test)", tag: "InternetLink",
            body: .json(schema: "ThroughputSampleInput"), reply: .object(schema: "ThroughputSample"), status: 201
        ) { request, context in
            let principal = try context.requirePrincipal()
            let link = try await links.get(try context.id(), principal: principal)
            guard Permissions.allows(principal.role, .create, .throughputSample) else {
                throw ParcError.forbidden("this role cannot record measurements")
            }
            let input = try await request.decodeJSON(ThroughputSampleInput.self, context: context)
            let v = try input.validate(now: clock.now())
            let sample = ThroughputSample(
                id: clock.newID(), linkID: link.id, establishmentID: link.establishmentID, measuredAt: v.measuredAt, downMbps: v.downMbps,
                upMbps: v.upMbps, source: v.source)
            try await storage.database.write(WriteBatch([storage.readiness.insert(sample)]))
            return try Reply.json(sample, status: .created)
        }
        api.add(.get, "academies", "Reference list of académies", tag: "Reference", reply: .list(schema: "Academie")) { _, context in
            _ = try context.requirePrincipal()
            return try Reply.json(try await storage.territory.academies())
        }
    }

    func addImportExportRoutes(to api: APIRoutes, agents: AgentService) {
        let importer = CSVImporter(storage: storage, clock: clock, deviceChanged: agents.deviceChanged)
        let exporter = CSVExporter(storage: storage)
        for kind in CSVImporter.Kind.allCases {
            api.add(
                .post, "import/\(kind.rawValue)",
                "Import \(kind.rawValue) from CSV: every row is checked first; any error writes nothing and lists every bad row (dry_run=true only checks)",
                tag: "Import", query: ["dry_run"], body: .csv, reply: .object(schema: "ImportReport")
            ) { request, context in
                let principal = try context.requirePrincipal()
                let buffer = try await request.body.collect(upTo: 64 << 20)
                guard let csv = String(bytes: buffer.readableBytesView, encoding: .utf8) else {
                    throw ParcError.malformed("the CSV file must be UTF-8")
                }
                let dryRun = request.queryDictionary["dry_run"].map { $0 == "true" || $0 == "1" } ?? false
                return try Reply.json(try await importer.run(kind, csv: csv, principal: principal, dryRun: dryRun))
            }
            let filters: [String: FilterSpec] =
                switch kind {
                case .establishments: EstablishmentResource.filters
                case .deviceModels: DeviceModelResource.filters
                case .devices: DeviceResource.filters
                }
            let resource: ResourceKind =
                switch kind {
                case .establishments: .establishment
                case .deviceModels: .deviceModel
                case .devices: .device
                }
            api.add(
                .get, "export/\(kind.rawValue).csv", "Export \(kind.rawValue) in the caller's scope, in the import format", tag: "Import",
                query: filters.keys.sorted(), reply: .csv
            ) { request, context in
                let principal = try context.requirePrincipal()
                guard Permissions.allows(principal.role, .read, resource) else { throw ParcError.forbidden("this role cannot read \(kind.rawValue)") }
                let query = request.queryDictionary
                var chosen: [Filter] = []
                for (name, value) in query {
                    guard let spec = filters[name] else {
                        throw ParcError.validation([FieldError(field: name, reason: "is not a filter of this export")])
                    }
                    chosen.append(try spec.filter(name, value))
                }
                let selected = chosen
                let body = ResponseBody { writer in
                    try await exporter.export(kind, filters: selected, scope: principal.scope) { text in
                        try await writer.write(ByteBuffer(string: text))
                    }
                    try await writer.finish(nil)
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(kind.rawValue).csv\""],
                    body: body)
            }
        }
    }

    func addAccessRoutes(to api: APIRoutes) {
        let tokens = TokenService(storage: storage, clock: clock)
        api.add(.get, "me", "The caller's principal: role and scope", tag: "Access", reply: .object(schema: "Principal")) { _, context in
            try Reply.json(try context.requirePrincipal())
        }
        api.add(
            .post, "tokens", "Issue an API token for a new principal (shown once)", tag: "Access", body: .json(schema: "TokenRequest"),
            reply: .object(schema: "IssuedToken"), status: 201
        ) { request, context in
            let issued = try await tokens.issue(
                try await request.decodeJSON(TokenService.Request.self, context: context), by: try context.requirePrincipal())
            return try Reply.json(issued, status: .created)
        }
        api.add(.get, "tokens", "Tokens the caller issued or holds (never the secret)", tag: "Access", reply: .list(schema: "TokenRecord")) {
            _, context in
            try Reply.json(try await tokens.list(for: try context.requirePrincipal()))
        }
        api.add(.delete, "tokens/{id}", "Revoke a token", tag: "Access", reply: .empty, status: 204) { _, context in
            try await tokens.revoke(try context.id(), by: try context.requirePrincipal())
            return Reply.noContent()
        }
    }

    /// Schemas of `/openapi.json`, each inferred from an example encoded exactly as responses are.
    static let schemas: [String: JSONValue] = {
        var schemas: [String: JSONValue] = [:]
        func add<R: InventoryResource>(_: R.Type) {
            schemas[String(describing: R.Record.self)] = OpenAPIDocument.schema(example: R.example)
            schemas[String(describing: R.Record.self) + "Input"] = OpenAPIDocument.schema(example: R.exampleInput)
        }
        add(CollectiviteResource.self)
        add(EstablishmentResource.self)
        add(BuildingResource.self)
        add(RoomResource.self)
        add(DeviceModelResource.self)
        add(DeviceResource.self)
        add(MobileCartResource.self)
        add(AccessPointResource.self)
        add(InternetLinkResource.self)
        add(SLAPolicyResource.self)
        add(RoundResource.self)
        let epoch = Date(timeIntervalSince1970: 0)
        schemas["AuditEvent"] = OpenAPIDocument.schema(
            example: AuditEvent(
                id: UUID(), at: epoch, principalID: UUID(), principalName: "Agent de maintenance", change: .update, objectType: "device",
                objectID: UUID(),
                establishmentID: UUID(), before: "{}", after: "{}"))
        schemas["ErrorBody"] = OpenAPIDocument.schema(
            example: ErrorBody(
                error: .init(
                    code: "validation_failed", message: "uai check letter is wrong",
                    fields: [FieldError(row: 2, field: "uai", reason: "check letter is wrong (expected W)")])))
        schemas["ReadyStatus"] = OpenAPIDocument.schema(
            example: ReadyStatus(database: "reachable", migrationsCurrent: true, pendingMigrations: ["0004 example"]))
        let facts = ReadinessFacts(
            kind: .ecolePrimaire, rooms: [.init(id: UUID(), teaching: true, coverage: .covered)],
            accessPoints: [.init(id: UUID(), roomID: nil, maxClients: 30, switchable: true, schedule: nil, conseilEcoleInformed: true)],
            carts: [.init(id: UUID(), capacity: 15, devices: 15, accessPointID: nil, builtInAccessPoint: true)], contractedDownMbps: 20,
            measuredDownMbps: 14.5,
            clientDevicesInService: 20)
        var readiness = Readiness.compute(facts, parameters: ReadinessParameters())
        readiness.wifiLaw.nonCompliantAccessPoints = [UUID()]
        readiness.carts.limits = ["…"]
        schemas["Readiness"] = OpenAPIDocument.schema(example: readiness)
        schemas["ThroughputSample"] = OpenAPIDocument.schema(
            example: ThroughputSample(
                id: UUID(), linkID: UUID(), establishmentID: UUID(), measuredAt: epoch, downMbps: 87.5, upMbps: 42.1, source: .speedtest))
        schemas["ThroughputSampleInput"] = OpenAPIDocument.schema(
            example: ThroughputSampleInput(measuredAt: epoch, downMbps: 87.5, upMbps: 42.1, source: "speedtest"))
        schemas["Academie"] = OpenAPIDocument.schema(
            example: Academie(code: "28", name: "La Réunion", regionAcademique: "La Réunion", regionCode: "04"))
        schemas["ImportReport"] = OpenAPIDocument.schema(
            example: CSVImporter.Report(kind: "devices", rows: 3891, created: 3891, updated: 0, unchanged: 0, dryRun: false))
        let principal = Principal(
            id: UUID(), name: "Collège Bourbon — direction", role: .establishmentStaff, academieCode: "28", collectiviteID: UUID(),
            establishmentIDs: [UUID()], createdAt: epoch)
        schemas["Principal"] = OpenAPIDocument.schema(example: principal)
        let record = AccessStore.TokenRecord(
            id: UUID(), principalID: UUID(), prefix: "parc_abcd", label: "poste direction", createdAt: epoch, createdBy: UUID(), expiresAt: epoch,
            revokedAt: epoch)
        schemas["TokenRecord"] = OpenAPIDocument.schema(example: record)
        schemas["TokenRequest"] = OpenAPIDocument.schema(
            example: TokenService.Request(
                name: "Collège Bourbon — direction", role: "establishment_staff", academieCode: "28", collectiviteID: UUID(),
                establishmentIDs: [UUID()], label: "poste direction", expiresAt: epoch))
        schemas["IssuedToken"] = OpenAPIDocument.schema(example: TokenService.Issued(token: "parc_…", tokenRecord: record, principal: principal))
        schemas.merge(telemetrySchemas) { ours, _ in ours }
        schemas.merge(ticketSchemas) { ours, _ in ours }
        schemas.merge(planningSchemas) { ours, _ in ours }
        schemas.merge(loanSchemas) { ours, _ in ours }
        return schemas
    }()
}

public struct ReadyStatus: Codable, Sendable {
    public var database: String
    public var migrationsCurrent: Bool
    public var pendingMigrations: [String]
}

extension ParcApplication {
    public var importer: CSVImporter { CSVImporter(storage: storage, clock: clock) }

    /// A collectivité named on the command line as `kind:code` (`departement:974`).
    func collectivite(reference: String) async throws -> Collectivite {
        guard case .reference(let kind, let code)? = OwnerChoice.parse(reference: reference),
            let found = try await OwnerResolver(storage: storage).collectivite(kind: kind, code: code)
        else { throw ParcError.validation([FieldError(field: "collectivite", reason: "no collectivité \(reference)")]) }
        return found
    }

    /// `parc token create`: resolves collectivité and UAIs to ids, then issues as the console operator.
    public func issueToken(name: String, role: String, academie: String?, collectivite: String?, uais: [String], expiresAt: Date?) async throws
        -> String
    {
        var collectiviteID: UUID?
        if let collectivite { collectiviteID = try await self.collectivite(reference: collectivite).id }
        let establishments = try await storage.repository(Establishment.self).find(where: "uai", in: uais.map { $0.uppercased().sqlValue })
        guard establishments.count == Set(uais.map { $0.uppercased() }).count else {
            throw ParcError.validation([FieldError(field: "uai", reason: "names an establishment that does not exist")])
        }
        let issued = try await TokenService(storage: storage, clock: clock).issue(
            .init(
                name: name, role: role, academieCode: academie, collectiviteID: collectiviteID, establishmentIDs: establishments.map(\.id),
                expiresAt: expiresAt),
            by: nil)
        return issued.token
    }
}
