public import Foundation

/// What a collectivité asks the refresh planner, as the API receives it. Every field is optional so that one
/// pass of validation names every missing or wrong field.
public struct RefreshPlanInput: Codable, Equatable, Sendable {
    public struct Budget: Codable, Equatable, Sendable {
        public var year: Int?
        public var amountCents: Int?
        public init(year: Int? = nil, amountCents: Int? = nil) {
            self.year = year
            self.amountCents = amountCents
        }
    }

    /// What a device of one kind is replaced with, and at what price.
    public struct Replacement: Codable, Equatable, Sendable {
        public var kind: String?
        public var modelID: UUID?
        public var unitPriceCents: Int?
        public var refurbishedSharePercent: Int?
        public var refurbishedUnitPriceCents: Int?
        public init(
            kind: String? = nil, modelID: UUID? = nil, unitPriceCents: Int? = nil, refurbishedSharePercent: Int? = nil,
            refurbishedUnitPriceCents: Int? = nil
        ) {
            self.kind = kind
            self.modelID = modelID
            self.unitPriceCents = unitPriceCents
            self.refurbishedSharePercent = refurbishedSharePercent
            self.refurbishedUnitPriceCents = refurbishedUnitPriceCents
        }
    }

    /// A co-funding programme: a share of each purchase, optionally capped per pupil of the establishment.
    public struct Programme: Codable, Equatable, Sendable {
        public var name: String?
        public var sharePercent: Int?
        public var capPerPupilCents: Int?
        /// `plan` (the cap is an envelope for the whole horizon, as the Plan numérique's) or `year`.
        public var capPeriod: String?
        public var kinds: [String]?
        public var establishmentKinds: [String]?
        public var firstYear: Int?
        public var lastYear: Int?
        public init(
            name: String? = nil, sharePercent: Int? = nil, capPerPupilCents: Int? = nil, capPeriod: String? = nil, kinds: [String]? = nil,
            establishmentKinds: [String]? = nil, firstYear: Int? = nil, lastYear: Int? = nil
        ) {
            self.name = name
            self.sharePercent = sharePercent
            self.capPerPupilCents = capPerPupilCents
            self.capPeriod = capPeriod
            self.kinds = kinds
            self.establishmentKinds = establishmentKinds
            self.firstYear = firstYear
            self.lastYear = lastYear
        }
    }

    /// A lifespan for a kind, or for one model (which wins over its kind's).
    public struct Lifespan: Codable, Equatable, Sendable {
        public var kind: String?
        public var modelID: UUID?
        public var months: Int?
        public init(kind: String? = nil, modelID: UUID? = nil, months: Int? = nil) {
            self.kind = kind
            self.modelID = modelID
            self.months = months
        }
    }

    public struct EquityTarget: Codable, Equatable, Sendable {
        public var establishmentKind: String?
        public var devicesPer100Pupils: Double?
        /// The kind bought to raise an establishment towards the target.
        public var deviceKind: String?
        public init(establishmentKind: String? = nil, devicesPer100Pupils: Double? = nil, deviceKind: String? = nil) {
            self.establishmentKind = establishmentKind
            self.devicesPer100Pupils = devicesPer100Pupils
            self.deviceKind = deviceKind
        }
    }

    public struct Policy: Codable, Equatable, Sendable {
        public var lifespans: [Lifespan]?
        public var batteryHealthBelowPercent: Double?
        public var failuresWithin12Months: Int?
        public var modelFailuresPer100Devices: Double?
        public var replaceLost: Bool?
        public var equityTargets: [EquityTarget]?
        public init(
            lifespans: [Lifespan]? = nil, batteryHealthBelowPercent: Double? = nil, failuresWithin12Months: Int? = nil,
            modelFailuresPer100Devices: Double? = nil, replaceLost: Bool? = nil, equityTargets: [EquityTarget]? = nil
        ) {
            self.lifespans = lifespans
            self.batteryHealthBelowPercent = batteryHealthBelowPercent
            self.failuresWithin12Months = failuresWithin12Months
            self.modelFailuresPer100Devices = modelFailuresPer100Devices
            self.replaceLost = replaceLost
            self.equityTargets = equityTargets
        }
    }

    public var name: String?
    public var collectiviteID: UUID?
    public var academieCode: String?
    public var establishmentIDs: [UUID]?
    public var firstYear: Int?
    public var lastYear: Int?
    /// The budget of every year not listed in `budgets`.
    public var annualBudgetCents: Int?
    public var budgets: [Budget]?
    /// `own_share` (the collectivité's vote covers its own share; subsidies come on top) or `total_cost`.
    public var budgetCovers: String?
    public var replacements: [Replacement]?
    public var funding: [Programme]?
    public var policy: Policy?

