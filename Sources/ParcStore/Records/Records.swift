public import Foundation
public import ParcCore

// The table mapping of each aggregate. Reading by column name keeps `SELECT *` safe when migrations add columns.

extension Collectivite: StoredRecord {
    public static let table = "collectivites"
    public static let resource = ResourceKind.collectivite
    public static let scoping = Scoping.collectiviteRow
    public var establishmentRef: UUID? { nil }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("kind", kind.sqlValue), ("code", code.sqlValue), ("name", name.sqlValue),
            ("academie_code", academieCode.sqlValue), ("contact_email", contactEmail.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), kind: try row.enumValue("kind", as: Kind.self), code: try row.string("code"), name: try row.string("name"),
            academieCode: try row.optionalString("academie_code"), contactEmail: try row.optionalString("contact_email"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Establishment: StoredRecord {
    public static let table = "establishments"
    public static let resource = ResourceKind.establishment
    public static let scoping = Scoping.establishmentRow
    public var establishmentRef: UUID? { id }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("uai", uai.value.sqlValue), ("kind", kind.sqlValue), ("name", name.sqlValue), ("commune", commune.sqlValue),
            ("commune_code", communeCode.sqlValue), ("departement", departement.sqlValue), ("academie_code", academieCode.sqlValue),
            ("pupils", pupils.sqlValue), ("teachers", teachers.sqlValue), ("owner_id", ownerID.sqlValue),
            ("owner_overridden", ownerOverridden.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        let uai: UAI
        do { uai = try UAI(validating: try row.string("uai")) } catch { throw StoreError.decoding("stored UAI is invalid: \(error)") }
        self.init(
            id: try row.uuid("id"), uai: uai, kind: try row.enumValue("kind", as: Kind.self), name: try row.string("name"),
            commune: try row.string("commune"), communeCode: try row.optionalString("commune_code"),
            academieCode: try row.optionalString("academie_code"), pupils: try row.int("pupils"), teachers: try row.int("teachers"),
            ownerID: try row.uuid("owner_id"), ownerOverridden: try row.bool("owner_overridden"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Building: StoredRecord {
    public static let table = "buildings"
    public static let resource = ResourceKind.building
    public static let scoping = Scoping.viaEstablishment
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("name", name.sqlValue)] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), name: try row.string("name"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Room: StoredRecord {
    public static let table = "rooms"
    public static let resource = ResourceKind.room
    public static let scoping = Scoping.viaEstablishment
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("building_id", buildingID.sqlValue), ("name", name.sqlValue),
            ("kind", kind.sqlValue), ("teaching", teaching.sqlValue), ("floor", floor.sqlValue), ("wifi_coverage", wifiCoverage?.sqlValue ?? .null),
            ("coverage_source", coverageSource?.sqlValue ?? .null), ("coverage_assessed_on", coverageAssessedOn.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), buildingID: try row.optionalUUID("building_id"),
            name: try row.string("name"), kind: try row.enumValue("kind", as: Kind.self), teaching: try row.bool("teaching"),
            floor: try row.optionalInt("floor"), wifiCoverage: try row.optionalEnum("wifi_coverage", as: WifiCoverage.self),
            coverageSource: try row.optionalEnum("coverage_source", as: CoverageSource.self),
            coverageAssessedOn: try row.optionalLocalDate("coverage_assessed_on"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension DeviceModel: StoredRecord {
    public static let table = "device_models"
    public static let resource = ResourceKind.deviceModel
    public static let scoping = Scoping.global
    public var establishmentRef: UUID? { nil }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("kind", kind.sqlValue), ("manufacturer", manufacturer.sqlValue),
            ("manufacturer_key", DeviceModel.manufacturerKey(manufacturer).sqlValue), ("name", name.sqlValue),
            ("lifespan_months", lifespanMonths.sqlValue), ("unit_price_cents", unitPriceCents.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), kind: try row.enumValue("kind", as: Kind.self), manufacturer: try row.string("manufacturer"),
            name: try row.string("name"), lifespanMonths: try row.int("lifespan_months"), unitPriceCents: try row.optionalInt("unit_price_cents"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Device: StoredRecord {
    public static let table = "devices"
    public static let resource = ResourceKind.device
    public static let scoping = Scoping.denormalized
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("owner_id", ownerID.sqlValue),
            ("academie_code", academieCode.sqlValue), ("model_id", modelID.sqlValue), ("kind", kind.sqlValue),
            ("manufacturer", manufacturer.sqlValue), ("manufacturer_key", DeviceModel.manufacturerKey(manufacturer).sqlValue),
            ("serial_number", serialNumber.sqlValue), ("asset_tag", assetTag.sqlValue), ("room_id", roomID.sqlValue),
            ("cart_id", cartID.sqlValue), ("status", status.sqlValue), ("purchase_date", purchaseDate.sqlValue),
            ("purchase_price_cents", purchasePriceCents.sqlValue), ("funding_programme", fundingProgramme.sqlValue),
            ("funder_shares", jsonText(funderShares).sqlValue), ("warranty_end", warrantyEnd.sqlValue),
            ("planned_end_of_life", plannedEndOfLife.sqlValue), ("planned_refresh", plannedRefresh.sqlValue), ("notes", notes.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), ownerID: try row.uuid("owner_id"),
            academieCode: try row.optionalString("academie_code"), modelID: try row.uuid("model_id"),
            kind: try row.enumValue("kind", as: DeviceModel.Kind.self), manufacturer: try row.string("manufacturer"),
            serialNumber: try row.string("serial_number"), assetTag: try row.optionalString("asset_tag"), roomID: try row.optionalUUID("room_id"),
            cartID: try row.optionalUUID("cart_id"), status: try row.enumValue("status", as: Status.self),
            purchaseDate: try row.optionalLocalDate("purchase_date"), purchasePriceCents: try row.optionalInt("purchase_price_cents"),
            fundingProgramme: try row.optionalString("funding_programme"), funderShares: try row.json("funder_shares", as: [FunderShare].self),
            warrantyEnd: try row.optionalLocalDate("warranty_end"), plannedEndOfLife: try row.optionalLocalDate("planned_end_of_life"),
            plannedRefresh: try row.optionalLocalDate("planned_refresh"), notes: try row.optionalString("notes"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension MobileCart: StoredRecord {
    public static let table = "mobile_carts"
    public static let resource = ResourceKind.mobileCart
    public static let scoping = Scoping.viaEstablishment
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("name", name.sqlValue), ("capacity", capacity.sqlValue),
            ("home_room_id", homeRoomID.sqlValue), ("access_point_id", accessPointID.sqlValue),
            ("built_in_access_point", builtInAccessPoint.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), name: try row.string("name"),
            capacity: try row.int("capacity"), homeRoomID: try row.optionalUUID("home_room_id"),
            accessPointID: try row.optionalUUID("access_point_id"), builtInAccessPoint: try row.bool("built_in_access_point"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension AccessPoint: StoredRecord {
    public static let table = "access_points"
    public static let resource = ResourceKind.accessPoint
    public static let scoping = Scoping.viaEstablishment
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("room_id", roomID.sqlValue), ("name", name.sqlValue),
            ("manufacturer", manufacturer.sqlValue), ("model", model.sqlValue), ("bands", jsonText(bands).sqlValue),
            ("standard", standard?.sqlValue ?? .null), ("max_clients", maxClients.sqlValue), ("poe", poe.sqlValue),
            ("switchable", switchable.sqlValue), ("schedule", schedule.sqlValue), ("conseil_ecole_informed_on", conseilEcoleInformedOn.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), roomID: try row.optionalUUID("room_id"),
            name: try row.string("name"), manufacturer: try row.optionalString("manufacturer"), model: try row.optionalString("model"),
            bands: try row.json("bands", as: [Band].self), standard: try row.optionalEnum("standard", as: Standard.self),
            maxClients: try row.optionalInt("max_clients"), poe: try row.bool("poe"), switchable: try row.bool("switchable"),
            schedule: try row.optionalString("schedule"), conseilEcoleInformedOn: try row.optionalLocalDate("conseil_ecole_informed_on"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension InternetLink: StoredRecord {
    public static let table = "internet_links"
    public static let resource = ResourceKind.internetLink
    public static let scoping = Scoping.viaEstablishment
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("technology", technology.sqlValue),
            ("provider", provider.sqlValue), ("down_mbps", downMbps.sqlValue), ("up_mbps", upMbps.sqlValue), ("filtering", filtering.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"),
            technology: try row.enumValue("technology", as: Technology.self),
            provider: try row.optionalString("provider"), downMbps: try row.double("down_mbps"), upMbps: try row.double("up_mbps"),
            filtering: try row.bool("filtering"), version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

/// Small arrays kept as JSON text in both backends; sorted keys keep the stored text stable.
func jsonText(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
}
