import Foundation
public import ParcCore
public import ParcStore

/// Imports the CSV formats of establishment lists, catalogues and supplier delivery manifests (columns in README).
/// Every row is validated and resolved first; if any row is wrong nothing is written and every error is reported
/// with its line. Rows are upserted by natural key (UAI; manufacturer + model; manufacturer + serial number), so
/// importing the same file twice changes nothing the second time.
public struct CSVImporter: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case establishments
        case deviceModels = "device-models"
        case devices
    }

    public struct Report: Codable, Equatable, Sendable {
        public var kind: String
        public var rows: Int
        public var created: Int
        public var updated: Int
        public var unchanged: Int
        public var dryRun: Bool
    }

    let storage: Storage
    let clock: AppClock
    /// Told of each device the import changed once it is committed, like `InventoryService.afterChange`: a
    /// transfer by import must reach the agent caches as a transfer by PATCH does.
    let deviceChanged: (@Sendable (_ before: Device, _ after: Device?) -> Void)?

    public init(storage: Storage, clock: AppClock, deviceChanged: (@Sendable (_ before: Device, _ after: Device?) -> Void)? = nil) {
        self.storage = storage
        self.clock = clock
        self.deviceChanged = deviceChanged
    }

    public func run(_ kind: Kind, csv: String, principal: Principal, dryRun: Bool) async throws -> Report {
        let table = try CSVTable(parsing: csv)
        switch kind {
        case .establishments:
            try table.requireColumns(["uai", "type", "name", "commune"])
            let existing = try await storage.repository(Establishment.self).find(
                where: "uai", in: table.rows.compactMap { table.value("uai", in: $0.fields)?.uppercased().sqlValue })
            let byUAI = Dictionary(existing.map { ($0.uai.value, $0) }, uniquingKeysWith: { a, _ in a })
            return try await apply(EstablishmentResource(), kind: kind, table: table, principal: principal, dryRun: dryRun) { fields, _ in
                let uai = table.value("uai", in: fields)?.uppercased()
                let input = EstablishmentInput(
                    uai: uai, kind: table.value("type", in: fields), name: table.value("name", in: fields),
                    commune: table.value("commune", in: fields),
                    communeCode: table.value("commune_code", in: fields), pupils: try int(table, "pupils", fields),
                    teachers: try int(table, "teachers", fields), owner: table.value("owner", in: fields))
                return (input, uai.flatMap { byUAI[$0] }, uai)
            }
        case .deviceModels:
            try table.requireColumns(["kind", "manufacturer", "model", "lifespan_months"])
            let models = try await storage.repository(DeviceModel.self).all()
            let byKey = Dictionary(models.map { (ModelKey($0.manufacturer, $0.name), $0) }, uniquingKeysWith: { a, _ in a })
            return try await apply(DeviceModelResource(), kind: kind, table: table, principal: principal, dryRun: dryRun) { fields, _ in
                let input = DeviceModelInput(
                    kind: table.value("kind", in: fields), manufacturer: table.value("manufacturer", in: fields),
                    name: table.value("model", in: fields),
                    lifespanMonths: try int(table, "lifespan_months", fields), unitPriceCents: try euros(table, "unit_price_eur", fields))
                let key = ModelKey(input.manufacturer ?? "", input.name ?? "")
                return (input, byKey[key], key.description)
            }
        case .devices:
            try table.requireColumns(["manufacturer", "serial_number", "model", "uai"])
            let resolver = try await DeviceRowResolver(storage: storage, table: table)
            return try await apply(
                DeviceResource(), kind: kind, table: table, principal: principal, dryRun: dryRun,
                row: { fields, line in try resolver.input(fields, line: line) },
                check: { rows in try await cartCapacityErrors(rows) }, afterChange: deviceChanged)
        }
    }

    /// Validates and builds every row, then writes them all in one batch, or reports every error and writes nothing.
    func apply<Resource: InventoryResource>(
        _ resource: Resource, kind: Kind, table: CSVTable, principal: Principal, dryRun: Bool,
        row: ([String], Int) async throws -> (Resource.Input, Resource.Record?, String?),
        check: ([(line: Int, record: Resource.Record, existing: Resource.Record?)]) async throws -> [FieldError] = { _ in [] },
        afterChange: (@Sendable (_ before: Resource.Record, _ after: Resource.Record?) -> Void)? = nil
    ) async throws -> Report {
        let service = InventoryService(resource: resource, storage: storage, clock: clock)
        try service.authorize(principal, .read)
        let now = clock.now()
        var errors: [FieldError] = []
        var seenKeys: [String: Int] = [:]
        var batch = WriteBatch()
        var created = 0
        var updated = 0
        var unchanged = 0
        var written: [(line: Int, record: Resource.Record, existing: Resource.Record?)] = []
        for (line, fields) in table.rows {
            do {
                let (input, existing, key) = try await row(fields, line)
                if let key {
                    if let first = seenKeys[key] {
                        errors.append(FieldError(row: line, field: "row", reason: "repeats the object of line \(first)"))
                        continue
                    }
                    seenKeys[key] = line
                }
                let context = BuildContext(principal: principal, storage: storage, now: now, newID: clock.newID())
                var built = try await resource.build(input, existing: existing, context: context)
                if let existing {
                    if try jsonString(Self.normalised(built.record, like: existing)) == jsonString(existing) {
                        unchanged += 1
                        continue
                    }
                    // Unchanged rows need no right to write; changed ones need the same right as a PATCH.
                    try service.authorize(principal, .update)
                    context.stamp(&built.record, existing: existing)
                    batch.statements.append(storage.repository(Resource.Record.self).update(built.record, expectedVersion: existing.version))
                    updated += 1
                } else {
                    try service.authorize(principal, .create)
                    context.stamp(&built.record, existing: nil)
                    batch.statements.append(storage.repository(Resource.Record.self).insert(built.record))
                    created += 1
                }
                written.append((line, built.record, existing))
                batch.statements += built.extra
                batch.statements.append(
                    storage.audit.append(try service.audit(.import, principal: principal, before: existing, after: built.record, at: now)))
            } catch let error as ParcError {
                errors += CSVImporter.rowErrors(error, line: line)
            }
        }
        // Rules that span rows: each row was checked against the store, not against the other rows of the file.
        if errors.isEmpty { errors = try await check(written) }
        if !errors.isEmpty { throw ParcError.validation(errors) }
        if !dryRun, !batch.statements.isEmpty {
            do {
                try await storage.database.write(batch)
            } catch let error as ParcError {
                // A uniqueness clash the row checks could not see (e.g. an asset tag used by another device).
                throw ParcError.validation(CSVImporter.rowErrors(error, line: nil))
            }
            if let afterChange {
                for row in written { if let existing = row.existing { afterChange(existing, row.record) } }
            }
        }
        return Report(kind: kind.rawValue, rows: table.rows.count, created: created, updated: updated, unchanged: unchanged, dryRun: dryRun)
    }

    /// A classe mobile may not receive more client devices than its capacity, counting those already in it and
    /// every row of the file that puts one into it (the cart itself and its accessories take no slot).
    func cartCapacityErrors(_ rows: [(line: Int, record: Device, existing: Device?)]) async throws -> [FieldError] {
        var incoming: [UUID: [Int]] = [:]
        for row in rows {
            if let cart = row.record.cartID, cart != row.existing?.cartID, row.record.kind.isClientDevice {
                incoming[cart, default: []].append(row.line)
            }
        }
        let carts = try await storage.repository(MobileCart.self).get(ids: Array(incoming.keys))
        var errors: [FieldError] = []
        for (id, lines) in incoming.sorted(by: { $0.value[0] < $1.value[0] }) {
            guard let cart = carts[id] else { continue }
            let stored = try await storage.repository(Device.self).cartSlotsTaken(id)
            let room = max(0, cart.capacity - stored)
            for line in lines.dropFirst(room) {
                errors.append(FieldError(row: line, field: "cart", reason: "the classe mobile \(cart.name) is full (\(cart.capacity) slots)"))
            }
        }
        return errors
    }

    /// The record as it would compare to `existing` if nothing but bookkeeping differed.
    static func normalised<R: StoredRecord>(_ record: R, like existing: R) -> R {
        var same = record
        same.version = existing.version
        same.updatedAt = existing.updatedAt
        return same
    }

    static func rowErrors(_ error: ParcError, line: Int?) -> [FieldError] {
        switch error {
        case .validation(let fields): return fields.map { FieldError(row: line ?? $0.row, field: $0.field, reason: $0.reason) }
        case .conflict(let field, let message): return [FieldError(row: line, field: field ?? "row", reason: message)]
        case .forbidden(let message), .malformed(let message): return [FieldError(row: line, field: "row", reason: message)]
        default: return [FieldError(row: line, field: "row", reason: "\(error)")]
        }
    }
}

