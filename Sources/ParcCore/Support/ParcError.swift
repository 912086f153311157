public import Foundation

/// Every failure the domain can report. ParcServer maps each case to HTTP in exactly one place,
/// so adding a case forces a decision about its status code.
public enum ParcError: Error, Equatable, Sendable {
    /// The request could not be read at all (bad JSON, bad CSV framing, bad cursor).
    case malformed(String)
    /// The request was readable but some fields are wrong; every wrong field is listed.
    case validation([FieldError])
    /// No credentials, or credentials that do not resolve to a live token.
    case unauthenticated(String)
    /// The caller can see the object but its role does not allow this action.
    case forbidden(String)
    /// The object does not exist or lies outside the caller's scope (the two are indistinguishable on purpose).
    case notFound(String)
    /// The write collides with existing data: a duplicate key, or dependents that block a delete.
    case conflict(field: String?, message: String)
    /// The caller's `If-Match` version is not the stored one.
    case versionMismatch(expected: Int, actual: Int?)
    /// The body exceeds the configured limit.
    case payloadTooLarge(limit: Int)
    /// The service cannot take the request now (overload, database unreachable).
    case unavailable(String)
}

/// One reason a field (optionally on a given row of an import) was rejected.
public struct FieldError: Codable, Equatable, Sendable {
    public var row: Int?
    public var field: String
    public var reason: String

    public init(row: Int? = nil, field: String, reason: String) {
        self.row = row
        self.field = field
        self.reason = reason
    }
}

/// Collects field errors so a validator can report all of them at once instead of the first.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []
    public var row: Int?

    public init(row: Int? = nil) { self.row = row }

    public mutating func fail(_ field: String, _ reason: String) {
        errors.append(FieldError(row: row, field: field, reason: reason))
    }

    /// Returns the value when present, or records `field: required` and returns nil.
    public mutating func require<T>(_ value: T?, _ field: String) -> T? {
        if value == nil { fail(field, "is required") }
        return value
    }

    public mutating func requireText(_ value: String?, _ field: String, maxLength: Int = 200) -> String? {
        guard let raw = value else {
            fail(field, "is required")
            return nil
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            fail(field, "must not be empty")
            return nil
        }
        if text.count > maxLength {
            fail(field, "must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    public mutating func optionalText(_ value: String?, _ field: String, maxLength: Int = 200) -> String? {
        guard let raw = value else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        if text.count > maxLength {
            fail(field, "must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    public mutating func enumValue<E: RawRepresentable & CaseIterable>(_ value: String?, _ field: String, as: E.Type, required: Bool = true)
        -> E? where E.RawValue == String
    {
        guard let raw = value else {
            if required { fail(field, "is required") }
            return nil
        }
        if let parsed = E(rawValue: raw) { return parsed }
        fail(field, "must be one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
        return nil
    }

    public mutating func range<N: Comparable>(_ value: N?, _ field: String, _ bounds: ClosedRange<N>) -> N? {
        guard let value else { return nil }
        if !bounds.contains(value) {
            fail(field, "must be between \(bounds.lowerBound) and \(bounds.upperBound)")
            return nil
        }
        return value
    }

    public mutating func date(_ value: String?, _ field: String) -> LocalDate? {
        guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard let date = LocalDate(raw) else {
            fail(field, "must be a date written YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// A UUID written as text (a query parameter), or nil with `field: must be a UUID` recorded.
    public mutating func uuid(_ value: String?, _ field: String) -> UUID? {
        guard let value else { return nil }
        guard let id = UUID(uuidString: value) else {
            fail(field, "must be a UUID")
            return nil
        }
        return id
    }

    public var isValid: Bool { errors.isEmpty }

    /// Throws `.validation` with everything collected, if anything was.
    public func check() throws(ParcError) {
        if !errors.isEmpty { throw .validation(errors) }
    }
}
