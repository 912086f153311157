public import Foundation
public import ParcCore

// Table mappings of the loan aggregates. Households are the only rows holding a family's identity; loans point
// at them by id, and lose that id when their details are anonymised.

extension Kit: StoredRecord {
    public static let table = "kits"
    public static let resource = ResourceKind.loan
    public static let scoping = Scoping.denormalized
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("owner_id", ownerID.sqlValue),
            ("academie_code", academieCode.sqlValue), ("asset_tag", assetTag.sqlValue), ("name", name.sqlValue),
            ("device_ids", jsonText(deviceIDs).sqlValue), ("sim_line_id", simLineID.sqlValue), ("status", status.sqlValue), ("notes", notes.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), ownerID: try row.uuid("owner_id"),
            academieCode: try row.optionalString("academie_code"), assetTag: try row.string("asset_tag"), name: try row.string("name"),
            deviceIDs: try row.json("device_ids", as: [UUID].self), simLineID: try row.optionalUUID("sim_line_id"),
            status: try row.enumValue("status", as: Status.self), notes: try row.optionalString("notes"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension SIMLine: StoredRecord {
    public static let table = "sim_lines"
    public static let resource = ResourceKind.loan
    public static let scoping = Scoping.denormalized
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("owner_id", ownerID.sqlValue),
            ("academie_code", academieCode.sqlValue), ("iccid", iccid.sqlValue), ("phone_number", phoneNumber.sqlValue),
            ("operator", `operator`.sqlValue), ("data_plan", dataPlan.sqlValue), ("expires_on", expiresOn.sqlValue),
            ("suspended", suspended.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), ownerID: try row.uuid("owner_id"),
            academieCode: try row.optionalString("academie_code"), iccid: try row.string("iccid"),
            phoneNumber: try row.optionalString("phone_number"),
            operator: try row.string("operator"), dataPlan: try row.optionalString("data_plan"), expiresOn: try row.optionalLocalDate("expires_on"),
            suspended: try row.bool("suspended"), version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

extension LoanPolicy: StoredRecord {
    public static let table = "loan_policies"
    public static let resource = ResourceKind.loanPolicy
    public static let scoping = Scoping.collectiviteOwned
    public var establishmentRef: UUID? { nil }

    /// The settings are read whole; only the collectivité is a column of its own.
    public var columns: [(String, SQLValue)] {
        [("id", id.sqlValue), ("collectivite_id", collectiviteID.sqlValue), ("settings", jsonText(LoanPolicyInput(self)).sqlValue)] + lifecycle()
    }

    public init(row: SQLRow) throws {
        let settings = try row.json("settings", as: LoanPolicyInput.self)
        let id = try row.uuid("id")
        let stored = LoanPolicy.standard(collectiviteID: try row.uuid("collectivite_id"), at: try row.date("created_at"))
        self.init(
            id: id, collectiviteID: stored.collectiviteID, criteria: settings.criteria ?? stored.criteria,
            loanManagerIDs: settings.loanManagerIDs ?? [], offerExpiryDays: settings.offerExpiryDays ?? stored.offerExpiryDays,
            schoolYearEnd: settings.schoolYearEnd ?? stored.schoolYearEnd, durationDays: settings.durationDays,
            extensionDays: settings.extensionDays ?? stored.extensionDays, maxExtensions: settings.maxExtensions ?? stored.maxExtensions,
            dueSoonDays: settings.dueSoonDays ?? stored.dueSoonDays, overdueNoticeDays: settings.overdueNoticeDays ?? stored.overdueNoticeDays,
            fees: settings.fees ?? stored.fees, checklists: settings.checklists ?? stored.checklists, purpose: settings.purpose ?? stored.purpose,
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Household: StoredRecord {
    public static let table = "households"
    public static let resource = ResourceKind.household
    public static let scoping = Scoping.denormalized
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("owner_id", ownerID.sqlValue),
            ("academie_code", academieCode.sqlValue), ("pupil_reference", pupilReference.sqlValue), ("guardians", jsonText(guardians).sqlValue),
            ("eligible", eligible.sqlValue), ("criterion", criterion.sqlValue), ("last_loan_ended_at", lastLoanEndedAt.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), ownerID: try row.uuid("owner_id"),
            academieCode: try row.optionalString("academie_code"), pupilReference: try row.string("pupil_reference"),
            guardians: try row.json("guardians", as: [Guardian].self), eligible: try row.bool("eligible"),
            criterion: try row.optionalString("criterion"),
            lastLoanEndedAt: try row.optionalDate("last_loan_ended_at"), version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

extension Loan: StoredRecord {
    public static let table = "loans"
    public static let resource = ResourceKind.loan
    public static let scoping = Scoping.denormalized
    public var establishmentRef: UUID? { establishmentID }

    public var columns: [(String, SQLValue)] {
        [
            ("id", id.sqlValue), ("establishment_id", establishmentID.sqlValue), ("owner_id", ownerID.sqlValue),
            ("academie_code", academieCode.sqlValue), ("household_id", householdID.sqlValue), ("kit_id", kitID.sqlValue), ("status", status.sqlValue),
            ("is_open", status.isOpen.sqlValue), ("priority", priority.sqlValue), ("requested_at", requestedAt.sqlValue),
            ("offered_at", offeredAt.sqlValue), ("offer_expires_at", offerExpiresAt.sqlValue), ("checked_out_at", checkedOutAt.sqlValue),
            ("due_on", dueOn.sqlValue), ("extensions", extensions.sqlValue), ("ended_at", endedAt.sqlValue),
            ("condition", condition?.sqlValue ?? .null),
            ("fee_cents", feeCents.sqlValue), ("fee_codes", jsonText(feeCodes).sqlValue),
            ("returned_components", returnedComponents.map(jsonText)?.sqlValue ?? .null), ("ticket_id", ticketID.sqlValue),
            ("convention_id", conventionID.sqlValue), ("receipt_id", receiptID.sqlValue), ("notes", notes.sqlValue),
            ("anonymized_at", anonymizedAt.sqlValue),
        ] + lifecycle()
    }

    public init(row: SQLRow) throws {
        self.init(
            id: try row.uuid("id"), establishmentID: try row.uuid("establishment_id"), ownerID: try row.uuid("owner_id"),
            academieCode: try row.optionalString("academie_code"), householdID: try row.optionalUUID("household_id"),
            kitID: try row.optionalUUID("kit_id"),
            status: try row.enumValue("status", as: Status.self), priority: try row.int("priority"), requestedAt: try row.date("requested_at"),
            offeredAt: try row.optionalDate("offered_at"), offerExpiresAt: try row.optionalDate("offer_expires_at"),
            checkedOutAt: try row.optionalDate("checked_out_at"), dueOn: try row.optionalLocalDate("due_on"), extensions: try row.int("extensions"),
            endedAt: try row.optionalDate("ended_at"), condition: try row.optionalEnum("condition", as: Condition.self),
            feeCents: try row.int("fee_cents"),
            feeCodes: try row.json("fee_codes", as: [String].self),
            returnedComponents: try row.optionalString("returned_components") == nil
                ? nil : try row.json("returned_components", as: [ComponentReturn].self),
            ticketID: try row.optionalUUID("ticket_id"), conventionID: try row.optionalUUID("convention_id"),
            receiptID: try row.optionalUUID("receipt_id"),
            notes: try row.optionalString("notes"), anonymizedAt: try row.optionalDate("anonymized_at"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
