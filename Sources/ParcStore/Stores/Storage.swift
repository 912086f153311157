public import Logging
public import ServiceLifecycle

/// The opened database and the stores built on it: what the composition root hands to the server.
public struct Storage: Sendable {
    public let database: any SQLDatabase
    /// Services the database needs running (the PostgreSQL pool); empty for SQLite.
    public let services: [any Service]

    public init(database: any SQLDatabase, services: [any Service] = []) {
        self.database = database
        self.services = services
    }

    /// Opens the configured backend. PostgreSQL queries wait until its service runs.
    public static func open(_ configuration: StoreConfiguration, logger: Logger) throws -> Storage {
        switch configuration.backend {
        case .sqlite:
            return Storage(
                database: try SQLiteDatabase(
                    directory: configuration.sqliteDirectory, synchronous: configuration.synchronous, checkpointPages: configuration.checkpointPages))
        case .postgres:
            let database = PostgresDatabase(settings: configuration.postgres, logger: logger)
            return Storage(database: database, services: [database])
        }
    }

    public var migrator: Migrator { Migrator(database: database) }
    public var territory: TerritoryStore { TerritoryStore(database) }
    public var access: AccessStore { AccessStore(database) }
    public var audit: AuditLog { AuditLog(database) }
    public var readiness: ReadinessQueries { ReadinessQueries(database) }
    public var telemetry: TelemetryStore { TelemetryStore(database) }
    public var tickets: TicketStore { TicketStore(database) }
    public var planning: PlanningStore { PlanningStore(database) }
    public var indicators: IndicatorStore { IndicatorStore(database) }
    public var loans: LoanStore { LoanStore(database) }
    public func repository<R: StoredRecord>(_ type: R.Type) -> Repository<R> { Repository(database) }
}
