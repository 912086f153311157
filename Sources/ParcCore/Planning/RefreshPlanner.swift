import Foundation

/// Builds a refresh plan year by year. Deterministic: devices are ordered by id before anything else, every
/// amount is in whole cents, and ties always break on the same key, so the same fleet and the same request give
/// the same plan.
///
/// Each year: (1) every device due by 31 December is scored (reason weight + months overdue + its establishment's
/// shortfall below the equity target) and bought in score order while the budget allows (a purchase that does not
/// fit is skipped, so a cheaper one after it can still be made); (2) what is left buys devices for the establishments
/// furthest below their equity target, one at a time; (3) what stayed due is that year's backlog.
public enum RefreshPlanner {
    /// Additions for equity stop here: a target far above the fleet must not exhaust memory.
    public static let maxAdditions = 2_000_000

    public static func plan(_ facts: PlanFacts, _ p: RefreshPlanParameters) -> RefreshPlan {
        var state = PlannerState(facts: facts, parameters: p)
        var years: [RefreshPlan.Year] = []
        for year in p.years { years.append(state.run(year: year)) }
        return state.finish(years: years)
    }
}

/// One position in the fleet: a device, then whatever the plan buys in its place.
private struct Slot {
    var site: Int32
    var kind: DeviceModel.Kind
    var deviceID: UUID?
    var modelID: UUID?
    var priced: Bool
    var client: Bool
    var lost: Bool
    /// A reason that makes the device due whatever its age, until it is replaced.
    var urgent: RefreshPlan.Reason?
    /// Days since 1970 when age (or the planned refresh date) makes it due; `Int32.max` when unknown.
    var dueDay: Int32
    var dueReason: RefreshPlan.Reason
}

private struct PlannerState {
    let p: RefreshPlanParameters
    let sites: [PlanFacts.Site]
    /// Tie-break order of establishments: by id.
    let siteRank: [Int32]
    let targets: [RefreshPlanParameters.EquityTarget?]
    let programmeCount: Int
    var slots: [Slot] = []
    var clientCount: [Int]
    let countBefore: [Int]
    var refurbishedCounter: [DeviceModel.Kind: Int] = [:]
    var capUsed: [Int]
    var lines: [RefreshPlan.Line] = []
    var notes: [String] = []
    var considered = 0
    var notPlanned = 0
    var undated = 0
    var additions = 0
    var siteReplaced: [Int]
    var siteAdded: [Int]
    var siteCost: [Int]
    var siteBacklog: [Int]
    var lastDue: [(score: Double, slot: Int32, overdue: Int, reason: RefreshPlan.Reason)] = []

