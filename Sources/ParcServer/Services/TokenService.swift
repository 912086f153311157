public import Foundation
public import ParcCore
public import ParcStore

/// Issues and revokes API tokens. A collectivité issues tokens only for itself and its own establishments;
/// an administrator for anyone. The clear token is returned once and never stored.
public struct TokenService: Sendable {
    public struct Request: Codable, Sendable {
        public var name: String?
        public var role: String?
        public var academieCode: String?
        public var collectiviteID: UUID?
        public var establishmentIDs: [UUID]?
        public var label: String?
        public var expiresAt: Date?

        public init(
            name: String? = nil, role: String? = nil, academieCode: String? = nil, collectiviteID: UUID? = nil, establishmentIDs: [UUID]? = nil,
            label: String? = nil, expiresAt: Date? = nil
        ) {
            self.name = name
            self.role = role
            self.academieCode = academieCode
            self.collectiviteID = collectiviteID
            self.establishmentIDs = establishmentIDs
            self.label = label
            self.expiresAt = expiresAt
        }
    }

    public struct Issued: Codable, Sendable {
        /// The token itself: shown once.
        public var token: String
        public var tokenRecord: AccessStore.TokenRecord
        public var principal: Principal
    }

    let storage: Storage
    let clock: AppClock

    public init(storage: Storage, clock: AppClock) {
        self.storage = storage
        self.clock = clock
    }

    public func issue(_ request: Request, by issuer: Principal?) async throws -> Issued {
        var v = Validator()
        let name = v.requireText(request.name, "name")
        let role = v.enumValue(request.role, "role", as: Principal.Role.self)
        let establishments = Array(Set(request.establishmentIDs ?? []))
        switch role {
        case .collectivite: _ = v.require(request.collectiviteID, "collectivite_id")
        case .establishmentStaff: if establishments.count != 1 { v.fail("establishment_ids", "must name exactly one establishment for staff") }
        // A technician may name no establishment: his rounds say which ones he covers.
        case .agent: v.fail("role", "agent tokens come from device enrollment, not from this endpoint")
        default: break
        }
        let now = clock.now()
        if let expires = request.expiresAt, expires <= now { v.fail("expires_at", "must be in the future") }
        try v.check()
        if let collectiviteID = request.collectiviteID, try await storage.repository(Collectivite.self).get(collectiviteID, in: .all) == nil {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "no such collectivité")])
        }
        let found = try await storage.repository(Establishment.self).get(ids: establishments)
        if found.count != establishments.count {
            throw ParcError.validation([FieldError(field: "establishment_ids", reason: "names an establishment that does not exist")])
        }
        if let issuer {
            switch issuer.role {
            case .admin:
                if let code = issuer.academieCode {
                    // An académie administrator stays inside its académie, whatever the role it issues for.
                    var inside = found.values.allSatisfy { $0.academieCode == code }
                    if role == .admin { inside = inside && request.academieCode == code }
                    if let collectiviteID = request.collectiviteID {
                        let visible = try await storage.repository(Collectivite.self).get(collectiviteID, in: .academie(code))
                        inside = inside && visible != nil
                    }
                    guard inside else { throw ParcError.forbidden("an académie administrator issues tokens inside académie \(code) only") }
                }
            case .collectivite:
                let own = issuer.collectiviteID
                let ok =
                    switch role! {
                    case .collectivite: request.collectiviteID == own
                    case .establishmentStaff, .technician: found.values.allSatisfy { $0.ownerID == own }
                    default: false
                    }
                guard ok else { throw ParcError.forbidden("a collectivité issues tokens only for itself and the establishments it owns") }
            default:
                throw ParcError.forbidden("the \(issuer.role.rawValue) role cannot issue tokens")
            }
        }
        let principal = Principal(
            id: clock.newID(), name: name!, role: role!, academieCode: role == .admin ? request.academieCode : nil,
            collectiviteID: role == .collectivite ? request.collectiviteID : nil,
            establishmentIDs: establishments.sorted { $0.uuidString < $1.uuidString },
            createdAt: now)
        var generator = SystemRandomNumberGenerator()
        let token = TokenMinting.mint(using: &generator)
        let record = AccessStore.TokenRecord(
            id: clock.newID(), principalID: principal.id, prefix: String(token.prefix(9)), label: request.label, createdAt: now,
            createdBy: issuer?.id, expiresAt: request.expiresAt)
        try await storage.database.write(
            WriteBatch(storage.access.insert(principal) + [storage.access.insert(record, hash: TokenMinting.hash(token))]))
        return Issued(token: token, tokenRecord: record, principal: principal)
    }

    public func list(for principal: Principal) async throws -> [AccessStore.TokenRecord] {
        switch principal.role {
        case .admin: try await storage.access.tokens(principalID: nil)
        case .collectivite:
            try await storage.access.tokens(principalID: nil, createdBy: principal.id) + storage.access.tokens(principalID: principal.id)
        default: try await storage.access.tokens(principalID: principal.id)
        }
    }

    public func revoke(_ id: UUID, by principal: Principal) async throws {
        guard let token = try await storage.access.token(id: id),
            principal.role == .admin || token.createdBy == principal.id || token.principalID == principal.id
        else { throw ParcError.notFound("token") }
        try await storage.database.write(WriteBatch([storage.access.revoke(tokenID: id, at: clock.now())]))
    }
}
