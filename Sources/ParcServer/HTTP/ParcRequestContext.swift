public import Foundation
public import Hummingbird
public import ParcCore

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
        encoder.keyEncodingStrategy = .convertToSnakeCase
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

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
