import Foundation
import NIOCore
import ParcCore
import PostgresNIO

/// The PostgreSQL heartbeat path: one transaction per group, two statements whatever its size — the history
/// insert and the latest-state upsert each take their rows as one array per column, unpacked by `UNNEST`. The
/// statement text never changes, so the server parses and plans a short statement instead of one with thousands
/// of parameters. Several `parc serve` nodes may write at once: history rows are deduplicated by their primary
/// key, the latest state only moves forward (see `TelemetryColumns.upsertTail`), and rows are written in key
/// order so two nodes lock them in the same order.
struct PostgresHeartbeatWriter: HeartbeatWriter {
    let database: PostgresDatabase

    static let unnest = "SELECT * FROM UNNEST(" + (1...TelemetryColumns.names.count).map { "$\($0)" }.joined(separator: ", ") + ")"
    static let insertHistory =
        "INSERT INTO heartbeats (\(TelemetryColumns.list)) \(unnest) ON CONFLICT (device_key, seq) DO NOTHING RETURNING device_key, seq"
    static let upsertState = "INSERT INTO device_state (\(TelemetryColumns.list)) \(unnest)" + TelemetryColumns.upsertTail

    func commit(_ items: [IngestItem]) async throws -> [Int] {
        var rows: [(item: Int, key: Int64, heartbeat: Heartbeat, receivedAtMs: Int64)] = []
        var owner: [Pair: Int] = [:]
        for (n, item) in items.enumerated() {
            for h in item.heartbeats {
                rows.append((n, item.deviceKey, h, item.receivedAtMs))
                owner[Pair(key: item.deviceKey, seq: h.seq)] = n
            }
        }
        rows.sort { ($0.key, $0.heartbeat.seq) < ($1.key, $1.heartbeat.seq) }
        let history = PostgresQuery(unsafeSQL: Self.insertHistory, binds: Self.columns(rows.map { ($0.key, $0.heartbeat, $0.receivedAtMs) }))
        let state = PostgresQuery(
            unsafeSQL: Self.upsertState,
            binds: Self.columns(TelemetryColumns.newestPerDevice(items).map { ($0.key, $0.heartbeat, $0.receivedAtMs) }))
        let logger = database.logger
        do {
            return try await database.client.withTransaction(logger: logger) { connection in
                var inserted = [Int](repeating: 0, count: items.count)
                for try await (key, seq) in try await connection.query(history, logger: logger).decode((Int64, Int64).self) {
                    if let n = owner[Pair(key: key, seq: seq)] { inserted[n] += 1 }
                }
                try await connection.query(state, logger: logger)
                return inserted
            }
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    struct Pair: Hashable {
        let key: Int64
        let seq: Int64
    }

    /// The rows as one array parameter per column, in `TelemetryColumns` order.
    static func columns(_ rows: [(Int64, Heartbeat, Int64)]) -> PostgresBindings {
        var c: [ArrayColumn] = [
            .int8, .int8, .int8, .int8, .float8, .float8, .int8, .bool, .int8, .int8, .text, .text, .text, .int8, .text, .text, .int8,
            .text, .float8, .text, .float8, .float8, .uuid, .int8,
        ].map { ArrayColumn($0, capacity: rows.count) }
        for (key, h, received) in rows {
            c[0].append(key)
            c[1].append(h.seq)
            c[2].append(h.observedAtMs)
            c[3].append(received)
            c[4].append(h.batteryLevel)
            c[5].append(h.effectiveBatteryHealth)
            c[6].append(h.batteryCycles)
            c[7].append(h.charging)
            c[8].append(h.storageFreeBytes)
            c[9].append(h.storageTotalBytes)
            c[10].append(h.osName)
            c[11].append(h.osVersion)
            c[12].append(h.agentVersion)
            c[13].append(h.uptimeSeconds)
            c[14].append(h.wifiSSID)
            c[15].append(h.wifiBSSID)
            c[16].append(h.wifiRSSI)
            c[17].append(h.wifiBand)
            c[18].append(h.wifiLinkMbps)
            c[19].append(h.ip)
            c[20].append(h.downMbps)
            c[21].append(h.upMbps)
            c[22].append(h.cartID)
            c[23].append(h.cartSlot)
        }
        var bindings = PostgresBindings(capacity: c.count)
        for column in c { bindings.append(column) }
        return bindings
    }
}

/// One column of a multi-row write as a one-dimensional PostgreSQL array in binary form, NULL elements allowed
/// (PostgresNIO's arrays take no optionals). Elements are written straight into one buffer as they come.
struct ArrayColumn: PostgresDynamicTypeEncodable {
    /// Element and array type OIDs of the columns heartbeats use.
    enum Element {
        case int8, float8, text, bool, uuid

        var types: (element: PostgresDataType, array: PostgresDataType) {
            switch self {
            case .int8: (.int8, .int8Array)
            case .float8: (.float8, .float8Array)
            case .text: (.text, .textArray)
            case .bool: (.bool, .boolArray)
            case .uuid: (.uuid, .uuidArray)
            }
        }
    }

    let element: Element
    var elements: ByteBuffer
    var count: Int32 = 0
    var hasNull = false

    init(_ element: Element, capacity: Int) {
        self.element = element
        elements = ByteBufferAllocator().buffer(capacity: capacity * 12)
    }

    var psqlType: PostgresDataType { element.types.array }
    var psqlFormat: PostgresFormat { .binary }

    mutating func append(_ value: Int64?) {
        guard let value else { return appendNull() }
        elements.writeInteger(Int32(8))
        elements.writeInteger(value)
        count += 1
    }

    mutating func append(_ value: Double?) {
        guard let value else { return appendNull() }
        elements.writeInteger(Int32(8))
        elements.writeInteger(value.bitPattern)
        count += 1
    }

    mutating func append(_ value: Bool?) {
        guard let value else { return appendNull() }
        elements.writeInteger(Int32(1))
        elements.writeInteger(UInt8(value ? 1 : 0))
        count += 1
    }

    mutating func append(_ value: String?) {
        guard let value else { return appendNull() }
        elements.writeInteger(Int32(value.utf8.count))
        elements.writeString(value)
        count += 1
    }

    mutating func append(_ value: UUID?) {
        guard let value else { return appendNull() }
        elements.writeInteger(Int32(16))
        withUnsafeBytes(of: value.uuid) { _ = elements.writeBytes($0) }
        count += 1
    }

    mutating func appendNull() {
        elements.writeInteger(Int32(-1))
        hasNull = true
        count += 1
    }

    /// `array_send`'s layout: dimensions, has-null flag, element type, then length and lower bound of the one dimension.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int32(1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(element.types.element.rawValue)
        buffer.writeInteger(count)
        buffer.writeInteger(Int32(1))
        _ = buffer.writeImmutableBuffer(elements)
    }
}
