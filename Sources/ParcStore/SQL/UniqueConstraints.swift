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
