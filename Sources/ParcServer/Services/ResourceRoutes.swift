import Foundation
import Hummingbird
import ParcCore
import ParcStore

/// The five CRUD routes and the audit trail of one inventory aggregate.
func addResourceRoutes<Resource: InventoryResource>(_ service: InventoryService<Resource>, to api: APIRoutes) {
    let path = Resource.path
    let noun = Resource.noun
    let schema = String(describing: Resource.Record.self)
    let tag = schema
    api.add(
        .get, path, "List \(noun)s in the caller's scope (filters combine with AND; cursor pagination)", tag: tag,
        query: Resource.filters.keys.sorted() + ["limit", "cursor"], reply: .page(schema: schema)
    ) { request, context in
        try Reply.json(try await service.list(request.queryDictionary, principal: try context.requirePrincipal()))
    }
    api.add(.post, path, "Create a \(noun)", tag: tag, body: .json(schema: schema + "Input"), reply: .object(schema: schema), status: 201) {
        request, context in
        let input = try await request.decodeJSON(Resource.Input.self, context: context)
        let record = try await service.create(input, principal: try context.requirePrincipal())
        return try Reply.json(record, status: .created, version: record.version, location: "/api/v1/\(path)/\(record.id)")
    }
    api.add(.get, "\(path)/{id}", "Read a \(noun)", tag: tag, reply: .object(schema: schema)) { _, context in
        let record = try await service.get(try context.id(), principal: try context.requirePrincipal())
        return try Reply.json(record, version: record.version)
    }
    api.add(
        .patch, "\(path)/{id}", "Change a \(noun) (JSON merge patch; If-Match with the ETag refuses a stale write)", tag: tag,
        body: .json(schema: schema + "Input"), reply: .object(schema: schema)
    ) { request, context in
        let patch = try await request.jsonObject(context: context)
        let record = try await service.update(
            try context.id(), patch: patch, ifMatch: try request.ifMatchVersion(), principal: try context.requirePrincipal())
        return try Reply.json(record, version: record.version)
    }
    api.add(
        .delete, "\(path)/{id}", "Delete a \(noun) (kept in history; refused while live objects depend on it)", tag: tag, reply: .empty, status: 204
    ) {
        request, context in
        try await service.delete(try context.id(), ifMatch: try request.ifMatchVersion(), principal: try context.requirePrincipal())
        return Reply.noContent()
    }
    api.add(
        .get, "\(path)/{id}/audit",
        Resource.Record.self == Establishment.self
            ? "Audit trail of everything in an establishment, newest first" : "Audit trail of a \(noun), newest first",
        tag: tag, query: ["limit", "cursor"], reply: .page(schema: "AuditEvent")
    ) { request, context in
        let principal = try context.requirePrincipal()
        let record = try await service.get(try context.id(), principal: principal)
        guard Permissions.allows(principal.role, .read, .audit) else { throw ParcError.forbidden("this role cannot read audit trails") }
        let subject: AuditLog.Subject = Resource.Record.self == Establishment.self ? .establishment(record.id) : .object(record.id)
        return try Reply.json(try await service.storage.audit.list(subject, page: try PageRequest(query: request.queryDictionary)))
    }
}
