import Crypto
public import Foundation
import ParcCore
import ParcStore

/// Create, read, update, delete and list for any inventory aggregate, with the same rules everywhere:
/// the caller's scope filters every read (a foreign object is "not found"), the role decides each action,
/// each change and its audit entry commit together, and a stale `If-Match` version is refused.
struct InventoryService<Resource: InventoryResource>: Sendable {
    typealias Record = Resource.Record
    let resource: Resource
    let storage: Storage
    let clock: AppClock
    /// Told of each committed update (`after` set) and deletion (`after` nil), for caches that copy the record.
    var afterChange: (@Sendable (_ before: Record, _ after: Record?) -> Void)? = nil

    var repository: Repository<Record> { storage.repository(Record.self) }

    func authorize(_ principal: Principal, _ action: Action) throws {
        guard Permissions.allows(principal.role, action, Record.resource) else {
            throw ParcError.forbidden("the \(principal.role.rawValue) role cannot \(action.rawValue) \(Resource.noun)s")
        }
    }

    func list(_ query: [String: String], principal: Principal) async throws -> Page<Record> {
        try authorize(principal, .read)
        let filters = try FilterSpec.filters(from: query, specs: Resource.filters, of: Resource.path)
        return try await repository.list(filters, in: principal.scope, page: try PageRequest(query: query))
    }

    func get(_ id: UUID, principal: Principal) async throws -> Record {
        try authorize(principal, .read)
        guard let record = try await repository.get(id, in: principal.scope) else { throw ParcError.notFound(Resource.noun) }
        return record
    }

    func create(_ input: Resource.Input, principal: Principal) async throws -> Record {
        try authorize(principal, .create)
        let context = BuildContext(principal: principal, storage: storage, now: clock.now(), newID: clock.newID())
        var built = try await resource.build(input, existing: nil, context: context)
        context.stamp(&built.record, existing: nil)
        var batch = WriteBatch([repository.insert(built.record)] + built.extra)
        batch.statements.append(storage.audit.append(try audit(.create, principal: principal, before: nil, after: built.record, at: context.now)))
        try await storage.database.write(batch)
        return built.record
    }

    func update(_ id: UUID, patch: JSONValue, ifMatch: Int?, principal: Principal) async throws -> Record {
        let existing = try await get(id, principal: principal)
        try authorize(principal, .update)
        if let ifMatch, ifMatch != existing.version { throw ParcError.versionMismatch(expected: ifMatch, actual: existing.version) }
        let merged = try JSONValue(encoding: resource.input(from: existing)).merging(patch)
        let input = try APIJSON.decoder.decode(Resource.Input.self, from: APIJSON.encoder.encode(merged))
        let context = BuildContext(principal: principal, storage: storage, now: clock.now(), newID: id)
        var built = try await resource.build(input, existing: existing, context: context)
        context.stamp(&built.record, existing: existing)
        var batch = WriteBatch([repository.update(built.record, expectedVersion: existing.version)] + built.extra)
        batch.statements.append(
            storage.audit.append(try audit(.update, principal: principal, before: existing, after: built.record, at: context.now)))
        try await storage.database.write(batch)
        afterChange?(existing, built.record)
        return built.record
    }

    func delete(_ id: UUID, ifMatch: Int?, principal: Principal) async throws {
        let existing = try await get(id, principal: principal)
        try authorize(principal, .delete)
        if let ifMatch, ifMatch != existing.version { throw ParcError.versionMismatch(expected: ifMatch, actual: existing.version) }
        let now = clock.now()
        var batch = WriteBatch(resource.deleteGuards(existing))
        batch.statements.append(repository.softDelete(id, expectedVersion: existing.version, at: now))
        batch.statements.append(storage.audit.append(try audit(.delete, principal: principal, before: existing, after: nil, at: now)))
        try await storage.database.write(batch)
        afterChange?(existing, nil)
    }

    func audit(_ change: AuditEvent.Change, principal: Principal, before: Record?, after: Record?, at: Date) throws -> AuditEvent {
        let subject = after ?? before!
        return AuditEvent(
            id: clock.newID(), at: at, principalID: principal.id, principalName: principal.name, change: change, objectType: Resource.noun,
            objectID: subject.id, establishmentID: subject.establishmentRef, before: try before.map(jsonString), after: try after.map(jsonString))
    }
}

extension SHA256 {
    /// The lowercase hexadecimal digest of stored files and signed documents.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }
}

func jsonString(_ value: some Encodable) throws -> String {
    String(decoding: try APIJSON.encoder.encode(value), as: UTF8.self)
}

extension JSONValue {
    init(encoding value: some Encodable) throws {
        self = try APIJSON.decoder.decode(JSONValue.self, from: APIJSON.encoder.encode(value))
    }
}

extension PageRequest {
    /// `limit` (1…500, default 50) and `cursor` from a query string.
    init(query: [String: String]) throws {
        var limit = PageRequest.defaultLimit
        if let text = query["limit"] {
            guard let n = Int(text), (1...PageRequest.maxLimit).contains(n) else {
                throw ParcError.validation([FieldError(field: "limit", reason: "must be a whole number from 1 to \(PageRequest.maxLimit)")])
            }
            limit = n
        }
        self.init(cursor: try query["cursor"].map { try Cursor(encoded: $0) }, limit: limit)
    }
}

/// Time, identifiers and chance, injected so tests can fix them.
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date
    public var newID: @Sendable () -> UUID
    /// A uniform draw in [0, 1): check-in jitter.
    public var random: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> Date = { Date() }, newID: @escaping @Sendable () -> UUID = { UUID() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.now = now
        self.newID = newID
        self.random = random
    }
}