    init(facts: PlanFacts, parameters p: RefreshPlanParameters) {
        self.p = p
        sites = facts.sites
        let order = facts.sites.indices.sorted { PlannerState.less(facts.sites[$0].id, facts.sites[$1].id) }
        var rank = [Int32](repeating: 0, count: facts.sites.count)
        for (r, i) in order.enumerated() { rank[i] = Int32(r) }
        siteRank = rank
        targets = facts.sites.map { p.equityTargets[$0.kind] }
        programmeCount = p.programmes.count
        capUsed = [Int](repeating: 0, count: p.programmes.count * facts.sites.count)
        siteReplaced = [Int](repeating: 0, count: facts.sites.count)
        siteAdded = siteReplaced
        siteCost = siteReplaced
        siteBacklog = siteReplaced

        let firstDay = LocalDate(year: p.years.lowerBound, month: 1, day: 1)!
        let units = facts.units.sorted { PlannerState.less($0.id, $1.id) }
        var count = [Int](repeating: 0, count: facts.sites.count)
        slots.reserveCapacity(units.count)
        for unit in units {
            if unit.lost && !p.replaceLost { continue }
            considered += 1
            let priced = p.prices[unit.kind] != nil
            if !priced { notPlanned += 1 }
            let client = unit.kind.isClientDevice
            if client && !unit.lost { count[Int(unit.site)] += 1 }
            let lifespan = p.modelLifespans[unit.modelID] ?? p.kindLifespans[unit.kind] ?? facts.modelLifespans[unit.modelID] ?? 60
            var dueDay = Int32.max
            var dueReason = RefreshPlan.Reason.age
            if let purchase = unit.purchase { dueDay = Int32(purchase.adding(months: lifespan).daysSinceEpoch) }
            if let planned = unit.plannedRefresh, Int32(planned.daysSinceEpoch) < dueDay {
                dueDay = Int32(planned.daysSinceEpoch)
                dueReason = .planned
            }
            var urgent: RefreshPlan.Reason?
            if unit.lost {
                urgent = .lost
            } else if let threshold = p.batteryHealthBelow, let health = unit.batteryHealth, health < threshold {
                urgent = .batteryHealth
            } else {
                // Out of warranty: its recorded end, or the two-year legal guarantee from purchase; unknown counts as out.
                let warrantyEnd = unit.warrantyEnd ?? unit.purchase?.adding(months: 24)
                let outOfWarranty = warrantyEnd.map { $0 < firstDay } ?? true
                let ownFailures = p.failuresWithin12Months.map { unit.failures >= $0 } ?? false
                let modelFailures =
                    p.modelFailuresPer100Devices.flatMap { threshold in facts.modelFailureRates[unit.modelID].map { $0 >= threshold } } ?? false
                if outOfWarranty && (ownFailures || modelFailures) { urgent = .failures }
            }
            if priced && dueDay == Int32.max && urgent == nil { undated += 1 }
            slots.append(
                Slot(
                    site: unit.site, kind: unit.kind, deviceID: unit.id, modelID: unit.modelID, priced: priced, client: client, lost: unit.lost,
                    urgent: urgent, dueDay: dueDay, dueReason: dueReason))
        }
        clientCount = count
        countBefore = count
    }

    /// UUIDs compared byte by byte, as both databases order them.
    static func less(_ a: UUID, _ b: UUID) -> Bool {
        let x = a.uuid
        let y = b.uuid
        return withUnsafeBytes(of: x) { xb in
            withUnsafeBytes(of: y) { yb in
                for i in 0..<16 where xb[i] != yb[i] { return xb[i] < yb[i] }
                return false
            }
        }
    }

    func ratio(_ site: Int, _ count: Int) -> Double? {
        sites[site].pupils > 0 ? Double(count) * 100 / Double(sites[site].pupils) : nil
    }

    func shortfall(_ site: Int) -> Double {
        guard let target = targets[site], let ratio = ratio(site, clientCount[site]) else { return 0 }
        return max(0, target.devicesPer100Pupils - ratio)
    }

    /// No purchase can charge the budget less than this: the cheapest price, less every programme's share.
    var lowestCharge: Int {
        let cheapest = p.prices.values.map { min($0.unitCents, $0.refurbishedUnitCents) }.min() ?? 0
        guard p.budgetCovers == .ownShare else { return cheapest }
        let shares = min(100, p.programmes.reduce(0) { $0 + $1.sharePercent })
        return cheapest * (100 - shares) / 100
    }

    func lifespan(ofReplacement kind: DeviceModel.Kind) -> Int {
        let price = p.prices[kind]
        return price?.modelID.flatMap { p.modelLifespans[$0] } ?? p.kindLifespans[kind] ?? price?.lifespanMonths ?? 60
    }

    /// The next purchase of a kind: refurbished for the configured share, spread evenly over the purchases.
    func nextPrice(_ kind: DeviceModel.Kind) -> (cents: Int, refurbished: Bool) {
        let price = p.prices[kind]!
        let n = refurbishedCounter[kind] ?? 0
        let refurbished = (n + 1) * price.refurbishedPercent / 100 > n * price.refurbishedPercent / 100
        return refurbished ? (price.refurbishedUnitCents, true) : (price.unitCents, false)
    }