struct ModelKey: Hashable, CustomStringConvertible {
    let manufacturer: String
    let name: String

    init(_ manufacturer: String, _ name: String) {
        self.manufacturer = DeviceModel.manufacturerKey(manufacturer)
        self.name = name.lowercased().trimmingCharacters(in: .whitespaces)
    }

    var description: String { manufacturer + "/" + name }
}

private func int(_ table: CSVTable, _ column: String, _ fields: [String]) throws -> Int? {
    guard let text = table.value(column, in: fields) else { return nil }
    guard let value = Int(text) else { throw ParcError.validation([FieldError(field: column, reason: "must be a whole number")]) }
    return value
}

/// `566`, `566.00` or `566,00` euros, as cents.
private func euros(_ table: CSVTable, _ column: String, _ fields: [String]) throws -> Int? {
    guard let text = table.value(column, in: fields) else { return nil }
    guard let value = Double(text.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " ", with: "")), value >= 0 else {
        throw ParcError.validation([FieldError(field: column, reason: "must be an amount in euros, e.g. 566.00")])
    }
    return Int((value * 100).rounded())
}

/// Turns a manifest row (names and codes) into a device input (ids), with bulk lookups done once per file.
struct DeviceRowResolver: Sendable {
    let establishments: [String: Establishment]
    let models: [ModelKey: DeviceModel]
    let rooms: [String: UUID]
    let carts: [String: UUID]
    let devices: [String: Device]
    let table: CSVTable

