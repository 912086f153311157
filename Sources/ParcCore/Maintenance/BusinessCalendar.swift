public import Foundation

/// ISO weekday, Monday first, as maintenance contracts write them.
public enum Weekday: String, Codable, CaseIterable, Sendable, Comparable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// 1 (Monday) … 7 (Sunday).
    public var isoNumber: Int { Weekday.allCases.firstIndex(of: self)! + 1 }

    /// 1970-01-01 was a Thursday.
    public init(daysSinceEpoch days: Int) {
        self = Weekday.allCases[((days % 7) + 7 + 3) % 7]
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.isoNumber < rhs.isoNumber }
}

/// Opening hours of one day as minutes after local midnight, `[start, end)`.
public struct OpeningSpan: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init?(start: Int, end: Int) {
        guard 0 <= start, start < end, end <= 1440 else { return nil }
        self.start = start
        self.end = end
    }

    /// `08:00-17:30`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let a = OpeningSpan.minutes(parts[0]), let b = OpeningSpan.minutes(parts[1]) else { return nil }
        self.init(start: a, end: b)
    }

    static func minutes(_ text: Substring) -> Int? {
        let hm = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard hm.count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m) else {
            return nil
        }
        let total = h * 60 + m
        return total <= 1440 ? total : nil
    }

    public var description: String {
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(hm(start))-\(hm(end))"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let span = OpeningSpan(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be written HH:MM-HH:MM")
        }
        self = span
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// When the maintenance clock runs in a week: per weekday, the spans counted as business time.
public struct WeekHours: Codable, Equatable, Sendable {
    public var days: [Weekday: [OpeningSpan]]

    public init(_ days: [Weekday: [OpeningSpan]]) { self.days = days.mapValues { $0.sorted { $0.start < $1.start } } }

    /// School hours: 8:00–12:00 and 13:30–17:00 on Monday, Tuesday, Thursday and Friday, Wednesday morning.
    public static let schoolDefault = WeekHours([
        .monday: [OpeningSpan("08:00-12:00")!, OpeningSpan("13:30-17:00")!],
        .tuesday: [OpeningSpan("08:00-12:00")!, OpeningSpan("13:30-17:00")!],
        .wednesday: [OpeningSpan("08:00-12:00")!],
        .thursday: [OpeningSpan("08:00-12:00")!, OpeningSpan("13:30-17:00")!],
        .friday: [OpeningSpan("08:00-12:00")!, OpeningSpan("13:30-17:00")!],
    ])

    /// Spans that overlap within a day are refused: they would count the same minutes twice.
    public var overlapping: [Weekday] {
        days.compactMap { day, spans in zip(spans, spans.dropFirst()).contains { $0.end > $1.start } ? day : nil }.sorted()
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: [OpeningSpan]].self)
        var days: [Weekday: [OpeningSpan]] = [:]
        for (name, spans) in raw {
            guard let day = Weekday(rawValue: name) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "\(name) is not a weekday (monday … sunday)"))
            }
            days[day] = spans
        }
        self.init(days)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: days.map { ($0.key.rawValue, $0.value) }))
    }
}

/// One period without classes for a holiday zone, both ends included.
public struct SchoolHoliday: Codable, Equatable, Sendable {
    public var zone: String
    public var label: String
    public var firstDay: LocalDate
    public var lastDay: LocalDate

    public init(zone: String, label: String, firstDay: LocalDate, lastDay: LocalDate) {
        self.zone = zone
        self.label = label
        self.firstDay = firstDay
        self.lastDay = lastDay
    }
}

/// French public holidays: the eleven national days, Good Friday and 26 December in Alsace-Moselle, and the
/// abolition-of-slavery day of each overseas département.
public enum PublicHolidays {
    /// Holidays of `year` that apply in `departement` (INSEE code: `67`, `2A`, `974`).
    public static func days(year: Int, departement: String) -> [LocalDate: String] {
        let easter = easterSunday(year)
        func d(_ m: Int, _ day: Int) -> LocalDate { LocalDate(year: year, month: m, day: day)! }
        func shifted(_ days: Int) -> LocalDate { LocalDate(daysSinceEpoch: easter.daysSinceEpoch + days) }
        var days: [LocalDate: String] = [
            d(1, 1): "Jour de l'an", shifted(1): "Lundi de Pâques", d(5, 1): "Fête du Travail", d(5, 8): "Victoire 1945",
            shifted(39): "Ascension", shifted(50): "Lundi de Pentecôte", d(7, 14): "Fête nationale", d(8, 15): "Assomption",
            d(11, 1): "Toussaint", d(11, 11): "Armistice 1918", d(12, 25): "Noël",
        ]
        switch departement {
        case "57", "67", "68":
            days[shifted(-2)] = "Vendredi saint"
            days[d(12, 26)] = "Saint-Étienne"
        case "971": days[d(5, 27)] = "Abolition de l'esclavage"
        case "972": days[d(5, 22)] = "Abolition de l'esclavage"
        case "973": days[d(6, 10)] = "Abolition de l'esclavage"
        case "974": days[d(12, 20)] = "Abolition de l'esclavage"
        case "976": days[d(4, 27)] = "Abolition de l'esclavage"
        default: break
        }
        return days
    }

