public import Configuration
import Foundation

/// swift-configuration returns the default when a value is present but unreadable (`PARC_HTTP_PORT=abc`).
/// Parc refuses to start on such a value instead, naming the key, so a typo never silently becomes a default.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "configuration key \(key): \(reason)" }
}

extension ConfigReader {
    /// Reads text first (environment, YAML, flags), falling back to a typed provider value.
    public func checkedInt(_ key: String, default value: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let parsed: Int
        if let text = string(forKey: ConfigKey(key)) {
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(key: key, reason: "'\(text)' is not a whole number")
            }
            parsed = number
        } else {
            parsed = int(forKey: ConfigKey(key)) ?? value
        }
        guard range.contains(parsed) else {
            throw ConfigurationError(key: key, reason: "\(parsed) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return parsed
    }

    public func checkedDouble(_ key: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        let parsed: Double
        if let text = string(forKey: ConfigKey(key)) {
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(key: key, reason: "'\(text)' is not a number")
            }
            parsed = number
        } else {
            parsed = double(forKey: ConfigKey(key)) ?? int(forKey: ConfigKey(key)).map(Double.init) ?? value
        }
        guard range.contains(parsed) else {
            throw ConfigurationError(key: key, reason: "\(parsed) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return parsed
    }

    public func checkedBool(_ key: String, default value: Bool) throws -> Bool {
        if let text = string(forKey: ConfigKey(key)) {
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "1", "on": return true
            case "false", "no", "0", "off": return false
            default: throw ConfigurationError(key: key, reason: "'\(text)' is not true or false")
            }
        }
        return bool(forKey: ConfigKey(key)) ?? value
    }

    public func checkedEnum<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) throws -> E where E.RawValue == String {
        guard let text = string(forKey: ConfigKey(key)) else { return value }
        guard let parsed = E(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw ConfigurationError(key: key, reason: "'\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    public func checkedString(_ key: String, default value: String, isSecret: Bool = false) -> String {
        string(forKey: ConfigKey(key), isSecret: isSecret) ?? value
    }

    public func checkedOptionalString(_ key: String, isSecret: Bool = false) -> String? {
        string(forKey: ConfigKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }
}
