public import Foundation

/// Wi-Fi signal thresholds for "measured" coverage, in dBm of the devices' average signal. -67 dBm is the
/// usual floor for video and many clients at once; below -75 dBm connections drop and retry.
public enum SignalCoverage {
    public static let coveredFloor = -67.0
    public static let weakFloor = -75.0

    public static func classify(averageRSSI: Double) -> WifiCoverage {
        if averageRSSI >= coveredFloor { return .covered }
        if averageRSSI >= weakFloor { return .weak }
        return .none
    }
}

/// Summary statistics of a sample (measured throughputs), nil when empty.
public struct SampleSummary: Codable, Sendable, Equatable {
    public var count: Int
    public var average: Double
    public var median: Double
    public var p90: Double
    public var max: Double

    /// Nearest-rank percentiles: every figure is a value that was actually measured.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        count = sorted.count
        average = (sorted.reduce(0, +) / Double(sorted.count) * 100).rounded() / 100
        median = rank(0.5)
        p90 = rank(0.9)
        max = sorted[sorted.count - 1]
    }
}

/// Which tablets of a classe mobile were seen with it: on its access point, or reporting its id, since `since`.
public struct CartCompleteness: Codable, Sendable, Equatable {
    public struct Member: Codable, Sendable, Equatable {
        public var deviceID: UUID
        public var serialNumber: String
        public var assetTag: String?
        public var lastSeenAt: Date?
        public var seenWithCart: Bool

        public init(deviceID: UUID, serialNumber: String, assetTag: String?, lastSeenAt: Date?, seenWithCart: Bool) {
            self.deviceID = deviceID
            self.serialNumber = serialNumber
            self.assetTag = assetTag
            self.lastSeenAt = lastSeenAt
            self.seenWithCart = seenWithCart
        }
    }

    public var cartID: UUID
    public var capacity: Int
    public var since: Date
    public var expected: Int
    public var present: Int
    public var complete: Bool
    public var missing: [Member]

    public init(cartID: UUID, capacity: Int, since: Date, members: [Member]) {
        self.cartID = cartID
        self.capacity = capacity
        self.since = since
        expected = members.count
        present = members.filter(\.seenWithCart).count
        complete = present == expected
        missing = members.filter { !$0.seenWithCart }
    }
}
