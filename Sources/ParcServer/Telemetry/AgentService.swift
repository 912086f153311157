import CompressNIO
public import Foundation
import NIOCore
public import ParcCore
import ParcStore

/// The device side of protocol v1: enrollment, device-token authentication, and heartbeat intake.
struct AgentService: Sendable {
    let storage: Storage
    let clock: AppClock
    let pipeline: IngestPipeline
    let settings: IngestSettings
    let metrics: IngestMetrics
    let credentials: ExpiringCache<TokenDigest, TelemetryStore.Credential>
    let intervals: ExpiringCache<UUID, Int>

    init(storage: Storage, clock: AppClock, pipeline: IngestPipeline, settings: IngestSettings, metrics: IngestMetrics) {
        self.storage = storage
        self.clock = clock
        self.pipeline = pipeline
        self.settings = settings
        self.metrics = metrics
        credentials = ExpiringCache(ttl: settings.credentialCacheSeconds, capacity: settings.credentialCacheSize)
        intervals = ExpiringCache(ttl: settings.credentialCacheSeconds, capacity: 100_000)
    }

    var telemetry: TelemetryStore { storage.telemetry }

    // MARK: Enrollment

    /// Attaches the agent to the inventoried device with this serial in the token's establishment, or creates the
    /// device there (in service). The token's use, the device, its audit entry and the credential commit together.
    func enroll(_ request: EnrollRequest) async throws -> Enrollment {
        let v = try request.validate()
        let now = clock.now()
        guard let token = try await telemetry.enrollmentToken(hash: TokenMinting.hash(v.token)) else {
            throw ParcError.unauthenticated("the enrollment token is unknown")
        }
        if let refusal = token.refusal(now: now) { throw ParcError.unauthenticated(refusal) }
        guard let establishment = try await storage.repository(Establishment.self).get(token.establishmentID, in: .all) else {
            throw ParcError.unauthenticated("the establishment of this enrollment token no longer exists")
        }
        let manufacturerKey = DeviceModel.manufacturerKey(v.manufacturer)
        let existing = try await storage.repository(Device.self).find(where: "serial_number", in: [v.serialNumber.sqlValue])
            .first { DeviceModel.manufacturerKey($0.manufacturer) == manufacturerKey }
        var batch = WriteBatch([telemetry.consume(enrollmentTokenID: token.id, now: now)])
        let actor = "agent enrollment (\(token.prefix)…)"
        let deviceID: UUID
        if let existing {
            guard existing.establishmentID == establishment.id else {
                throw ParcError.conflict(
                    field: "hardware.serial_number", message: "this device is inventoried in another establishment; transfer it there first")
            }
            deviceID = existing.id
        } else {
            let model = try await findOrCreateModel(v, manufacturerKey: manufacturerKey, now: now, actor: actor, into: &batch)
            let device = Device(
                id: clock.newID(), establishmentID: establishment.id, ownerID: establishment.ownerID, academieCode: establishment.academieCode,
                modelID: model.id, kind: model.kind, manufacturer: model.manufacturer, serialNumber: v.serialNumber, assetTag: nil, roomID: nil,
                cartID: nil, status: .inService, purchaseDate: nil, purchasePriceCents: nil, fundingProgramme: nil, funderShares: [],
                warrantyEnd: nil, plannedEndOfLife: nil, plannedRefresh: nil, notes: "Enrolled by its agent", createdAt: now, updatedAt: now)
            batch.statements.append(storage.repository(Device.self).insert(device))
            batch.statements.append(storage.audit.append(try audit(device, type: "device", establishmentID: establishment.id, actor: actor, at: now)))
            deviceID = device.id
        }
        var generator = SystemRandomNumberGenerator()
        let deviceToken = TokenMinting.mint(prefix: "pdev_", using: &generator)
        batch.statements.append(
            telemetry.enroll(
                deviceID: deviceID, tokenHash: TokenMinting.hash(deviceToken), enrollmentTokenID: token.id, macAddresses: v.macAddresses,
                agentVersion: v.agentVersion, at: now))
        try await storage.database.write(batch)
        return Enrollment(
            deviceID: deviceID, deviceToken: deviceToken, establishmentID: establishment.id,
            checkinIntervalSeconds: try await interval(establishmentID: establishment.id), created: existing == nil)
    }

    func findOrCreateModel(_ v: EnrollRequest.Valid, manufacturerKey: String, now: Date, actor: String, into batch: inout WriteBatch)
        async throws -> DeviceModel
    {
        let models = storage.repository(DeviceModel.self)
        if let known = try await models.find(where: "manufacturer_key", in: [manufacturerKey.sqlValue])
            .first(where: { $0.name.caseInsensitiveCompare(v.model) == .orderedSame })
        {
            return known
        }
        // Like OCS or GLPI inventories, an unknown model joins the catalogue; an administrator can fix its details.
        let model = DeviceModel(
            id: clock.newID(), kind: v.kind, manufacturer: v.manufacturer, name: v.model, lifespanMonths: 60, unitPriceCents: nil, createdAt: now,
            updatedAt: now)
        batch.statements.append(models.insert(model))
        batch.statements.append(storage.audit.append(try audit(model, type: "device_model", establishmentID: nil, actor: actor, at: now)))
        return model
    }

