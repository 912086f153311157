public import Foundation
public import Hummingbird
public import ParcCore
import Synchronization

/// The request context of every route: who is calling (set by `AuthenticationMiddleware`) and the JSON
/// conventions of the API (snake_case keys, ISO 8601 dates).
public struct ParcRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { APIJSON.maxBodySize }
    public var requestDecoder: JSONDecoder { APIJSON.decoder }
    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    /// The caller; routes under `/api/v1` are only reached once authentication set it.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw ParcError.unauthenticated("an API token is required (Authorization: Bearer …)") }
        return principal
    }
}

public enum APIJSON {
    /// JSON bodies are small; CSV imports have their own, larger limit.
    public static let maxBodySize = 1 << 20

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in SnakeCaseKey(snake: path.last!.stringValue) }
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in SnakeCaseKey(stringValue: SnakeCaseKey.cached(path.last!.stringValue))! }
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// `establishment_id` → `establishmentID`, `establishment_ids` → `establishmentIDs`: the inverse of the encoder's
/// `convertToSnakeCase` for Swift's `ID` naming, which Foundation's `convertFromSnakeCase` gets wrong (`establishmentId`).
struct SnakeCaseKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(snake: String) {
        let parts = snake.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count > 1 else {
            stringValue = snake
            return
        }
        stringValue =
            String(parts[0])
            + parts.dropFirst().map { part in
                switch part {
                case "id": "ID"
                case "ids": "IDs"
                default: part.prefix(1).uppercased() + part.dropFirst()
                }
            }.joined()
    }

    init?(stringValue: String) { self.stringValue = stringValue }

    /// `establishmentIDs` → `establishment_ids`, `nextCursor` → `next_cursor`, `p90RestoreMinutes` →
    /// `p90_restore_minutes`: Foundation's `convertToSnakeCase` rules (a word starts at an uppercase letter after a
    /// lower-case letter or digit, or at the last capital of a run followed by a lower-case letter), except that the
    /// plural `IDs` stays one word instead of becoming `i_ds`, and a number between words is a word of its own
    /// (`devicesPer100Pupils` → `devices_per_100_pupils`, as clients write it) unless it follows a single letter
    /// (`p90RestoreMinutes`) or ends the name (`sha256`).
    /// The same names come back in every response (a plan's 10 000 establishments repeat twelve keys each):
    /// each is converted once. The cache stops growing at `cacheLimit` so keys that come from data cannot fill it.
    static func cached(_ key: String) -> String {
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let converted = snake(key)
        cache.withLock { names in if names.count < cacheLimit { names[key] = converted } }
        return converted
    }

    static let cacheLimit = 4096
    static let cache = Mutex<[String: String]>([:])

    static func snake(_ key: String) -> String {
        let chars = Array(key.replacingOccurrences(of: "IDs", with: "Ids"))
        var out = ""
        var wordLength = 0
        for (i, c) in chars.enumerated() {
            if c.isNumber, i > 0, chars[i - 1].isLowercase, wordLength >= 2,
                let end = chars[i...].firstIndex(where: { !$0.isNumber }), chars[end].isUppercase
            {
                out.append("_")
                wordLength = 0
            }
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if !previous.isUppercase || nextIsLower {
                    out.append("_")
                    wordLength = 0
                }
            }
            out += c.lowercased()
            wordLength += 1
        }
        return out
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