    init(storage: Storage, table: CSVTable) async throws {
        self.table = table
        let uais = Set(table.rows.compactMap { table.value("uai", in: $0.fields)?.uppercased() })
        let found = try await storage.repository(Establishment.self).find(where: "uai", in: uais.map(\.sqlValue))
        establishments = Dictionary(found.map { ($0.uai.value, $0) }, uniquingKeysWith: { a, _ in a })
        let ids = found.map(\.id.sqlValue)
        models = Dictionary(
            try await storage.repository(DeviceModel.self).all().map { (ModelKey($0.manufacturer, $0.name), $0) },
            uniquingKeysWith: { a, _ in a })
        rooms = Dictionary(
            try await storage.repository(Room.self).find(where: "establishment_id", in: ids).map { ("\($0.establishmentID)/\($0.name)", $0.id) },
            uniquingKeysWith: { a, _ in a })
        carts = Dictionary(
            try await storage.repository(MobileCart.self).find(where: "establishment_id", in: ids).map {
                ("\($0.establishmentID)/\($0.name)", $0.id)
            },
            uniquingKeysWith: { a, _ in a })
        let serials = Set(table.rows.compactMap { table.value("serial_number", in: $0.fields) })
        devices = Dictionary(
            try await storage.repository(Device.self).find(where: "serial_number", in: serials.map(\.sqlValue)).map {
                (DeviceModel.manufacturerKey($0.manufacturer) + "/" + $0.serialNumber, $0)
            }, uniquingKeysWith: { a, _ in a })
    }

    func input(_ fields: [String], line: Int) throws -> (DeviceInput, Device?, String?) {
        var v = Validator(row: line)
        let uai = table.value("uai", in: fields)?.uppercased()
        let establishment = uai.flatMap { establishments[$0] }
        if uai == nil { v.fail("uai", "is required") } else if establishment == nil { v.fail("uai", "no establishment with this UAI") }
        let manufacturer = table.value("manufacturer", in: fields) ?? ""
        let model = models[ModelKey(manufacturer, table.value("model", in: fields) ?? "")]
        if model == nil { v.fail("model", "no model '\(table.value("model", in: fields) ?? "")' of manufacturer '\(manufacturer)' in the catalogue") }
        var roomID: UUID?
        if let room = table.value("room", in: fields), let establishment {
            roomID = rooms["\(establishment.id)/\(room)"]
            if roomID == nil { v.fail("room", "no room '\(room)' in \(establishment.uai)") }
        }
        var cartID: UUID?
        if let cart = table.value("cart", in: fields), let establishment {
            cartID = carts["\(establishment.id)/\(cart)"]
            if cartID == nil { v.fail("cart", "no classe mobile '\(cart)' in \(establishment.uai)") }
        }
        var shares: [FunderShare]?
        if let text = table.value("funder_shares", in: fields) {
            shares = FunderShare.parseList(text)
            if shares == nil { v.fail("funder_shares", "must be written funder:percent;funder:percent") }
        }
        var price: Int?
        do { price = try euros(table, "purchase_price_eur", fields) } catch {
            v.fail("purchase_price_eur", "must be an amount in euros, e.g. 566.00")
        }
        try v.check()
        let serial = table.value("serial_number", in: fields)
        let key = serial.map { DeviceModel.manufacturerKey(manufacturer) + "/" + $0 }
        let input = DeviceInput(
            establishmentID: establishment?.id, modelID: model?.id, serialNumber: serial, assetTag: table.value("asset_tag", in: fields),
            roomID: roomID, cartID: cartID, status: table.value("status", in: fields), purchaseDate: table.value("purchase_date", in: fields),
            purchasePriceCents: price, fundingProgramme: table.value("funding_programme", in: fields), funderShares: shares,
            warrantyEnd: table.value("warranty_end", in: fields), plannedEndOfLife: table.value("planned_eol", in: fields),
            plannedRefresh: table.value("planned_refresh", in: fields), notes: table.value("notes", in: fields))
        return (input, key.flatMap { devices[$0] }, key)
    }
}
