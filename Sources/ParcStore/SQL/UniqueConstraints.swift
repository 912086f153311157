import Foundation
import ParcCore

/// The unique indexes of the schema, so a duplicate reported by either backend names the field and says why.
/// PostgreSQL reports the index name; SQLite reports `table.column, table.column`.
enum UniqueConstraints {
    struct Entry {
        var index: String
        var table: String
        var columns: [String]
        var field: String
        var message: String
    }

    static let all: [Entry] = [
        Entry(
            index: "collectivites_kind_code_key", table: "collectivites", columns: ["kind", "code"], field: "code",
            message: "a collectivité of this kind already has this code"),
        Entry(
            index: "establishments_uai_key", table: "establishments", columns: ["uai"], field: "uai",
            message: "an establishment with this UAI already exists"),
        Entry(
            index: "buildings_name_key", table: "buildings", columns: ["establishment_id", "name"], field: "name",
            message: "this establishment already has a building with this name"),
        Entry(
            index: "rooms_name_key", table: "rooms", columns: ["establishment_id", "name"], field: "name",
            message: "this establishment already has a room with this name"),
        Entry(
            index: "device_models_name_key", table: "device_models", columns: ["manufacturer_key", "name"], field: "name",
            message: "this manufacturer already has a model with this name"),
        Entry(
            index: "devices_serial_key", table: "devices", columns: ["manufacturer_key", "serial_number"], field: "serial_number",
            message: "a device of this manufacturer already has this serial number"),
        Entry(
            index: "devices_asset_tag_key", table: "devices", columns: ["asset_tag"], field: "asset_tag",
            message: "another device already carries this asset tag"),
        Entry(
            index: "mobile_carts_name_key", table: "mobile_carts", columns: ["establishment_id", "name"], field: "name",
            message: "this establishment already has a classe mobile with this name"),
        Entry(
            index: "access_points_name_key", table: "access_points", columns: ["establishment_id", "name"], field: "name",
            message: "this establishment already has an access point with this name"),
        Entry(
            index: "tickets_dedup_key", table: "tickets", columns: ["dedup_key"], field: "dedup_key",
            message: "an open ticket already exists for this rule and subject"),
        Entry(
            index: "tickets_number_key", table: "tickets", columns: ["establishment_id", "number"], field: "number",
            message: "another ticket took this number at the same moment; retry"),
        Entry(
            index: "sim_lines_iccid_key", table: "sim_lines", columns: ["iccid"], field: "iccid", message: "another SIM line has this ICCID"),
        Entry(
            index: "kits_asset_tag_key", table: "kits", columns: ["asset_tag"], field: "asset_tag", message: "another kit carries this asset tag"),
        Entry(
            index: "kits_sim_line_key", table: "kits", columns: ["sim_line_id"], field: "sim_line_id",
            message: "this SIM line already belongs to another kit"),
        Entry(
            index: "kit_components_pkey", table: "kit_components", columns: ["device_id"], field: "device_ids",
            message: "a device of this kit already belongs to another kit"),
        Entry(
            index: "loan_policies_collectivite_key", table: "loan_policies", columns: ["collectivite_id"], field: "collectivite_id",
            message: "this collectivité already has a loan policy; change it instead"),
        Entry(
            index: "convention_templates_version_key", table: "convention_templates", columns: ["collectivite_id", "kind", "version"],
            field: "version", message: "another version of this text was saved at the same moment; retry"),
        Entry(
            index: "households_reference_key", table: "households", columns: ["establishment_id", "pupil_reference"], field: "pupil_reference",
            message: "this establishment already has a household with this pupil reference"),
        Entry(
            index: "loans_kit_live_key", table: "loans", columns: ["kit_id"], field: "kit_id",
            message: "this kit is already offered or on loan"),
        Entry(
            index: "loans_household_open_key", table: "loans", columns: ["household_id"], field: "household_id",
            message: "this household already has a loan under way"),
        Entry(index: "api_tokens_hash_key", table: "api_tokens", columns: ["token_hash"], field: "token", message: "token collision"),
    ]

    static func error(forIndex name: String?) -> ParcError {
        guard let entry = all.first(where: { $0.index == name }) else {
            return .conflict(field: nil, message: "the change collides with existing data")
        }
        return .conflict(field: entry.field, message: entry.message)
    }

    /// Reads SQLite's `UNIQUE constraint failed: devices.manufacturer_key, devices.serial_number`.
    static func error(forSQLiteMessage message: String?) -> ParcError {
        guard let message, let range = message.range(of: "constraint failed: ") else { return error(forIndex: nil) }
        let qualified = message[range.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let table = qualified.first?.split(separator: ".").first.map(String.init)
        let columns = qualified.compactMap { $0.split(separator: ".").last.map(String.init) }
        let entry = all.first { $0.table == table && $0.columns == columns }
        return error(forIndex: entry?.index)
    }
}
