public import Foundation

/// One check-in of a device's agent, as stored: flat, every measurement optional, because a source the
/// device lacks (no battery, no Wi-Fi) is absent rather than zero. Times are milliseconds since 1970 (UTC),
/// the form both stores index and compare cheaply.
public struct Heartbeat: Sendable, Equatable {
    /// Strictly increasing per device; a retried heartbeat carries the same number and is stored once.
    public var seq: Int64
    /// The device's own clock at measurement time.
    public var observedAtMs: Int64

    public var batteryLevel: Double?
    public var batteryHealth: Double?
    public var batteryDesignMWh: Int64?
    public var batteryFullMWh: Int64?
    public var batteryCycles: Int64?
    public var charging: Bool?

    public var storageFreeBytes: Int64?
    public var storageTotalBytes: Int64?

    public var osName: String?
    public var osVersion: String?
    public var agentVersion: String?
    public var uptimeSeconds: Int64?

    public var wifiSSID: String?
    public var wifiBSSID: String?
    public var wifiRSSI: Int64?
    public var wifiBand: String?
    public var wifiLinkMbps: Double?
    public var ip: String?

    public var downMbps: Double?
    public var upMbps: Double?

    public var cartID: UUID?
    public var cartSlot: Int64?

    public init(seq: Int64, observedAtMs: Int64) {
        self.seq = seq
        self.observedAtMs = observedAtMs
    }

    /// Battery health as reported, or derived from the capacities when only those are sent.
    public var effectiveBatteryHealth: Double? {
        if let batteryHealth { return batteryHealth }
        guard let design = batteryDesignMWh, let full = batteryFullMWh, design > 0 else { return nil }
        return (Double(full) / Double(design) * 1000).rounded() / 10
    }
}

/// A stored heartbeat as the API shows it: the history's rows, and the latest state's content.
public struct HeartbeatReading: Codable, Sendable, Equatable {
    public var seq: Int64
    public var observedAt: Date
    /// Server time of arrival: presence is judged on this clock, never the device's.
    public var receivedAt: Date
    public var batteryLevel: Double?
    public var batteryHealth: Double?
    public var batteryCycles: Int64?
    public var charging: Bool?
    public var storageFreeBytes: Int64?
    public var storageTotalBytes: Int64?
    public var osName: String?
    public var osVersion: String?
    public var agentVersion: String?
    public var uptimeSeconds: Int64?
    public var wifiSSID: String?
    public var wifiBSSID: String?
    public var wifiRSSI: Int64?
    public var wifiBand: String?
    public var wifiLinkMbps: Double?
    public var ip: String?
    public var downMbps: Double?
    public var upMbps: Double?
    public var cartID: UUID?
    public var cartSlot: Int64?

    public init(_ h: Heartbeat, receivedAtMs: Int64) {
        seq = h.seq
        observedAt = Date(epochMilliseconds: h.observedAtMs)
        receivedAt = Date(epochMilliseconds: receivedAtMs)
        batteryLevel = h.batteryLevel
        batteryHealth = h.effectiveBatteryHealth
        batteryCycles = h.batteryCycles
        charging = h.charging
        storageFreeBytes = h.storageFreeBytes
        storageTotalBytes = h.storageTotalBytes
        osName = h.osName
        osVersion = h.osVersion
        agentVersion = h.agentVersion
        uptimeSeconds = h.uptimeSeconds
        wifiSSID = h.wifiSSID
        wifiBSSID = h.wifiBSSID
        wifiRSSI = h.wifiRSSI
        wifiBand = h.wifiBand
        wifiLinkMbps = h.wifiLinkMbps
        ip = h.ip
        downMbps = h.downMbps
        upMbps = h.upMbps
        cartID = h.cartID
        cartSlot = h.cartSlot
    }
}

/// A device's latest known state: its newest heartbeat, and whether it is reporting.
public struct DeviceState: Codable, Sendable, Equatable {
    public var deviceID: UUID
    public var establishmentID: UUID
    public var presence: Presence?
    public var latest: HeartbeatReading

    public init(deviceID: UUID, establishmentID: UUID, presence: Presence? = nil, latest: HeartbeatReading) {
        self.deviceID = deviceID
        self.establishmentID = establishmentID
        self.presence = presence
        self.latest = latest
    }
}

extension Date {
    public init(epochMilliseconds ms: Int64) { self.init(timeIntervalSince1970: Double(ms) / 1000) }
    public var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