    /// Each applicable programme pays its share of the cost, within what is left of its cap for the establishment.
    func funding(cost: Int, kind: DeviceModel.Kind, site: Int, year: Int) -> [Int] {
        var subsidies = [Int](repeating: 0, count: programmeCount)
        var covered = 0
        for (j, programme) in p.programmes.enumerated() {
            guard programme.years.contains(year), programme.kinds.isEmpty || programme.kinds.contains(kind),
                programme.establishmentKinds.isEmpty || programme.establishmentKinds.contains(sites[site].kind)
            else { continue }
            var amount = cost * programme.sharePercent / 100
            if let cap = programme.capPerPupilCents {
                amount = min(amount, max(0, cap * sites[site].pupils - capUsed[j * sites.count + site]))
            }
            amount = min(amount, cost - covered)
            subsidies[j] = amount
            covered += amount
        }
        return subsidies
    }

    mutating func run(year: Int) -> RefreshPlan.Year {
        let endDay = Int32(LocalDate(year: year, month: 12, day: 31)!.daysSinceEpoch)
        let buyDate = LocalDate(year: year, month: 7, day: 1)!
        let budget = p.budgets[year] ?? 0
        let minimumCharge = lowestCharge
        var summary = RefreshPlan.Year(year: year, budgetCents: budget)
        var funders = [Int](repeating: 0, count: programmeCount + 1)
        var byReason: [RefreshPlan.Reason: Int] = [:]
        for j in p.programmes.indices where p.programmes[j].capPeriod == .year {
            for s in sites.indices { capUsed[j * sites.count + s] = 0 }
        }
        let shortfalls = sites.indices.map { min(50, shortfall($0)) }

        var due: [(score: Double, slot: Int32, overdue: Int, reason: RefreshPlan.Reason)] = []
        for i in slots.indices where slots[i].priced {
            let slot = slots[i]
            let reason: RefreshPlan.Reason
            if let urgent = slot.urgent {
                reason = urgent
            } else if slot.dueDay <= endDay {
                reason = slot.dueReason
            } else {
                continue
            }
            let overdue = slot.dueDay <= endDay ? Int(endDay - slot.dueDay) * 12 / 365 : 0
            let score = reason.weight + Double(min(overdue, 120)) + shortfalls[Int(slot.site)]
            due.append((score, Int32(i), overdue, reason))
        }
        due.sort { $0.score != $1.score ? $0.score > $1.score : $0.slot < $1.slot }

        var left: [(score: Double, slot: Int32, overdue: Int, reason: RefreshPlan.Reason)] = []
        for (k, candidate) in due.enumerated() {
            // Past this point nothing fits any more: the rest is backlog without pricing each one.
            if budget - summary.chargedCents < minimumCharge {
                left.append(contentsOf: due[k...])
                break
            }
            let i = Int(candidate.slot)
            let slot = slots[i]
            let site = Int(slot.site)
            let (cost, refurbished) = nextPrice(slot.kind)
            let subsidies = funding(cost: cost, kind: slot.kind, site: site, year: year)
            let own = cost - subsidies.reduce(0, +)
            let charge = p.budgetCovers == .ownShare ? own : cost
            guard summary.chargedCents + charge <= budget else {
                left.append(candidate)
                continue
            }
            commit(cost: cost, subsidies: subsidies, site: site, kind: slot.kind, refurbished: refurbished, into: &funders)
            summary.chargedCents += charge
            summary.replaced += 1
            byReason[candidate.reason, default: 0] += 1
            siteReplaced[site] += 1
            lines.append(
                RefreshPlan.Line(
                    year: year, action: .replace, deviceID: slot.deviceID, establishmentID: sites[site].id, kind: slot.kind, modelID: slot.modelID,
                    reason: candidate.reason, score: (candidate.score * 10).rounded() / 10, overdueMonths: candidate.overdue,
                    refurbished: refurbished,
                    costCents: cost, subsidiesCents: subsidies, ownCents: own))
            if slot.lost && slot.client { clientCount[site] += 1 }
            slots[i].lost = false
            slots[i].urgent = nil
            slots[i].modelID = p.prices[slot.kind]?.modelID
            slots[i].dueDay = Int32(buyDate.adding(months: lifespan(ofReplacement: slot.kind)).daysSinceEpoch)
            slots[i].dueReason = .age
        }

        summary.added = addForEquity(year: year, buyDate: buyDate, budget: budget, summary: &summary, funders: &funders)
        summary.backlogDevices = left.count
        summary.backlogCostCents = left.reduce(0) { $0 + p.prices[slots[Int($1.slot)].kind]!.unitCents }
        summary.totalCents = funders.reduce(0, +)
        summary.funders = zip(p.programmes.map(\.name) + [RefreshPlan.ownShareFunder], funders).map {
            RefreshPlan.FunderAmount(funder: $0, cents: $1)
        }
        summary.replacedByReason = RefreshPlan.Reason.allCases.compactMap { reason in byReason[reason].map { .init(reason: reason, devices: $0) } }
        summary.refurbished = lines.reversed().prefix { $0.year == year }.filter(\.refurbished).count
        lastDue = left
        return summary
    }

