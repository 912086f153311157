public import Foundation
public import ParcCore

/// Reads and writes one aggregate's table, always through the caller's scope. Writes come back as batch
/// statements so a service can apply the change, its cascades and its audit entry in one transaction.
public struct Repository<Record: StoredRecord>: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    var table: String { Record.table }

    /// The object with this id, if it exists, is not deleted and lies inside `scope`.
    public func get(_ id: UUID, in scope: Scope) async throws -> Record? {
        let rows = try await database.query(
            "SELECT * FROM \(raw: table) t WHERE t.id = \(id) AND t.deleted_at IS NULL AND \(ScopeSQL.predicate(scope, Record.scoping, alias: "t"))")
        return try rows.first.map(Record.init(row:))
    }

    /// Several objects by id, ignoring the scope: for services that already checked it on a parent.
    public func get(ids: [UUID]) async throws -> [UUID: Record] {
        Dictionary(try await find(where: "id", in: ids.map(\.sqlValue)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Live objects whose `column` is one of `values` (bulk lookups for imports), in chunks the backends accept.
    public func find(where column: String, in values: [SQLValue]) async throws -> [Record] {
        var result: [Record] = []
        for start in stride(from: 0, to: values.count, by: 500) {
            let chunk = Array(values[start..<min(start + 500, values.count)])
            for row in try await database.query("SELECT * FROM \(raw: table) WHERE \(raw: column) IN \(list: chunk) AND deleted_at IS NULL") {
                result.append(try Record(row: row))
            }
        }
        return result
    }

    /// Every live object, for small reference tables (the device catalogue).
    public func all() async throws -> [Record] {
        try await database.query("SELECT * FROM \(raw: table) WHERE deleted_at IS NULL ORDER BY id").map(Record.init(row:))
    }

    /// A page in id order. `limit + 1` rows are read to know whether a next page exists.
    public func list(_ filters: [Filter], in scope: Scope, page: PageRequest) async throws -> Page<Record> {
        var condition = predicate(filters, in: scope)
        if case .id(let after) = page.cursor?.key { condition = condition + " AND t.id > \(after)" }
        let rows = try await database.query("SELECT * FROM \(raw: table) t WHERE \(condition) ORDER BY t.id LIMIT \(page.limit + 1)")
        let items = try rows.prefix(page.limit).map(Record.init(row:))
        let next = rows.count > page.limit ? items.last.map { Cursor(.id($0.id)).encoded } : nil
        return Page(items: items, nextCursor: next)
    }

    /// Counts live rows matching the same filters and scope a list would use.
    public func count(_ filters: [Filter], in scope: Scope = .all) async throws -> Int {
        let rows = try await database.query("SELECT COUNT(*) AS n FROM \(raw: table) t WHERE \(predicate(filters, in: scope))")
        return try rows.first?.int("n") ?? 0
    }

    /// Live rows inside the scope matching every filter: the one WHERE clause of lists and counts.
    func predicate(_ filters: [Filter], in scope: Scope) -> SQLQuery {
        var conditions: [SQLQuery] = ["t.deleted_at IS NULL", ScopeSQL.predicate(scope, Record.scoping, alias: "t")]
        for filter in filters {
            switch filter.match {
            case .equals(let value): conditions.append("t.\(raw: filter.column) = \(value)")
            case .contains(let text):
                conditions.append("t.\(raw: filter.column) \(raw: database.dialect.ilike) \("%" + Repository.escapeLike(text) + "%") ESCAPE '\\'")
            }
        }
        return SQLQuery.joined(conditions, separator: " AND ")
    }

    public func insert(_ record: Record) -> WriteStatement {
        let columns = record.columns
        var query: SQLQuery = "INSERT INTO \(raw: table) (\(raw: columns.map(\.0).joined(separator: ", "))) VALUES ("
        for (i, (_, value)) in columns.enumerated() { query = query + (i == 0 ? "\(value)" : ", \(value)") }
        return WriteStatement(query + ")")
    }

    /// Writes every column of `record` if the stored version is still `expectedVersion`; the stored version becomes `record.version`.
    public func update(_ record: Record, expectedVersion: Int) -> WriteStatement {
        let assignments = record.columns.filter { $0.0 != "id" && $0.0 != "created_at" }.map { column, value -> SQLQuery in
            "\(raw: column) = \(value)"
        }
        return WriteStatement(
            "UPDATE \(raw: table) SET \(SQLQuery.joined(assignments, separator: ", ")) WHERE id = \(record.id) AND version = \(expectedVersion) AND deleted_at IS NULL RETURNING id",
            expect: .exactlyOne(orElse: .versionMismatch(expected: expectedVersion, actual: nil)))
    }

    /// Marks the object deleted; history (audit, references from old rows) stays intact.
    public func softDelete(_ id: UUID, expectedVersion: Int, at: Date) -> WriteStatement {
        WriteStatement(
            "UPDATE \(raw: table) SET deleted_at = \(at), updated_at = \(at), version = version + 1 WHERE id = \(id) AND version = \(expectedVersion) AND deleted_at IS NULL RETURNING id",
            expect: .exactlyOne(orElse: .versionMismatch(expected: expectedVersion, actual: nil)))
    }

    /// A guard that rolls a delete back while live rows of `dependentTable` still point at the object.
    public static func noDependents(_ dependentTable: String, column: String, on id: UUID, describe: String) -> WriteStatement {
        WriteStatement(
            "SELECT 1 AS found FROM \(raw: dependentTable) WHERE \(raw: column) = \(id) AND deleted_at IS NULL LIMIT 1",
            expect: .none(orElse: .conflict(field: nil, message: "still has \(describe); move or delete them first")))
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}

extension Repository where Record == Device {
    /// Slots of a classe mobile in use: only client devices take a slot; the cart itself, a 4G router or an
    /// access point stored with it do not.
    public func cartSlotsTaken(_ cartID: UUID) async throws -> Int {
        let clients = DeviceModel.Kind.allCases.filter(\.isClientDevice).map(\.rawValue)
        let rows = try await database.query(
            "SELECT COUNT(*) AS n FROM devices WHERE cart_id = \(cartID) AND deleted_at IS NULL AND kind IN \(list: clients)")
        return try rows.first?.int("n") ?? 0
    }
}
