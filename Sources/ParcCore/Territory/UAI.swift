import Foundation

/// The national identifier of an establishment (Unité administrative immatriculée, formerly RNE):
/// seven digits and a check letter. Stored uppercased; the département is read from its prefix.
public struct UAI: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    /// The 23 letters of the check alphabet: A–Z without I, O and Q.
    static let checkAlphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ")

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case length
        case notDigits
        case unknownPrefix(String)
        case checkLetter(expected: Character)

        public var description: String {
            switch self {
            case .length: "must be 7 digits followed by a check letter"
            case .notDigits: "must start with 7 digits"
            case .unknownPrefix(let prefix): "prefix \(prefix) is not a département code used by UAIs"
            case .checkLetter(let expected): "check letter is wrong (expected \(expected))"
            }
        }
    }

    /// Validates and normalises (trims, uppercases) a UAI.
    public init(validating raw: String) throws(Problem) {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let chars = Array(text)
        guard chars.count == 8 else { throw .length }
        let digits = chars[0..<7]
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(String(digits)) else { throw .notDigits }
        let prefix = String(digits.prefix(3))
        guard UAI.departement(forPrefix: prefix) != nil else { throw .unknownPrefix(prefix) }
        let expected = UAI.checkAlphabet[number % 23]
        guard chars[7] == expected else { throw .checkLetter(expected: expected) }
        value = text
    }

    /// The check letter for seven digits, for tools that mint test or demo codes.
    public static func checkLetter(for sevenDigits: Int) -> Character { checkAlphabet[sevenDigits % 23] }

    /// The département code as INSEE writes it: "01"…"95", "2A", "2B", "971"…
    public var departement: String { UAI.departement(forPrefix: String(value.prefix(3)))! }

    public var description: String { value }

    /// 001…095 are metropolitan départements (leading zero dropped), 620 and 720 are Corsica,
    /// 971…978 and 986…988 the overseas départements and collectivities. Pas-de-Calais is 062, not 620.
    static func departement(forPrefix prefix: String) -> String? {
        switch prefix {
        case "620": return "2A"
        case "720": return "2B"
        case "971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988": return prefix
        default:
            guard prefix.hasPrefix("0"), let n = Int(prefix), (1...95).contains(n) else { return nil }
            return String(prefix.dropFirst())
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            try self.init(validating: try container.decode(String.self))
        } catch let problem as Problem {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
