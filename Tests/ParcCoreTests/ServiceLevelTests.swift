import Foundation
import ParcCore
import Testing

/// Instants written as local wall-clock times of a calendar's time zone.
func local(_ text: String, _ zone: String = "Europe/Paris") -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
    return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))!
}

let holidayFiles: HolidayZones = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Inventory/reference")
    return try! HolidayZones(
        zonesCSV: String(contentsOf: root.appendingPathComponent("academie-zones.csv"), encoding: .utf8),
        holidaysCSV: String(contentsOf: root.appendingPathComponent("school-holidays.csv"), encoding: .utf8))
}()

@Suite struct BusinessCalendarTests {
    /// A collège of the académie of Lyon (zone A), school hours, school holidays excluded.
    func calendar(departement: String = "69", academie: String = "10", holidays: Bool = true) -> BusinessCalendar {
        holidayFiles.calendar(
            departement: departement, academie: academie, hours: .schoolDefault, excludeSchoolHolidays: holidays, around: local("2026-11-23 09:00"))
    }

    @Test(arguments: [
        // from, to, business minutes on school hours (8–12, 13:30–17; Wednesday morning only)
        ("2026-11-23 09:00", "2026-11-23 11:00", 120),  // Monday morning
        ("2026-11-23 11:00", "2026-11-23 14:00", 90),  // over lunch
        ("2026-11-25 11:00", "2026-11-26 09:00", 120),  // Wednesday afternoon is closed
        ("2026-11-27 16:00", "2026-11-30 09:00", 120),  // over a weekend
        ("2026-11-10 16:00", "2026-11-12 09:00", 120),  // 11 November is a public holiday
        ("2026-10-16 16:00", "2026-11-02 09:00", 120),  // Toussaint holidays of zone A
        ("2026-11-23 18:00", "2026-11-23 07:00", 0),  // backwards
    ])
    func businessMinutes(from: String, to: String, minutes: Int) {
        #expect(calendar().businessSeconds(from: local(from), to: local(to)) == minutes * 60)
    }

    @Test func schoolHolidaysCountWhenTheContractSaysSo() {
        // Toussaint 2026 in zone A: two weeks, 9 weekdays minus All Saints' Day (a Sunday) = 8 Mon/Tue/Thu/Fri + 2 Wednesdays.
        let seconds = calendar(holidays: false).businessSeconds(from: local("2026-10-16 16:00"), to: local("2026-11-02 09:00"))
        #expect(seconds == (120 + 8 * 450 + 2 * 240) * 60)
    }

    @Test func eachZoneHasItsOwnHolidays() {
        // La Réunion (académie 28) is back at school on 26 October 2026, zone A on 2 November.
        let reunion = holidayFiles.calendar(
            departement: "974", academie: "28", hours: .schoolDefault, excludeSchoolHolidays: true, around: local("2026-11-23 09:00"))
        #expect(holidayFiles.zone(academie: "28") == "reunion")
        #expect(reunion.timeZone.identifier == "Indian/Reunion")
        #expect(reunion.isBusinessDay(LocalDate("2026-10-26")!))
        #expect(!calendar().isBusinessDay(LocalDate("2026-10-26")!))
        let lyon = calendar()
        let lille = holidayFiles.calendar(
            departement: "59", academie: "09", hours: .schoolDefault, excludeSchoolHolidays: true, around: local("2026-11-23 09:00"))
        #expect(holidayFiles.zone(academie: "09") == "B")
        #expect(!lyon.isBusinessDay(LocalDate("2026-02-09")!))  // zone A winter holidays from 7 February 2026
        #expect(lille.isBusinessDay(LocalDate("2026-02-09")!))  // zone B from 14 February
    }

    @Test func alsaceMoselleKeepsGoodFriday() {
        // Good Friday 3 April 2026 and Easter Monday 6 April: Strasbourg (67) has both off, Nancy (54) only Monday.
        let strasbourg = holidayFiles.calendar(
            departement: "67", academie: "15", hours: .schoolDefault, excludeSchoolHolidays: true, around: local("2026-11-23 09:00"))
        let nancy = holidayFiles.calendar(
            departement: "54", academie: "12", hours: .schoolDefault, excludeSchoolHolidays: true, around: local("2026-11-23 09:00"))
        let from = local("2026-04-02 16:00")
        let to = local("2026-04-07 09:00")
        #expect(strasbourg.businessSeconds(from: from, to: to) == 120 * 60)
        #expect(nancy.businessSeconds(from: from, to: to) == (60 + 450 + 60) * 60)
    }

