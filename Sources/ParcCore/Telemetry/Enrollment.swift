public import Foundation

/// A secret that lets devices of one establishment enrol themselves: created by its staff or its
/// collectivité, bounded in time and in uses, revocable. Only its hash is stored.
public struct EnrollmentToken: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var establishmentID: UUID
    /// The first characters of the secret, so staff can tell tokens apart without seeing them.
    public var prefix: String
    public var label: String?
    public var maxUses: Int
    public var uses: Int
    public var expiresAt: Date
    public var revokedAt: Date?
    public var createdAt: Date
    public var createdBy: UUID?

    public init(
        id: UUID, establishmentID: UUID, prefix: String, label: String?, maxUses: Int, uses: Int, expiresAt: Date, revokedAt: Date?,
        createdAt: Date, createdBy: UUID?
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.prefix = prefix
        self.label = label
        self.maxUses = maxUses
        self.uses = uses
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// Why this token cannot enrol one more device now, or nil when it can.
    public func refusal(now: Date) -> String? {
        if revokedAt != nil { return "the enrollment token was revoked" }
        if expiresAt <= now { return "the enrollment token has expired" }
        if uses >= maxUses { return "the enrollment token has been used its \(maxUses) allowed times" }
        return nil
    }
}

public struct EnrollmentTokenInput: Codable, Sendable {
    public var label: String?
    public var maxUses: Int?
    public var expiresAt: Date?

    public init(label: String? = nil, maxUses: Int? = nil, expiresAt: Date? = nil) {
        self.label = label
        self.maxUses = maxUses
        self.expiresAt = expiresAt
    }

    /// Defaults: 500 uses (a large collège's fleet), valid 30 days; at most one year.
    public func validate(now: Date) throws(ParcError) -> (label: String?, maxUses: Int, expiresAt: Date) {
        var v = Validator()
        let label = v.optionalText(label, "label", maxLength: 100)
        let uses = v.range(maxUses ?? 500, "max_uses", 1...100_000)
        let expires = expiresAt ?? now.addingTimeInterval(30 * 86_400)
        if expires <= now { v.fail("expires_at", "must be in the future") }
        if expires > now.addingTimeInterval(366 * 86_400) { v.fail("expires_at", "must be within one year") }
        try v.check()
        return (label, uses!, expires)
    }
}

/// What a device says about itself when it enrols. The MAC address is an attribute, never the identity:
/// it changes with a Wi-Fi card and is randomised by modern systems.
public struct HardwareIdentity: Codable, Equatable, Sendable {
    public var manufacturer: String?
    public var serialNumber: String?
    public var model: String?
    public var kind: String?
    public var macAddresses: [String]?

    public init(manufacturer: String?, serialNumber: String?, model: String?, kind: String?, macAddresses: [String]?) {
        self.manufacturer = manufacturer
        self.serialNumber = serialNumber
        self.model = model
        self.kind = kind
        self.macAddresses = macAddresses
    }
}

public struct EnrollRequest: Codable, Sendable {
    public var enrollmentToken: String?
    public var hardware: HardwareIdentity?
    public var agentVersion: String?

    public init(enrollmentToken: String?, hardware: HardwareIdentity?, agentVersion: String?) {
        self.enrollmentToken = enrollmentToken
        self.hardware = hardware
        self.agentVersion = agentVersion
    }

    public struct Valid: Sendable, Equatable {
        public var token: String
        public var manufacturer: String
        public var serialNumber: String
        public var model: String
        public var kind: DeviceModel.Kind
        public var macAddresses: [String]
        public var agentVersion: String?
    }

    public func validate() throws(ParcError) -> Valid {
        var v = Validator()
        let token = v.requireText(enrollmentToken, "enrollment_token", maxLength: 200)
        let manufacturer = v.requireText(hardware?.manufacturer, "hardware.manufacturer", maxLength: 100)
        let serial = v.requireText(hardware?.serialNumber, "hardware.serial_number", maxLength: 100)
        let model = v.optionalText(hardware?.model, "hardware.model", maxLength: 150)
        var kind = DeviceModel.Kind.laptop
        if let raw = hardware?.kind {
            if let k = DeviceModel.Kind(rawValue: raw), k.isClientDevice {
                kind = k
            } else {
                v.fail("hardware.kind", "must be one of tablet, laptop, desktop, chromebook")
            }
        }
        let macs = (hardware?.macAddresses ?? []).prefix(16).map { $0.lowercased() }
        if macs.contains(where: { $0.count > 17 }) { v.fail("hardware.mac_addresses", "must hold MAC addresses such as aa:bb:cc:dd:ee:ff") }
        let agent = v.optionalText(agentVersion, "agent_version", maxLength: 64)
        try v.check()
        return Valid(
            token: token!, manufacturer: manufacturer!, serialNumber: serial!, model: model ?? "Unknown model", kind: kind,
            macAddresses: Array(macs), agentVersion: agent)
    }
}

/// What a device learns when it enrols: its own identity and token (shown once) and when to check in.
public struct Enrollment: Codable, Sendable, Equatable {
    public var deviceID: UUID
    public var deviceToken: String
    public var establishmentID: UUID
    public var checkinIntervalSeconds: Int
    /// False when the serial was already in the inventory and the agent attached to that device.
    public var created: Bool

    public init(deviceID: UUID, deviceToken: String, establishmentID: UUID, checkinIntervalSeconds: Int, created: Bool) {
        self.deviceID = deviceID
        self.deviceToken = deviceToken
        self.establishmentID = establishmentID
        self.checkinIntervalSeconds = checkinIntervalSeconds
        self.created = created
    }
}
