import Foundation

/// The counts indicators are computed from, for one establishment or summed over many. Aggregates are ratios
/// of sums (never averages of ratios), so a territory's figure weighs each establishment by its pupils.
/// Daily snapshots store exactly these counts, so a series is computed by the same definitions as today's figure.
public struct IndicatorFacts: Codable, Equatable, Sendable {
    public var establishments = 0
    public var pupils = 0
    /// Desktops, laptops and Chromebooks in use or in stock (not lost, stolen or retired).
    public var computers = 0
    /// Tablets, laptops and Chromebooks.
    public var mobileDevices = 0
    /// Every device pupils work on: tablets, laptops, desktops, Chromebooks.
    public var clientDevices = 0
    public var clientDevicesDated = 0
    public var clientDevicesUnder5Years = 0
    public var mobileCarts = 0
    public var interactiveDisplays = 0
    public var videoProjectors = 0
    public var teachingRooms = 0
    public var teachingRoomsCovered = 0
    public var establishmentsWithLink = 0
    public var establishmentsFiltering = 0
    public var contractedDownKbps = 0
    public var measuredDownKbps = 0
    /// Pupils of the establishments whose bandwidth was measured, the denominator of the measured figure.
    public var pupilsMeasured = 0
    public var enrolledDevices = 0
    public var onlineDevices = 0
    public var openTickets = 0
    public var restorationKnown = 0
    public var restorationMet = 0

    public init() {}

    /// Column names (the snapshot table's, the CSV's) and where each count lives.
    public static let columns: [(name: String, path: any WritableKeyPath<IndicatorFacts, Int> & Sendable)] = [
        ("establishments", \.establishments), ("pupils", \.pupils), ("computers", \.computers), ("mobile_devices", \.mobileDevices),
        ("client_devices", \.clientDevices), ("client_devices_dated", \.clientDevicesDated),
        ("client_devices_under_5_years", \.clientDevicesUnder5Years), ("mobile_carts", \.mobileCarts),
        ("interactive_displays", \.interactiveDisplays), ("video_projectors", \.videoProjectors), ("teaching_rooms", \.teachingRooms),
        ("teaching_rooms_covered", \.teachingRoomsCovered), ("establishments_with_link", \.establishmentsWithLink),
        ("establishments_filtering", \.establishmentsFiltering), ("contracted_down_kbps", \.contractedDownKbps),
        ("measured_down_kbps", \.measuredDownKbps), ("pupils_measured", \.pupilsMeasured), ("enrolled_devices", \.enrolledDevices),
        ("online_devices", \.onlineDevices), ("open_tickets", \.openTickets), ("restoration_known", \.restorationKnown),
        ("restoration_met", \.restorationMet),
    ]

    public static func + (lhs: IndicatorFacts, rhs: IndicatorFacts) -> IndicatorFacts {
        var sum = lhs
        for column in columns { sum[keyPath: column.path] += rhs[keyPath: column.path] }
        return sum
    }
}

/// The indicators, each nil when its denominator is zero (no pupils, no rooms…): unknown is not zero.
public struct IndicatorValues: Codable, Equatable, Sendable {
    public var computersPer100Pupils: Double?
    public var mobileDevicesPer100Pupils: Double?
    public var clientDevicesPer100Pupils: Double?
    public var shareUnder5YearsPercent: Double?
    public var classesMobilesPer1000Pupils: Double?
    public var interactiveDisplaysPer1000Pupils: Double?
    public var videoProjectorsPer1000Pupils: Double?
    public var teachingRoomsWifiPercent: Double?
    public var contractedMbpsPerPupil: Double?
    public var measuredMbpsPerPupil: Double?
    public var filteringPercent: Double?
    public var online7SchoolDaysPercent: Double?
    public var openTickets: Int
    public var restorationCompliancePercent: Double?

