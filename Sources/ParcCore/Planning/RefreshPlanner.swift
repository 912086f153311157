import Foundation

/// Builds a refresh plan year by year. Deterministic: devices are ordered by id before anything else, every
/// amount is in whole cents, scores are compared in tenths, and ties always break on the same key, so the same
/// fleet and the same request give the same plan.
///
/// Each year: (1) every device due by 31 December is scored (reason weight + months overdue + its establishment's
/// shortfall below the equity target) and bought in score order while the budget allows (a purchase that does not
/// fit is skipped, so a cheaper one after it can still be made); (2) what is left buys devices for the establishments
/// furthest below their equity target, one at a time; (3) what stayed due is that year's backlog.
///
/// A région's plan reads a million devices, so the state is kept compact (16 bytes a device), kinds are array
/// indexes, candidates are ordered by a counting sort on the score, and no allocation happens per device.
public enum RefreshPlanner {
    /// Additions for equity stop here: a target far above the fleet must not exhaust memory.
    public static let maxAdditions = 2_000_000

    /// `lines: false` computes every figure but keeps no line (previews and comparisons do not need them).
    public static func plan(_ facts: PlanFacts, _ p: RefreshPlanParameters, lines: Bool = true) -> RefreshPlan {
        var state = PlannerState(facts: facts, parameters: p, keepLines: lines)
        var years: [RefreshPlan.Year] = []
        for year in p.years { years.append(state.run(year: year)) }
        return state.finish(years: years)
    }
}

/// One position in the fleet: a device, then whatever the plan buys in its place.
private struct Slot {
    var site: Int32
    /// Index into the sorted units; -1 for a device the plan added.
    var unit: Int32
    /// Days since 1970 when age (or the planned refresh date) makes it due; `Int32.max` when unknown.
    var dueDay: Int32
    var kind: UInt8
    /// 0, or `Reason` ordinal + 1 of a reason that makes the device due whatever its age, until replaced.
    var urgent: UInt8
    var dueReason: UInt8
    var flags: UInt8

    static let priced: UInt8 = 1
    static let client: UInt8 = 2
    static let lost: UInt8 = 4
    /// The position holds a device the plan bought: its model is the replacement model.
    static let renewed: UInt8 = 8

    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }
}

/// A due device of the year: 16 bytes, sorted by score (in tenths) then position. It carries its slot's site and
/// kind, so pricing and the backlog never jump to the slot in memory (the candidates are in score order, the
/// slots in id order: those jumps were most of the planner's time).
private struct Candidate {
    var slot: Int32
    var score10: Int32
    var site: Int32
    var overdue: Int16
    var reason: UInt8
    var kind: UInt8
}

private struct PlannerState {
    static let kinds = DeviceModel.Kind.allCases
    static let reasons = RefreshPlan.Reason.allCases

    let p: RefreshPlanParameters
    let keepLines: Bool
    let sites: [PlanFacts.Site]
    let units: [PlanFacts.Unit]
    /// Tie-break order of establishments: by id.
    let siteRank: [Int32]
    let targets: [RefreshPlanParameters.EquityTarget?]
    let programmeCount: Int
    // Per kind ordinal.
    let unitCents: [Int]
    let refurbishedCents: [Int]
    let refurbishedPercent: [Int]
    let replacementLifespan: [Int]
    let replacementModel: [UUID?]
    let lowestCharge: Int
    /// Whether programme j funds a kind (`j * kinds + kind`) and an establishment (`j * sites + site`).
    let fundsKind: [Bool]
    let fundsSite: [Bool]
    var slots: [Slot] = []
    var clientCount: [Int]
    let countBefore: [Int]
    var purchases: [Int]
    var capUsed: [Int]
    var scratch: [Int]
    var lines: [RefreshPlan.Line] = []
    var notes: Set<String> = []
    var considered = 0
    var notPlanned = 0
    var undated = 0
    var additions = 0
    var replacedTotal = 0
    var addedTotal = 0
    var siteReplaced: [Int]
    var siteAdded: [Int]
    var siteCost: [Int]
    var siteBacklog: [Int]
    var lastDue: [Candidate] = []

