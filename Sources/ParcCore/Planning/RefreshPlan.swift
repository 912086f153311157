public import Foundation

/// The fleet a plan starts from, gathered by the store in one pass. Units are compact on purpose: a région's
/// plan reads a million of them.
public struct PlanFacts: Sendable {
    public struct Site: Equatable, Sendable {
        public var id: UUID
        public var uai: String
        public var name: String
        public var kind: Establishment.Kind
        public var pupils: Int
        public init(id: UUID, uai: String, name: String, kind: Establishment.Kind, pupils: Int) {
            self.id = id
            self.uai = uai
            self.name = name
            self.kind = kind
            self.pupils = pupils
        }
    }

    /// One device, in 64 bytes: dates are kept as day numbers (a région's plan holds a million of these).
    public struct Unit: Equatable, Sendable {
        public var id: UUID
        public var modelID: UUID
        /// Index into `sites`.
        public var site: Int32
        /// Days since 1970 of purchase, warranty end and planned refresh; `Unit.none` when unknown.
        var purchaseDay: Int32
        var warrantyEndDay: Int32
        var plannedRefreshDay: Int32
        /// The latest battery health the agent reported, in percent; negative when unknown.
        var batteryPercent: Float
        /// Tickets about this device opened in the last twelve months.
        public var failures: Int32
        public var kind: DeviceModel.Kind
        /// Lost or stolen: no longer in the hands of pupils, replaced first when the policy says so.
        public var lost: Bool

        static let none = Int32.min

        public init(
            id: UUID, site: Int32, kind: DeviceModel.Kind, modelID: UUID, lost: Bool = false, purchase: LocalDate?, warrantyEnd: LocalDate? = nil,
            plannedRefresh: LocalDate? = nil, batteryHealth: Double? = nil, failures: Int = 0
        ) {
            self.id = id
            self.site = site
            self.kind = kind
            self.modelID = modelID
            self.lost = lost
            purchaseDay = purchase.map { Int32($0.daysSinceEpoch) } ?? Unit.none
            warrantyEndDay = warrantyEnd.map { Int32($0.daysSinceEpoch) } ?? Unit.none
            plannedRefreshDay = plannedRefresh.map { Int32($0.daysSinceEpoch) } ?? Unit.none
            batteryPercent = batteryHealth.map { Float($0) } ?? -1
            self.failures = Int32(clamping: failures)
        }

        public var purchase: LocalDate? { Unit.date(purchaseDay) }
        public var warrantyEnd: LocalDate? { Unit.date(warrantyEndDay) }
        public var plannedRefresh: LocalDate? { Unit.date(plannedRefreshDay) }
        public var batteryHealth: Double? { batteryPercent < 0 ? nil : Double(batteryPercent) }

        static func date(_ day: Int32) -> LocalDate? { day == none ? nil : LocalDate(daysSinceEpoch: Int(day)) }
    }

    public var sites: [Site]
    public var units: [Unit]
    /// Catalogue lifespans, the fallback when the policy names none for a kind or model.
    public var modelLifespans: [UUID: Int]
    /// Tickets per 100 devices of each model over the last twelve months.
    public var modelFailureRates: [UUID: Double]

    public init(sites: [Site], units: [Unit], modelLifespans: [UUID: Int] = [:], modelFailureRates: [UUID: Double] = [:]) {
        self.sites = sites
        self.units = units
        self.modelLifespans = modelLifespans
        self.modelFailureRates = modelFailureRates
    }
}

/// A multi-year refresh plan: what is bought each year and why, who pays, what is left, and how equal the
/// establishments end up.
public struct RefreshPlan: Codable, Equatable, Sendable {
    /// The funder name of whatever the programmes do not cover.
    public static let ownShareFunder = "collectivite"

    public enum Reason: String, Codable, CaseIterable, Sendable {
        case lost
        case batteryHealth = "battery_health"
        /// Out of warranty and failing: the device's own tickets, or its model's failure rate.
        case failures
        /// The planned refresh date recorded on the device comes before its end of life.
        case planned
        case age
        /// Bought to bring an establishment towards the equity target.
        case equity

