import Foundation
import ParcCore
import ParcStore

/// `Inventory/demo/<territory>/maintenance.json`: contract lots, technicians with their rounds, and tickets at
/// various stages, so a newcomer's first `serve` shows queues, deadlines and breaches. Everything goes through the
/// same services as the API; each ticket's history is replayed at its own moments in the past.
struct DemoMaintenance: Decodable {
    struct Contract: Decodable {
        var collectivite: String
        var name: String
        var lot: String?
        var targets: [SLAPolicyInput.TargetInput]
    }

    struct Technician: Decodable {
        var name: String
        var collectivite: String
        var round: String
        var weekdays: [String]
        var uais: [String]
    }

    struct Step: Decodable {
        var hoursAgo: Double
        var to: String
        var reason: String?
        var comment: String?
    }

    struct Escalation: Decodable {
        var level: Int
        var supplier: String?
        var rmaNumber: String?
        var supplierDeadlineDays: Int?
    }

    struct DemoTicket: Decodable {
        var uai: String
        var assetTag: String?
        var category: String
        var urgency: String?
        var impact: String?
        var title: String
        var description: String?
        var openedHoursAgo: Double
        var steps: [Step]
        var escalation: Escalation?
    }

    var contracts: [Contract]
    var technicians: [Technician]
    var tickets: [DemoTicket]
}

extension ParcApplication {
    /// Loads the demo's maintenance file when the territory has one; returns the number of tickets opened.
    func loadDemoMaintenance(territory: String, as admin: Principal) async throws -> Int {
        let url = URL(fileURLWithPath: configuration.inventoryPath).appendingPathComponent("demo/\(territory)/maintenance.json")
        guard let data = try? Data(contentsOf: url) else { return 0 }
        let demo = try APIJSON.decoder.decode(DemoMaintenance.self, from: data)
        let resolver = OwnerResolver(storage: storage)
        func collectivite(_ reference: String) async throws -> UUID {
            guard case .reference(let kind, let code)? = OwnerChoice.parse(reference: reference),
                let found = try await resolver.collectivite(kind: kind, code: code)
            else { throw ParcError.validation([FieldError(field: "collectivite", reason: "no collectivité \(reference) in the demo")]) }
            return found.id
        }
        func establishments(_ uais: [String]) async throws -> [String: UUID] {
            Dictionary(
                uniqueKeysWithValues: try await storage.repository(Establishment.self).find(where: "uai", in: uais.map(\.sqlValue)).map {
                    ($0.uai.value, $0.id)
                })
        }
        let policies = InventoryService(resource: SLAPolicyResource(engine: tickets.engine), storage: storage, clock: clock)
        for contract in demo.contracts {
            _ = try await policies.create(
                SLAPolicyInput(
                    collectiviteID: try await collectivite(contract.collectivite), name: contract.name, lot: contract.lot, targets: contract.targets),
                principal: admin)
        }
        let rounds = InventoryService(resource: RoundResource(), storage: storage, clock: clock)
        let tokens = TokenService(storage: storage, clock: clock)
        for technician in demo.technicians {
            let owner = try await collectivite(technician.collectivite)
            let issued = try await tokens.issue(.init(name: technician.name, role: Principal.Role.technician.rawValue, label: "demo"), by: admin)
            _ = try await rounds.create(
                RoundInput(
                    collectiviteID: owner, technicianID: issued.principal.id, name: technician.round,
                    establishmentIDs: try await establishments(technician.uais).values.sorted { $0.uuidString < $1.uuidString },
                    weekdays: technician.weekdays),
                principal: admin)
        }
        let now = clock.now()
        let ids = try await establishments(demo.tickets.map(\.uai))
        for item in demo.tickets {
            // The ticket is opened, and each step taken, at its own moment: the SLA clocks replay real history.
            func at(_ hoursAgo: Double) -> TicketService {
                let moment = now.addingTimeInterval(-hoursAgo * 3600)
                return TicketService(
                    storage: storage, clock: AppClock(now: { moment }, newID: clock.newID, random: clock.random), settings: tickets.settings,
                    engine: tickets.engine)
            }
            let ticket = try await at(item.openedHoursAgo).open(
                TicketInput(
                    establishmentID: item.assetTag == nil ? ids[item.uai] : nil, assetTag: item.assetTag, category: item.category,
                    urgency: item.urgency, impact: item.impact, title: item.title, description: item.description),
                principal: admin)
            for step in item.steps {
                if step.to == "pending", let escalation = item.escalation {
                    _ = try await at(step.hoursAgo + 0.01).escalate(
                        ticket.id,
                        EscalationInput(
                            level: escalation.level, supplier: escalation.supplier, rmaNumber: escalation.rmaNumber,
                            supplierDeadline: escalation.supplierDeadlineDays.map {
                                LocalDate(daysSinceEpoch: Int(now.timeIntervalSince1970 / 86_400) + $0).description
                            }),
                        ifMatch: nil, principal: admin)
                }
                _ = try await at(step.hoursAgo).transition(
                    ticket.id, TransitionInput(to: step.to, reason: step.reason, comment: step.comment), ifMatch: nil, principal: admin)
            }
        }
        // Deadlines that passed in the replayed past are recorded now, as the pass would have.
        _ = try await maintenance.runPass(claimed: true)
        return demo.tickets.count
    }
}
