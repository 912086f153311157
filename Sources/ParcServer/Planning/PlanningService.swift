public import Foundation
public import ParcCore
import ParcStore

/// Refresh plans: decides the territory a caller may plan for, reads its fleet, runs the planner, and saves
/// scenarios. Only collectivités and administrators plan.
struct PlanningService: Sendable {
    let storage: Storage
    let clock: AppClock

    /// Where a plan applies and whose it is once saved.
    struct Target: Sendable {
        var territory: PlanningStore.Territory
        var collectiviteID: UUID?
        var academieCode: String?
    }

    func authorize(_ principal: Principal, _ action: Action) throws {
        guard Permissions.allows(principal.role, action, .refreshPlan) else {
            throw ParcError.forbidden("only a collectivité or an administrator works on refresh plans")
        }
    }

    /// A collectivité plans for its own establishments; an administrator for a collectivité, an académie, or (national
    /// administrators) the whole country, in each case optionally narrowed to some establishments.
    func target(of input: RefreshPlanInput, principal: Principal) async throws -> Target {
        try authorize(principal, .create)
        var target: Target
        switch principal.role {
        case .collectivite:
            guard let own = principal.collectiviteID else { throw ParcError.forbidden("this token is bound to no collectivité") }
            if let asked = input.collectiviteID, asked != own {
                throw ParcError.validation([FieldError(field: "collectivite_id", reason: "a collectivité plans for its own establishments only")])
            }
            if input.academieCode != nil {
                throw ParcError.validation([FieldError(field: "academie_code", reason: "only an administrator plans for an académie")])
            }
            let collectivite = try await storage.repository(Collectivite.self).get(own, in: principal.scope)
            target = Target(territory: .init(scope: .collectivite(own)), collectiviteID: own, academieCode: collectivite?.academieCode)
        default:
            if input.collectiviteID != nil, input.academieCode != nil {
                throw ParcError.validation([FieldError(field: "academie_code", reason: "give collectivite_id or academie_code, not both")])
            }
            if let id = input.collectiviteID {
                guard let collectivite = try await storage.repository(Collectivite.self).get(id, in: principal.scope) else {
                    throw ParcError.validation([FieldError(field: "collectivite_id", reason: "names no collectivité in your scope")])
                }
                target = Target(territory: .init(scope: .collectivite(id)), collectiviteID: id, academieCode: collectivite.academieCode)
            } else if let code = input.academieCode ?? principal.academieCode {
                if let own = principal.academieCode, own != code {
                    throw ParcError.validation([FieldError(field: "academie_code", reason: "lies outside your académie")])
                }
                target = Target(territory: .init(scope: .academie(code)), collectiviteID: nil, academieCode: code)
            } else {
                target = Target(territory: .init(scope: .all), collectiviteID: nil, academieCode: nil)
            }
        }
        if let ids = input.establishmentIDs {
            guard !ids.isEmpty, ids.count <= 20_000 else {
                throw ParcError.validation([FieldError(field: "establishment_ids", reason: "must list between 1 and 20000 establishments")])
            }
            let unique = Array(Set(ids))
            let inScope = try await storage.repository(Establishment.self).get(ids: unique).values.filter {
                target.territory.scope.contains(establishment: $0.id, ownerID: $0.ownerID, academieCode: $0.academieCode)
            }
            guard inScope.count == unique.count else {
                throw ParcError.validation([FieldError(field: "establishment_ids", reason: "names an establishment outside the plan's territory")])
            }
            target.territory.establishmentIDs = unique
        }
        return target
    }

    /// Validates the request, reads the fleet and plans; `lines: false` keeps the figures only.
    func plan(_ input: RefreshPlanInput, principal: Principal, lines: Bool = true) async throws -> (RefreshPlan, Target) {
        let models = try await storage.repository(DeviceModel.self).all()
        let parameters = try input.validate(models: Dictionary(uniqueKeysWithValues: models.map { ($0.id, $0) }))
        let target = try await target(of: input, principal: principal)
        let facts = try await storage.planning.facts(target.territory, failuresSince: clock.now().addingTimeInterval(-365 * 86_400))
        return (RefreshPlanner.plan(facts, parameters, lines: lines), target)
    }

    /// Plans and saves; returns the scenario as reads show it (without lines) and the lines.
    func save(_ input: RefreshPlanInput, principal: Principal) async throws -> (scenario: PlanningStore.Scenario, lines: [RefreshPlan.Line]) {
        let (plan, target) = try await plan(input, principal: principal)
        let scenario = PlanningStore.Scenario(
            id: clock.newID(), name: plan.name, collectiviteID: target.collectiviteID, academieCode: target.academieCode, createdBy: principal.id,
            createdByName: principal.name, createdAt: clock.now(), lineCount: plan.lines.count, input: input, plan: plan)
        try await storage.database.write(try storage.planning.save(scenario, lines: plan.lines))
        var stored = scenario
        stored.plan.lines = []
        return (stored, plan.lines)
    }

    func scenario(_ id: UUID, principal: Principal) async throws -> PlanningStore.Scenario {
        try authorize(principal, .read)
        guard let scenario = try await storage.planning.scenario(id, in: principal.scope) else { throw ParcError.notFound("scenario") }
        return scenario
    }
}

extension ParcApplication {
    /// `parc plan`: a request written as the API takes it (JSON), planned for `principal`; saved as a scenario when
    /// asked. `collectivite` (`kind:code`) fills `collectivite_id` for requests written without ids.
    public func refreshPlan(requestJSON: Data, collectivite: String?, as principal: Principal, save: Bool) async throws -> (
        plan: RefreshPlan, scenarioID: UUID?
    ) {
        var input: RefreshPlanInput
        do {
            input = try APIJSON.decoder.decode(RefreshPlanInput.self, from: requestJSON)
        } catch {
            throw ParcError.malformed("the plan request is not valid JSON for a plan: \(error)")
        }
        if let collectivite { input.collectiviteID = try await self.collectivite(reference: collectivite).id }
        if save {
            let (scenario, lines) = try await planning.save(input, principal: principal)
            var plan = scenario.plan
            plan.lines = lines
            return (plan, scenario.id)
        }
        return (try await planning.plan(input, principal: principal).0, nil)
    }

    /// The planner's figures for a CLI or a benchmark: the fleet read from the store, then the plan, timed apart.
    public func timedPlan(_ input: RefreshPlanInput, as principal: Principal, lines: Bool) async throws -> (
        read: Duration, plan: Duration, result: RefreshPlan
    ) {
        let clock = ContinuousClock()
        let models = try await storage.repository(DeviceModel.self).all()
        let parameters = try input.validate(models: Dictionary(uniqueKeysWithValues: models.map { ($0.id, $0) }))
        let target = try await planning.target(of: input, principal: principal)
        var facts: PlanFacts?
        let read = try await clock.measure {
            facts = try await storage.planning.facts(target.territory, failuresSince: self.clock.now().addingTimeInterval(-365 * 86_400))
        }
        var plan: RefreshPlan?
        let planning = clock.measure { plan = RefreshPlanner.plan(facts!, parameters, lines: lines) }
        return (read, planning, plan!)
    }
}
