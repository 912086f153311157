import Foundation
public import ParcCore

/// Reference data (académies, départements) and the lookups that turn a UAI and a kind into an owner.
public struct TerritoryStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    /// Upserts the reference tables; running it again with the same files changes nothing.
    public func load(academies: [Academie], departements: [Departement]) async throws {
        var batch = WriteBatch()
        for a in academies {
            batch.append(
                """
                INSERT INTO academies (code, name, region_academique, region_code) VALUES (\(a.code), \(a.name), \(a.regionAcademique), \(a.regionCode))
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_academique = excluded.region_academique, region_code = excluded.region_code
                """)
        }
        for d in departements {
            batch.append(
                """
                INSERT INTO departements (code, name, academie_code, region_code) VALUES (\(d.code), \(d.name), \(d.academieCode), \(d.regionCode))
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, academie_code = excluded.academie_code, region_code = excluded.region_code
                """)
        }
        try await database.write(batch)
    }

    public func academies() async throws -> [Academie] {
        try await database.query("SELECT * FROM academies ORDER BY code").map { row in
            Academie(
                code: try row.string("code"), name: try row.string("name"), regionAcademique: try row.string("region_academique"),
                regionCode: try row.optionalString("region_code"))
        }
    }

    public func departements() async throws -> [String: Departement] {
        var result: [String: Departement] = [:]
        for row in try await database.query("SELECT * FROM departements") {
            let d = Departement(
                code: try row.string("code"), name: try row.string("name"), academieCode: try row.string("academie_code"),
                regionCode: try row.optionalString("region_code"))
            result[d.code] = d
        }
        return result
    }

    /// Live collectivités keyed by `kind:code`, for owner resolution in bulk imports.
    public func collectivitesByReference() async throws -> [String: Collectivite] {
        var result: [String: Collectivite] = [:]
        for row in try await database.query("SELECT * FROM collectivites WHERE deleted_at IS NULL") {
            let c = try Collectivite(row: row)
            result[c.reference] = c
        }
        return result
    }
}