    public init(
        name: String? = nil, collectiviteID: UUID? = nil, academieCode: String? = nil, establishmentIDs: [UUID]? = nil, firstYear: Int? = nil,
        lastYear: Int? = nil, annualBudgetCents: Int? = nil, budgets: [Budget]? = nil, budgetCovers: String? = nil,
        replacements: [Replacement]? = nil, funding: [Programme]? = nil, policy: Policy? = nil
    ) {
        self.name = name
        self.collectiviteID = collectiviteID
        self.academieCode = academieCode
        self.establishmentIDs = establishmentIDs
        self.firstYear = firstYear
        self.lastYear = lastYear
        self.annualBudgetCents = annualBudgetCents
        self.budgets = budgets
        self.budgetCovers = budgetCovers
        self.replacements = replacements
        self.funding = funding
        self.policy = policy
    }

    public static let maxYears = 15
    public static let maxProgrammes = 8

    /// Checks everything and resolves model prices and lifespans from the catalogue.
    public func validate(models: [UUID: DeviceModel]) throws(ParcError) -> RefreshPlanParameters {
        var v = Validator()
        let name = v.optionalText(self.name, "name", maxLength: 120) ?? "Plan"
        let first = v.range(v.require(firstYear, "first_year"), "first_year", 2000...2100)
        let last = v.range(v.require(lastYear, "last_year"), "last_year", 2000...2100)
        var years: ClosedRange<Int>?
        if let first, let last {
            if last < first {
                v.fail("last_year", "must not be before first_year")
            } else if last - first + 1 > Self.maxYears {
                v.fail("last_year", "the horizon is at most \(Self.maxYears) years")
            } else {
                years = first...last
            }
        }
        let annual = v.range(annualBudgetCents, "annual_budget_cents", 0...1_000_000_000_000)
        var budgetByYear: [Int: Int] = [:]
        for (i, budget) in (budgets ?? []).enumerated() {
            let field = "budgets[\(i)]"
            guard let year = budget.year, let amount = budget.amountCents else {
                v.fail(field, "needs a year and an amount_cents")
                continue
            }
            if let years, !years.contains(year) { v.fail(field + ".year", "must lie within first_year…last_year") }
            if !(0...1_000_000_000_000).contains(amount) { v.fail(field + ".amount_cents", "must be between 0 and 1000000000000") }
            if budgetByYear.updateValue(amount, forKey: year) != nil { v.fail(field + ".year", "is listed twice") }
        }
        if let years, annual == nil, let missing = years.first(where: { budgetByYear[$0] == nil }) {
            v.fail("budgets", "has no amount for \(missing): list every year or give annual_budget_cents")
        }
        let covers = v.enumValue(
            budgetCovers ?? RefreshPlanParameters.BudgetCovers.ownShare.rawValue, "budget_covers", as: RefreshPlanParameters.BudgetCovers.self)

        var prices: [DeviceModel.Kind: RefreshPlanParameters.Price] = [:]
        for (i, replacement) in (replacements ?? []).enumerated() {
            let field = "replacements[\(i)]"
            let model = replacement.modelID.flatMap { models[$0] }
            if replacement.modelID != nil, model == nil { v.fail(field + ".model_id", "names no device model") }
            guard let kind = v.enumValue(replacement.kind ?? model?.kind.rawValue, field + ".kind", as: DeviceModel.Kind.self) else { continue }
            if let model, model.kind != kind { v.fail(field + ".model_id", "is a \(model.kind.rawValue), not a \(kind.rawValue)") }
            let price = v.range(replacement.unitPriceCents ?? model?.unitPriceCents, field + ".unit_price_cents", 1...100_000_000)
            if replacement.unitPriceCents == nil, model?.unitPriceCents == nil {
                v.fail(field + ".unit_price_cents", "is required (the model has no catalogue price)")
            }
            let share = v.range(replacement.refurbishedSharePercent ?? 0, field + ".refurbished_share_percent", 0...100) ?? 0
            let refurbishedPrice = v.range(replacement.refurbishedUnitPriceCents, field + ".refurbished_unit_price_cents", 1...100_000_000)
            if share > 0, replacement.refurbishedUnitPriceCents == nil {
                v.fail(field + ".refurbished_unit_price_cents", "is required when refurbished_share_percent is above 0")
            }
            if prices[kind] != nil { v.fail(field + ".kind", "is listed twice") }
            if let price {
                prices[kind] = .init(
                    modelID: model?.id, unitCents: price, refurbishedPercent: share, refurbishedUnitCents: refurbishedPrice ?? price,
                    lifespanMonths: model?.lifespanMonths)
            }
        }
        if (replacements ?? []).isEmpty { v.fail("replacements", "must name at least one device kind to replace, with its price") }

        var programmes: [RefreshPlanParameters.Programme] = []
        if (funding ?? []).count > Self.maxProgrammes { v.fail("funding", "lists at most \(Self.maxProgrammes) programmes") }
        for (i, programme) in (funding ?? []).prefix(Self.maxProgrammes).enumerated() {
            let field = "funding[\(i)]"
            let name = v.requireText(programme.name, field + ".name", maxLength: 80)
            if let name, name == RefreshPlan.ownShareFunder { v.fail(field + ".name", "is reserved for the collectivité's own share") }
            if let name, programmes.contains(where: { $0.name == name }) { v.fail(field + ".name", "is listed twice") }
            let share = v.range(v.require(programme.sharePercent, field + ".share_percent"), field + ".share_percent", 1...100)
            let cap = v.range(programme.capPerPupilCents, field + ".cap_per_pupil_cents", 0...100_000_000)
            let period = v.enumValue(programme.capPeriod ?? "plan", field + ".cap_period", as: RefreshPlanParameters.CapPeriod.self)
            var kinds: Set<DeviceModel.Kind> = []
            for (j, raw) in (programme.kinds ?? []).enumerated() {
                if let kind = v.enumValue(raw, field + ".kinds[\(j)]", as: DeviceModel.Kind.self) { kinds.insert(kind) }
            }
            var establishmentKinds: Set<Establishment.Kind> = []
            for (j, raw) in (programme.establishmentKinds ?? []).enumerated() {
                if let kind = v.enumValue(raw, field + ".establishment_kinds[\(j)]", as: Establishment.Kind.self) { establishmentKinds.insert(kind) }
            }
            let from = programme.firstYear ?? Int.min
            let to = programme.lastYear ?? Int.max
            if to < from { v.fail(field + ".last_year", "must not be before first_year") }
            if let name, let share, let period {
                programmes.append(
                    .init(
                        name: name, sharePercent: share, capPerPupilCents: cap, capPeriod: period, kinds: kinds,
                        establishmentKinds: establishmentKinds,
                        years: from...max(from, to)))
            }
        }

        let policy = self.policy ?? Policy()
        var kindLifespans: [DeviceModel.Kind: Int] = [:]
        var modelLifespans: [UUID: Int] = [:]
        for (i, lifespan) in (policy.lifespans ?? []).enumerated() {
            let field = "policy.lifespans[\(i)]"
            let months = v.range(v.require(lifespan.months, field + ".months"), field + ".months", 6...240)
            if let modelID = lifespan.modelID {
                if models[modelID] == nil { v.fail(field + ".model_id", "names no device model") }
                if let months { modelLifespans[modelID] = months }
            } else if let kind = v.enumValue(lifespan.kind, field + ".kind", as: DeviceModel.Kind.self), let months {
                kindLifespans[kind] = months
            }
        }
        let battery = v.range(policy.batteryHealthBelowPercent, "policy.battery_health_below_percent", 1...100)
        let failures = v.range(policy.failuresWithin12Months, "policy.failures_within_12_months", 1...1000)
        let modelRate = v.range(policy.modelFailuresPer100Devices, "policy.model_failures_per_100_devices", 1...10_000)
        var targets: [Establishment.Kind: RefreshPlanParameters.EquityTarget] = [:]
        for (i, target) in (policy.equityTargets ?? []).enumerated() {
            let field = "policy.equity_targets[\(i)]"
            let establishmentKind = v.enumValue(target.establishmentKind, field + ".establishment_kind", as: Establishment.Kind.self)
            let level = v.range(
                v.require(target.devicesPer100Pupils, field + ".devices_per_100_pupils"), field + ".devices_per_100_pupils", 0.1...500)
            let deviceKind = v.enumValue(target.deviceKind, field + ".device_kind", as: DeviceModel.Kind.self)
            if let deviceKind {
                if !deviceKind.isClientDevice {
                    v.fail(field + ".device_kind", "must be a device pupils work on (tablet, laptop, desktop, chromebook)")
                } else if prices[deviceKind] == nil {
                    v.fail(field + ".device_kind", "has no entry in replacements to give its price")
                }
            }
            if let establishmentKind, targets[establishmentKind] != nil { v.fail(field + ".establishment_kind", "is listed twice") }
            if let establishmentKind, let level, let deviceKind {
                targets[establishmentKind] = .init(devicesPer100Pupils: level, deviceKind: deviceKind)
            }
        }
        try v.check()
        var budgetsResolved: [Int: Int] = [:]
        for year in years! { budgetsResolved[year] = budgetByYear[year] ?? annual! }
        return RefreshPlanParameters(
            name: name, years: years!, budgets: budgetsResolved, budgetCovers: covers!, prices: prices, programmes: programmes,
            kindLifespans: kindLifespans, modelLifespans: modelLifespans, batteryHealthBelow: battery, failuresWithin12Months: failures,
            modelFailuresPer100Devices: modelRate, replaceLost: policy.replaceLost ?? true, equityTargets: targets)
    }
}