        /// The base of the priority score: broken or missing equipment before ageing equipment.
        var weight: Double {
            switch self {
            case .lost: 400
            case .batteryHealth: 300
            case .failures: 250
            case .planned: 150
            case .age: 100
            case .equity: 0
            }
        }
    }

    public enum Action: String, Codable, CaseIterable, Sendable {
        case replace
        case add
        /// Still beyond its lifespan at the end of the horizon: the budget ran out.
        case backlog
    }

    public struct FunderAmount: Codable, Equatable, Sendable {
        public var funder: String
        public var cents: Int
        public init(funder: String, cents: Int) {
            self.funder = funder
            self.cents = cents
        }
    }

    public struct ReasonCount: Codable, Equatable, Sendable {
        public var reason: Reason
        public var devices: Int
        public init(reason: Reason, devices: Int) {
            self.reason = reason
            self.devices = devices
        }
    }

    public struct Line: Codable, Equatable, Sendable {
        public var year: Int
        public var action: Action
        /// The device replaced (or left in the backlog); nil for a device added for equity.
        public var deviceID: UUID?
        public var establishmentID: UUID
        public var kind: DeviceModel.Kind
        public var modelID: UUID?
        public var reason: Reason
        /// Higher goes first: the reason's weight, plus months overdue (up to 120), plus the establishment's
        /// shortfall below the equity target in devices per 100 pupils (up to 50).
        public var score: Double
        public var overdueMonths: Int
        public var refurbished: Bool
        public var costCents: Int
        /// One amount per programme, in the plan's programme order; the rest is the collectivité's.
        public var subsidiesCents: [Int]
        public var ownCents: Int
        public init(
            year: Int, action: Action, deviceID: UUID?, establishmentID: UUID, kind: DeviceModel.Kind, modelID: UUID?, reason: Reason, score: Double,
            overdueMonths: Int, refurbished: Bool, costCents: Int, subsidiesCents: [Int], ownCents: Int
        ) {
            self.year = year
            self.action = action
            self.deviceID = deviceID
            self.establishmentID = establishmentID
            self.kind = kind
            self.modelID = modelID
            self.reason = reason
            self.score = score
            self.overdueMonths = overdueMonths
            self.refurbished = refurbished
            self.costCents = costCents
            self.subsidiesCents = subsidiesCents
            self.ownCents = ownCents
        }
    }

    public struct Year: Codable, Equatable, Sendable {
        public var year: Int
        public var budgetCents: Int
        /// What was charged against the budget (the own share or the total cost, as the plan says).
        public var chargedCents: Int
        public var totalCents: Int
        public var funders: [FunderAmount]
        public var replaced: Int
        public var added: Int
        public var refurbished: Int
        public var replacedByReason: [ReasonCount]
        /// Devices due by the end of the year and not replaced, and what replacing them would cost.
        public var backlogDevices: Int
        public var backlogCostCents: Int
        public init(
            year: Int, budgetCents: Int, chargedCents: Int = 0, totalCents: Int = 0, funders: [FunderAmount] = [], replaced: Int = 0, added: Int = 0,
            refurbished: Int = 0, replacedByReason: [ReasonCount] = [], backlogDevices: Int = 0, backlogCostCents: Int = 0
        ) {
            self.year = year
            self.budgetCents = budgetCents
            self.chargedCents = chargedCents
            self.totalCents = totalCents
            self.funders = funders
            self.replaced = replaced
            self.added = added
            self.refurbished = refurbished
            self.replacedByReason = replacedByReason
            self.backlogDevices = backlogDevices
            self.backlogCostCents = backlogCostCents
        }
    }

