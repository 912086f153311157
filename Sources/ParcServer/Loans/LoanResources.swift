import Foundation
import ParcCore
import ParcStore

private let epoch = Date(timeIntervalSince1970: 0)

/// Family loan kits: specific devices of one establishment, one kit per device, the SIM line with them.
struct KitResource: InventoryResource {
    static let path = "kits"
    static let noun = "kit"
    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "collectivite_id": .uuid("owner_id"), "academie_code": .text("academie_code"),
        "status": .choice("status", Kit.Status.allCases.map(\.rawValue)), "asset_tag": .text("asset_tag"), "q": .search("name"),
    ]
    static let example = Kit(
        id: UUID(), establishmentID: UUID(), ownerID: UUID(), academieCode: "28", assetTag: "KIT-974-0042", name: "Lot famille 42",
        deviceIDs: [UUID(), UUID(), UUID()], simLineID: UUID(), status: .available, notes: "Sacoche bleue", createdAt: epoch, updatedAt: epoch)
    static let exampleInput = KitInput(
        establishmentID: UUID(), assetTag: "KIT-974-0042", name: "Lot famille 42", deviceIDs: [UUID(), UUID()], simLineID: UUID(), notes: nil)

    func input(from kit: Kit) -> KitInput {
        KitInput(
            establishmentID: kit.establishmentID, assetTag: kit.assetTag, name: kit.name, deviceIDs: kit.deviceIDs, simLineID: kit.simLineID,
            notes: kit.notes)
    }

    func build(_ input: KitInput, existing: Kit?, context: BuildContext) async throws -> Built<Kit> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID)
        if let existing {
            if existing.establishmentID != v.establishmentID {
                throw ParcError.validation([FieldError(field: "establishment_id", reason: "a kit stays in its establishment")])
            }
            if (existing.status == .onLoan || existing.status == .offered), existing.deviceIDs != v.deviceIDs || existing.simLineID != v.simLineID {
                throw ParcError.conflict(field: "device_ids", message: "the kit is \(existing.status.rawValue): change its contents once it is back")
            }
        }
        let devices = try await context.storage.repository(Device.self).get(ids: v.deviceIDs)
        var errors: [FieldError] = []
        for (i, id) in v.deviceIDs.enumerated() {
            guard let device = devices[id] else {
                errors.append(FieldError(field: "device_ids[\(i)]", reason: "no such device"))
                continue
            }
            if device.establishmentID != establishment.id {
                errors.append(FieldError(field: "device_ids[\(i)]", reason: "belongs to another establishment"))
            } else if existing?.deviceIDs.contains(id) != true, ![.inStock, .inService].contains(device.status) {
                errors.append(
                    FieldError(field: "device_ids[\(i)]", reason: "is \(device.status.rawValue); only a device in stock or in service joins a kit"))
            }
        }
        if !errors.isEmpty { throw ParcError.validation(errors) }
        _ = try await context.sibling(SIMLine.self, v.simLineID, of: establishment.id, field: "sim_line_id")
        // A kit back from a return with a damaged or missing part is ready again once its contents changed.
        var status = existing?.status ?? .available
        if status == .incomplete, existing?.deviceIDs != v.deviceIDs { status = .available }
        let kit = Kit(
            id: existing?.id ?? context.newID, establishmentID: establishment.id, ownerID: establishment.ownerID,
            academieCode: establishment.academieCode, assetTag: v.assetTag, name: v.name, deviceIDs: v.deviceIDs, simLineID: v.simLineID,
            status: status, notes: v.notes, version: existing?.version ?? 1, createdAt: existing?.createdAt ?? context.now, updatedAt: context.now)
        return Built(record: kit, extra: context.storage.loans.setComponents(kit))
    }

    func deleteGuards(_ kit: Kit) -> [WriteStatement] {
        [
            LoanStore.kitNotHeld(kit.id),
            LoanStore.clearComponents(kitID: kit.id),
        ]
    }
}