/// A validated request: everything the planner needs besides the fleet.
public struct RefreshPlanParameters: Equatable, Sendable {
    public enum BudgetCovers: String, Codable, CaseIterable, Sendable {
        case ownShare = "own_share"
        case totalCost = "total_cost"
    }

    public enum CapPeriod: String, Codable, CaseIterable, Sendable {
        case plan, year
    }

    public struct Price: Equatable, Sendable {
        public var modelID: UUID?
        public var unitCents: Int
        public var refurbishedPercent: Int
        public var refurbishedUnitCents: Int
        /// The replacement model's catalogue lifespan, used for the devices the plan buys.
        public var lifespanMonths: Int?
        public init(modelID: UUID? = nil, unitCents: Int, refurbishedPercent: Int = 0, refurbishedUnitCents: Int? = nil, lifespanMonths: Int? = nil) {
            self.modelID = modelID
            self.unitCents = unitCents
            self.refurbishedPercent = refurbishedPercent
            self.refurbishedUnitCents = refurbishedUnitCents ?? unitCents
            self.lifespanMonths = lifespanMonths
        }
    }

    public struct Programme: Equatable, Sendable {
        public var name: String
        public var sharePercent: Int
        public var capPerPupilCents: Int?
        public var capPeriod: CapPeriod
        /// Empty: every kind.
        public var kinds: Set<DeviceModel.Kind>
        /// Empty: every kind of establishment.
        public var establishmentKinds: Set<Establishment.Kind>
        public var years: ClosedRange<Int>
        public init(
            name: String, sharePercent: Int, capPerPupilCents: Int? = nil, capPeriod: CapPeriod = .plan, kinds: Set<DeviceModel.Kind> = [],
            establishmentKinds: Set<Establishment.Kind> = [], years: ClosedRange<Int> = Int.min...Int.max
        ) {
            self.name = name
            self.sharePercent = sharePercent
            self.capPerPupilCents = capPerPupilCents
            self.capPeriod = capPeriod
            self.kinds = kinds
            self.establishmentKinds = establishmentKinds
            self.years = years
        }
    }

