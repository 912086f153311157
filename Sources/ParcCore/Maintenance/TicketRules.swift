public import Foundation

/// A condition on what devices report that opens a ticket by itself (U18: GLPI users have asked for this for
/// years). One open ticket per device (or link) and rule: a rule that stays true opens nothing more.
public struct TicketRule: Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Battery health (current/design capacity) below `threshold` %.
        case batteryHealth = "battery_health"
        /// Free storage below `threshold` % of the total.
        case storageFull = "storage_full"
        /// No heartbeat for `threshold` full school days.
        case silent
        /// A tablet of a classe mobile last reported from an access point that is not its cart's.
        case offCart = "off_cart"
        /// An Internet link whose measured download is below `threshold` % of its contracted rate.
        case slowLink = "slow_link"
    }

    /// When the condition clears: resolve the ticket, or only note it so a person decides.
    public enum OnClear: String, Codable, CaseIterable, Sendable {
        case resolve, annotate
    }

    public var kind: Kind
    public var enabled: Bool
    public var threshold: Double
    public var category: Ticket.Category
    public var priority: Priority
    public var onClear: OnClear

    public init(kind: Kind, enabled: Bool, threshold: Double, category: Ticket.Category, priority: Priority, onClear: OnClear) {
        self.kind = kind
        self.enabled = enabled
        self.threshold = threshold
        self.category = category
        self.priority = priority
        self.onClear = onClear
    }

    /// The defaults documented in `Config/parc.example.yaml`.
    public static func standard(_ kind: Kind) -> TicketRule {
        switch kind {
        case .batteryHealth: TicketRule(kind: kind, enabled: true, threshold: 70, category: .hardware, priority: .low, onClear: .annotate)
        case .storageFull: TicketRule(kind: kind, enabled: true, threshold: 5, category: .software, priority: .medium, onClear: .resolve)
        case .silent: TicketRule(kind: kind, enabled: true, threshold: 10, category: .hardware, priority: .low, onClear: .resolve)
        case .offCart: TicketRule(kind: kind, enabled: true, threshold: 0, category: .hardware, priority: .medium, onClear: .resolve)
        case .slowLink: TicketRule(kind: kind, enabled: true, threshold: 50, category: .internetLink, priority: .medium, onClear: .resolve)
        }
    }

    /// The key that allows one open ticket per subject and rule.
    public func dedupKey(subject: UUID) -> String { "\(kind.rawValue):\(subject.uuidString.lowercased())" }
}

/// What a device last reported, as far as the rules need it.
public struct DeviceRuleFacts: Equatable, Sendable {
    public var deviceID: UUID
    public var establishmentID: UUID
    public var batteryHealth: Double?
    public var storageFree: Int64?
    public var storageTotal: Int64?
    public var lastSeen: Date
    public var bssid: String?
    /// The BSSIDs of its cart's access point, when it belongs to a cart whose access point is known.
    public var cartBSSIDs: Set<String>?

    public init(
        deviceID: UUID, establishmentID: UUID, batteryHealth: Double?, storageFree: Int64?, storageTotal: Int64?, lastSeen: Date,
        bssid: String?, cartBSSIDs: Set<String>?
    ) {
        self.deviceID = deviceID
        self.establishmentID = establishmentID
        self.batteryHealth = batteryHealth
        self.storageFree = storageFree
        self.storageTotal = storageTotal
        self.lastSeen = lastSeen
        self.bssid = bssid
        self.cartBSSIDs = cartBSSIDs
    }
}

/// A rule that holds, with the sentence that goes into the ticket.
public struct RuleFinding: Equatable, Sendable {
    public var rule: TicketRule.Kind
    public var subject: UUID
    public var establishmentID: UUID
    public var title: String
    public var detail: String
}

public enum RuleEvaluator {
    /// The device rules that hold. `silentBefore` is the start of the school day `silent.threshold` school days
    /// ago on the device's establishment calendar: a device last seen before it has been silent that long.
    public static func findings(_ facts: DeviceRuleFacts, rules: [TicketRule], silentBefore: Date?) -> [RuleFinding] {
        var found: [RuleFinding] = []
        for rule in rules where rule.enabled {
            func add(_ title: String, _ detail: String) {
                found.append(
                    RuleFinding(rule: rule.kind, subject: facts.deviceID, establishmentID: facts.establishmentID, title: title, detail: detail))
            }
            switch rule.kind {
            case .batteryHealth:
                if let health = facts.batteryHealth, health < rule.threshold {
                    add("Batterie usée (\(Int(health)) %)", "Battery health \(format(health)) % is below \(format(rule.threshold)) %.")
                }
            case .storageFull:
                if let free = facts.storageFree, let total = facts.storageTotal, total > 0 {
                    let percent = Double(free) * 100 / Double(total)
                    if percent < rule.threshold {
                        add(
                            "Stockage presque plein (\(format(percent)) % libre)",
                            "Free storage \(format(percent)) % is below \(format(rule.threshold)) %.")
                    }
                }
            case .silent:
                if let silentBefore, facts.lastSeen < silentBefore {
                    add(
                        "Appareil silencieux depuis \(Int(rule.threshold)) jours de classe",
                        "No heartbeat since \(ISO8601DateFormatter().string(from: facts.lastSeen)).")
                }
            case .offCart:
                if let cart = facts.cartBSSIDs, !cart.isEmpty, let bssid = facts.bssid, !cart.contains(bssid) {
                    add("Tablette hors de sa classe mobile", "Last reported from access point \(bssid), not from its cart's.")
                }
            case .slowLink:
                break  // links are judged by `linkFinding`
            }
        }
        return found
    }

    /// The slow-link rule for one Internet link: the median measured download against the contracted rate.
    public static func linkFinding(
        linkID: UUID, establishmentID: UUID, contractedDownMbps: Double, measuredDownMbps: Double?, rule: TicketRule
    ) -> RuleFinding? {
        guard rule.enabled, rule.kind == .slowLink, contractedDownMbps > 0, let measured = measuredDownMbps else { return nil }
        let percent = measured * 100 / contractedDownMbps
        guard percent < rule.threshold else { return nil }
        return RuleFinding(
            rule: .slowLink, subject: linkID, establishmentID: establishmentID,
            title: "Débit Internet mesuré à \(format(percent)) % du débit contractuel",
            detail:
                "Measured \(format(measured)) Mbit/s down against \(format(contractedDownMbps)) Mbit/s contracted (below \(format(rule.threshold)) %)."
        )
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}