/// The mobile data lines lent with 4G routers.
struct SIMLineResource: InventoryResource {
    static let path = "sim-lines"
    static let noun = "sim_line"
    static let filters: [String: FilterSpec] = [
        "establishment_id": .uuid("establishment_id"), "collectivite_id": .uuid("owner_id"), "operator": .text("operator"),
        "iccid": .text("iccid"), "suspended": .flag("suspended"),
    ]
    static let example = SIMLine(
        id: UUID(), establishmentID: UUID(), ownerID: UUID(), academieCode: "28", iccid: "8933150319000000006", phoneNumber: "0692123456",
        operator: "Opérateur", dataPlan: "100 Go/mois", expiresOn: LocalDate("2027-07-04"), suspended: false, createdAt: epoch, updatedAt: epoch)
    static let exampleInput = SIMLineInput(
        establishmentID: UUID(), iccid: "8933150319000000006", phoneNumber: "0692123456", operator: "Opérateur", dataPlan: "100 Go/mois",
        expiresOn: "2027-07-04", suspended: false)

    func input(from line: SIMLine) -> SIMLineInput {
        SIMLineInput(
            establishmentID: line.establishmentID, iccid: line.iccid, phoneNumber: line.phoneNumber, operator: line.operator, dataPlan: line.dataPlan,
            expiresOn: line.expiresOn?.description, suspended: line.suspended)
    }

    func build(_ input: SIMLineInput, existing: SIMLine?, context: BuildContext) async throws -> Built<SIMLine> {
        let v = try input.validate()
        let establishment = try await context.establishment(v.establishmentID)
        if let existing, existing.establishmentID != v.establishmentID {
            throw ParcError.validation([FieldError(field: "establishment_id", reason: "a SIM line stays in its establishment")])
        }
        return Built(
            record: SIMLine(
                id: existing?.id ?? context.newID, establishmentID: establishment.id, ownerID: establishment.ownerID,
                academieCode: establishment.academieCode, iccid: v.iccid, phoneNumber: v.phoneNumber, operator: v.operator, dataPlan: v.dataPlan,
                expiresOn: v.expiresOn, suspended: v.suspended, version: existing?.version ?? 1, createdAt: existing?.createdAt ?? context.now,
                updatedAt: context.now))
    }

    func deleteGuards(_ line: SIMLine) -> [WriteStatement] {
        [Repository<Kit>.noDependents("kits", column: "sim_line_id", on: line.id, describe: "a kit holding it")]
    }
}

/// A collectivité's lending rules. One per collectivité; until it writes one, the standard policy applies.
struct LoanPolicyResource: InventoryResource {
    static let path = "loan-policies"
    static let noun = "loan_policy"
    static let filters: [String: FilterSpec] = ["collectivite_id": .uuid("collectivite_id")]
    static let example: LoanPolicy = LoanPolicy.standard(collectiviteID: UUID(), at: epoch)
    static let exampleInput: LoanPolicyInput = LoanPolicyInput(example)

    func input(from policy: LoanPolicy) -> LoanPolicyInput { LoanPolicyInput(policy) }

    func build(_ input: LoanPolicyInput, existing: LoanPolicy?, context: BuildContext) async throws -> Built<LoanPolicy> {
        let policy = try input.validate(id: existing?.id ?? context.newID, existing: existing, now: context.now)
        guard try await context.storage.repository(Collectivite.self).get(policy.collectiviteID, in: context.principal.scope) != nil else {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "no such collectivité")])
        }
        if let existing, existing.collectiviteID != policy.collectiviteID {
            throw ParcError.validation([FieldError(field: "collectivite_id", reason: "a policy cannot move to another collectivité")])
        }
        var errors: [FieldError] = []
        for (i, id) in policy.loanManagerIDs.enumerated() {
            let manager = try await context.storage.access.principal(id: id)
            if manager?.role != .collectivite || manager?.collectiviteID != policy.collectiviteID {
                errors.append(FieldError(field: "loan_manager_ids[\(i)]", reason: "is not a member of this collectivité"))
            }
        }
        if !errors.isEmpty { throw ParcError.validation(errors) }
        return Built(record: policy)
    }

    func deleteGuards(_ policy: LoanPolicy) -> [WriteStatement] { [] }
}
