public import Foundation

public struct InternetLink: Codable, Equatable, Sendable, Identifiable {
    public enum Technology: String, Codable, CaseIterable, Sendable {
        case fibre, vdsl, adsl, sdsl
        case mobile4G = "4g"
        case mobile5G = "5g"
        case satellite
        case other
    }

    public var id: UUID
    public var establishmentID: UUID
    public var technology: Technology
    public var provider: String?
    public var downMbps: Double
    public var upMbps: Double
    /// Whether content filtering is in place (an ETIC indicator).
    public var filtering: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, establishmentID: UUID, technology: Technology, provider: String?, downMbps: Double, upMbps: Double, filtering: Bool,
        version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.establishmentID = establishmentID
        self.technology = technology
        self.provider = provider
        self.downMbps = downMbps
        self.upMbps = upMbps
        self.filtering = filtering
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Plan France THD: très haut débit from 30 Mbit/s down.
    public var isVeryHighSpeed: Bool { downMbps >= 30 }
}

public struct InternetLinkInput: Codable, Sendable {
    public var establishmentID: UUID?
    public var technology: String?
    public var provider: String?
    public var downMbps: Double?
    public var upMbps: Double?
    public var filtering: Bool?

    public init(
        establishmentID: UUID? = nil, technology: String? = nil, provider: String? = nil, downMbps: Double? = nil, upMbps: Double? = nil,
        filtering: Bool? = nil
    ) {
        self.establishmentID = establishmentID
        self.technology = technology
        self.provider = provider
        self.downMbps = downMbps
        self.upMbps = upMbps
        self.filtering = filtering
    }

    public func validate() throws(ParcError) -> InternetLinkInput {
        var v = Validator()
        _ = v.require(establishmentID, "establishment_id")
        _ = v.enumValue(technology, "technology", as: InternetLink.Technology.self)
        _ = v.range(v.require(downMbps, "down_mbps"), "down_mbps", 0.01...100_000)
        _ = v.range(v.require(upMbps, "up_mbps"), "up_mbps", 0.01...100_000)
        let provider = v.optionalText(self.provider, "provider", maxLength: 100)
        try v.check()
        var valid = self
        valid.provider = provider
        valid.filtering = filtering ?? false
        return valid
    }
}

/// One measurement of a link's real throughput (a speed test, or later an agent's report).
public struct ThroughputSample: Codable, Equatable, Sendable, Identifiable {
    public enum Source: String, Codable, CaseIterable, Sendable {
        case speedtest, agent, manual
    }

    public var id: UUID
    public var linkID: UUID
    public var establishmentID: UUID
    public var measuredAt: Date
    public var downMbps: Double
    public var upMbps: Double?
    public var source: Source

    public init(id: UUID, linkID: UUID, establishmentID: UUID, measuredAt: Date, downMbps: Double, upMbps: Double?, source: Source) {
        self.id = id
        self.linkID = linkID
        self.establishmentID = establishmentID
        self.measuredAt = measuredAt
        self.downMbps = downMbps
        self.upMbps = upMbps
        self.source = source
    }
}

public struct ThroughputSampleInput: Codable, Sendable {
    public var measuredAt: Date?
    public var downMbps: Double?
    public var upMbps: Double?
    public var source: String?

    public init(measuredAt: Date? = nil, downMbps: Double? = nil, upMbps: Double? = nil, source: String? = nil) {
        self.measuredAt = measuredAt
        self.downMbps = downMbps
        self.upMbps = upMbps
        self.source = source
    }

    public func validate(now: Date) throws(ParcError) -> (measuredAt: Date, downMbps: Double, upMbps: Double?, source: ThroughputSample.Source) {
        var v = Validator()
        let down = v.range(v.require(downMbps, "down_mbps"), "down_mbps", 0...100_000)
        let up = v.range(upMbps, "up_mbps", 0...100_000)
        let source = v.enumValue(self.source ?? "manual", "source", as: ThroughputSample.Source.self)
        let at = measuredAt ?? now
        if at > now.addingTimeInterval(300) { v.fail("measured_at", "must not be in the future") }
        try v.check()
        return (at, down!, up, source!)
    }
}
