public import Foundation
public import ParcCore

/// A value bound into a statement or read from a row, neutral between SQLite and PostgreSQL.
/// UUIDs are 16-byte blobs in SQLite and `uuid` in PostgreSQL; timestamps are GRDB's UTC text in SQLite
/// and `timestamptz` in PostgreSQL; calendar days are `YYYY-MM-DD` text in both.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    case uuid(UUID)
    case timestamp(Date)
    case blob([UInt8])
}

/// A Swift value that can be bound as a statement parameter.
public protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}

extension Int: SQLBindable {
    public var sqlValue: SQLValue { .int(Int64(self)) }
}

extension Int64: SQLBindable {
    public var sqlValue: SQLValue { .int(self) }
}

extension Double: SQLBindable {
    public var sqlValue: SQLValue { .double(self) }
}

extension String: SQLBindable {
    public var sqlValue: SQLValue { .text(self) }
}

extension Bool: SQLBindable {
    public var sqlValue: SQLValue { .bool(self) }
}

extension UUID: SQLBindable {
    public var sqlValue: SQLValue { .uuid(self) }
}

extension Date: SQLBindable {
    public var sqlValue: SQLValue { .timestamp(self) }
}

extension LocalDate: SQLBindable {
    public var sqlValue: SQLValue { .text(description) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension RawRepresentable where RawValue == String, Self: Sendable {
    /// Enums are stored by their raw value.
    public var sqlValue: SQLValue { .text(rawValue) }
}
