public import Foundation

/// Who is calling: a person or a device, with the role and territory its tokens act for.
public struct Principal: Codable, Equatable, Sendable, Identifiable {
    public enum Role: String, Codable, CaseIterable, Sendable {
        /// National administrator (no académie) or académie administrator.
        case admin
        /// A collectivité's staff: sees and changes the establishments the collectivité owns.
        case collectivite
        /// Staff of one establishment (direction, référent numérique).
        case establishmentStaff = "establishment_staff"
        /// A maintenance assistant covering a set of establishments.
        case technician
        /// A device's agent: writes its own heartbeats, reads nothing.
        case agent
    }

    public var id: UUID
    public var name: String
    public var role: Role
    public var academieCode: String?
    public var collectiviteID: UUID?
    /// The establishment of staff, or the establishments a technician covers.
    public var establishmentIDs: [UUID]
    public var createdAt: Date

    public init(
        id: UUID, name: String, role: Role, academieCode: String? = nil, collectiviteID: UUID? = nil, establishmentIDs: [UUID] = [],
        createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.academieCode = academieCode
        self.collectiviteID = collectiviteID
        self.establishmentIDs = establishmentIDs
        self.createdAt = createdAt
    }

    /// The rows this principal may see. Stores turn it into one SQL predicate.
    public var scope: Scope {
        switch role {
        case .admin: academieCode.map(Scope.academie) ?? .all
        case .collectivite: collectiviteID.map(Scope.collectivite) ?? .nothing
        case .establishmentStaff, .technician: establishmentIDs.isEmpty ? .nothing : .establishments(establishmentIDs)
        case .agent: .nothing
        }
    }
}

/// The part of the territory a principal sees. Every list and every read is filtered by it.
public enum Scope: Equatable, Sendable {
    case all
    case academie(String)
    case collectivite(UUID)
    case establishments([UUID])
    case nothing

    /// Whether an establishment, described by its owner and académie, lies inside the scope.
    public func contains(establishment id: UUID, ownerID: UUID, academieCode: String?) -> Bool {
        switch self {
        case .all: true
        case .academie(let code): academieCode == code
        case .collectivite(let owner): ownerID == owner
        case .establishments(let ids): ids.contains(id)
        case .nothing: false
        }
    }
}

/// What a principal does to a kind of object. Scope decides *which* objects; this decides *what*.
public enum Action: String, Sendable {
    case read, create, update, delete
}

public enum ResourceKind: String, Sendable, CaseIterable {
    case collectivite, establishment, building, room, deviceModel = "device_model", device, mobileCart = "mobile_cart"
    case accessPoint = "access_point", internetLink = "internet_link", throughputSample = "throughput_sample"
    case principal, token, audit
    /// Enrollment tokens and check-in settings of an establishment's agents.
    case agentEnrollment = "agent_enrollment"
    /// What agents report: latest state, history, presence, measured signal and bandwidth.
    case telemetry
    /// Maintenance tickets, their history, comments, time entries and attachments.
    case ticket
    /// A collectivité's maintenance contracts (GTI/GTR per priority) and its technicians' rounds.
    case slaPolicy = "sla_policy"
    case round
    /// Multi-year refresh plans and saved scenarios: the collectivité's budget work.
    case refreshPlan = "refresh_plan"
    /// Equipment indicators and their daily snapshots.
    case indicator
    /// Family loans: kits, SIM lines, loans, their signed documents, photos and reminders.
    case loan
    /// A collectivité's lending rules: eligibility criteria, durations, checklists, fees, convention texts.
    case loanPolicy = "loan_policy"
    /// Families' identities. Only staff of the establishment and the collectivité's loan managers read them.
    case household
}

public enum Permissions {
    /// The role matrix. Everything not listed is refused.
    public static func allows(_ role: Principal.Role, _ action: Action, _ kind: ResourceKind) -> Bool {
        // A family's identity is for the establishment that lends (and the collectivité's loan manager, which the
        // loan service checks by name): not for administrators, technicians or agents.
        if kind == .household { return role == .establishmentStaff || role == .collectivite }
        switch role {
        case .admin:
            return true
        case .agent:
            return false
        case .collectivite:
            switch kind {
            case .collectivite: return action == .read || action == .update
            // The catalogue is shared by every collectivité: one may add a model, only an administrator changes one.
            case .deviceModel: return action == .read || action == .create
            case .principal, .token: return true
            case .audit, .telemetry, .indicator: return action == .read
            default: return true
            }
        case .establishmentStaff:
            switch kind {
            // Staff report and follow their establishment's tickets; contracts and rounds are the collectivité's.
            case .collectivite, .deviceModel, .audit, .telemetry, .slaPolicy, .round, .indicator: return action == .read
            case .ticket: return action != .delete
            case .establishment: return action == .read || action == .update
            case .loanPolicy: return action == .read
            // Budgets are the collectivité's.
            case .principal, .token, .refreshPlan: return false
            default: return true
            }
        case .technician:
            switch kind {
            case .collectivite, .deviceModel, .establishment, .audit, .telemetry, .slaPolicy, .round, .indicator: return action == .read
            case .principal, .token, .refreshPlan, .loan, .loanPolicy, .household: return false
            case .ticket: return action != .delete
            // A technician setting up devices on site may mint an enrollment token, but not revoke others' work.
            case .agentEnrollment: return action == .read || action == .create
            case .device, .room, .building, .accessPoint, .mobileCart, .internetLink, .throughputSample: return action != .delete
            }
        }
    }
}
