import Foundation
public import Logging
import NIOCore
import ParcCore
import PostgresNIO
public import ServiceLifecycle

/// PostgreSQL through PostgresNIO's pooled client: for deployments where several stateless `parc serve`
/// nodes share one database. The client must be running (`run()`, a ServiceLifecycle service) before queries.
public final class PostgresDatabase: SQLDatabase, Service {
    public let dialect = SQLDialect.postgres
    let client: PostgresClient
    let logger: Logger

    public struct Settings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// A Unix-domain socket directory; when set, host and port are ignored.
        public var socketPath: String?
        public var maxConnections: Int

        public init(
            host: String = "127.0.0.1", port: Int = 5432, user: String = "parc", password: String? = nil, database: String = "parc",
            socketPath: String? = nil, maxConnections: Int = 16
        ) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.socketPath = socketPath
            self.maxConnections = maxConnections
        }
    }

    public init(settings: Settings, logger: Logger) {
        var configuration =
            if let socket = settings.socketPath {
                PostgresClient.Configuration(
                    unixSocketPath: socket, username: settings.user, password: settings.password, database: settings.database)
            } else {
                PostgresClient.Configuration(
                    host: settings.host, port: settings.port, username: settings.user, password: settings.password, database: settings.database,
                    tls: .disable)
            }
        configuration.options.maximumConnections = settings.maxConnections
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the connection pool until the task is cancelled or graceful shutdown begins.
    public func run() async throws {
        await client.run()
    }

    public func query(_ query: SQLQuery) async throws -> [SQLRow] {
        do {
            return try await PostgresDatabase.collect(try await client.query(PostgresDatabase.render(query), logger: logger))
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    public func query<T: Sendable>(_ query: SQLQuery, map: @escaping @Sendable (SQLRow) throws -> T) async throws -> [T] {
        do {
            return try await PostgresDatabase.collect(try await client.query(PostgresDatabase.render(query), logger: logger), map: map)
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    @discardableResult
    public func write(_ batch: WriteBatch) async throws -> [[SQLRow]] {
        let rendered = batch.statements.map { (PostgresDatabase.render($0.query), $0.expectation) }
        do {
            return try await client.withTransaction(logger: logger) { connection in
                var results: [[SQLRow]] = []
                for (query, expectation) in rendered {
                    let rows = try await PostgresDatabase.collect(try await connection.query(query, logger: self.logger))
                    try check(rows.count, against: expectation)
                    results.append(rows)
                }
                return results
            }
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    /// Runs parameterless statements (migration DDL) in one transaction.
    public func executeScript(_ statements: [String]) async throws {
        do {
            try await client.withTransaction(logger: logger) { connection in
                for sql in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger)
                }
            }
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    /// Runs statements one by one outside any transaction: `CREATE DATABASE` and other maintenance commands.
    public func executeOutsideTransaction(_ statements: [String]) async throws {
        do {
            for sql in statements { try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    public func close() async throws {}

    static func render(_ query: SQLQuery) -> PostgresQuery {
        let (sql, binds) = query.render { "$\($0)" }
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let i): bindings.append(i)
            case .double(let d): bindings.append(d)
            case .text(let s): bindings.append(s)
            case .bool(let b): bindings.append(b)
            case .uuid(let u): bindings.append(u)
            case .timestamp(let d): bindings.append(d)
            case .blob(let b): bindings.append(ByteBuffer(bytes: b))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func collect(_ sequence: PostgresRowSequence) async throws -> [SQLRow] {
        try await collect(sequence) { $0 }
    }

    /// Each row is mapped as it arrives; the values buffer is reused when `map` does not keep the row.
    static func collect<T>(_ sequence: PostgresRowSequence, map: (SQLRow) throws -> T) async throws -> [T] {
        var rows: [T] = []
        var columns: SQLRow.Columns?
        var values: [SQLValue] = []
        for try await row in sequence {
            if columns == nil { columns = SQLRow.Columns(row.map(\.columnName)) }
            values.removeAll(keepingCapacity: true)
            for cell in row { values.append(try value(of: cell)) }
            rows.append(try map(SQLRow(columns: columns!, values: values)))
        }
        return rows
    }

    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .uuid: return .uuid(try cell.decode(UUID.self))
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .timestamptz, .timestamp: return .timestamp(try cell.decode(Date.self))
        case .bytea: return .blob(Array(buffer: cell.bytes!))
        case .numeric: return .double(Double(try cell.decode(String.self)) ?? .nan)
        default: return .text(try cell.decode(String.self))
        }
    }

    static func translate(_ error: any Error) -> any Error {
        if error is ParcError { return error }
        if let transaction = error as? PostgresTransactionError {
            // The interesting failure is the first one: BEGIN, then the closure, then COMMIT.
            if let inner = transaction.beginError ?? transaction.closureError ?? transaction.commitError { return translate(inner) }
        }
        guard let psql = error as? PSQLError else { return error }
        switch psql.serverInfo?[.sqlState] {
        case "23505": return UniqueConstraints.error(forIndex: psql.serverInfo?[.constraintName])
        case "23503": return ParcError.conflict(field: nil, message: "the change refers to an object that does not exist or was removed")
        case "40001", "40P01": return ParcError.unavailable("the database aborted a conflicting transaction; retry")
        case .some(let state): return StoreError.backend("\(state): \(psql.serverInfo?[.message] ?? "")")
        case .none: return ParcError.unavailable("PostgreSQL is unreachable: \(psql.code)")
        }
    }
}
