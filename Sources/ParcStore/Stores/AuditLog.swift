public import Foundation
public import ParcCore

/// The append-only trail of changes. Entries are written in the same batch as the change they describe.
public struct AuditLog: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    public func append(_ event: AuditEvent) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO audit_events (id, at, principal_id, principal_name, change, object_type, object_id, establishment_id, before_json, after_json)
            VALUES (\(event.id), \(event.at), \(event.principalID), \(event.principalName), \(event.change.rawValue), \(event.objectType),
              \(event.objectID), \(event.establishmentID), \(event.before), \(event.after))
            """)
    }

    public enum Subject: Sendable {
        case object(UUID)
        case establishment(UUID)
    }

    /// Newest first. The cursor is the sequence number of the last entry of the previous page.
    public func list(_ subject: Subject, page: PageRequest) async throws -> Page<AuditEvent> {
        var condition: SQLQuery =
            switch subject {
            case .object(let id): "object_id = \(id)"
            case .establishment(let id): "establishment_id = \(id)"
            }
        if case .sequence(let before) = page.cursor?.key { condition = condition + " AND seq < \(before)" }
        let rows = try await database.query("SELECT * FROM audit_events WHERE \(condition) ORDER BY seq DESC LIMIT \(page.limit + 1)")
        let items = try rows.prefix(page.limit).map { row in
            AuditEvent(
                id: try row.uuid("id"), at: try row.date("at"), principalID: try row.optionalUUID("principal_id"),
                principalName: try row.string("principal_name"), change: try row.enumValue("change", as: AuditEvent.Change.self),
                objectType: try row.string("object_type"), objectID: try row.uuid("object_id"),
                establishmentID: try row.optionalUUID("establishment_id"), before: try row.optionalString("before_json"),
                after: try row.optionalString("after_json"))
        }
        let next = rows.count > page.limit ? try rows[page.limit - 1].int64("seq") : nil
        return Page(items: items, nextCursor: next.map { Cursor(.sequence($0)).encoded })
    }
}
