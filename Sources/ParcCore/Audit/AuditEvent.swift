public import Foundation

/// One change to one object: who, when, and the object before and after (as JSON text, so any aggregate fits).
public struct AuditEvent: Codable, Equatable, Sendable, Identifiable {
    public enum Change: String, Codable, Sendable {
        case create, update, delete, `import`
    }

    public var id: UUID
    public var at: Date
    public var principalID: UUID?
    public var principalName: String
    public var change: Change
    public var objectType: String
    public var objectID: UUID
    public var establishmentID: UUID?
    public var before: String?
    public var after: String?

    public init(
        id: UUID, at: Date, principalID: UUID?, principalName: String, change: Change, objectType: String, objectID: UUID,
        establishmentID: UUID?, before: String?, after: String?
    ) {
        self.id = id
        self.at = at
        self.principalID = principalID
        self.principalName = principalName
        self.change = change
        self.objectType = objectType
        self.objectID = objectID
        self.establishmentID = establishmentID
        self.before = before
        self.after = after
    }
}
