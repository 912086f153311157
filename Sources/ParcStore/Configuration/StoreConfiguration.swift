public import Configuration

/// Where Parc keeps its data.
///
/// Configuration keys (under `store.`):
/// - `backend` (string, default `sqlite`): `sqlite` or `postgres`.
/// - `sqlite.directory` (string, default `data`): folder holding `parc.sqlite` and its WAL files.
/// - `sqlite.synchronous` (string, default `full`): `full` (fsync each commit) or `normal`.
/// - `postgres.host` (default `127.0.0.1`), `postgres.port` (default 5432), `postgres.user` (default `parc`),
///   `postgres.password` (secret, default none), `postgres.database` (default `parc`),
///   `postgres.socket` (Unix socket path; overrides host and port), `postgres.maxConnections` (default 16).
/// - `migrate` (bool, default false): apply pending migrations when `serve` starts. A new, empty SQLite
///   database is always migrated, so the embedded default works on first run.
public struct StoreConfiguration: Sendable, Equatable {
    public enum Backend: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public var backend: Backend
    public var sqliteDirectory: String
    public var synchronous: SQLiteDatabase.Synchronous
    public var checkpointPages: Int
    public var postgres: PostgresDatabase.Settings
    public var migrate: Bool

    public init(
        backend: Backend = .sqlite, sqliteDirectory: String = "data", synchronous: SQLiteDatabase.Synchronous = .full,
        checkpointPages: Int = SQLiteDatabase.defaultCheckpointPages, postgres: PostgresDatabase.Settings = .init(), migrate: Bool = false
    ) {
        self.backend = backend
        self.sqliteDirectory = sqliteDirectory
        self.synchronous = synchronous
        self.checkpointPages = checkpointPages
        self.postgres = postgres
        self.migrate = migrate
    }

    /// Reads the keys above from a reader scoped to `store`.
    public init(reader: ConfigReader) throws {
        backend = try reader.checkedEnum("backend", default: Backend.sqlite)
        sqliteDirectory = reader.checkedString("sqlite.directory", default: "data")
        let sync = try reader.checkedEnum("sqlite.synchronous", default: SynchronousName.full)
        synchronous = sync == .full ? .full : .normal
        checkpointPages = try reader.checkedInt("sqlite.checkpointPages", default: SQLiteDatabase.defaultCheckpointPages, in: 100...1_000_000)
        postgres = PostgresDatabase.Settings(
            host: reader.checkedString("postgres.host", default: "127.0.0.1"),
            port: try reader.checkedInt("postgres.port", default: 5432, in: 1...65535),
            user: reader.checkedString("postgres.user", default: "parc"),
            password: reader.checkedOptionalString("postgres.password", isSecret: true),
            database: reader.checkedString("postgres.database", default: "parc"),
            socketPath: reader.checkedOptionalString("postgres.socket"),
            maxConnections: try reader.checkedInt("postgres.maxConnections", default: 16, in: 1...500))
        migrate = try reader.checkedBool("migrate", default: false)
    }

    enum SynchronousName: String, CaseIterable {
        case full, normal
    }
}