    @Test func daylightSavingDaysHaveTheirRealLength() {
        // A round-the-clock contract: 29 March 2026 has 23 hours in Paris, 25 October 2026 has 25.
        let always = WeekHours(Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [OpeningSpan("00:00-24:00")!]) }))
        let cal = BusinessCalendar(timeZone: TimeZone(identifier: "Europe/Paris")!, hours: always, closedDays: [])
        #expect(cal.businessSeconds(from: local("2026-03-29 00:00"), to: local("2026-03-30 00:00")) == 23 * 3600)
        #expect(cal.businessSeconds(from: local("2026-10-25 00:00"), to: local("2026-10-26 00:00")) == 25 * 3600)
        #expect(cal.businessSeconds(from: local("2026-03-28 12:00"), to: local("2026-03-30 12:00")) == 47 * 3600)
    }

    @Test(arguments: [(2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"), (2038, "2038-04-25")])
    func easter(year: Int, date: String) {
        #expect(PublicHolidays.easterSunday(year) == LocalDate(date))
    }

    @Test func addingBusinessTimeSkipsClosedTime() {
        let cal = calendar()
        #expect(cal.date(adding: 180 * 60, to: local("2026-11-23 10:00")) == local("2026-11-23 14:30"))
        #expect(cal.date(adding: 60 * 60, to: local("2026-11-27 16:30")) == local("2026-11-30 08:30"))
        #expect(cal.date(adding: 0, to: local("2026-11-28 10:00")) == local("2026-11-30 08:00"))
        let never = BusinessCalendar(timeZone: cal.timeZone, hours: WeekHours([:]), closedDays: [])
        #expect(never.date(adding: 60, to: local("2026-11-23 10:00")) == nil)
    }

    @Test func startOfTheNthSchoolDayBack() {
        let cal = calendar()
        // Monday 30 November, 10:00: today is the 0th school day, Friday 27 the 1st, Monday 23 the 5th.
        #expect(cal.startOfBusinessDay(0, before: local("2026-11-30 10:00")) == local("2026-11-30 08:00"))
        #expect(cal.startOfBusinessDay(1, before: local("2026-11-30 10:00")) == local("2026-11-27 08:00"))
        #expect(cal.startOfBusinessDay(5, before: local("2026-11-30 10:00")) == local("2026-11-23 08:00"))
    }
}

@Suite struct SLAClockTests {
    let calendar = holidayFiles.calendar(
        departement: "69", academie: "10", hours: .schoolDefault, excludeSchoolHolidays: true, around: local("2026-11-23 09:00"))

    /// Priority 3: intervene within 4 business hours, restore within 16; waiting for the supplier or the user pauses.
    func policy(hours: WeekHours = .schoolDefault) -> SLAPolicy {
        SLAPolicy(
            id: UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!, collectiviteID: UUID(), name: "Lot 1", lot: nil, establishmentIDs: [],
            targets: Priority.allCases.map { p in
                SLAPolicy.Target(
                    priority: p, interventionMinutes: p == .medium ? 240 : 60 * p.rawValue, restorationMinutes: p == .medium ? 960 : 240 * p.rawValue)
            },
            pausingReasons: [.supplier, .user], hours: hours, excludeSchoolHolidays: true, escalateAtPercent: 75,
            createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var history: [(String, Ticket.Status, Ticket.PendingReason?)]
        var now: String
        var priority: Priority = .medium
        var gti: (SLAState.Phase, Int, String?)
        var gtr: (SLAState.Phase, Int, String?)
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "running", history: [], now: "2026-11-23 10:00", gti: (.running, 60, "2026-11-23 14:30"), gtr: (.running, 60, "2026-11-25 10:00")),
        Case(
            name: "work started, then waits for the supplier a day, resumes",
            history: [
                ("2026-11-23 09:30", .inProgress, nil), ("2026-11-23 10:00", .pending, .supplier), ("2026-11-24 10:00", .inProgress, nil),
            ], now: "2026-11-24 11:00", gti: (.met, 30, nil), gtr: (.running, 120, "2026-11-26 15:00")),
        Case(
            name: "waiting for parts does not pause this contract", history: [("2026-11-23 10:00", .pending, .parts)], now: "2026-11-24 11:00",
            gti: (.breached, 570, "2026-11-23 14:30"), gtr: (.running, 570, "2026-11-25 10:00")),
        Case(
            name: "paused now", history: [("2026-11-23 09:30", .inProgress, nil), ("2026-11-23 10:00", .pending, .user)], now: "2026-11-24 11:00",
            gti: (.met, 30, nil), gtr: (.paused, 60, nil)),
        Case(
            name: "nobody came: both deadlines passed", history: [], now: "2026-11-26 12:00", gti: (.breached, 1320, "2026-11-23 14:30"),
            gtr: (.breached, 1320, "2026-11-25 10:00")),
        Case(
            name: "resolved the same day", history: [("2026-11-23 09:30", .inProgress, nil), ("2026-11-23 15:00", .resolved, nil)],
            now: "2026-11-26 12:00", gti: (.met, 30, nil), gtr: (.met, 270, nil)),
        Case(
            name: "reopened the next morning",
            history: [
                ("2026-11-23 09:30", .inProgress, nil), ("2026-11-23 15:00", .resolved, nil), ("2026-11-24 09:00", .inProgress, nil),
            ], now: "2026-11-24 10:00", gti: (.met, 30, nil), gtr: (.running, 330, "2026-11-26 09:00")),
        Case(
            name: "priority 2 (after a change too): deadlines counted from the opening", history: [], now: "2026-11-23 10:00", priority: .high,
            gti: (.running, 60, "2026-11-23 11:00"), gtr: (.running, 60, "2026-11-24 09:30")),
        Case(
            name: "over a weekend", history: [("2026-11-27 16:30", .inProgress, nil)], now: "2026-11-30 09:00", gti: (.met, 30, nil),
            gtr: (.running, 120, nil)),
    ]

    @Test(arguments: cases)
    func replay(_ c: Case) throws {
        let opened = c.name == "over a weekend" ? local("2026-11-27 16:00") : local("2026-11-23 09:00")
        let history = c.history.map { SLAChange(at: local($0.0), status: $0.1, pendingReason: $0.2) }
        let state = try #require(
            SLAClock.evaluate(opened: opened, history: history, priority: c.priority, policy: policy(), calendar: calendar, now: local(c.now)))
        #expect(state.intervention.phase == c.gti.0)
        #expect(state.intervention.elapsedMinutes == c.gti.1)
        if let due = c.gti.2 { #expect(state.intervention.dueAt == local(due) || state.intervention.breachedAt == local(due)) }
        #expect(state.restoration.phase == c.gtr.0)
        #expect(state.restoration.elapsedMinutes == c.gtr.1)
        if let due = c.gtr.2 { #expect(state.restoration.dueAt == local(due)) }
        if c.gtr.0 == .paused { #expect(state.restoration.dueAt == nil) }
    }

    @Test func changingThePolicyHoursRecomputesFromTheOpeningWithPausesKept() throws {
        let history = [
            SLAChange(at: local("2026-11-23 09:30"), status: .inProgress),
            SLAChange(at: local("2026-11-23 10:00"), status: .pending, pendingReason: .supplier),
            SLAChange(at: local("2026-11-24 10:00"), status: .inProgress),
        ]
        let longDays = WeekHours(
            Dictionary(uniqueKeysWithValues: [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map { ($0, [OpeningSpan("08:00-18:00")!]) }))
        let state = try #require(
            SLAClock.evaluate(
                opened: local("2026-11-23 09:00"), history: history, priority: .medium, policy: policy(hours: longDays),
                calendar: holidayFiles.calendar(
                    departement: "69", academie: "10", hours: longDays, excludeSchoolHolidays: true, around: local("2026-11-23 09:00")),
                now: local("2026-11-24 11:00")))
        // Monday 9–10 and Tuesday 10–11 count; the pending day does not: 120 minutes, then 840 more on 10-hour days.
        #expect(state.restoration.elapsedMinutes == 120)
        #expect(state.restoration.dueAt == local("2026-11-25 15:00"))
    }

    @Test func restorationIsMetWhenResolvedNotWhenClosed() throws {
        let history = [
            SLAChange(at: local("2026-11-23 09:30"), status: .inProgress), SLAChange(at: local("2026-11-23 15:00"), status: .resolved),
            SLAChange(at: local("2026-11-30 10:00"), status: .closed),
        ]
        let state = try #require(
            SLAClock.evaluate(
                opened: local("2026-11-23 09:00"), history: history, priority: .medium, policy: policy(), calendar: calendar,
                now: local("2026-12-01 09:00")))
        #expect(state.restoration.metAt == local("2026-11-23 15:00"))
        #expect(state.restoration.elapsedMinutes == 270)
    }

    @Test func breachesFoundAreTheClocksPastTheirTarget() throws {
        let state = try #require(
            SLAClock.evaluate(
                opened: local("2026-11-23 09:00"), history: [], priority: .medium, policy: policy(), calendar: calendar,
                now: local("2026-11-24 09:00")))
        let breaches = SLABreach.found(in: state, ticketID: UUID(), now: local("2026-11-24 09:00"))
        #expect(breaches.map(\.clock) == [.intervention])
        #expect(breaches.first?.dueAt == local("2026-11-23 14:30"))
    }
}

@Suite struct TicketWorkflowTests {
    func ticket(_ status: Ticket.Status, resolvedAt: Date? = nil, assignee: UUID? = nil) -> Ticket {
        let t = Date(timeIntervalSince1970: 1_790_000_000)
        return Ticket(
            id: UUID(), number: 1, establishmentID: UUID(), ownerID: UUID(), academieCode: nil, category: .hardware, urgency: .medium,
            impact: .medium,
            priority: .medium, priorityOverridden: false, title: "t", description: "", reporterID: nil, reporterName: "x", assigneeID: assignee,
            status: status, pendingReason: nil, level: 1, supplierCase: nil, deviceID: nil, modelID: nil, cartID: nil, accessPointID: nil,
            internetLinkID: nil, roomID: nil, source: .manual, rule: nil, dedupKey: nil, slaPolicyID: nil, sla: nil, openedAt: t,
            resolvedAt: resolvedAt,
            closedAt: nil, createdAt: t, updatedAt: t)
    }

    @Test(arguments: [
        (Ticket.Status.new, Ticket.Status.inProgress, true), (.new, .pending, true), (.inProgress, .assigned, false), (.inProgress, .closed, false),
        (.pending, .closed, false), (.resolved, .pending, false), (.resolved, .closed, true), (.closed, .inProgress, false), (.closed, .new, false),
    ])
    func moves(from: Ticket.Status, to: Ticket.Status, allowed: Bool) {
        #expect(TicketWorkflow.allowed(from: from).contains(to) == allowed)
    }

    @Test func refusalsNameTheAllowedMoves() {
        #expect(throws: ParcError.conflict(field: "status", message: "cannot go from resolved to pending; allowed: in_progress, closed")) {
            try TicketWorkflow.check(ticket(.resolved), to: .pending, reason: .user, reopenWindow: 86_400, now: Date())
        }
        #expect(throws: ParcError.self) { try TicketWorkflow.check(ticket(.inProgress), to: .pending, reason: nil, reopenWindow: 0, now: Date()) }
        #expect(throws: ParcError.self) { try TicketWorkflow.check(ticket(.new), to: .assigned, reason: nil, reopenWindow: 0, now: Date()) }
    }

    @Test func reopeningIsLimitedInTime() throws {
        let resolved = Date(timeIntervalSince1970: 1_790_000_000)
        try TicketWorkflow.check(
            ticket(.resolved, resolvedAt: resolved), to: .inProgress, reason: nil, reopenWindow: 7 * 86_400, now: resolved + 86_400)
        #expect(throws: ParcError.self) {
            try TicketWorkflow.check(
                ticket(.resolved, resolvedAt: resolved), to: .inProgress, reason: nil, reopenWindow: 7 * 86_400, now: resolved + 8 * 86_400)
        }
    }

    @Test(arguments: [
        (Grade.high, Grade.high, Priority.critical), (.high, .medium, .high), (.medium, .high, .high), (.medium, .medium, .medium),
        (.low, .high, .medium), (.low, .medium, .low), (.low, .low, .planned),
    ])
    func priorityMatrix(urgency: Grade, impact: Grade, priority: Priority) {
        #expect(Priority(urgency: urgency, impact: impact) == priority)
    }

    @Test func theRoundVisitingSoonestGetsTheTicket() {
        let school = UUID()
        let t = Date(timeIntervalSince1970: 0)
        let tuesday = Round(
            id: UUID(), collectiviteID: UUID(), technicianID: UUID(), name: "A", establishmentIDs: [school], weekdays: [.tuesday], createdAt: t,
            updatedAt: t)
        let friday = Round(
            id: UUID(), collectiviteID: UUID(), technicianID: UUID(), name: "B", establishmentIDs: [school], weekdays: [.friday], createdAt: t,
            updatedAt: t)
        let elsewhere = Round(
            id: UUID(), collectiviteID: UUID(), technicianID: UUID(), name: "C", establishmentIDs: [UUID()], weekdays: [.wednesday], createdAt: t,
            updatedAt: t)
        #expect(Round.defaultAssignee(for: school, rounds: [tuesday, friday, elsewhere], today: .wednesday) == friday.technicianID)
        #expect(Round.defaultAssignee(for: school, rounds: [tuesday, friday, elsewhere], today: .saturday) == tuesday.technicianID)
        #expect(Round.defaultAssignee(for: UUID(), rounds: [tuesday], today: .monday) == nil)
    }

    @Test(arguments: [
        ([0xFF, 0xD8, 0xFF, 0xE0] as [UInt8], "image/jpeg"), ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        (Array("%PDF-1.7".utf8), "application/pdf"), (Array("MZ\u{90}".utf8), nil), (Array("<html>".utf8), nil),
    ])
    func attachmentsAreRecognisedByTheirBytes(bytes: [UInt8], type: String?) {
        #expect(TicketAttachment.sniff(bytes) == type)
    }
}