    /// Each indicator under its key in `Indicators.definitions`, in that order.
    public var named: [(String, Double?)] {
        [
            ("computers_per_100_pupils", computersPer100Pupils), ("mobile_devices_per_100_pupils", mobileDevicesPer100Pupils),
            ("client_devices_per_100_pupils", clientDevicesPer100Pupils), ("share_under_5_years_percent", shareUnder5YearsPercent),
            ("classes_mobiles_per_1000_pupils", classesMobilesPer1000Pupils),
            ("interactive_displays_per_1000_pupils", interactiveDisplaysPer1000Pupils),
            ("video_projectors_per_1000_pupils", videoProjectorsPer1000Pupils), ("teaching_rooms_wifi_percent", teachingRoomsWifiPercent),
            ("contracted_mbps_per_pupil", contractedMbpsPerPupil), ("measured_mbps_per_pupil", measuredMbpsPerPupil),
            ("filtering_percent", filteringPercent), ("online_7_school_days_percent", online7SchoolDaysPercent),
            ("open_tickets", Double(openTickets)), ("restoration_compliance_percent", restorationCompliancePercent),
        ]
    }

    public init(_ f: IndicatorFacts) {
        func ratio(_ n: Int, _ d: Int, per scale: Double, digits: Double = 10) -> Double? {
            d > 0 ? (Double(n) * scale / Double(d) * digits).rounded() / digits : nil
        }
        computersPer100Pupils = ratio(f.computers, f.pupils, per: 100)
        mobileDevicesPer100Pupils = ratio(f.mobileDevices, f.pupils, per: 100)
        clientDevicesPer100Pupils = ratio(f.clientDevices, f.pupils, per: 100)
        shareUnder5YearsPercent = ratio(f.clientDevicesUnder5Years, f.clientDevicesDated, per: 100)
        classesMobilesPer1000Pupils = ratio(f.mobileCarts, f.pupils, per: 1000)
        interactiveDisplaysPer1000Pupils = ratio(f.interactiveDisplays, f.pupils, per: 1000)
        videoProjectorsPer1000Pupils = ratio(f.videoProjectors, f.pupils, per: 1000)
        teachingRoomsWifiPercent = ratio(f.teachingRoomsCovered, f.teachingRooms, per: 100)
        contractedMbpsPerPupil = ratio(f.contractedDownKbps, f.pupils, per: 0.001, digits: 1000)
        measuredMbpsPerPupil = ratio(f.measuredDownKbps, f.pupilsMeasured, per: 0.001, digits: 1000)
        filteringPercent = ratio(f.establishmentsFiltering, f.establishmentsWithLink, per: 100)
        online7SchoolDaysPercent = ratio(f.onlineDevices, f.enrolledDevices, per: 100)
        openTickets = f.openTickets
        restorationCompliancePercent = ratio(f.restorationMet, f.restorationKnown, per: 100)
    }
}

/// One line of an indicator table: a subject (an establishment, a collectivité, a département, an académie,
/// or the caller's whole territory), its counts and its indicators.
public struct IndicatorRow: Codable, Equatable, Sendable {
    public enum Level: String, Codable, CaseIterable, Sendable {
        case establishment, collectivite, departement, academie, territory
    }

    public var level: Level
    /// The establishment's or collectivité's id, the département's or académie's code; empty for the territory.
    public var key: String
    public var label: String
    /// The day of a snapshot, in a series.
    public var day: LocalDate?
    public var facts: IndicatorFacts
    public var indicators: IndicatorValues

    public init(level: Level, key: String, label: String, day: LocalDate? = nil, facts: IndicatorFacts) {
        self.level = level
        self.key = key
        self.label = label
        self.day = day
        self.facts = facts
        self.indicators = IndicatorValues(facts)
    }

    public static func csv(_ rows: [IndicatorRow]) -> String {
        let names = Indicators.definitions.map(\.key)
        var out = CSVWriter.line(["level", "key", "label", "day"] + names + IndicatorFacts.columns.map { "n:" + $0.name })
        for row in rows {
            let values = Dictionary(uniqueKeysWithValues: row.indicators.named)
            out += CSVWriter.line(
                [row.level.rawValue, row.key, row.label, row.day?.description ?? ""] + names.map { name in values[name]??.csvText ?? "" }
                    + IndicatorFacts.columns.map { String(row.facts[keyPath: $0.path]) })
        }
        return out
    }
}

