import Foundation
import GRDB
import GRDBSQLite
import ParcCore

/// SQLite through GRDB: a `DatabasePool` (WAL, one writer, concurrent readers) on disk, or an in-memory
/// `DatabaseQueue` for tests. Each write batch is one `write {}` transaction on GRDB's serial writer.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    let writer: any DatabaseWriter

    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync at every commit: a committed write survives a power cut.
        case full = "FULL"
        /// fsync at checkpoints only: survives a crash of Parc, may lose the last commits on power loss.
        case normal = "NORMAL"
    }

    /// WAL pages written before the writer copies them into the database (SQLite's default is 1 000). Heartbeats
    /// rewrite the same pages (a device's latest state, the tail of its history) commit after commit: a longer log
    /// lets a checkpoint copy each page once for many commits. 8 000 took about a tenth more single heartbeats
    /// per second than 1 000 here; checkpoints get longer (batch p99 about 115 ms instead of 65).
    public static let defaultCheckpointPages = 8_000

    /// Opens (creating if needed) `directory/parc.sqlite`.
    public init(directory: String, synchronous: Synchronous = .full, checkpointPages: Int = defaultCheckpointPages, readers: Int = 4) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var config = SQLiteDatabase.configuration(synchronous: synchronous, checkpointPages: checkpointPages)
        config.maximumReaderCount = max(1, readers)
        writer = try DatabasePool(path: (directory as NSString).appendingPathComponent("parc.sqlite"), configuration: config)
        // GRDB switches the pool to WAL after `prepareDatabase`, which resets `synchronous`: set it again, and check
        // both settings on the writer, the only connection that commits (readers never flush or checkpoint).
        let (level, checkpoint) = try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            return (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
        }
        let expected = synchronous == .full ? 2 : 1
        guard level == expected else { throw StoreError.configuration("SQLite synchronous is \(level ?? -1), expected \(expected)") }
        guard checkpoint == checkpointPages else {
            throw StoreError.configuration("SQLite wal_autocheckpoint is \(checkpoint ?? -1), expected \(checkpointPages)")
        }
    }

    /// A private in-memory database, for tests and throwaway runs.
    public init(inMemory: Void = ()) throws {
        writer = try DatabaseQueue(
            configuration: SQLiteDatabase.configuration(synchronous: .normal, checkpointPages: SQLiteDatabase.defaultCheckpointPages))
    }

    static func configuration(synchronous: Synchronous, checkpointPages: Int) -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        // A second process (`parc migrate`, `parc import`) may hold the write lock for a moment.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // Only takes effect on a new, empty file: 16 KiB pages quarter the WAL frames (one write each) per commit.
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            // The writer upserts the latest state of up to millions of devices at random keys: keep their pages hot.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // Only the writer commits, so only it checkpoints.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
            }
        }
        return config
    }

    public func query(_ query: SQLQuery) async throws -> [SQLRow] {
        let (sql, binds) = query.render { _ in "?" }
        let arguments = StatementArguments(binds.map(\.grdb))
        do {
            return try await writer.read { db in
                try SQLiteDatabase.rows(try db.cachedStatement(sql: sql), arguments)
            }
        } catch {
            throw SQLiteDatabase.translate(error)
        }
    }

    public func query<T: Sendable>(_ query: SQLQuery, map: @escaping @Sendable (SQLRow) throws -> T) async throws -> [T] {
        let (sql, binds) = query.render { _ in "?" }
        let arguments = StatementArguments(binds.map(\.grdb))
        do {
            return try await writer.read { db in
                try SQLiteDatabase.rows(try db.cachedStatement(sql: sql), arguments, map: map)
            }
        } catch {
            throw SQLiteDatabase.translate(error)
        }
    }

    @discardableResult
    public func write(_ batch: WriteBatch) async throws -> [[SQLRow]] {
        let rendered = batch.statements.map { statement in
            let (sql, binds) = statement.query.render { _ in "?" }
            return (sql, StatementArguments(binds.map(\.grdb)), statement.expectation)
        }
        do {
            return try await writer.write { db in
                var results: [[SQLRow]] = []
                results.reserveCapacity(rendered.count)
                for (sql, arguments, expectation) in rendered {
                    let statement = try db.cachedStatement(sql: sql)
                    let rows = try SQLiteDatabase.rows(statement, arguments)
                    try check(rows.count, against: expectation)
                    results.append(rows)
                }
                return results
            }
        } catch {
            throw SQLiteDatabase.translate(error)
        }
    }

    /// Runs raw statements that take no parameters (migration DDL) in one transaction.
    public func executeScript(_ statements: [String]) async throws {
        try await writer.write { db in
            for sql in statements { try db.execute(sql: sql) }
        }
    }

    public func close() async throws {
        try writer.close()
    }

    /// Reads each column straight from the SQLite statement (no intermediate row copy); 16-byte blobs are UUIDs,
    /// which is how Parc stores them.
    static func rows(_ statement: Statement, _ arguments: StatementArguments) throws -> [SQLRow] {
        try rows(statement, arguments) { $0 }
    }

    /// Each row is mapped as soon as it is read; the values buffer is reused when `map` does not keep the row.
    static func rows<T>(_ statement: Statement, _ arguments: StatementArguments, map: (SQLRow) throws -> T) throws -> [T] {
        let columns = SQLRow.Columns(statement.columnNames)
        let count = Int32(statement.columnCount)
        let handle = statement.sqliteStatement
        var rows: [T] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        while try cursor.next() != nil {
            values.removeAll(keepingCapacity: true)
            for i in 0..<count {
                switch sqlite3_column_type(handle, i) {
                case SQLITE_INTEGER: values.append(.int(sqlite3_column_int64(handle, i)))
                case SQLITE_FLOAT: values.append(.double(sqlite3_column_double(handle, i)))
                case SQLITE_TEXT:
                    let length = Int(sqlite3_column_bytes(handle, i))
                    let text = sqlite3_column_text(handle, i).map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) }
                    values.append(.text(text ?? ""))
                case SQLITE_BLOB:
                    let length = Int(sqlite3_column_bytes(handle, i))
                    let bytes = sqlite3_column_blob(handle, i).map { UnsafeRawBufferPointer(start: $0, count: length) }
                    if length == 16, let b = bytes {
                        values.append(
                            .uuid(UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))))
                    } else {
                        values.append(.blob(bytes.map { Array($0) } ?? []))
                    }
                default: values.append(.null)
                }
            }
            rows.append(try map(SQLRow(columns: columns, values: values)))
        }
        return rows
    }

    /// Backend errors become domain errors here, so GRDB types never leave ParcStore.
    static func translate(_ error: any Error) -> any Error {
        if error is ParcError { return error }
        guard let db = error as? DatabaseError else { return error }
        switch db.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            return UniqueConstraints.error(forSQLiteMessage: db.message)
        case .SQLITE_CONSTRAINT_FOREIGNKEY:
            return ParcError.conflict(field: nil, message: "the change refers to an object that does not exist or was removed")
        default:
            if db.resultCode == .SQLITE_BUSY || db.resultCode == .SQLITE_LOCKED {
                return ParcError.unavailable("the database is busy; retry shortly")
            }
            return StoreError.backend(db.description)
        }
    }
}

extension SQLValue {
    var grdb: (any DatabaseValueConvertible)? {
        switch self {
        case .null: nil
        case .int(let i): i
        case .double(let d): d
        case .text(let s): s
        case .bool(let b): b
        case .uuid(let u): u
        case .timestamp(let d): d
        case .blob(let b): Data(b)
        }
    }
}
