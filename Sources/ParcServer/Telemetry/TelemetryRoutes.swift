import Foundation
import Hummingbird
import NIOCore
import ParcCore
import ParcStore

/// `/agent/v1`: what devices call. Enrollment takes an enrollment token in the body; heartbeats take the
/// device token as a bearer token. A device token can write its own heartbeats and read nothing.
extension ParcApplication {
    func addAgentRoutes(enroll: APIRoutes, heartbeats: APIRoutes, agents: AgentService) {
        enroll.add(
            .post, "enroll",
            "Enrol a device with an establishment's enrollment token; returns its device token (shown once). A known serial attaches to its inventoried device",
            tag: "Agent", body: .json(schema: "EnrollRequest"), reply: .object(schema: "Enrollment"), status: 201
        ) { request, context in
            let enrollment = try await agents.enroll(try await request.decodeJSON(EnrollRequest.self, context: context))
            return try Reply.json(enrollment, status: enrollment.created ? .created : .ok)
        }
        let metrics = agents.metrics
        let maxBody = agents.settings.maxBodyBytes
        heartbeats.add(
            .post, "heartbeats",
            "Send one heartbeat or an array of them (JSON, optionally gzip). Answered once stored, with the next check-in interval; retries with the same seq are stored once",
            tag: "Agent", body: .json(schema: "Heartbeat"), reply: .object(schema: "HeartbeatReceipt")
        ) { request, context in
            do {
                let credential = try await agents.authenticate(request.headers[.authorization])
                let body = try await request.body.collect(upTo: maxBody)
                let receipt = try await agents.ingest(body, contentEncoding: request.headers[.contentEncoding], credential: credential)
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: receipt.json)))
            } catch let error as ParcError {
                switch error {
                case .malformed: metrics.rejected(.malformed, heartbeats: 1)
                case .validation: metrics.rejected(.invalid, heartbeats: 1)
                case .unauthenticated: metrics.rejected(.unauthenticated, heartbeats: 1)
                case .payloadTooLarge: metrics.rejected(.tooLarge, heartbeats: 1)
                default: break  // overload and store failures are counted by the pipeline
                }
                throw error
            } catch is NIOTooManyBytesError {
                metrics.rejected(.tooLarge, heartbeats: 1)
                throw ParcError.payloadTooLarge(limit: maxBody)
            }
        }
    }

    /// `/api/v1`: what people see of the agents: enrollment tokens, settings, state, history and derived views.
    func addTelemetryRoutes(to api: APIRoutes, agents: AgentService) {
        let establishments = InventoryService(resource: EstablishmentResource(), storage: storage, clock: clock)
        let devices = InventoryService(resource: DeviceResource(), storage: storage, clock: clock)
        let carts = InventoryService(resource: MobileCartResource(), storage: storage, clock: clock)
        let accessPoints = InventoryService(resource: AccessPointResource(), storage: storage, clock: clock)
        let rooms = InventoryService(resource: RoomResource(), storage: storage, clock: clock)
        let views = TelemetryViews(storage: storage, clock: clock, settings: agents.settings, agents: agents)
        let storage = self.storage
        let clock = self.clock
        let telemetry = storage.telemetry

        @Sendable func require(_ principal: Principal, _ action: Action, _ kind: ResourceKind) throws {
            guard Permissions.allows(principal.role, action, kind) else {
                throw ParcError.forbidden("the \(principal.role.rawValue) role cannot \(action.rawValue) \(kind.rawValue)")
            }
        }

        api.add(
            .post, "establishments/{id}/enrollment-tokens", "Create an enrollment token for this establishment's devices (the secret is shown once)",
            tag: "Agent enrollment", body: .json(schema: "EnrollmentTokenInput"), reply: .object(schema: "IssuedEnrollmentToken"), status: 201
        ) { request, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            try require(principal, .create, .agentEnrollment)
            let input = try await request.decodeJSON(EnrollmentTokenInput.self, context: context)
            let now = clock.now()
            let v = try input.validate(now: now)
            var generator = SystemRandomNumberGenerator()
            let secret = TokenMinting.mint(prefix: "penr_", using: &generator)
            let token = EnrollmentToken(
                id: clock.newID(), establishmentID: establishment.id, prefix: String(secret.prefix(9)), label: v.label, maxUses: v.maxUses,
                uses: 0, expiresAt: v.expiresAt, revokedAt: nil, createdAt: now, createdBy: principal.id)
            try await storage.database.write(WriteBatch([telemetry.insert(token, hash: TokenMinting.hash(secret))]))
            return try Reply.json(IssuedEnrollmentToken(token: secret, enrollmentToken: token), status: .created)
        }
        api.add(
            .get, "establishments/{id}/enrollment-tokens", "Enrollment tokens of this establishment (never the secret)", tag: "Agent enrollment",
            reply: .list(schema: "EnrollmentToken")
        ) { _, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            try require(principal, .read, .agentEnrollment)
            return try Reply.json(try await telemetry.enrollmentTokens(establishmentID: establishment.id))
        }
        api.add(
            .delete, "enrollment-tokens/{id}", "Revoke an enrollment token; devices already enrolled keep working", tag: "Agent enrollment",
            reply: .empty, status: 204
        ) { _, context in
            let principal = try context.requirePrincipal()
            guard let token = try await telemetry.enrollmentToken(id: try context.id()) else { throw ParcError.notFound("enrollment_token") }
            _ = try await establishments.get(token.establishmentID, principal: principal)
            try require(principal, .delete, .agentEnrollment)
            try await storage.database.write(WriteBatch([telemetry.revokeEnrollmentToken(token.id, at: clock.now())]))
            return Reply.noContent()
        }
        api.add(
            .get, "establishments/{id}/agent-settings", "Check-in interval of this establishment's agents", tag: "Agent enrollment",
            reply: .object(schema: "AgentSettings")
        ) { _, context in
            let establishment = try await establishments.get(try context.id(), principal: try context.requirePrincipal())
            let own = try await telemetry.checkinInterval(establishmentID: establishment.id)
            return try Reply.json(
                AgentSettings(checkinIntervalSeconds: own, effectiveCheckinIntervalSeconds: own ?? agents.settings.checkin.defaultIntervalSeconds))
        }
        api.add(
            .put, "establishments/{id}/agent-settings", "Set (or clear, with null) this establishment's check-in interval, 30 s to 1 day",
            tag: "Agent enrollment", body: .json(schema: "AgentSettings"), reply: .object(schema: "AgentSettings")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            try require(principal, .update, .agentEnrollment)
            let input = try await request.decodeJSON(AgentSettings.self, context: context)
            var v = Validator()
            let seconds = v.range(input.checkinIntervalSeconds, "checkin_interval_seconds", CheckInPolicy.allowedIntervals)
            try v.check()
            try await storage.database.write(WriteBatch([telemetry.setCheckinInterval(seconds, establishmentID: establishment.id, at: clock.now())]))
            agents.intervals.remove(establishment.id)
            return try Reply.json(
                AgentSettings(
                    checkinIntervalSeconds: seconds, effectiveCheckinIntervalSeconds: seconds ?? agents.settings.checkin.defaultIntervalSeconds))
        }
        api.add(
            .post, "devices/{id}/agent/revoke", "Revoke the device's agent token: its heartbeats are refused until it enrols again",
            tag: "Telemetry", reply: .empty, status: 204
        ) { _, context in
            let principal = try context.requirePrincipal()
            let device = try await devices.get(try context.id(), principal: principal)
            try require(principal, .delete, .agentEnrollment)
            try await storage.database.write(WriteBatch([telemetry.revokeCredential(deviceID: device.id, at: clock.now())]))
            agents.credentials.removeAll()  // keyed by token hash; revocations are rare, so start afresh
            return Reply.noContent()
        }
        api.add(
            .get, "devices/{id}/state", "The device's latest reported state and its presence", tag: "Telemetry", reply: .object(schema: "DeviceState")
        ) { _, context in
            let principal = try context.requirePrincipal()
            let device = try await devices.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            guard var state = try await telemetry.state(deviceID: device.id) else {
                throw ParcError.notFound("reported state (the device never checked in)")
            }
            let interval = try await agents.interval(establishmentID: device.establishmentID)
            state.presence = agents.settings.presence.presence(lastSeen: state.latest.receivedAt, intervalSeconds: interval, now: clock.now())
            return try Reply.json(state)
        }
        api.add(
            .get, "devices/{id}/heartbeats", "The device's raw heartbeats, newest first (kept for the retention period)", tag: "Telemetry",
            query: ["limit", "before_seq"], reply: .list(schema: "HeartbeatReading")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let device = try await devices.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            let query = request.queryDictionary
            let limit = try PageRequest(query: query).limit
            var before: Int64?
            if let text = query["before_seq"] {
                guard let n = Int64(text), n > 0 else {
                    throw ParcError.validation([FieldError(field: "before_seq", reason: "must be a positive whole number")])
                }
                before = n
            }
            guard let key = try await telemetry.deviceKey(deviceID: device.id) else { return try Reply.json([HeartbeatReading]()) }
            return try Reply.json(try await telemetry.history(deviceKey: key, beforeSeq: before, limit: limit))
        }
        api.add(
            .get, "devices/{id}/daily", "The device's daily roll-ups (kept for years), newest first", tag: "Telemetry", query: ["limit"],
            reply: .list(schema: "DailyRollup")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let device = try await devices.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            let limit = try PageRequest(query: request.queryDictionary).limit
            guard let key = try await telemetry.deviceKey(deviceID: device.id) else { return try Reply.json([DailyRollup]()) }
            return try Reply.json(try await telemetry.daily(deviceKey: key, deviceID: device.id, limit: limit))
        }
        api.add(
            .get, "establishments/{id}/presence", "Presence of the establishment's client devices (online, stale, offline, never seen)",
            tag: "Telemetry", query: ["presence"], reply: .object(schema: "PresenceReport")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            var only: Presence?
            if let text = request.queryDictionary["presence"] {
                guard let p = Presence(rawValue: text) else {
                    throw ParcError.validation([
                        FieldError(field: "presence", reason: "must be one of \(Presence.allCases.map(\.rawValue).joined(separator: ", "))")
                    ])
                }
                only = p
            }
            return try Reply.json(try await views.presence(establishment.id, only: only))
        }
        api.add(
            .get, "establishments/{id}/wifi-signal",
            "Signal the devices report, per access point (by BSSID) and per room, with the coverage it implies (>= -67 dBm covered, >= -75 weak)",
            tag: "Telemetry", query: ["hours"], reply: .object(schema: "WifiSignalReport")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            return try Reply.json(try await views.wifiSignal(establishment.id, hours: try hours(request, default: 24)))
        }
        api.add(
            .post, "establishments/{id}/wifi-signal/apply",
            "Write the measured coverage into the rooms that have a measurement (source \"measured\"); rooms assessed by a survey are left as they are",
            tag: "Telemetry", query: ["hours"], reply: .list(schema: "Room")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            let report = try await views.wifiSignal(establishment.id, hours: try hours(request, default: 24))
            var updated: [Room] = []
            let today = LocalDate(daysSinceEpoch: Int(clock.now().timeIntervalSince1970 / 86_400)).description
            for measured in report.rooms {
                let room = try await rooms.get(measured.roomID, principal: principal)
                if room.coverageSource == .survey { continue }
                if room.wifiCoverage == measured.measuredCoverage, room.coverageSource == .measured { continue }
                let patch = JSONValue.object([
                    "wifi_coverage": .string(measured.measuredCoverage.rawValue), "coverage_source": .string(CoverageSource.measured.rawValue),
                    "coverage_assessed_on": .string(today),
                ])
                updated.append(try await rooms.update(room.id, patch: patch, ifMatch: nil, principal: principal))
            }
            return try Reply.json(updated)
        }
        api.add(
            .get, "mobile-carts/{id}/completeness", "Which tablets of the classe mobile were seen with it (on its access point or reporting it)",
            tag: "Telemetry", query: ["hours"], reply: .object(schema: "CartCompleteness")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let cart = try await carts.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            return try Reply.json(try await views.completeness(cart, hours: try hours(request, default: 24)))
        }
        api.add(
            .get, "establishments/{id}/measured-bandwidth", "Throughput the agents measured, against the contracted rate of the links",
            tag: "Telemetry", query: ["hours"], reply: .object(schema: "MeasuredBandwidth")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let establishment = try await establishments.get(try context.id(), principal: principal)
            try require(principal, .read, .telemetry)
            return try Reply.json(try await views.bandwidth(establishment.id, hours: try hours(request, default: 24 * 7)))
        }
        api.add(
            .get, "access-points/{id}/bssids", "The BSSIDs (radio MAC addresses) of an access point, which tie reported signal to it",
            tag: "Telemetry", reply: .object(schema: "BSSIDList")
        ) { _, context in
            let ap = try await accessPoints.get(try context.id(), principal: try context.requirePrincipal())
            return try Reply.json(BSSIDList(bssids: try await telemetry.bssids(accessPointID: ap.id)))
        }
        api.add(
            .put, "access-points/{id}/bssids", "Replace the BSSIDs of an access point", tag: "Telemetry", body: .json(schema: "BSSIDList"),
            reply: .object(schema: "BSSIDList")
        ) { request, context in
            let principal = try context.requirePrincipal()
            let ap = try await accessPoints.get(try context.id(), principal: principal)
            guard Permissions.allows(principal.role, .update, .accessPoint) else {
                throw ParcError.forbidden("this role cannot change access points")
            }
            let input = try await request.decodeJSON(BSSIDList.self, context: context)
            let bssids = try BSSIDList.normalise(input.bssids)
            try await storage.database.write(WriteBatch(telemetry.setBSSIDs(bssids, accessPointID: ap.id)))
            return try Reply.json(BSSIDList(bssids: bssids))
        }
    }
}