    init(facts: PlanFacts, parameters p: RefreshPlanParameters, keepLines: Bool) {
        self.p = p
        self.keepLines = keepLines
        sites = facts.sites
        let siteKeys = facts.sites.map { PlannerState.key($0.id) }
        let order = facts.sites.indices.sorted { siteKeys[$0] < siteKeys[$1] }
        var rank = [Int32](repeating: 0, count: facts.sites.count)
        for (r, i) in order.enumerated() { rank[i] = Int32(r) }
        siteRank = rank
        targets = facts.sites.map { p.equityTargets[$0.kind] }
        programmeCount = p.programmes.count
        capUsed = [Int](repeating: 0, count: p.programmes.count * facts.sites.count)
        scratch = [Int](repeating: 0, count: p.programmes.count)
        siteReplaced = [Int](repeating: 0, count: facts.sites.count)
        siteAdded = siteReplaced
        siteCost = siteReplaced
        siteBacklog = siteReplaced
        purchases = [Int](repeating: 0, count: Self.kinds.count)
        let prices = Self.kinds.map { p.prices[$0] }
        unitCents = prices.map { $0?.unitCents ?? 0 }
        refurbishedCents = prices.map { $0?.refurbishedUnitCents ?? 0 }
        refurbishedPercent = prices.map { $0?.refurbishedPercent ?? 0 }
        replacementModel = prices.map { $0?.modelID }
        replacementLifespan = zip(Self.kinds, prices).map { kind, price in
            price?.modelID.flatMap { p.modelLifespans[$0] } ?? p.kindLifespans[kind] ?? price?.lifespanMonths ?? 60
        }
        fundsKind = p.programmes.flatMap { programme in Self.kinds.map { programme.kinds.isEmpty || programme.kinds.contains($0) } }
        fundsSite = p.programmes.flatMap { programme in
            facts.sites.map { programme.establishmentKinds.isEmpty || programme.establishmentKinds.contains($0.kind) }
        }
        let cheapest = p.prices.values.map { min($0.unitCents, $0.refurbishedUnitCents) }.min() ?? 0
        // No purchase can charge the budget less than this: the cheapest price, less every programme's share.
        lowestCharge =
            p.budgetCovers == .ownShare ? cheapest * (100 - min(100, p.programmes.reduce(0) { $0 + $1.sharePercent })) / 100 : cheapest

        var byID = facts.units.indices.map { (key: PlannerState.key(facts.units[$0].id), index: Int32($0)) }
        byID.sort { $0.key < $1.key }
        let sorted = byID.map { facts.units[Int($0.index)] }
        units = sorted
        var count = [Int](repeating: 0, count: facts.sites.count)
        slots.reserveCapacity(sorted.count)
        let firstDay = LocalDate(year: p.years.lowerBound, month: 1, day: 1)!
        var kindIndex: [DeviceModel.Kind: UInt8] = [:]
        for (i, kind) in Self.kinds.enumerated() { kindIndex[kind] = UInt8(i) }
        for (n, unit) in sorted.enumerated() {
            if unit.lost && !p.replaceLost { continue }
            considered += 1
            let kind = kindIndex[unit.kind]!
            var flags: UInt8 = 0
            let priced = prices[Int(kind)] != nil
            if priced { flags |= Slot.priced } else { notPlanned += 1 }
            if unit.kind.isClientDevice { flags |= Slot.client }
            if unit.lost { flags |= Slot.lost }
            if unit.kind.isClientDevice && !unit.lost { count[Int(unit.site)] += 1 }
            let lifespan = p.modelLifespans[unit.modelID] ?? p.kindLifespans[unit.kind] ?? facts.modelLifespans[unit.modelID] ?? 60
            var dueDay = Int32.max
            var dueReason = RefreshPlan.Reason.age
            if let purchase = unit.purchase { dueDay = Int32(purchase.adding(months: lifespan).daysSinceEpoch) }
            if unit.plannedRefreshDay != PlanFacts.Unit.none, unit.plannedRefreshDay < dueDay {
                dueDay = unit.plannedRefreshDay
                dueReason = .planned
            }
            var urgent: RefreshPlan.Reason?
            if unit.lost {
                urgent = .lost
            } else if let threshold = p.batteryHealthBelow, let health = unit.batteryHealth, health < threshold {
                urgent = .batteryHealth
            } else if unit.failures > 0 || p.modelFailuresPer100Devices != nil {
                // Out of warranty: its recorded end, or the two-year legal guarantee from purchase; unknown counts as out.
                let warrantyEnd = unit.warrantyEnd ?? unit.purchase?.adding(months: 24)
                let outOfWarranty = warrantyEnd.map { $0 < firstDay } ?? true
                let ownFailures = p.failuresWithin12Months.map { Int(unit.failures) >= $0 } ?? false
                let modelFailures =
                    p.modelFailuresPer100Devices.flatMap { threshold in facts.modelFailureRates[unit.modelID].map { $0 >= threshold } } ?? false
                if outOfWarranty && (ownFailures || modelFailures) { urgent = .failures }
            }
            if priced && dueDay == Int32.max && urgent == nil { undated += 1 }
            slots.append(
                Slot(
                    site: unit.site, unit: Int32(n), dueDay: dueDay, kind: kind, urgent: urgent.map { Self.ordinal($0) + 1 } ?? 0,
                    dueReason: Self.ordinal(dueReason), flags: flags))
        }
        clientCount = count
        countBefore = count
    }

