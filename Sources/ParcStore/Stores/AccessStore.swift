public import Foundation
public import ParcCore

/// Principals and their API tokens. Tokens are stored as SHA-256 hashes; the clear token is shown once.
public struct AccessStore: Sendable {
    let database: any SQLDatabase

    public init(_ database: any SQLDatabase) { self.database = database }

    public struct TokenRecord: Codable, Equatable, Sendable, Identifiable {
        public var id: UUID
        public var principalID: UUID
        /// The first characters of the token, so people can tell their tokens apart.
        public var prefix: String
        public var label: String?
        public var createdAt: Date
        public var createdBy: UUID?
        public var expiresAt: Date?
        public var revokedAt: Date?

        public init(
            id: UUID, principalID: UUID, prefix: String, label: String?, createdAt: Date, createdBy: UUID?, expiresAt: Date?,
            revokedAt: Date? = nil
        ) {
            self.id = id
            self.principalID = principalID
            self.prefix = prefix
            self.label = label
            self.createdAt = createdAt
            self.createdBy = createdBy
            self.expiresAt = expiresAt
            self.revokedAt = revokedAt
        }
    }

    public func insert(_ principal: Principal) -> [WriteStatement] {
        [
            WriteStatement(
                """
                INSERT INTO principals (id, name, role, academie_code, collectivite_id, created_at)
                VALUES (\(principal.id), \(principal.name), \(principal.role.rawValue), \(principal.academieCode), \(principal.collectiviteID), \(principal.createdAt))
                """)
        ]
            + principal.establishmentIDs.map { establishment in
                WriteStatement("INSERT INTO principal_establishments (principal_id, establishment_id) VALUES (\(principal.id), \(establishment))")
            }
    }

    public func insert(_ token: TokenRecord, hash: String) -> WriteStatement {
        WriteStatement(
            """
            INSERT INTO api_tokens (id, principal_id, token_hash, prefix, label, created_at, created_by, expires_at)
            VALUES (\(token.id), \(token.principalID), \(hash), \(token.prefix), \(token.label), \(token.createdAt), \(token.createdBy), \(token.expiresAt))
            """)
    }

    /// The principal a live token acts for: not revoked, not expired, principal not disabled.
    public func principal(tokenHash: String, now: Date) async throws -> (Principal, tokenID: UUID)? {
        let rows = try await database.query(
            """
            SELECT p.*, t.id AS token_id FROM api_tokens t JOIN principals p ON p.id = t.principal_id
            WHERE t.token_hash = \(tokenHash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > \(now))
              AND p.disabled_at IS NULL
            """)
        guard let row = rows.first else { return nil }
        return (try await principal(from: row), try row.uuid("token_id"))
    }

    /// A live principal by id.
    public func principal(id: UUID) async throws -> Principal? {
        guard let row = try await database.query("SELECT * FROM principals WHERE id = \(id) AND disabled_at IS NULL").first else { return nil }
        return try await principal(from: row)
    }

    func principal(from row: SQLRow) async throws -> Principal {
        let id = try row.uuid("id")
        // A technician also covers every establishment of his rounds.
        let establishments = try await database.query(
            """
            SELECT establishment_id FROM principal_establishments WHERE principal_id = \(id)
            UNION SELECT re.establishment_id FROM round_establishments re JOIN rounds r ON r.id = re.round_id
              WHERE r.technician_id = \(id) AND r.deleted_at IS NULL
            ORDER BY establishment_id
            """
        ).map { try $0.uuid("establishment_id") }
        return Principal(
            id: id, name: try row.string("name"), role: try row.enumValue("role", as: Principal.Role.self),
            academieCode: try row.optionalString("academie_code"), collectiviteID: try row.optionalUUID("collectivite_id"),
            establishmentIDs: establishments, createdAt: try row.date("created_at"))
    }

    /// Tokens of one principal, or every token when `principalID` is nil; newest first.
    public func tokens(principalID: UUID?, createdBy: UUID? = nil) async throws -> [TokenRecord] {
        var conditions: [SQLQuery] = ["1 = 1"]
        if let principalID { conditions.append("principal_id = \(principalID)") }
        if let createdBy { conditions.append("created_by = \(createdBy)") }
        return try await database.query(
            "SELECT * FROM api_tokens WHERE \(SQLQuery.joined(conditions, separator: " AND ")) ORDER BY created_at DESC, id"
        ).map(AccessStore.token(from:))
    }

    public func token(id: UUID) async throws -> TokenRecord? {
        try await database.query("SELECT * FROM api_tokens WHERE id = \(id)").first.map(AccessStore.token(from:))
    }

    public func revoke(tokenID: UUID, at: Date) -> WriteStatement {
        WriteStatement(
            "UPDATE api_tokens SET revoked_at = \(at) WHERE id = \(tokenID) AND revoked_at IS NULL RETURNING id",
            expect: .exactlyOne(orElse: .conflict(field: nil, message: "the token is already revoked")))
    }

    /// Whether any principal exists: the first start creates the administrator only on an empty database.
    public func hasPrincipals() async throws -> Bool {
        try await database.query("SELECT 1 AS found FROM principals LIMIT 1").isEmpty == false
    }

    static func token(from row: SQLRow) throws -> TokenRecord {
        TokenRecord(
            id: try row.uuid("id"), principalID: try row.uuid("principal_id"), prefix: try row.string("prefix"),
            label: try row.optionalString("label"), createdAt: try row.date("created_at"), createdBy: try row.optionalUUID("created_by"),
            expiresAt: try row.optionalDate("expires_at"), revokedAt: try row.optionalDate("revoked_at"))
    }
}