func hours(_ request: Request, default value: Int) throws -> Int {
    guard let text = request.queryDictionary["hours"] else { return value }
    guard let n = Int(text), (1...24 * 90).contains(n) else {
        throw ParcError.validation([FieldError(field: "hours", reason: "must be a whole number of hours from 1 to 2160")])
    }
    return n
}

struct IssuedEnrollmentToken: Codable, Sendable {
    var token: String
    var enrollmentToken: EnrollmentToken
}

struct AgentSettings: Codable, Sendable {
    var checkinIntervalSeconds: Int?
    var effectiveCheckinIntervalSeconds: Int?
}

struct BSSIDList: Codable, Sendable {
    var bssids: [String]

    static func normalise(_ raw: [String]) throws -> [String] {
        var v = Validator()
        var result: [String] = []
        for (i, text) in raw.enumerated() {
            let parts = text.lowercased().split(whereSeparator: { $0 == ":" || $0 == "-" })
            if parts.count == 6, parts.allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }) {
                result.append(parts.joined(separator: ":"))
            } else {
                v.fail("bssids[\(i)]", "must be a MAC address such as aa:bb:cc:dd:ee:ff")
            }
        }
        if raw.count > 64 { v.fail("bssids", "at most 64 per access point") }
        try v.check()
        return Array(Set(result)).sorted()
    }
}
