import Logging
import ParcStore

/// The backends every contract test runs on. Both always run: the PostgreSQL one starts its own server.
public enum Backend: String, CaseIterable, Sendable {
    case sqlite, postgres
}

/// Runs `body` against a fresh, migrated database of `backend`, torn down afterwards.
public func withTestDatabase<T: Sendable>(
    _ backend: Backend, logger: Logger = Logger.quietForTests, _ body: @Sendable (any SQLDatabase) async throws -> T
) async throws -> T {
    switch backend {
    case .sqlite:
        let database = try SQLiteDatabase(inMemory: ())
        try await Migrator(database: database).migrate()
        return try await body(database)
    case .postgres:
        let settings = try await TestPostgres.shared.freshDatabase(logger: logger)
        return try await TestPostgres.withDatabase(settings, logger: logger) { database in
            try await body(database)
        }
    }
}

extension Logger {
    /// Tests log warnings only: connection-pool chatter at shutdown is expected and not worth reading.
    public static var quietForTests: Logger {
        var logger = Logger(label: "parc.test")
        logger.logLevel = .warning
        return logger
    }
}
