public import Foundation
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
    case uuid(String)
    case text(String)
    case choice(String, [String])
    case search(String)

    var column: String {
        switch self {
        case .uuid(let c), .text(let c), .choice(let c, _), .search(let c): c
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
        }
    }
}
