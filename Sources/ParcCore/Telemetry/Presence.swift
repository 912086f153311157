public import Foundation

/// Whether a device is reporting, judged from the server time of its newest heartbeat and its check-in interval.
public enum Presence: String, Codable, Sendable, CaseIterable {
    /// Seen within two check-in intervals (one missed check-in is normal: sleep, a corridor without Wi-Fi).
    case online
    /// Missed several check-ins but seen within `PresencePolicy.offlineAfter`.
    case stale
    /// Silent longer than that.
    case offline
    /// Enrolled or inventoried, never heard from.
    case neverSeen = "never_seen"
}

public struct PresencePolicy: Sendable, Equatable {
    /// Multiples of the check-in interval after which an online device becomes stale.
    public var onlineIntervals: Double
    /// Silence after which a device is offline, whatever its interval.
    public var offlineAfter: TimeInterval

    public init(onlineIntervals: Double = 2, offlineAfter: TimeInterval = 86_400) {
        self.onlineIntervals = onlineIntervals
        self.offlineAfter = offlineAfter
    }

    public func presence(lastSeen: Date?, intervalSeconds: Int, now: Date) -> Presence {
        guard let lastSeen else { return .neverSeen }
        let silence = now.timeIntervalSince(lastSeen)
        if silence <= onlineIntervals * Double(intervalSeconds) { return .online }
        if silence <= max(offlineAfter, onlineIntervals * Double(intervalSeconds)) { return .stale }
        return .offline
    }
}

/// How often devices check in, and the spread that keeps a cart of 30 tablets switched on at 8:30 from
/// arriving in step: each answer draws the next interval uniformly within ±`jitter` of the base.
public struct CheckInPolicy: Sendable, Equatable {
    public var defaultIntervalSeconds: Int
    public var jitter: Double
    public static let allowedIntervals = 30...86_400

    public init(defaultIntervalSeconds: Int = 300, jitter: Double = 0.2) {
        self.defaultIntervalSeconds = defaultIntervalSeconds
        self.jitter = jitter
    }

    /// `unit` is a random draw in [0, 1), injected so tests are deterministic.
    public func nextInterval(base: Int?, unit: Double) -> Int {
        let b = Double(base ?? defaultIntervalSeconds)
        let spread = b * jitter * (2 * unit - 1)
        return max(CheckInPolicy.allowedIntervals.lowerBound / 2, Int((b + spread).rounded()))
    }
}

/// What the raw history keeps and what it becomes: raw heartbeats for `rawDays`, then one row per device
/// and day (`DailyRollup`) kept for `dailyDays`.
public struct RetentionPolicy: Sendable, Equatable {
    public var rawDays: Int
    public var dailyDays: Int

    public init(rawDays: Int = 30, dailyDays: Int = 5 * 366) {
        self.rawDays = rawDays
        self.dailyDays = dailyDays
    }

    /// Heartbeats observed before this instant are rolled up and deleted: whole UTC days only, so a day is
    /// never rolled up while it can still receive heartbeats.
    public func rawCutoffDay(now: Date) -> Int {
        Int((now.timeIntervalSince1970 / 86_400).rounded(.down)) - rawDays
    }

    public func dailyCutoffDay(now: Date) -> Int {
        Int((now.timeIntervalSince1970 / 86_400).rounded(.down)) - dailyDays
    }
}

/// One device's day, kept for years after the raw heartbeats are gone: enough for trends (battery wear,
/// storage, signal, how much the device was used) and for the refresh planner.
public struct DailyRollup: Codable, Sendable, Equatable {
    public var deviceID: UUID
    public var day: LocalDate
    public var heartbeats: Int
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    public var batteryLevelMin: Double?
    public var batteryHealthMin: Double?
    public var storageFreeMinBytes: Int64?
    public var wifiRSSIAvg: Double?
    public var wifiRSSIMin: Int64?
    public var downMbpsAvg: Double?
    public var upMbpsAvg: Double?

    public init(
        deviceID: UUID, day: LocalDate, heartbeats: Int, firstSeenAt: Date, lastSeenAt: Date, batteryLevelMin: Double?, batteryHealthMin: Double?,
        storageFreeMinBytes: Int64?, wifiRSSIAvg: Double?, wifiRSSIMin: Int64?, downMbpsAvg: Double?, upMbpsAvg: Double?
    ) {
        self.deviceID = deviceID
        self.day = day
        self.heartbeats = heartbeats
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.batteryLevelMin = batteryLevelMin
        self.batteryHealthMin = batteryHealthMin
        self.storageFreeMinBytes = storageFreeMinBytes
        self.wifiRSSIAvg = wifiRSSIAvg
        self.wifiRSSIMin = wifiRSSIMin
        self.downMbpsAvg = downMbpsAvg
        self.upMbpsAvg = upMbpsAvg
    }
}