    public struct EstablishmentOutcome: Codable, Equatable, Sendable {
        public var establishmentID: UUID
        public var uai: String
        public var name: String
        public var kind: Establishment.Kind
        public var pupils: Int
        public var target: Double?
        /// Client devices (tablets, laptops, desktops, Chromebooks) per 100 pupils, at the start and at the end.
        public var devicesPer100PupilsBefore: Double?
        public var devicesPer100PupilsAfter: Double?
        public var replaced: Int
        public var added: Int
        public var costCents: Int
        public var backlogDevices: Int
        public init(
            establishmentID: UUID, uai: String, name: String, kind: Establishment.Kind, pupils: Int, target: Double?,
            devicesPer100PupilsBefore: Double?,
            devicesPer100PupilsAfter: Double?, replaced: Int, added: Int, costCents: Int, backlogDevices: Int
        ) {
            self.establishmentID = establishmentID
            self.uai = uai
            self.name = name
            self.kind = kind
            self.pupils = pupils
            self.target = target
            self.devicesPer100PupilsBefore = devicesPer100PupilsBefore
            self.devicesPer100PupilsAfter = devicesPer100PupilsAfter
            self.replaced = replaced
            self.added = added
            self.costCents = costCents
            self.backlogDevices = backlogDevices
        }
    }

    /// How unequal establishments are, in client devices per 100 pupils (establishments with pupils only).
    public struct Equity: Codable, Equatable, Sendable {
        public var establishments: Int
        public var belowTarget: Int
        public var p10: Double?
        public var median: Double?
        public var p90: Double?
        /// p90 − p10: the headline "equity spread" scenarios are compared on.
        public var spread: Double?
        public init(establishments: Int, belowTarget: Int, p10: Double?, median: Double?, p90: Double?, spread: Double?) {
            self.establishments = establishments
            self.belowTarget = belowTarget
            self.p10 = p10
            self.median = median
            self.p90 = p90
            self.spread = spread
        }
    }

    public struct Summary: Codable, Equatable, Sendable {
        public var devicesConsidered: Int
        /// Devices of kinds the plan has no replacement for, left out of it.
        public var devicesNotPlanned: Int
        /// Devices without a purchase date or planned refresh: their age is unknown, so only telemetry and
        /// tickets can make them due.
        public var devicesUndated: Int
        public var totalCents: Int
        public var funders: [FunderAmount]
        public var replaced: Int
        public var added: Int
        public var backlogDevices: Int
        public var backlogCostCents: Int
        public var equityBefore: Equity
        public var equityAfter: Equity
        public init(
            devicesConsidered: Int, devicesNotPlanned: Int, devicesUndated: Int, totalCents: Int, funders: [FunderAmount], replaced: Int, added: Int,
            backlogDevices: Int, backlogCostCents: Int, equityBefore: Equity, equityAfter: Equity
        ) {
            self.devicesConsidered = devicesConsidered
            self.devicesNotPlanned = devicesNotPlanned
            self.devicesUndated = devicesUndated
            self.totalCents = totalCents
            self.funders = funders
            self.replaced = replaced
            self.added = added
            self.backlogDevices = backlogDevices
            self.backlogCostCents = backlogCostCents
            self.equityBefore = equityBefore
            self.equityAfter = equityAfter
        }
    }

    public var name: String
    public var firstYear: Int
    public var lastYear: Int
    /// Programme names in order, then the collectivité's own share.
    public var funders: [String]
    public var years: [Year]
    public var summary: Summary
    public var establishments: [EstablishmentOutcome]
    /// Replacements, additions, and the final backlog, in plan order.
    public var lines: [Line]
    /// Limits the planner hit, if any.
    public var notes: [String]

    public init(
        name: String, firstYear: Int, lastYear: Int, funders: [String], years: [Year], summary: Summary, establishments: [EstablishmentOutcome],
        lines: [Line], notes: [String] = []
    ) {
        self.name = name
        self.firstYear = firstYear
        self.lastYear = lastYear
        self.funders = funders
        self.years = years
        self.summary = summary
        self.establishments = establishments
        self.lines = lines
        self.notes = notes
    }
}