    /// Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" computus).
    public static func easterSunday(_ year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)!
    }
}

/// Business time for one establishment: its weekly hours in its own time zone, minus public holidays and,
/// when the contract says so, its zone's school holidays. Everything SLA clocks count goes through here.
public struct BusinessCalendar: Sendable {
    public var timeZone: TimeZone
    public var hours: WeekHours
    /// Days (since 1970-01-01) on which the clock does not run at all.
    public var closedDays: Set<Int>
    /// How far ahead `date(adding:to:)` looks before giving up (a calendar with no open hour).
    public static let horizonDays = 3 * 366

    public init(timeZone: TimeZone, hours: WeekHours, closedDays: Set<Int>) {
        self.timeZone = timeZone
        self.hours = hours
        self.closedDays = closedDays
    }

    /// The calendar of an establishment in `departement`, whose school holidays are `holidays`, over `years`.
    public init(
        timeZone: TimeZone, hours: WeekHours, departement: String, schoolHolidays: [SchoolHoliday], years: ClosedRange<Int>
    ) {
        var closed = Set<Int>()
        for year in years { for day in PublicHolidays.days(year: year, departement: departement).keys { closed.insert(day.daysSinceEpoch) } }
        for period in schoolHolidays where period.firstDay <= period.lastDay {
            for day in period.firstDay.daysSinceEpoch...period.lastDay.daysSinceEpoch { closed.insert(day) }
        }
        self.init(timeZone: timeZone, hours: hours, closedDays: closed)
    }

    var gregorian: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The local calendar day of an instant.
    public func localDay(of date: Date) -> LocalDate {
        let parts = gregorian.dateComponents([.year, .month, .day], from: date)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The instant of a local wall-clock time on a day, built from the wall clock (not by adding minutes to
    /// midnight, which is off by an hour on daylight-saving days); 24:00 is the next day's midnight.
    func instant(_ day: LocalDate, minute: Int) -> Date {
        if minute >= 1440 { return instant(LocalDate(daysSinceEpoch: day.daysSinceEpoch + 1), minute: 0) }
        return gregorian.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: minute / 60, minute: minute % 60))!
    }

    /// Whether the clock runs at all on this local day.
    public func isBusinessDay(_ day: LocalDate) -> Bool {
        !closedDays.contains(day.daysSinceEpoch) && !(hours.days[Weekday(daysSinceEpoch: day.daysSinceEpoch)] ?? []).isEmpty
    }

    /// The business intervals of one local day, as instants.
    public func openIntervals(on day: LocalDate) -> [Range<Date>] {
        guard !closedDays.contains(day.daysSinceEpoch) else { return [] }
        return (hours.days[Weekday(daysSinceEpoch: day.daysSinceEpoch)] ?? []).map { span in
            instant(day, minute: span.start)..<instant(day, minute: span.end)
        }
    }

    /// Business seconds between two instants (0 when `end` is not after `start`).
    public func businessSeconds(from start: Date, to end: Date) -> Int {
        guard end > start else { return 0 }
        var total = 0.0
        var day = localDay(of: start).daysSinceEpoch
        let last = localDay(of: end).daysSinceEpoch
        while day <= last {
            for interval in openIntervals(on: LocalDate(daysSinceEpoch: day)) {
                let a = max(interval.lowerBound, start)
                let b = min(interval.upperBound, end)
                if b > a { total += b.timeIntervalSince(a) }
            }
            day += 1
        }
        return Int(total.rounded())
    }

    /// The instant at which `seconds` of business time have passed since `start`; nil when the calendar has no
    /// open hour within `horizonDays`.
    public func date(adding seconds: Int, to start: Date) -> Date? {
        var remaining = Double(max(0, seconds))
        var day = localDay(of: start).daysSinceEpoch
        let stop = day + BusinessCalendar.horizonDays
        while day <= stop {
            for interval in openIntervals(on: LocalDate(daysSinceEpoch: day)) where interval.upperBound > start {
                let a = max(interval.lowerBound, start)
                let available = interval.upperBound.timeIntervalSince(a)
                if remaining <= available { return a.addingTimeInterval(remaining) }
                remaining -= available
            }
            day += 1
        }
        return nil
    }