    func audit<T: Encodable & Identifiable<UUID>>(_ object: T, type: String, establishmentID: UUID?, actor: String, at: Date) throws -> AuditEvent {
        AuditEvent(
            id: clock.newID(), at: at, principalID: nil, principalName: actor, change: .create, objectType: type, objectID: object.id,
            establishmentID: establishmentID, before: nil, after: try jsonString(object))
    }

    // MARK: Heartbeats

    /// The device a bearer device token belongs to; 401 otherwise. Cached: see `ExpiringCache`.
    func authenticate(_ authorization: String?) async throws -> TelemetryStore.Credential {
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            throw ParcError.unauthenticated("a device token is required (Authorization: Bearer pdev_…)")
        }
        // Trimmed by hand: Foundation's character-set trimming was a visible share of a heartbeat's CPU.
        var token = authorization.utf8.dropFirst(7)
        while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
        while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
        let digest = TokenMinting.digest(Substring(token))
        let telemetry = self.telemetry
        guard
            let credential = try await credentials.value(
                for: digest, now: clock.now(), load: { try await telemetry.credential(tokenHash: digest.hex) })
        else { throw ParcError.unauthenticated("the device token is unknown or was revoked; enrol again") }
        return credential
    }

    /// A deleted device's agent is locked out, and a transferred one answers with its new establishment's interval,
    /// at once on this node: cached credentials copy both. Keyed by token hash, so start afresh; this is rare.
    @Sendable func deviceChanged(before: Device, after: Device?) {
        if after == nil || after?.establishmentID != before.establishmentID { credentials.removeAll() }
    }

    /// Checks the body (size, encoding, JSON, values), then waits until its heartbeats are committed.
    func ingest(_ body: ByteBuffer, contentEncoding: String?, credential: TelemetryStore.Credential) async throws -> Receipt {
        var body = body
        switch contentEncoding?.lowercased() {
        case nil, "identity": break
        case "gzip", "x-gzip":
            do {
                body = try body.decompress(with: .gzip(), maxSize: settings.maxDecompressedBytes)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw ParcError.payloadTooLarge(limit: settings.maxDecompressedBytes)
            } catch {
                throw ParcError.malformed("the gzip body could not be decompressed")
            }
        case .some(let other):
            throw ParcError.malformed("Content-Encoding \(other) is not supported; send gzip or identity")
        }
        let decoder = settings.decoder
        let nowMs = clock.now().epochMilliseconds
        let heartbeats = try body.withUnsafeReadableBytes { bytes throws(ParcError) in try decoder.decode(bytes, nowMs: nowMs) }
        let item = IngestItem(deviceKey: credential.deviceKey, heartbeats: heartbeats, receivedAtMs: nowMs)
        let new = try await pipeline.submit(item)
        let base = try await interval(establishmentID: credential.establishmentID)
        return Receipt(
            accepted: heartbeats.count, duplicates: heartbeats.count - new,
            nextCheckinSeconds: settings.checkin.nextInterval(base: base, unit: clock.random()))
    }

    func interval(establishmentID: UUID) async throws -> Int {
        let telemetry = self.telemetry
        let fallback = settings.checkin.defaultIntervalSeconds
        return try await intervals.value(for: establishmentID, now: clock.now()) {
            try await telemetry.checkinInterval(establishmentID: establishmentID) ?? fallback
        } ?? fallback
    }

    /// The acknowledgement: sent only after the commit. `actions` is part of the contract, empty in v1.
    struct Receipt: Sendable, Equatable {
        var accepted: Int
        var duplicates: Int
        var nextCheckinSeconds: Int

        var json: String {
            "{\"accepted\":\(accepted),\"duplicates\":\(duplicates),\"next_checkin_seconds\":\(nextCheckinSeconds),\"actions\":[]}"
        }
    }
}

/// Limits and policies of the agent protocol, from configuration.
public struct IngestSettings: Sendable {
    public var queueCapacity: Int
    public var maxBatch: Int
    /// Concurrent group commits per node on PostgreSQL (SQLite always has one writer).
    public var postgresWriters: Int
    public var maxBodyBytes: Int
    public var maxDecompressedBytes: Int
    public var decoder: HeartbeatDecoder
    public var checkin: CheckInPolicy
    public var credentialCacheSeconds: TimeInterval
    public var credentialCacheSize: Int
    public var presence: PresencePolicy
    public var retention: RetentionPolicy
    public var retentionIntervalSeconds: Int

    public init(
        queueCapacity: Int = 50_000, maxBatch: Int = 5_000, postgresWriters: Int = 2, maxBodyBytes: Int = 1 << 20,
        maxDecompressedBytes: Int = 8 << 20,
        decoder: HeartbeatDecoder = HeartbeatDecoder(), checkin: CheckInPolicy = CheckInPolicy(), credentialCacheSeconds: TimeInterval = 900,
        credentialCacheSize: Int = 300_000, presence: PresencePolicy = PresencePolicy(), retention: RetentionPolicy = RetentionPolicy(),
        retentionIntervalSeconds: Int = 3600
    ) {
        self.queueCapacity = queueCapacity
        self.maxBatch = maxBatch
        self.postgresWriters = postgresWriters
        self.maxBodyBytes = maxBodyBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.decoder = decoder
        self.checkin = checkin
        self.credentialCacheSeconds = credentialCacheSeconds
        self.credentialCacheSize = credentialCacheSize
        self.presence = presence
        self.retention = retention
        self.retentionIntervalSeconds = retentionIntervalSeconds
    }
}