    public struct EquityTarget: Equatable, Sendable {
        public var devicesPer100Pupils: Double
        public var deviceKind: DeviceModel.Kind
        public init(devicesPer100Pupils: Double, deviceKind: DeviceModel.Kind) {
            self.devicesPer100Pupils = devicesPer100Pupils
            self.deviceKind = deviceKind
        }
    }

    public var name: String
    public var years: ClosedRange<Int>
    public var budgets: [Int: Int]
    public var budgetCovers: BudgetCovers
    public var prices: [DeviceModel.Kind: Price]
    public var programmes: [Programme]
    public var kindLifespans: [DeviceModel.Kind: Int]
    public var modelLifespans: [UUID: Int]
    public var batteryHealthBelow: Double?
    public var failuresWithin12Months: Int?
    public var modelFailuresPer100Devices: Double?
    public var replaceLost: Bool
    public var equityTargets: [Establishment.Kind: EquityTarget]

    public init(
        name: String = "Plan", years: ClosedRange<Int>, budgets: [Int: Int], budgetCovers: BudgetCovers = .ownShare,
        prices: [DeviceModel.Kind: Price],
        programmes: [Programme] = [], kindLifespans: [DeviceModel.Kind: Int] = [:], modelLifespans: [UUID: Int] = [:],
        batteryHealthBelow: Double? = nil, failuresWithin12Months: Int? = nil, modelFailuresPer100Devices: Double? = nil, replaceLost: Bool = true,
        equityTargets: [Establishment.Kind: EquityTarget] = [:]
    ) {
        self.name = name
        self.years = years
        self.budgets = budgets
        self.budgetCovers = budgetCovers
        self.prices = prices
        self.programmes = programmes
        self.kindLifespans = kindLifespans
        self.modelLifespans = modelLifespans
        self.batteryHealthBelow = batteryHealthBelow
        self.failuresWithin12Months = failuresWithin12Months
        self.modelFailuresPer100Devices = modelFailuresPer100Devices
        self.replaceLost = replaceLost
        self.equityTargets = equityTargets
    }
}
