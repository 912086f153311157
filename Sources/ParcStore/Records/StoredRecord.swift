public import Foundation
public import ParcCore

/// How an aggregate's rows tie it to the territory, which decides the SQL that filters it by a `Scope`.
public enum Scoping: Sendable {
    /// The `establishments` table itself: `owner_id`, `academie_code`, `id`.
    case establishmentRow
    /// Tables that carry `owner_id` and `academie_code` copied from their establishment (devices).
    case denormalized
    /// Tables with an `establishment_id` column; scope goes through the establishments table.
    case viaEstablishment
    /// The `collectivites` table.
    case collectiviteRow
    /// Tables with a `collectivite_id` column: a collectivité's contracts and rounds.
    case collectiviteOwned
    /// Shared reference data everyone may read (the device-model catalogue).
    case global
}

/// An aggregate stored in one soft-deletable table, mapped by hand to keep both backends' SQL identical.
public protocol StoredRecord: Codable, Sendable, Identifiable where ID == UUID {
    static var table: String { get }
    static var resource: ResourceKind { get }
    static var scoping: Scoping { get }
    /// Column/value pairs written on insert and update; `id` first. `deleted_at` is managed by the repository.
    var columns: [(String, SQLValue)] { get }
    init(row: SQLRow) throws
    var id: UUID { get }
    var version: Int { get set }
    var createdAt: Date { get }
    var updatedAt: Date { get set }
    /// The establishment the object belongs to, for scope checks and the audit trail.
    var establishmentRef: UUID? { get }
}

extension StoredRecord {
    /// The lifecycle columns every aggregate shares.
    func lifecycle() -> [(String, SQLValue)] {
        [("version", version.sqlValue), ("created_at", createdAt.sqlValue), ("updated_at", updatedAt.sqlValue)]
    }
}

/// One equality (or substring) condition of a list filter. Column names come from code, never from callers.
public struct Filter: Sendable {
    public enum Match: Sendable {
        case equals(SQLValue)
        case contains(String)
    }

    public var column: String
    public var match: Match

    public init(_ column: String, _ match: Match) {
        self.column = column
        self.match = match
    }

    public static func equals(_ column: String, _ value: some SQLBindable) -> Filter { Filter(column, .equals(value.sqlValue)) }
}

/// Turns a `Scope` into the SQL predicate for one table. Every read of a scoped table goes through here.
enum ScopeSQL {
    static func predicate(_ scope: Scope, _ scoping: Scoping, alias t: String) -> SQLQuery {
        switch (scope, scoping) {
        case (_, .global), (.all, _): return "1 = 1"
        case (.nothing, _): return "1 = 0"
        case (.academie(let code), .establishmentRow), (.academie(let code), .denormalized), (.academie(let code), .collectiviteRow):
            return "\(raw: t).academie_code = \(code)"
        case (.academie(let code), .viaEstablishment):
            return "\(raw: t).establishment_id IN (SELECT id FROM establishments WHERE academie_code = \(code))"
        case (.collectivite(let id), .establishmentRow), (.collectivite(let id), .denormalized):
            return "\(raw: t).owner_id = \(id)"
        case (.collectivite(let id), .viaEstablishment):
            return "\(raw: t).establishment_id IN (SELECT id FROM establishments WHERE owner_id = \(id))"
        case (.collectivite(let id), .collectiviteRow):
            return "\(raw: t).id = \(id)"
        case (.academie(let code), .collectiviteOwned):
            return "\(raw: t).collectivite_id IN (SELECT id FROM collectivites WHERE academie_code = \(code))"
        case (.collectivite(let id), .collectiviteOwned):
            return "\(raw: t).collectivite_id = \(id)"
        case (.establishments(let ids), .collectiviteOwned):
            return "\(raw: t).collectivite_id IN (SELECT owner_id FROM establishments WHERE id IN \(list: ids))"
        case (.establishments(let ids), .establishmentRow):
            return "\(raw: t).id IN \(list: ids)"
        case (.establishments(let ids), .denormalized), (.establishments(let ids), .viaEstablishment):
            return "\(raw: t).establishment_id IN \(list: ids)"
        case (.establishments(let ids), .collectiviteRow):
            return "\(raw: t).id IN (SELECT owner_id FROM establishments WHERE id IN \(list: ids))"
        }
    }
}
