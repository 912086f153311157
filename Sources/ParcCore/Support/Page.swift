public import Foundation

/// One page of a keyset-paginated list. `nextCursor` is opaque to clients; nil on the last page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

extension Page: Encodable where Item: Encodable {}

/// Where a page starts: after the row with this key in the list's order. Lists ordered by id use `.id`;
/// append-only logs ordered by their sequence use `.sequence`. Opaque to clients (base64url).
public struct Cursor: Equatable, Sendable {
    public enum Key: Equatable, Sendable {
        case id(UUID)
        case sequence(Int64)
    }

    public var key: Key

    public init(_ key: Key) { self.key = key }

    public init(encoded: String) throws(ParcError) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw .malformed("cursor is not one this server issued")
        }
        if text.hasPrefix("id:"), let id = UUID(uuidString: String(text.dropFirst(3))) {
            key = .id(id)
        } else if text.hasPrefix("seq:"), let seq = Int64(text.dropFirst(4)) {
            key = .sequence(seq)
        } else {
            throw .malformed("cursor is not one this server issued")
        }
    }

    public var encoded: String {
        let text: String
        switch key {
        case .id(let id): text = "id:" + id.uuidString
        case .sequence(let seq): text = "seq:\(seq)"
        }
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A page request: at most `limit` items after `cursor`.
public struct PageRequest: Equatable, Sendable {
    public static let defaultLimit = 50
    public static let maxLimit = 500

    public var cursor: Cursor?
    public var limit: Int

    public init(cursor: Cursor? = nil, limit: Int = PageRequest.defaultLimit) {
        self.cursor = cursor
        self.limit = limit
    }
}
