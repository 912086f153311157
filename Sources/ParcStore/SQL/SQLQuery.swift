/// A statement with its parameters, written once for both backends with string interpolation:
/// `"SELECT * FROM devices WHERE id = \(id)"` binds `id`; `\(raw: name)` inserts text verbatim and is only
/// for identifiers and fragments that are constants in this module.
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case sql(String)
        case bind(SQLValue)
    }

    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.sql(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    init(parts: [Part]) { self.parts = parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { parts.append(.sql(literal)) }

        public mutating func appendInterpolation(_ value: some SQLBindable) { parts.append(.bind(value.sqlValue)) }

        /// Nil binds NULL. Spelled out so that the compiler does not take an optional for a debug description.
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) { parts.append(.bind(value.sqlValue)) }

        public mutating func appendInterpolation(raw: String) { parts.append(.sql(raw)) }

        public mutating func appendInterpolation(_ query: SQLQuery) { parts.append(contentsOf: query.parts) }

        /// `(?, ?, ?)` for an `IN` list; an empty list renders `(NULL)`, which matches nothing in both backends.
        public mutating func appendInterpolation(list values: [some SQLBindable]) {
            guard !values.isEmpty else {
                parts.append(.sql("(NULL)"))
                return
            }
            parts.append(.sql("("))
            for (i, value) in values.enumerated() {
                if i > 0 { parts.append(.sql(", ")) }
                parts.append(.bind(value.sqlValue))
            }
            parts.append(.sql(")"))
        }
    }

    public static func + (lhs: SQLQuery, rhs: SQLQuery) -> SQLQuery { SQLQuery(parts: lhs.parts + rhs.parts) }

    public mutating func append(_ other: SQLQuery) { parts += other.parts }

    /// Joins fragments with a separator, e.g. predicates with " AND ".
    public static func joined(_ queries: [SQLQuery], separator: String) -> SQLQuery {
        var result = SQLQuery(parts: [])
        for (i, q) in queries.enumerated() {
            if i > 0 { result.parts.append(.sql(separator)) }
            result.parts += q.parts
        }
        return result
    }

    /// The SQL text with numbered or anonymous placeholders, and the values in order.
    func render(_ placeholder: (Int) -> String) -> (sql: String, binds: [SQLValue]) {
        var sql = ""
        var binds: [SQLValue] = []
        for part in parts {
            switch part {
            case .sql(let text): sql += text
            case .bind(let value):
                binds.append(value)
                sql += placeholder(binds.count)
            }
        }
        return (sql, binds)
    }
}
