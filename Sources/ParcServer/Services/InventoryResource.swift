import Foundation
import ParcCore
import ParcStore

/// What differs between inventory aggregates. `InventoryService` and the router do everything else the same
/// way for all of them: scope, permissions, validation errors, versions, audit, pagination.
protocol InventoryResource: Sendable {
    associatedtype Record: StoredRecord
    associatedtype Input: Codable & Sendable

    /// The collection's URL segment under `/api/v1`, e.g. `devices`.
    static var path: String { get }
    /// A singular noun for messages and the API document, e.g. `device`.
    static var noun: String { get }
    /// List filters: query parameter → column and how to read the value.
    static var filters: [String: FilterSpec] { get }
    /// A fully populated example, used to describe the schema in `/openapi.json`.
    static var example: Record { get }
    static var exampleInput: Input { get }

    /// The writable fields of a stored object, onto which a PATCH is merged.
    func input(from record: Record) -> Input
    /// Validates the input, resolves and checks references inside the caller's scope, and returns the record to
    /// store with any statement that must commit with it. `existing` is nil when creating.
    func build(_ input: Input, existing: Record?, context: BuildContext) async throws -> Built<Record>
    /// Guards that must find no live dependent for a delete to proceed.
    func deleteGuards(_ record: Record) -> [WriteStatement]
}

struct Built<Record: Sendable>: Sendable {
    var record: Record
    var extra: [WriteStatement] = []
}

/// What a resource needs while building a record.
struct BuildContext: Sendable {
    var principal: Principal
    var storage: Storage
    var now: Date
    var newID: UUID

    /// The establishment an object is attached to, which must lie in the caller's scope.
    func establishment(_ id: UUID, field: String = "establishment_id") async throws -> Establishment {
        guard let establishment = try await storage.repository(Establishment.self).get(id, in: principal.scope) else {
            throw ParcError.validation([FieldError(field: field, reason: "no such establishment")])
        }
        return establishment
    }

    /// A referenced object that must belong to the same establishment.
    func sibling<R: StoredRecord>(_ type: R.Type, _ id: UUID?, of establishmentID: UUID, field: String) async throws -> R? {
        guard let id else { return nil }
        guard let record = try await storage.repository(R.self).get(ids: [id])[id] else {
            throw ParcError.validation([FieldError(field: field, reason: "no such \(R.resource.rawValue.replacingOccurrences(of: "_", with: " "))")])
        }
        guard record.establishmentRef == establishmentID else {
            throw ParcError.validation([FieldError(field: field, reason: "belongs to another establishment")])
        }
        return record
    }

    /// Version and timestamps for a new or changed record.
    func stamp<R: StoredRecord>(_ record: inout R, existing: R?) {
        record.version = (existing?.version ?? 0) + 1
        record.updatedAt = now
    }
}

/// How a query parameter filters a list.
enum FilterSpec: Sendable {
    /// The filters a list's query string asks for (`limit` and `cursor` aside); every unknown parameter is named
    /// with the ones allowed.
    static func filters(from query: [String: String], specs: [String: FilterSpec], of path: String) throws -> [Filter] {
        var filters: [Filter] = []
        var unknown: [String] = []
        for (name, value) in query where name != "limit" && name != "cursor" {
            guard let spec = specs[name] else {
                unknown.append(name)
                continue
            }
            filters.append(try spec.filter(name, value))
        }
        if !unknown.isEmpty {
            let allowed = (specs.keys.sorted() + ["limit", "cursor"]).joined(separator: ", ")
            throw ParcError.validation(unknown.sorted().map { FieldError(field: $0, reason: "is not a filter of \(path); use \(allowed)") })
        }
        return filters
    }

    case uuid(String)
    case text(String)
    case choice(String, [String])
    case search(String)
    /// `true` or `false`.
    case flag(String)
    /// A whole number in a range (a support level).
    case level(String, ClosedRange<Int>)

    var column: String {
        switch self {
        case .uuid(let c), .text(let c), .choice(let c, _), .search(let c), .flag(let c), .level(let c, _): c
        }
    }

    func filter(_ name: String, _ value: String) throws -> Filter {
        switch self {
        case .uuid(let column):
            guard let id = UUID(uuidString: value) else { throw ParcError.validation([FieldError(field: name, reason: "must be a UUID")]) }
            return .equals(column, id)
        case .text(let column):
            return .equals(column, value)
        case .choice(let column, let allowed):
            guard allowed.contains(value) else {
                throw ParcError.validation([FieldError(field: name, reason: "must be one of: \(allowed.joined(separator: ", "))")])
            }
            return .equals(column, value)
        case .search(let column):
            return Filter(column, .contains(value))
        case .flag(let column):
            guard value == "true" || value == "false" else { throw ParcError.validation([FieldError(field: name, reason: "must be true or false")]) }
            return .equals(column, value == "true")
        case .level(let column, let range):
            guard let n = Int(value), range.contains(n) else {
                throw ParcError.validation([FieldError(field: name, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")]
                )
            }
            return .equals(column, n)
        }
    }
}
