public import Foundation

/// Applies the schema's migrations in order and reports where a database stands. Applied names are kept in
/// `parc_migrations`; a database whose applied list is not a prefix of the code's list is refused.
public struct Migrator: Sendable {
    public struct Status: Equatable, Sendable {
        public var applied: [String]
        public var pending: [String]
        public var isCurrent: Bool { pending.isEmpty }
    }

    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    public static var knownMigrations: [String] { Schema.migrations.map(\.name) }

    public func status() async throws -> Status {
        try await database.executeScript([
            database.dialect.ddl("CREATE TABLE IF NOT EXISTS parc_migrations (name TEXT PRIMARY KEY, applied_at {ts} NOT NULL)")
        ])
        let applied = try await database.query("SELECT name FROM parc_migrations ORDER BY name").map { try $0.string("name") }
        let known = Migrator.knownMigrations
        guard applied.count <= known.count, Array(known.prefix(applied.count)) == applied else {
            let unknown = applied.filter { !known.contains($0) }
            throw StoreError.migration(
                unknown.isEmpty
                    ? "applied migrations \(applied) do not match this version's order \(known)"
                    : "the database has migrations this version of Parc does not know (\(unknown.joined(separator: ", "))): it was migrated by a newer Parc"
            )
        }
        return Status(applied: applied, pending: Array(known.dropFirst(applied.count)))
    }

    /// Applies every pending migration, each in its own transaction; returns the names applied.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> [String] {
        let pending = try await status().pending
        let stamp = database.dialect == .postgres ? "now()" : "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        for name in pending {
            guard let migration = Schema.migrations.first(where: { $0.name == name }) else { continue }
            var statements: [String] = []
            // Two nodes migrating at once queue behind this lock; the loser fails on the insert below and can rerun.
            if database.dialect == .postgres { statements.append("SELECT pg_advisory_xact_lock(7242001)") }
            statements += migration.statements.compactMap(database.dialect.statement)
            statements.append("INSERT INTO parc_migrations (name, applied_at) VALUES ('\(name)', \(stamp))")
            try await database.executeScript(statements)
        }
        return pending
    }
}