    /// UUIDs ordered byte by byte, as both databases order them.
    static func key(_ id: UUID) -> UInt128 {
        withUnsafeBytes(of: id.uuid) { b in b.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
    }

    static func ordinal(_ reason: RefreshPlan.Reason) -> UInt8 { UInt8(reasons.firstIndex(of: reason)!) }

    func ratio(_ site: Int, _ count: Int) -> Double? {
        sites[site].pupils > 0 ? Double(count) * 100 / Double(sites[site].pupils) : nil
    }

    func shortfall(_ site: Int) -> Double {
        guard let target = targets[site], let ratio = ratio(site, clientCount[site]) else { return 0 }
        return max(0, target.devicesPer100Pupils - ratio)
    }

    /// The next purchase of a kind: refurbished for the configured share, spread evenly over the purchases.
    func nextPrice(_ kind: Int) -> (cents: Int, refurbished: Bool) {
        let n = purchases[kind]
        let share = refurbishedPercent[kind]
        let refurbished = share > 0 && (n + 1) * share / 100 > n * share / 100
        return refurbished ? (refurbishedCents[kind], true) : (unitCents[kind], false)
    }

    /// Each applicable programme pays its share of the cost, within what is left of its cap for the establishment;
    /// the amounts land in `scratch`, the total is returned.
    mutating func fund(cost: Int, kind: Int, site: Int, year: Int) -> Int {
        var covered = 0
        for j in 0..<programmeCount {
            let programme = p.programmes[j]
            guard programme.years.contains(year), fundsKind[j * Self.kinds.count + kind], fundsSite[j * sites.count + site] else {
                scratch[j] = 0
                continue
            }
            var amount = cost * programme.sharePercent / 100
            if let cap = programme.capPerPupilCents {
                let (envelope, overflow) = cap.multipliedReportingOverflow(by: sites[site].pupils)
                if !overflow { amount = min(amount, max(0, envelope - capUsed[j * sites.count + site])) }
            }
            amount = min(amount, cost - covered)
            scratch[j] = amount
            covered += amount
        }
        return covered
    }

    mutating func commit(cost: Int, site: Int, kind: Int, into funders: inout [Int]) {
        for j in 0..<programmeCount where scratch[j] > 0 {
            funders[j] += scratch[j]
            capUsed[j * sites.count + site] += scratch[j]
        }
        funders[programmeCount] += cost - scratch.reduce(0, +)
        purchases[kind] += 1
        siteCost[site] += cost
    }

    mutating func run(year: Int) -> RefreshPlan.Year {
        let endDay = Int32(LocalDate(year: year, month: 12, day: 31)!.daysSinceEpoch)
        let buyDate = LocalDate(year: year, month: 7, day: 1)!
        let budget = p.budgets[year] ?? 0
        var summary = RefreshPlan.Year(year: year, budgetCents: budget)
        var funders = [Int](repeating: 0, count: programmeCount + 1)
        var byReason = [Int](repeating: 0, count: Self.reasons.count)
        for j in p.programmes.indices where p.programmes[j].capPeriod == .year {
            for s in sites.indices { capUsed[j * sites.count + s] = 0 }
        }
        // Shortfall bonus per establishment, in tenths, fixed for the year.
        let bonus = sites.indices.map { Int32((min(50, shortfall($0)) * 10).rounded()) }
        let weights = Self.reasons.map { Int32($0.weight * 10) }

        var due: [Candidate] = []
        due.reserveCapacity(lastDue.count + slots.count / 8)
        var highest: Int32 = 0
        for i in slots.indices {
            let slot = slots[i]
            guard slot.has(Slot.priced) else { continue }
            let reason: UInt8
            if slot.urgent != 0 {
                reason = slot.urgent - 1
            } else if slot.dueDay <= endDay {
                reason = slot.dueReason
            } else {
                continue
            }
            let overdue = slot.dueDay <= endDay ? Int(endDay - slot.dueDay) * 12 / 365 : 0
            let score = weights[Int(reason)] + Int32(min(overdue, 120) * 10) + bonus[Int(slot.site)]
            highest = max(highest, score)
            due.append(
                Candidate(
                    slot: Int32(i), score10: score, site: slot.site, overdue: Int16(min(overdue, Int(Int16.max))), reason: reason, kind: slot.kind))
        }
        due = Self.sortedByScore(due, highest: highest)

        var left: [Candidate] = []
        var backlogCost = 0
        var refurbishedThisYear = 0
        for (k, candidate) in due.enumerated() {
            // Past this point nothing fits any more: the rest is backlog without pricing each one.
            if budget - summary.chargedCents < lowestCharge {
                for rest in due[k...] { backlogCost += unitCents[Int(rest.kind)] }
                left.append(contentsOf: due[k...])
                break
            }
            let site = Int(candidate.site)
            let kind = Int(candidate.kind)
            let (cost, refurbished) = nextPrice(kind)
            let covered = fund(cost: cost, kind: kind, site: site, year: year)
            let own = cost - covered
            let charge = p.budgetCovers == .ownShare ? own : cost
            guard summary.chargedCents + charge <= budget else {
                backlogCost += unitCents[kind]
                left.append(candidate)
                continue
            }
            let i = Int(candidate.slot)
            let slot = slots[i]
            commit(cost: cost, site: site, kind: kind, into: &funders)
            summary.chargedCents += charge
            summary.replaced += 1
            if refurbished { refurbishedThisYear += 1 }
            byReason[Int(candidate.reason)] += 1
            siteReplaced[site] += 1
            if keepLines {
                lines.append(
                    RefreshPlan.Line(
                        year: year, action: .replace, deviceID: slot.unit >= 0 ? units[Int(slot.unit)].id : nil, establishmentID: sites[site].id,
                        kind: Self.kinds[kind], modelID: modelID(of: slot), reason: Self.reasons[Int(candidate.reason)],
                        score: Double(candidate.score10) / 10, overdueMonths: Int(candidate.overdue), refurbished: refurbished, costCents: cost,
                        subsidiesCents: scratch, ownCents: own))
            }
            if slot.has(Slot.lost) && slot.has(Slot.client) { clientCount[site] += 1 }
            slots[i].flags = (slot.flags & ~Slot.lost) | Slot.renewed
            slots[i].urgent = 0
            slots[i].dueDay = Int32(buyDate.adding(months: replacementLifespan[kind]).daysSinceEpoch)
            slots[i].dueReason = Self.ordinal(.age)
        }

        let (added, refurbishedAdded) = addForEquity(year: year, buyDate: buyDate, budget: budget, summary: &summary, funders: &funders)
        summary.added = added
        summary.refurbished = refurbishedThisYear + refurbishedAdded
        summary.backlogDevices = left.count
        summary.backlogCostCents = backlogCost
        summary.totalCents = funders.reduce(0, +)
        summary.funders = zip(p.programmes.map(\.name) + [RefreshPlan.ownShareFunder], funders).map {
            RefreshPlan.FunderAmount(funder: $0, cents: $1)
        }
        summary.replacedByReason = Self.reasons.indices.compactMap { r in byReason[r] > 0 ? .init(reason: Self.reasons[r], devices: byReason[r]) : nil
        }
        replacedTotal += summary.replaced
        addedTotal += added
        lastDue = left
        return summary
    }

    func modelID(of slot: Slot) -> UUID? {
        slot.has(Slot.renewed) || slot.unit < 0 ? replacementModel[Int(slot.kind)] : units[Int(slot.unit)].modelID
    }

    /// Highest score first, and in position order within a score: a counting sort, linear in the candidates.
    static func sortedByScore(_ due: [Candidate], highest: Int32) -> [Candidate] {
        guard due.count > 1 else { return due }
        var starts = [Int](repeating: 0, count: Int(highest) + 2)
        for c in due { starts[Int(highest - c.score10) + 1] += 1 }
        for b in 1..<starts.count { starts[b] += starts[b - 1] }
        var out = due
        for c in due {
            let bucket = Int(highest - c.score10)
            out[starts[bucket]] = c
            starts[bucket] += 1
        }
        return out
    }

    /// Spends what is left on the establishment furthest below its target, one device at a time.
    mutating func addForEquity(year: Int, buyDate: LocalDate, budget: Int, summary: inout RefreshPlan.Year, funders: inout [Int]) -> (Int, Int) {
        var heap = SiteHeap()
        for s in sites.indices {
            let gap = shortfall(s)
            if gap > 0 { heap.push(gap: gap, rank: siteRank[s], site: Int32(s)) }
        }
        var added = 0
        var refurbishedCount = 0
        while budget - summary.chargedCents >= lowestCharge, let top = heap.pop() {
            guard additions < RefreshPlanner.maxAdditions else {
                notes.insert("equity additions stopped at \(RefreshPlanner.maxAdditions) devices")
                break
            }
            let site = Int(top.site)
            let kindValue = targets[site]!.deviceKind
            let kind = Self.kinds.firstIndex(of: kindValue)!
            let (cost, refurbished) = nextPrice(kind)
            let covered = fund(cost: cost, kind: kind, site: site, year: year)
            let own = cost - covered
            let charge = p.budgetCovers == .ownShare ? own : cost
            guard summary.chargedCents + charge <= budget else { continue }
            commit(cost: cost, site: site, kind: kind, into: &funders)
            summary.chargedCents += charge
            added += 1
            additions += 1
            if refurbished { refurbishedCount += 1 }
            siteAdded[site] += 1
            clientCount[site] += 1
            if keepLines {
                lines.append(
                    RefreshPlan.Line(
                        year: year, action: .add, deviceID: nil, establishmentID: sites[site].id, kind: kindValue, modelID: replacementModel[kind],
                        reason: .equity, score: (top.gap * 10).rounded() / 10, overdueMonths: 0, refurbished: refurbished, costCents: cost,
                        subsidiesCents: scratch, ownCents: own))
            }
            slots.append(
                Slot(
                    site: Int32(site), unit: -1, dueDay: Int32(buyDate.adding(months: replacementLifespan[kind]).daysSinceEpoch), kind: UInt8(kind),
                    urgent: 0, dueReason: Self.ordinal(.age), flags: Slot.priced | Slot.client | Slot.renewed))
            let gap = shortfall(site)
            if gap > 0 { heap.push(gap: gap, rank: top.rank, site: top.site) }
        }
        return (added, refurbishedCount)
    }

    mutating func finish(years: [RefreshPlan.Year]) -> RefreshPlan {
        let lastYear = p.years.upperBound
        for candidate in lastDue {
            let slot = slots[Int(candidate.slot)]
            siteBacklog[Int(slot.site)] += 1
            if keepLines {
                lines.append(
                    RefreshPlan.Line(
                        year: lastYear, action: .backlog, deviceID: slot.unit >= 0 ? units[Int(slot.unit)].id : nil,
                        establishmentID: sites[Int(slot.site)].id, kind: Self.kinds[Int(slot.kind)], modelID: modelID(of: slot),
                        reason: Self.reasons[Int(candidate.reason)], score: Double(candidate.score10) / 10, overdueMonths: Int(candidate.overdue),
                        refurbished: false, costCents: unitCents[Int(slot.kind)], subsidiesCents: [], ownCents: 0))
            }
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
            funders: zip(names, totals).map { .init(funder: $0, cents: $1) }, replaced: replacedTotal, added: addedTotal,
            backlogDevices: years.last?.backlogDevices ?? 0, backlogCostCents: years.last?.backlogCostCents ?? 0, equityBefore: equity(countBefore),
            equityAfter: equity(clientCount))
        return RefreshPlan(
            name: p.name, firstYear: p.years.lowerBound, lastYear: lastYear, funders: names, years: years, summary: summary, establishments: outcomes,
            lines: lines, notes: notes.sorted())
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
