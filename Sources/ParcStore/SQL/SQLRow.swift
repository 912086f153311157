public import Foundation
public import ParcCore

/// One result row, decoded from either backend into neutral values, read by column name.
public struct SQLRow: Sendable {
    /// Column names to positions, shared by every row of one result.
    final class Columns: Sendable {
        let index: [String: Int]
        init(_ names: [String]) {
            var index: [String: Int] = [:]
            for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
            self.index = index
        }
    }

    let columns: Columns
    let values: [SQLValue]

    init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.index[name] else { return .null }
        return values[i]
    }

    /// The value in the `position`-th selected column: for bulk reads that know their SELECT list.
    public subscript(position position: Int) -> SQLValue { values[position] }

    func fail(_ name: String, _ expected: String) -> StoreError {
        .decoding("column \(name): expected \(expected), found \(self[name])")
    }

    public func optionalUUID(_ name: String) throws -> UUID? {
        switch self[name] {
        case .null: return nil
        case .uuid(let u): return u
        case .blob(let b) where b.count == 16:
            return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        case .text(let t):
            if let u = UUID(uuidString: t) { return u }
            throw fail(name, "uuid")
        default: throw fail(name, "uuid")
        }
    }

    public func uuid(_ name: String) throws -> UUID {
        guard let value = try optionalUUID(name) else { throw fail(name, "uuid") }
        return value
    }

    public func optionalString(_ name: String) throws -> String? {
        switch self[name] {
        case .null: return nil
        case .text(let t): return t
        case .int(let i): return String(i)
        default: throw fail(name, "text")
        }
    }

    public func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else { throw fail(name, "text") }
        return value
    }

    public func optionalInt(_ name: String) throws -> Int? {
        switch self[name] {
        case .null: return nil
        case .int(let i): return Int(i)
        case .double(let d) where d.rounded() == d: return Int(d)
        case .text(let t):
            if let i = Int(t) { return i }
            throw fail(name, "integer")
        default: throw fail(name, "integer")
        }
    }

    public func int(_ name: String) throws -> Int {
        guard let value = try optionalInt(name) else { throw fail(name, "integer") }
        return value
    }

    public func int64(_ name: String) throws -> Int64 { Int64(try int(name)) }

    public func optionalInt64(_ name: String) throws -> Int64? { try optionalInt(name).map(Int64.init) }

    public func optionalBool(_ name: String) throws -> Bool? {
        if case .null = self[name] { return nil }
        return try bool(name)
    }

    public func optionalDouble(_ name: String) throws -> Double? {
        switch self[name] {
        case .null: return nil
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let t):
            if let d = Double(t) { return d }
            throw fail(name, "number")
        default: throw fail(name, "number")
        }
    }

    public func double(_ name: String) throws -> Double {
        guard let value = try optionalDouble(name) else { throw fail(name, "number") }
        return value
    }

    public func bool(_ name: String) throws -> Bool {
        switch self[name] {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default: throw fail(name, "boolean")
        }
    }

    public func optionalDate(_ name: String) throws -> Date? {
        switch self[name] {
        case .null: return nil
        case .timestamp(let d): return d
        case .text(let t):
            if let d = SQLiteTimestamp.parse(t) { return d }
            throw fail(name, "timestamp")
        case .double(let seconds): return Date(timeIntervalSince1970: seconds)
        case .int(let seconds): return Date(timeIntervalSince1970: Double(seconds))
        default: throw fail(name, "timestamp")
        }
    }

    public func date(_ name: String) throws -> Date {
        guard let value = try optionalDate(name) else { throw fail(name, "timestamp") }
        return value
    }

    public func optionalLocalDate(_ name: String) throws -> LocalDate? {
        guard let text = try optionalString(name) else { return nil }
        guard let date = LocalDate(text) else { throw fail(name, "YYYY-MM-DD") }
        return date
    }

    public func enumValue<E: RawRepresentable>(_ name: String, as: E.Type) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: try string(name)) else { throw fail(name, "one of \(E.self)") }
        return value
    }

    public func optionalEnum<E: RawRepresentable>(_ name: String, as: E.Type) throws -> E? where E.RawValue == String {
        guard let text = try optionalString(name) else { return nil }
        guard let value = E(rawValue: text) else { throw fail(name, "one of \(E.self)") }
        return value
    }

    public func bytes(_ name: String) throws -> [UInt8] {
        switch self[name] {
        case .blob(let b): return b
        case .uuid(let u): return withUnsafeBytes(of: u.uuid) { Array($0) }
        case .text(let t): return Array(t.utf8)
        default: throw fail(name, "bytes")
        }
    }

    /// A JSON-encoded column (small arrays such as funder shares or Wi-Fi bands).
    public func json<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let text = try string(name)
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw fail(name, "JSON \(T.self)")
        }
    }
}

/// GRDB stores dates as `YYYY-MM-DD HH:MM:SS.SSS` in UTC; this reads them back without a DateFormatter per row.
enum SQLiteTimestamp {
    static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 19 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            var n = 0
            for i in from..<(from + len) {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2) else {
            return nil
        }
        var fraction = 0.0
        if u.count > 20, u[19] == UInt8(ascii: ".") {
            var scale = 0.1
            for c in u[20...] {
                guard c >= 48, c <= 57 else { break }
                fraction += Double(c - 48) * scale
                scale /= 10
            }
        }
        // Days from civil (Howard Hinnant's algorithm), so no calendar object is needed.
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Date(timeIntervalSince1970: Double(days * 86400 + h * 3600 + mi * 60 + s) + fraction)
    }
}

extension SQLValue {
    /// A UUID from either backend's representation (PostgreSQL `uuid`, SQLite 16-byte blob), or nil.
    public var uuidValue: UUID? {
        switch self {
        case .uuid(let u): u
        case .blob(let b) where b.count == 16:
            UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        case .text(let t): UUID(uuidString: t)
        default: nil
        }
    }

    public var textValue: String? {
        if case .text(let t) = self { return t }
        return nil
    }
}
