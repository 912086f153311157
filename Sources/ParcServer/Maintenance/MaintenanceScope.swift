import Foundation
import ParcCore
import ParcStore

/// Keeps contract lots and rounds consistent with who owns which establishment.
enum MaintenanceScope {
    /// The statements that take an establishment out of a former owner's rounds and contract lots.
    static func detach(_ establishmentID: UUID, from owner: UUID, storage: Storage, now: Date) async throws -> [WriteStatement] {
        var statements: [WriteStatement] = []
        for var round in try await storage.tickets.rounds(collectiviteID: owner) where round.establishmentIDs.contains(establishmentID) {
            let version = round.version
            round.establishmentIDs.removeAll { $0 == establishmentID }
            round.version += 1
            round.updatedAt = now
            statements.append(storage.repository(Round.self).update(round, expectedVersion: version))
            statements += storage.tickets.setRoundEstablishments(round)
        }
        for var policy in try await storage.tickets.policies(collectiviteID: owner) where policy.establishmentIDs.contains(establishmentID) {
            let version = policy.version
            policy.establishmentIDs.removeAll { $0 == establishmentID }
            policy.version += 1
            policy.updatedAt = now
            statements.append(storage.repository(SLAPolicy.self).update(policy, expectedVersion: version))
        }
        return statements
    }

    /// Every establishment a round or a lot names must be the collectivité's and inside the caller's scope (an
    /// académie administrator cannot reach a région's lycées of another académie through a round).
    static func checkEstablishments(_ ids: [UUID], collectiviteID: UUID, context: BuildContext) async throws {
        let visible = try await context.storage.repository(Establishment.self).get(ids: ids)
        for id in ids {
            guard let establishment = visible[id], establishment.ownerID == collectiviteID,
                context.principal.scope.contains(establishment: id, ownerID: establishment.ownerID, academieCode: establishment.academieCode)
            else {
                throw ParcError.validation([
                    FieldError(field: "establishment_ids", reason: "\(id) is not an establishment of this collectivité in your scope")
                ])
            }
        }
    }
}