@Suite struct TicketRuleTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let rules = TicketRule.Kind.allCases.map(TicketRule.standard)

    func facts(health: Double? = 95, free: Int64? = 50, total: Int64? = 100, lastSeen: Date? = nil, bssid: String? = "aa", cart: Set<String>? = nil)
        -> DeviceRuleFacts
    {
        DeviceRuleFacts(
            deviceID: UUID(), establishmentID: UUID(), batteryHealth: health, storageFree: free, storageTotal: total, lastSeen: lastSeen ?? now,
            bssid: bssid, cartBSSIDs: cart)
    }

    @Test func healthyDevicesRaiseNothing() {
        #expect(RuleEvaluator.findings(facts(cart: ["aa"]), rules: rules, silentBefore: now - 86_400).isEmpty)
    }

    @Test(arguments: [
        ("battery", TicketRule.Kind.batteryHealth), ("storage", .storageFull), ("silent", .silent), ("off cart", .offCart),
    ])
    func eachRuleFires(name: String, kind: TicketRule.Kind) {
        let f: DeviceRuleFacts =
            switch kind {
            case .batteryHealth: facts(health: 62)
            case .storageFull: facts(free: 3)
            case .silent: facts(lastSeen: now - 20 * 86_400)
            default: facts(bssid: "bb", cart: ["aa"])
            }
        #expect(RuleEvaluator.findings(f, rules: rules, silentBefore: now - 14 * 86_400).map(\.rule) == [kind])
        var disabled = rules
        disabled[disabled.firstIndex { $0.kind == kind }!].enabled = false
        #expect(RuleEvaluator.findings(f, rules: disabled, silentBefore: now - 14 * 86_400).isEmpty)
    }

    @Test func absentValuesAreNotFaults() {
        #expect(RuleEvaluator.findings(facts(health: nil, free: nil, total: nil, bssid: nil, cart: ["aa"]), rules: rules, silentBefore: nil).isEmpty)
    }

    @Test func slowLinks() {
        let rule = TicketRule.standard(.slowLink)
        #expect(RuleEvaluator.linkFinding(linkID: UUID(), establishmentID: UUID(), contractedDownMbps: 100, measuredDownMbps: 30, rule: rule) != nil)
        #expect(RuleEvaluator.linkFinding(linkID: UUID(), establishmentID: UUID(), contractedDownMbps: 100, measuredDownMbps: 80, rule: rule) == nil)
        #expect(RuleEvaluator.linkFinding(linkID: UUID(), establishmentID: UUID(), contractedDownMbps: 100, measuredDownMbps: nil, rule: rule) == nil)
    }

    @Test func reportRowsFollowTheirDefinitions() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var facts = TicketReport.Facts(key: nil)
        (facts.opened, facts.closed, facts.interventionKnown, facts.interventionMet, facts.restorationKnown, facts.restorationMet) = (
            10, 8, 8, 6, 4, 3
        )
        facts.restoreHistogram = [10: 1, 20: 1, 30: 1, 40: 1, 50: 1, 60: 1, 70: 1, 80: 1, 90: 1, 100: 1]
        (facts.openNow, facts.oldestOpenedAt, facts.meanOpenedAt, facts.devices) = (2, now - 3 * 86_400, now - 2 * 86_400, 200)
        let row = TicketReport.row(facts, label: "x", now: now)
        #expect(row.interventionCompliance == 75)
        #expect(row.restorationCompliance == 75)
        #expect(row.meanRestoreMinutes == 55)
        #expect(row.p90RestoreMinutes == 90)
        #expect(row.backlogMeanAgeDays == 2)
        #expect(row.backlogMaxAgeDays == 3)
        #expect(row.openNow == 2)
        #expect(row.ticketsPer100Devices == 5)
        #expect(TicketReport.nearestRank([5: 8, 100: 2], 0.9) == 100)
        #expect(TicketReport.nearestRank([5: 9, 100: 1], 0.9) == 5)
        #expect(TicketReport.nearestRank([:], 0.9) == nil)
    }
}