    mutating func commit(cost: Int, subsidies: [Int], site: Int, kind: DeviceModel.Kind, refurbished: Bool, into funders: inout [Int]) {
        for (j, amount) in subsidies.enumerated() where amount > 0 {
            funders[j] += amount
            capUsed[j * sites.count + site] += amount
        }
        funders[programmeCount] += cost - subsidies.reduce(0, +)
        refurbishedCounter[kind, default: 0] += 1
        siteCost[site] += cost
    }

    /// Spends what is left on the establishment furthest below its target, one device at a time.
    mutating func addForEquity(year: Int, buyDate: LocalDate, budget: Int, summary: inout RefreshPlan.Year, funders: inout [Int]) -> Int {
        var heap = SiteHeap()
        let minimumCharge = lowestCharge
        for s in sites.indices {
            let gap = shortfall(s)
            if gap > 0 { heap.push(gap: gap, rank: siteRank[s], site: Int32(s)) }
        }
        var added = 0
        while budget - summary.chargedCents >= minimumCharge, let top = heap.pop() {
            guard additions < RefreshPlanner.maxAdditions else {
                notes.append("equity additions stopped at \(RefreshPlanner.maxAdditions) devices")
                break
            }
            let site = Int(top.site)
            let kind = targets[site]!.deviceKind
            let (cost, refurbished) = nextPrice(kind)
            let subsidies = funding(cost: cost, kind: kind, site: site, year: year)
            let own = cost - subsidies.reduce(0, +)
            let charge = p.budgetCovers == .ownShare ? own : cost
            guard summary.chargedCents + charge <= budget else { continue }
            commit(cost: cost, subsidies: subsidies, site: site, kind: kind, refurbished: refurbished, into: &funders)
            summary.chargedCents += charge
            added += 1
            additions += 1
            siteAdded[site] += 1
            clientCount[site] += 1
            lines.append(
                RefreshPlan.Line(
                    year: year, action: .add, deviceID: nil, establishmentID: sites[site].id, kind: kind, modelID: p.prices[kind]?.modelID,
                    reason: .equity, score: (top.gap * 10).rounded() / 10, overdueMonths: 0, refurbished: refurbished, costCents: cost,
                    subsidiesCents: subsidies, ownCents: own))
            slots.append(
                Slot(
                    site: Int32(site), kind: kind, deviceID: nil, modelID: p.prices[kind]?.modelID, priced: true, client: true, lost: false,
                    urgent: nil,
                    dueDay: Int32(buyDate.adding(months: lifespan(ofReplacement: kind)).daysSinceEpoch), dueReason: .age))
            let gap = shortfall(site)
            if gap > 0 { heap.push(gap: gap, rank: top.rank, site: top.site) }
        }
        return added
    }

