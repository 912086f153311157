import Foundation

/// Wire types of the agent API (`/agent/v1/…`). Keys are spelled out because the server decodes snake_case,
/// and heartbeats are kept in the outbox in exactly this form.
enum AgentAPI {
    static let enrollPath = "agent/v1/enroll"
    static let heartbeatsPath = "agent/v1/heartbeats"
    static let agentVersion = "0.1.0"

    /// `POST /agent/v1/enroll`.
    struct EnrollRequest: Codable, Sendable, Equatable {
        struct Hardware: Codable, Sendable, Equatable {
            var manufacturer: String
            var serialNumber: String
            var model: String?
            var kind: String
            var macAddresses: [String]

            enum CodingKeys: String, CodingKey {
                case manufacturer, model, kind
                case serialNumber = "serial_number"
                case macAddresses = "mac_addresses"
            }
        }

        var enrollmentToken: String
        var hardware: Hardware
        var agentVersion: String

        enum CodingKeys: String, CodingKey {
            case hardware
            case enrollmentToken = "enrollment_token"
            case agentVersion = "agent_version"
        }
    }

    struct EnrollResponse: Codable, Sendable, Equatable {
        var deviceID: UUID
        var deviceToken: String
        var establishmentID: UUID
        var checkinIntervalSeconds: Int
        /// False when the server recognised the hardware and handed back an existing device.
        var created: Bool

        enum CodingKeys: String, CodingKey {
            case created
            case deviceID = "device_id"
            case deviceToken = "device_token"
            case establishmentID = "establishment_id"
            case checkinIntervalSeconds = "checkin_interval_seconds"
        }
    }

    /// One observation; `POST /agent/v1/heartbeats` takes a JSON array of them. Sources the machine does not
    /// expose are nil and left out of the JSON (synthesized Codable uses encodeIfPresent for optionals).
    struct Heartbeat: Sendable, Equatable {
        struct Battery: Codable, Sendable, Equatable {
            var levelPercent: Double?
            var healthPercent: Double?
            var designCapacityMWh: Int?
            var fullCapacityMWh: Int?
            var cycleCount: Int?
            var charging: Bool?

            enum CodingKeys: String, CodingKey {
                case charging
                case levelPercent = "level_percent"
                case healthPercent = "health_percent"
                case designCapacityMWh = "design_capacity_mwh"
                case fullCapacityMWh = "full_capacity_mwh"
                case cycleCount = "cycle_count"
            }
        }

        struct Storage: Codable, Sendable, Equatable {
            var freeBytes: Int
            var totalBytes: Int

            enum CodingKeys: String, CodingKey {
                case freeBytes = "free_bytes"
                case totalBytes = "total_bytes"
            }
        }

        struct OperatingSystem: Codable, Sendable, Equatable {
            var name: String
            var version: String?
        }

        struct Wifi: Codable, Sendable, Equatable {
            var ssid: String?
            var bssid: String?
            var rssiDBm: Int?
            var band: String?
            var linkRateMbps: Double?

            enum CodingKeys: String, CodingKey {
                case ssid, bssid, band
                case rssiDBm = "rssi_dbm"
                case linkRateMbps = "link_rate_mbps"
            }
        }

        /// Strictly increasing per device from 1; a resend keeps its number, which is how the server dedupes.
        var seq: Int
        /// Sent with whole seconds only, so keep it whole here too: a decoded copy then equals the original.
        var observedAt: Date
        var battery: Battery?
        var storage: Storage?
        var os: OperatingSystem?
        var agentVersion: String
        var uptimeSeconds: Int?
        var wifi: Wifi?
        var ip: String?
    }

    struct HeartbeatResponse: Decodable, Sendable, Equatable {
        var accepted: Int
        var duplicates: Int
        var nextCheckinSeconds: Int
        /// This agent performs no server actions yet; it only counts them for the log.
        var actionCount: Int

        init(accepted: Int, duplicates: Int, nextCheckinSeconds: Int, actionCount: Int = 0) {
            self.accepted = accepted
            self.duplicates = duplicates
            self.nextCheckinSeconds = nextCheckinSeconds
            self.actionCount = actionCount
        }

        enum CodingKeys: String, CodingKey {
            case accepted, duplicates, actions
            case nextCheckinSeconds = "next_checkin_seconds"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            accepted = try container.decode(Int.self, forKey: .accepted)
            duplicates = try container.decode(Int.self, forKey: .duplicates)
            nextCheckinSeconds = try container.decode(Int.self, forKey: .nextCheckinSeconds)
            actionCount = try container.decodeIfPresent([IgnoredJSON].self, forKey: .actions)?.count ?? 0
        }
    }

    /// Body of every non-2xx answer: `{"error": {"code", "message", "fields"?}}`.
    struct ErrorResponse: Decodable, Sendable, Equatable {
        struct Detail: Decodable, Sendable, Equatable {
            var code: String
            var message: String
            var fields: [FieldError]?
        }

        struct FieldError: Decodable, Sendable, Equatable {
            var field: String
            var reason: String
        }

        var error: Detail

        /// "code: message (field: reason; …)", for a log line.
        var summary: String {
            let fields = (error.fields ?? []).map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
            return "\(error.code): \(error.message)" + (fields.isEmpty ? "" : " (\(fields))")
        }
    }

    /// "2026-11-23T08:30:00Z": UTC, whole seconds.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}

/// Accepts any JSON value without looking at it.
private struct IgnoredJSON: Decodable {
    init(from decoder: any Decoder) throws {}
}

// In an extension so Heartbeat keeps its memberwise initializer.
extension AgentAPI.Heartbeat: Codable {
    enum CodingKeys: String, CodingKey {
        case seq, battery, storage, os, wifi, ip
        case observedAt = "observed_at"
        case agentVersion = "agent_version"
        case uptimeSeconds = "uptime_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let stamp = try container.decode(String.self, forKey: .observedAt)
        guard let observedAt = try? Date.ISO8601FormatStyle().parse(stamp) else {
            throw DecodingError.dataCorruptedError(forKey: .observedAt, in: container, debugDescription: "not an ISO-8601 time: \(stamp)")
        }
        self.init(
            seq: try container.decode(Int.self, forKey: .seq), observedAt: observedAt,
            battery: try container.decodeIfPresent(Battery.self, forKey: .battery),
            storage: try container.decodeIfPresent(Storage.self, forKey: .storage),
            os: try container.decodeIfPresent(OperatingSystem.self, forKey: .os),
            agentVersion: try container.decode(String.self, forKey: .agentVersion),
            uptimeSeconds: try container.decodeIfPresent(Int.self, forKey: .uptimeSeconds),
            wifi: try container.decodeIfPresent(Wifi.self, forKey: .wifi),
            ip: try container.decodeIfPresent(String.self, forKey: .ip))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(AgentAPI.timestamp(observedAt), forKey: .observedAt)
        try container.encodeIfPresent(battery, forKey: .battery)
        try container.encodeIfPresent(storage, forKey: .storage)
        try container.encodeIfPresent(os, forKey: .os)
        try container.encode(agentVersion, forKey: .agentVersion)
        try container.encodeIfPresent(uptimeSeconds, forKey: .uptimeSeconds)
        try container.encodeIfPresent(wifi, forKey: .wifi)
        try container.encodeIfPresent(ip, forKey: .ip)
    }
}
