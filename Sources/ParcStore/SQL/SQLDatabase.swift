import Foundation
public import ParcCore

/// The two SQL dialects Parc speaks. Statements are written once; the few places that differ ask the dialect.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// Case-insensitive substring match.
    var ilike: String { self == .postgres ? "ILIKE" : "LIKE" }

    /// Seconds since 1970 of a timestamp column, as a number SQL can average.
    func epochSeconds(_ column: String) -> String {
        self == .postgres ? "CAST(EXTRACT(EPOCH FROM \(column)) AS DOUBLE PRECISION)" : "((julianday(\(column)) - 2440587.5) * 86400.0)"
    }

    /// A migration statement for this dialect: `{sqlite}` or `{postgres}` at its start limits it to one backend
    /// (triggers, whose syntax differs); nil when it is the other's.
    func statement(_ text: String) -> String? {
        for other in [SQLDialect.sqlite, .postgres] where text.hasPrefix("{\(other.rawValue)}") {
            return other == self ? ddl(String(text.dropFirst(other.rawValue.count + 2))) : nil
        }
        return ddl(text)
    }

    /// Column types in migrations: `{uuid}`, `{ts}`, `{bool}`, `{int}`, `{real}`, `{seq}`, `{without_rowid}`, `{blob}` are replaced per dialect.
    func ddl(_ text: String) -> String {
        let types: [(String, String)] =
            switch self {
            case .sqlite:
                [
                    ("{uuid}", "BLOB"), ("{ts}", "TEXT"), ("{bool}", "INTEGER"), ("{int}", "INTEGER"), ("{real}", "REAL"),
                    ("{seq}", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("{without_rowid}", "WITHOUT ROWID"), ("{blob}", "BLOB"),
                ]
            case .postgres:
                [
                    ("{uuid}", "UUID"), ("{ts}", "TIMESTAMPTZ"), ("{bool}", "BOOLEAN"), ("{int}", "BIGINT"), ("{real}", "DOUBLE PRECISION"),
                    ("{seq}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"), ("{without_rowid}", ""), ("{blob}", "BYTEA"),
                ]
            }
        return types.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}

/// What a statement inside a write batch must return for the batch to commit.
public enum RowExpectation: Sendable {
    /// Nothing is checked.
    case any
    /// Exactly one row (the statement ends in `RETURNING …`); otherwise the batch rolls back with this error.
    case exactlyOne(orElse: ParcError)
    /// No row at all (a `SELECT` guarding a delete against dependents); otherwise roll back with this error.
    case none(orElse: ParcError)
}

public struct WriteStatement: Sendable {
    public var query: SQLQuery
    public var expectation: RowExpectation

    public init(_ query: SQLQuery, expect expectation: RowExpectation = .any) {
        self.query = query
        self.expectation = expectation
    }
}

/// The statements of one invariant, applied in one transaction or not at all. Reads that decide a write
/// happen before the batch; each row update carries its expected version, so a concurrent change makes
/// the batch roll back instead of being overwritten.
public struct WriteBatch: Sendable {
    public var statements: [WriteStatement]

    public init(_ statements: [WriteStatement] = []) { self.statements = statements }

    public mutating func append(_ query: SQLQuery, expect: RowExpectation = .any) {
        statements.append(WriteStatement(query, expect: expect))
    }

    public mutating func append(contentsOf other: WriteBatch) { statements += other.statements }
}

/// A database Parc can run on: SQLite through GRDB, or PostgreSQL through PostgresNIO.
/// Everything above this protocol is written once and checked on both by the contract tests.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }

    /// Runs a read-only query.
    func query(_ query: SQLQuery) async throws -> [SQLRow]

    /// Runs a read-only query and maps each row as it is read, so a large result (a région's fleet) never exists
    /// as a million rows at once. `map` must not keep the row.
    func query<T: Sendable>(_ query: SQLQuery, map: @escaping @Sendable (SQLRow) throws -> T) async throws -> [T]

    /// Applies a batch atomically, checking each statement's expectation; returns each statement's rows.
    @discardableResult
    func write(_ batch: WriteBatch) async throws -> [[SQLRow]]

    /// Runs statements that take no parameters (migration DDL) in one transaction.
    func executeScript(_ statements: [String]) async throws

    /// Releases connections. The database is unusable afterwards.
    func close() async throws
}

extension SQLDatabase {
    public func write(_ query: SQLQuery, expect: RowExpectation = .any) async throws {
        try await write(WriteBatch([WriteStatement(query, expect: expect)]))
    }

    public func write(_ statement: WriteStatement) async throws {
        try await write(WriteBatch([statement]))
    }
}

/// Failures of the storage layer that are not the caller's fault.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case decoding(String)
    case migration(String)
    case configuration(String)
    case backend(String)

    public var description: String {
        switch self {
        case .decoding(let m): "cannot decode a stored row: \(m)"
        case .migration(let m): "migrations: \(m)"
        case .configuration(let m): "store configuration: \(m)"
        case .backend(let m): "database: \(m)"
        }
    }
}

/// Checks one statement's rows against its expectation; shared by both backends.
func check(_ rows: Int, against expectation: RowExpectation) throws(ParcError) {
    switch expectation {
    case .any: return
    case .exactlyOne(let error): if rows != 1 { throw error }
    case .none(let error): if rows != 0 { throw error }
    }
}
