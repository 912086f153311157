import Foundation
import ParcCore
import ParcStore

/// Writes the same CSV formats the importer reads, page by page, so an export can be edited and imported back.
struct CSVExporter: Sendable {
    let storage: Storage

    static let establishmentColumns = ["uai", "type", "name", "commune", "commune_code", "pupils", "teachers", "owner"]
    static let modelColumns = ["kind", "manufacturer", "model", "lifespan_months", "unit_price_eur"]
    static let deviceColumns = [
        "manufacturer", "serial_number", "model", "asset_tag", "uai", "room", "status", "purchase_date", "purchase_price_eur", "funding_programme",
        "funder_shares", "warranty_end", "planned_eol", "planned_refresh", "cart",
    ]

    /// Calls `emit` with the header, then with each page of lines, in id order.
    func export(_ kind: CSVImporter.Kind, filters: [Filter], scope: Scope, emit: (String) async throws -> Void) async throws {
        switch kind {
        case .establishments:
            try await emit(CSVWriter.line(CSVExporter.establishmentColumns))
            let owners = Dictionary(try await storage.repository(Collectivite.self).all().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            try await pages(Establishment.self, filters, scope) { items in
                items.map { e in
                    CSVWriter.line([
                        e.uai.value, e.kind.rawValue, e.name, e.commune, e.communeCode ?? "", "\(e.pupils)", "\(e.teachers)",
                        e.ownerOverridden ? owners[e.ownerID]?.reference ?? "" : "",
                    ])
                }.joined()
            } emit: {
                try await emit($0)
            }
        case .deviceModels:
            try await emit(CSVWriter.line(CSVExporter.modelColumns))
            try await pages(DeviceModel.self, filters, scope) { items in
                items.map { m in
                    CSVWriter.line([m.kind.rawValue, m.manufacturer, m.name, "\(m.lifespanMonths)", m.unitPriceCents.map(CSVExporter.euros) ?? ""])
                }.joined()
            } emit: {
                try await emit($0)
            }
        case .devices:
            try await emit(CSVWriter.line(CSVExporter.deviceColumns))
            let models = Dictionary(try await storage.repository(DeviceModel.self).all().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            try await pagesAsync(Device.self, filters, scope) { items in
                let establishments = try await storage.repository(Establishment.self).get(ids: Array(Set(items.map(\.establishmentID))))
                let rooms = try await storage.repository(Room.self).get(ids: Array(Set(items.compactMap(\.roomID))))
                let carts = try await storage.repository(MobileCart.self).get(ids: Array(Set(items.compactMap(\.cartID))))
                return items.map { d in
                    CSVWriter.line([
                        d.manufacturer, d.serialNumber, models[d.modelID]?.name ?? "", d.assetTag ?? "",
                        establishments[d.establishmentID]?.uai.value ?? "",
                        d.roomID.flatMap { rooms[$0]?.name } ?? "", d.status.rawValue, d.purchaseDate?.description ?? "",
                        d.purchasePriceCents.map(CSVExporter.euros) ?? "", d.fundingProgramme ?? "", FunderShare.format(d.funderShares),
                        d.warrantyEnd?.description ?? "", d.plannedEndOfLife?.description ?? "", d.plannedRefresh?.description ?? "",
                        d.cartID.flatMap { carts[$0]?.name } ?? "",
                    ])
                }.joined()
            } emit: {
                try await emit($0)
            }
        }
    }

    func pages<R: StoredRecord>(_ type: R.Type, _ filters: [Filter], _ scope: Scope, render: ([R]) -> String, emit: (String) async throws -> Void)
        async throws
    {
        try await pagesAsync(type, filters, scope, render: { render($0) }, emit: emit)
    }

    func pagesAsync<R: StoredRecord>(
        _ type: R.Type, _ filters: [Filter], _ scope: Scope, render: ([R]) async throws -> String, emit: (String) async throws -> Void
    ) async throws {
        var cursor: Cursor?
        repeat {
            let page = try await storage.repository(R.self).list(filters, in: scope, page: PageRequest(cursor: cursor, limit: 500))
            if !page.items.isEmpty { try await emit(try await render(page.items)) }
            cursor = try page.nextCursor.map { try Cursor(encoded: $0) }
        } while cursor != nil
    }

    static func euros(_ cents: Int) -> String {
        let remainder = cents % 100
        return "\(cents / 100)." + (remainder < 10 ? "0\(remainder)" : "\(remainder)")
    }
}