/// What each indicator means, served at `/api/v1/indicators/definitions` and written in README.
public enum Indicators {
    public struct Definition: Codable, Equatable, Sendable {
        public var key: String
        public var label: String
        public var definition: String
    }

    /// Devices counted as equipment: everything not lost, stolen or retired.
    public static let countedStatuses: [Device.Status] = [.inStock, .inService, .onLoan, .inRepair]
    /// How far back the open figure looks: the start of the 7th school day back, today included.
    public static let onlineSchoolDays = 7

    public static let definitions: [Definition] = [
        .init(
            key: "computers_per_100_pupils", label: "Ordinateurs pour 100 élèves",
            definition: "Desktops, laptops and Chromebooks not lost, stolen or retired, per 100 pupils (ETIC « ordinateurs pour 100 élèves »)."),
        .init(
            key: "mobile_devices_per_100_pupils", label: "Terminaux mobiles pour 100 élèves",
            definition: "Tablets, laptops and Chromebooks not lost, stolen or retired, per 100 pupils."),
        .init(
            key: "client_devices_per_100_pupils", label: "Équipements élèves pour 100 élèves",
            definition: "Tablets, laptops, desktops and Chromebooks per 100 pupils: the measure the refresh planner's equity target uses."),
        .init(
            key: "share_under_5_years_percent", label: "Part des équipements de moins de 5 ans",
            definition: "Of the devices above with a purchase date, the share bought less than 5 years before the day (ETIC « vétusté »)."),
        .init(
            key: "classes_mobiles_per_1000_pupils", label: "Classes mobiles pour 1 000 élèves",
            definition: "Mobile carts recorded, per 1 000 pupils."),
        .init(
            key: "interactive_displays_per_1000_pupils", label: "TNI / VPI / ENI pour 1 000 élèves",
            definition: "Interactive whiteboards, projectors and screens not lost, stolen or retired, per 1 000 pupils."),
        .init(
            key: "video_projectors_per_1000_pupils", label: "Vidéoprojecteurs pour 1 000 élèves",
            definition: "Video projectors (interactive ones excluded) per 1 000 pupils."),
        .init(
            key: "teaching_rooms_wifi_percent", label: "Salles d'enseignement couvertes en Wi-Fi",
            definition: "Teaching rooms whose Wi-Fi coverage is 'covered' (surveyed or measured), as a share of teaching rooms."),
        .init(
            key: "contracted_mbps_per_pupil", label: "Débit contractuel par élève (Mbit/s)",
            definition: "Downstream Mbit/s of the Internet links on contract, divided by pupils."),
        .init(
            key: "measured_mbps_per_pupil", label: "Débit mesuré par élève (Mbit/s)",
            definition:
                "For establishments with measurements in the last 30 days: the median downstream of each link's samples, summed, divided by their pupils."
        ),
        .init(
            key: "filtering_percent", label: "Établissements avec filtrage",
            definition: "Establishments with at least one Internet link that has filtering in place, as a share of establishments with a link."),
        .init(
            key: "online_7_school_days_percent", label: "Appareils vus dans les 7 derniers jours de classe",
            definition:
                "Devices enrolled with the agent (not revoked) that reported since the start of the 7th school day back (today included) on their establishment's calendar, as a share of enrolled devices."
        ),
        .init(key: "open_tickets", label: "Tickets ouverts", definition: "Maintenance tickets open now."),
        .init(
            key: "restoration_compliance_percent", label: "Respect de la GTR",
            definition: "Of the tickets resolved in the last 365 days under a contract, the share restored within the GTR."),
    ]
}

extension Double {
    /// Whole numbers without a trailing `.0`, so counts read as counts in a spreadsheet.
    var csvText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