    mutating func finish(years: [RefreshPlan.Year]) -> RefreshPlan {
        let lastYear = p.years.upperBound
        for candidate in lastDue {
            let slot = slots[Int(candidate.slot)]
            siteBacklog[Int(slot.site)] += 1
            lines.append(
                RefreshPlan.Line(
                    year: lastYear, action: .backlog, deviceID: slot.deviceID, establishmentID: sites[Int(slot.site)].id, kind: slot.kind,
                    modelID: slot.modelID, reason: candidate.reason, score: (candidate.score * 10).rounded() / 10, overdueMonths: candidate.overdue,
                    refurbished: false, costCents: p.prices[slot.kind]!.unitCents, subsidiesCents: [], ownCents: 0))
        }
        var totals = [Int](repeating: 0, count: programmeCount + 1)
        for year in years {
            for (j, amount) in year.funders.enumerated() { totals[j] += amount.cents }
        }
        let names = p.programmes.map(\.name) + [RefreshPlan.ownShareFunder]
        let outcomes = sites.indices.sorted { siteRank[$0] < siteRank[$1] }.map { s in
            RefreshPlan.EstablishmentOutcome(
                establishmentID: sites[s].id, uai: sites[s].uai, name: sites[s].name, kind: sites[s].kind, pupils: sites[s].pupils,
                target: targets[s]?.devicesPer100Pupils, devicesPer100PupilsBefore: ratio(s, countBefore[s]).map(Self.round1),
                devicesPer100PupilsAfter: ratio(s, clientCount[s]).map(Self.round1), replaced: siteReplaced[s], added: siteAdded[s],
                costCents: siteCost[s], backlogDevices: siteBacklog[s])
        }
        let summary = RefreshPlan.Summary(
            devicesConsidered: considered, devicesNotPlanned: notPlanned, devicesUndated: undated, totalCents: totals.reduce(0, +),
            funders: zip(names, totals).map { .init(funder: $0, cents: $1) }, replaced: years.reduce(0) { $0 + $1.replaced },
            added: years.reduce(0) { $0 + $1.added }, backlogDevices: years.last?.backlogDevices ?? 0,
            backlogCostCents: years.last?.backlogCostCents ?? 0,
            equityBefore: equity(countBefore), equityAfter: equity(clientCount))
        var plan = RefreshPlan(
            name: p.name, firstYear: p.years.lowerBound, lastYear: lastYear, funders: names, years: years, summary: summary, establishments: outcomes,
            lines: lines)
        plan.notes = Array(Set(notes)).sorted()
        return plan
    }

    func equity(_ counts: [Int]) -> RefreshPlan.Equity {
        var ratios: [Double] = []
        var below = 0
        for s in sites.indices {
            guard let ratio = ratio(s, counts[s]) else { continue }
            ratios.append(ratio)
            if let target = targets[s], ratio < target.devicesPer100Pupils { below += 1 }
        }
        ratios.sort()
        func rank(_ q: Double) -> Double? {
            ratios.isEmpty ? nil : Self.round1(ratios[max(0, Int((q * Double(ratios.count)).rounded(.up)) - 1)])
        }
        let p10 = rank(0.1)
        let p90 = rank(0.9)
        return RefreshPlan.Equity(
            establishments: ratios.count, belowTarget: below, p10: p10, median: rank(0.5), p90: p90,
            spread: p10.flatMap { low in p90.map { Self.round1($0 - low) } })
    }

    static func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

/// A max-heap of establishments by shortfall; equal shortfalls come out in id order.
private struct SiteHeap {
    struct Entry {
        var gap: Double
        var rank: Int32
        var site: Int32
        func before(_ other: Entry) -> Bool { gap != other.gap ? gap > other.gap : rank < other.rank }
    }

    var items: [Entry] = []

    mutating func push(gap: Double, rank: Int32, site: Int32) {
        items.append(Entry(gap: gap, rank: rank, site: site))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].before(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var best = i
                if l < items.count, items[l].before(items[best]) { best = l }
                if r < items.count, items[r].before(items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return first
    }
}