    /// The start of the business day `count` business days before the one containing `now` (count 0: today's).
    /// A device silent since before this instant has missed `count` full school days.
    public func startOfBusinessDay(_ count: Int, before now: Date) -> Date? {
        var day = localDay(of: now).daysSinceEpoch
        var seen = 0
        let stop = day - BusinessCalendar.horizonDays
        while day >= stop {
            let local = LocalDate(daysSinceEpoch: day)
            if isBusinessDay(local), let first = openIntervals(on: local).first?.lowerBound, first <= now {
                if seen == count { return first }
                seen += 1
            }
            day -= 1
        }
        return nil
    }
}

/// Where an establishment's holidays come from: its académie's zone and the zone's time zone.
public struct HolidayZones: Sendable {
    /// académie code → zone (`A`, `B`, `C`, `corse`, `reunion`…).
    public var zoneByAcademie: [String: String]
    public var holidays: [SchoolHoliday]

    public init(zoneByAcademie: [String: String], holidays: [SchoolHoliday]) {
        self.zoneByAcademie = zoneByAcademie
        self.holidays = holidays
    }

    public static let empty = HolidayZones(zoneByAcademie: [:], holidays: [])

    public func zone(academie: String?) -> String? { academie.flatMap { zoneByAcademie[$0] } }

    public func holidays(zone: String?) -> [SchoolHoliday] {
        guard let zone else { return [] }
        return holidays.filter { $0.zone == zone }
    }

    /// The local time of an establishment, from its département (overseas ones have their own).
    public static func timeZone(departement: String) -> TimeZone {
        let identifier =
            switch departement {
            case "971": "America/Guadeloupe"
            case "972": "America/Martinique"
            case "973": "America/Cayenne"
            case "974": "Indian/Reunion"
            case "976": "Indian/Mayotte"
            case "975": "America/Miquelon"
            case "977", "978": "America/St_Barthelemy"
            case "987": "Pacific/Tahiti"
            case "988": "Pacific/Noumea"
            case "986": "Pacific/Wallis"
            default: "Europe/Paris"
            }
        return TimeZone(identifier: identifier) ?? TimeZone(identifier: "Europe/Paris")!
    }

    /// The business calendar of an establishment under a contract's hours.
    public func calendar(departement: String, academie: String?, hours: WeekHours, excludeSchoolHolidays: Bool, around now: Date)
        -> BusinessCalendar
    {
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        return BusinessCalendar(
            timeZone: HolidayZones.timeZone(departement: departement), hours: hours, departement: departement,
            schoolHolidays: excludeSchoolHolidays ? holidays(zone: zone(academie: academie)) : [], years: (year - 3)...(year + 3))
    }
}

extension HolidayZones {
    /// Reads `academie-zones.csv` (`academie_code,zone`) and `school-holidays.csv`
    /// (`zone,label,first_day,last_day`), refusing a bad line with its number.
    public init(zonesCSV: String, holidaysCSV: String) throws(ParcError) {
        let zones = try CSVTable(parsing: zonesCSV)
        try zones.requireColumns(["academie_code", "zone"])
        var zoneByAcademie: [String: String] = [:]
        for row in zones.rows {
            guard let code = zones.value("academie_code", in: row.fields), let zone = zones.value("zone", in: row.fields) else {
                throw .validation([FieldError(row: row.line, field: "academie_code", reason: "academie_code and zone are required")])
            }
            zoneByAcademie[code] = zone
        }
        let table = try CSVTable(parsing: holidaysCSV)
        try table.requireColumns(["zone", "label", "first_day", "last_day"])
        var holidays: [SchoolHoliday] = []
        for row in table.rows {
            var v = Validator(row: row.line)
            let zone = v.requireText(table.value("zone", in: row.fields), "zone")
            let label = v.requireText(table.value("label", in: row.fields), "label")
            let first = v.require(v.date(table.value("first_day", in: row.fields), "first_day"), "first_day")
            let last = v.require(v.date(table.value("last_day", in: row.fields), "last_day"), "last_day")
            if let first, let last, last < first { v.fail("last_day", "is before first_day") }
            try v.check()
            holidays.append(SchoolHoliday(zone: zone!, label: label!, firstDay: first!, lastDay: last!))
        }
        self.init(zoneByAcademie: zoneByAcademie, holidays: holidays)
    }
}
