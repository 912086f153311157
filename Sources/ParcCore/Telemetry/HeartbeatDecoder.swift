import Foundation

/// Reads the heartbeat JSON of protocol v1 straight from the request bytes into `Heartbeat` values.
///
/// Why not `JSONDecoder`: on this hardware it tops out near 140 000 heartbeats/s, below what one node must
/// ingest. This reader makes one pass, allocates only for the strings it keeps, skips unknown fields (agents
/// newer than the server may send more), and reports every invalid value with its path, as `JSONDecoder`
/// would not.
///
/// The body is either one heartbeat object or an array of them.
public struct HeartbeatDecoder: Sendable {
    public var maxHeartbeats: Int
    /// Heartbeats timestamped further ahead than this are refused: the device clock is wrong.
    public var maxClockAheadMs: Int64

    public init(maxHeartbeats: Int = 1000, maxClockAheadMs: Int64 = 86_400_000) {
        self.maxHeartbeats = maxHeartbeats
        self.maxClockAheadMs = maxClockAheadMs
    }

    /// Throws `.malformed` when the bytes are not JSON of the expected shape, `.validation` listing every
    /// bad field otherwise. Nothing is returned unless every heartbeat is valid.
    public func decode(_ bytes: UnsafeRawBufferPointer, nowMs: Int64) throws(ParcError) -> [Heartbeat] {
        var reader = JSONReader(bytes)
        var errors = FieldErrors()
        var heartbeats: [Heartbeat] = []
        reader.skipSpace()
        switch reader.peek() {
        case UInt8(ascii: "["):
            reader.advance()
            if !(try reader.consumeIf(UInt8(ascii: "]"))) {
                repeat {
                    guard heartbeats.count < maxHeartbeats else {
                        throw ParcError.validation([FieldError(field: "heartbeats", reason: "at most \(maxHeartbeats) heartbeats per request")])
                    }
                    heartbeats.append(try readHeartbeat(&reader, index: heartbeats.count, errors: &errors, nowMs: nowMs))
                } while try reader.separator(closing: UInt8(ascii: "]"))
            }
        case UInt8(ascii: "{"):
            heartbeats.append(try readHeartbeat(&reader, index: nil, errors: &errors, nowMs: nowMs))
        default:
            throw reader.syntax("a heartbeat object or an array of heartbeats")
        }
        reader.skipSpace()
        guard reader.atEnd else { throw reader.syntax("the end of the body") }
        if !errors.list.isEmpty { throw ParcError.validation(errors.list) }
        if heartbeats.isEmpty { throw ParcError.validation([FieldError(field: "heartbeats", reason: "must hold at least one heartbeat")]) }
        return heartbeats
    }

    /// `index` is the heartbeat's place in a batch (nil for a lone object); it prefixes field names in errors.
    func readHeartbeat(_ r: inout JSONReader, index: Int?, errors: inout FieldErrors, nowMs: Int64) throws(ParcError) -> Heartbeat {
        var h = Heartbeat(seq: 0, observedAtMs: 0)
        var seq: Int64?
        var observed: Int64?
        // Field names are built only when a field fails: a valid batch formats no strings.
        var p: String { index.map { "[\($0)]." } ?? "" }
        try r.object { key, r throws(ParcError) in
            switch key {
            case "seq": seq = try r.int(p + "seq", 1...Int64.max, &errors)
            case "observed_at": observed = try r.timestamp(p + "observed_at", &errors)
            case "agent_version": h.agentVersion = try r.string(p + "agent_version", max: 64, &errors)
            case "uptime_seconds": h.uptimeSeconds = try r.int(p + "uptime_seconds", 0...(100 * 365 * 86_400), &errors)
            case "ip": h.ip = try r.string(p + "ip", max: 45, &errors)
            case "battery":
                try r.object { key, r throws(ParcError) in
                    switch key {
                    case "level_percent": h.batteryLevel = try r.double(p + "battery." + key, 0...100, &errors)
                    case "health_percent": h.batteryHealth = try r.double(p + "battery." + key, 0...150, &errors)
                    case "design_capacity_mwh": h.batteryDesignMWh = try r.int(p + "battery." + key, 0...10_000_000, &errors)
                    case "full_capacity_mwh": h.batteryFullMWh = try r.int(p + "battery." + key, 0...10_000_000, &errors)
                    case "cycle_count": h.batteryCycles = try r.int(p + "battery." + key, 0...1_000_000, &errors)
                    case "charging": h.charging = try r.bool(p + "battery." + key, &errors)
                    default: try r.skipValue()
                    }
                }
            case "storage":
                try r.object { key, r throws(ParcError) in
                    switch key {
                    case "free_bytes": h.storageFreeBytes = try r.int(p + "storage.free_bytes", 0...Int64.max, &errors)
                    case "total_bytes": h.storageTotalBytes = try r.int(p + "storage.total_bytes", 0...Int64.max, &errors)
                    default: try r.skipValue()
                    }
                }
            case "os":
                try r.object { key, r throws(ParcError) in
                    switch key {
                    case "name": h.osName = try r.string(p + "os.name", max: 100, &errors)
                    case "version": h.osVersion = try r.string(p + "os.version", max: 100, &errors)
                    default: try r.skipValue()
                    }
                }
            case "wifi":
                try r.object { key, r throws(ParcError) in
                    switch key {
                    case "ssid": h.wifiSSID = try r.string(p + "wifi." + key, max: 64, &errors)
                    case "bssid": h.wifiBSSID = try r.mac(p + "wifi." + key, &errors)
                    case "rssi_dbm": h.wifiRSSI = try r.int(p + "wifi." + key, -127...0, &errors)
                    case "band": h.wifiBand = try r.band(p + "wifi." + key, &errors)
                    case "link_rate_mbps": h.wifiLinkMbps = try r.double(p + "wifi." + key, 0...100_000, &errors)
                    default: try r.skipValue()
                    }
                }
            case "throughput":
                try r.object { key, r throws(ParcError) in
                    switch key {
                    case "down_mbps": h.downMbps = try r.double(p + "throughput.down_mbps", 0...100_000, &errors)
                    case "up_mbps": h.upMbps = try r.double(p + "throughput.up_mbps", 0...100_000, &errors)
                    default: try r.skipValue()
                    }
                }
            case "cart":
                try r.object { key, r throws(ParcError) in
                    switch key {
                    case "cart_id": h.cartID = try r.uuid(p + "cart.cart_id", &errors)
                    case "slot": h.cartSlot = try r.int(p + "cart.slot", 0...500, &errors)
                    default: try r.skipValue()
                    }
                }
            default:
                try r.skipValue()
            }
        }
        if let seq { h.seq = seq } else if !errors.has(p + "seq") { errors.fail(p + "seq", "is required") }
        if let observed {
            if observed > nowMs + maxClockAheadMs {
                errors.fail(p + "observed_at", "is more than a day ahead of the server clock")
            }
            h.observedAtMs = observed
        } else if !errors.has(p + "observed_at") {
            errors.fail(p + "observed_at", "is required")
        }
        if let free = h.storageFreeBytes, let total = h.storageTotalBytes, free > total {
            errors.fail(p + "storage.free_bytes", "must not exceed storage.total_bytes")
        }
        return h
    }
}

/// Field errors collected across a whole body, capped so a hostile body cannot make the error list huge.
struct FieldErrors {
    private(set) var list: [FieldError] = []

    mutating func fail(_ field: String, _ reason: String) {
        if list.count < 100 { list.append(FieldError(field: field, reason: reason)) }
    }

    func has(_ field: String) -> Bool { list.contains { $0.field == field } }
}

/// A forward-only JSON reader over raw bytes.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }

    func peek() -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    mutating func advance() { i += 1 }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    func syntax(_ expected: String) -> ParcError {
        .malformed("invalid JSON at byte \(i): expected \(expected)")
    }

    mutating func consumeIf(_ byte: UInt8) throws(ParcError) -> Bool {
        skipSpace()
        if peek() == byte {
            i += 1
            return true
        }
        return false
    }

    /// After a value inside a container: true on `,`, false on the closing byte.
    mutating func separator(closing: UInt8) throws(ParcError) -> Bool {
        skipSpace()
        let c = peek()
        if c == UInt8(ascii: ",") {
            i += 1
            return true
        }
        if c == closing {
            i += 1
            return false
        }
        throw syntax(closing == UInt8(ascii: "]") ? "',' or ']'" : "',' or '}'")
    }

    /// Reads an object, calling `member` with each key; the callee must consume the value. `null` is an absent object.
    mutating func object(_ member: (String, inout JSONReader) throws(ParcError) -> Void) throws(ParcError) {
        skipSpace()
        if try consumeLiteral("null") { return }
        guard peek() == UInt8(ascii: "{") else { throw syntax("an object") }
        i += 1
        if try consumeIf(UInt8(ascii: "}")) { return }
        repeat {
            skipSpace()
            let key = try rawString()
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw syntax("':'") }
            i += 1
            try member(key, &self)
        } while try separator(closing: UInt8(ascii: "}"))
    }

    mutating func consumeLiteral(_ literal: StaticString) throws(ParcError) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        let start = literal.utf8Start
        for k in 0..<n where bytes[i + k] != start[k] { return false }
        i += n
        return true
    }

    /// A JSON string, escapes decoded. Invalid UTF-8 is repaired rather than refused: these are labels.
    mutating func rawString() throws(ParcError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw syntax("a string") }
        i += 1
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if c < 0x20 { throw syntax("no control character inside a string") }
            i += 1
        }
        throw syntax("the end of a string")
    }

    private mutating func escapedString(from start: Int) throws(ParcError) -> String {
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw syntax("an escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), try consumeLiteral("\\u") {
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) { scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) }
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: throw syntax("a valid escape")
                }
            default:
                if c < 0x20 { throw syntax("no control character inside a string") }
                out.append(c)
            }
        }
        throw syntax("the end of a string")
    }

    private mutating func hex4() throws(ParcError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw syntax("four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw syntax("four hex digits")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    /// A number as its parts: integer mantissa and base-10 exponent, so integers never go through Double.
    mutating func number() throws(ParcError) -> (mantissa: Int64, exponent: Int, overflow: Bool) {
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: Int64 = 0
        var exponent = 0
        var digits = 0
        var overflow = false
        func take(_ d: UInt8, fraction: Bool) {
            let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 {
                if !fraction { exponent += 1 }  // keep magnitude, lose precision
                overflow = true
            } else {
                mantissa = s
                if fraction { exponent -= 1 }
            }
        }
        while i < bytes.count, bytes[i] &- 0x30 < 10 {
            take(bytes[i] - 0x30, fraction: false)
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw syntax("a number") }
        if peek() == UInt8(ascii: ".") {
            i += 1
            var fractionDigits = 0
            while i < bytes.count, bytes[i] &- 0x30 < 10 {
                take(bytes[i] - 0x30, fraction: true)
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { throw syntax("digits after '.'") }
        }
        if peek() | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") {
                expNegative = peek() == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < bytes.count, bytes[i] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(bytes[i] - 0x30) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { throw syntax("an exponent") }
            exponent += expNegative ? -e : e
        }
        return (negative ? -mantissa : mantissa, exponent, overflow)
    }

    /// Skips any JSON value: unknown fields are ignored, not refused.
    mutating func skipValue(depth: Int = 0) throws(ParcError) {
        guard depth < 32 else { throw syntax("less nesting") }
        skipSpace()
        switch peek() {
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "{"):
            try object { _, r throws(ParcError) in try r.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            if try consumeIf(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while try separator(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "t"): if !(try consumeLiteral("true")) { throw syntax("a value") }
        case UInt8(ascii: "f"): if !(try consumeLiteral("false")) { throw syntax("a value") }
        case UInt8(ascii: "n"): if !(try consumeLiteral("null")) { throw syntax("a value") }
        default: _ = try number()
        }
    }

    // MARK: Typed fields. Each returns nil for `null`, records a field error for a wrong type or range.

    mutating func int(_ field: @autoclosure () -> String, _ range: ClosedRange<Int64>, _ errors: inout FieldErrors) throws(ParcError) -> Int64? {
        skipSpace()
        if try consumeLiteral("null") { return nil }
        guard isNumberStart else {
            try skipValue()
            errors.fail(field(), "must be a whole number")
            return nil
        }
        let n = try number()
        guard n.exponent == 0, !n.overflow else {
            errors.fail(field(), "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(n.mantissa) else {
            errors.fail(field(), "must be from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return n.mantissa
    }

    mutating func double(_ field: @autoclosure () -> String, _ range: ClosedRange<Double>, _ errors: inout FieldErrors) throws(ParcError) -> Double? {
        skipSpace()
        if try consumeLiteral("null") { return nil }
        guard isNumberStart else {
            try skipValue()
            errors.fail(field(), "must be a number")
            return nil
        }
        let n = try number()
        let value = n.exponent == 0 ? Double(n.mantissa) : Double(n.mantissa) * pow(10, Double(n.exponent))
        guard value.isFinite, range.contains(value) else {
            errors.fail(field(), "must be from \(range.lowerBound.formatted) to \(range.upperBound.formatted)")
            return nil
        }
        return value
    }

    mutating func bool(_ field: @autoclosure () -> String, _ errors: inout FieldErrors) throws(ParcError) -> Bool? {
        skipSpace()
        if try consumeLiteral("true") { return true }
        if try consumeLiteral("false") { return false }
        if try consumeLiteral("null") { return nil }
        try skipValue()
        errors.fail(field(), "must be true or false")
        return nil
    }

    mutating func string(_ field: @autoclosure () -> String, max: Int, _ errors: inout FieldErrors) throws(ParcError) -> String? {
        skipSpace()
        if try consumeLiteral("null") { return nil }
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue()
            errors.fail(field(), "must be a string")
            return nil
        }
        let s = try rawString()
        guard s.utf8.count <= max || (s.utf8.count <= max * 4 && s.count <= max) else {
            errors.fail(field(), "must be at most \(max) characters")
            return nil
        }
        return s.isEmpty ? nil : s
    }

    mutating func timestamp(_ field: @autoclosure () -> String, _ errors: inout FieldErrors) throws(ParcError) -> Int64? {
        guard let span = try plainString(field(), &errors) else { return nil }
        let parsed = bytes.withMemoryRebound(to: UInt8.self) { ISO8601Millis.parse(UnsafeBufferPointer(rebasing: $0[span])) }
        guard let ms = parsed else {
            errors.fail(field(), "must be an ISO 8601 date-time with a time zone, such as 2026-11-23T08:30:00Z")
            return nil
        }
        return ms
    }

    mutating func uuid(_ field: @autoclosure () -> String, _ errors: inout FieldErrors) throws(ParcError) -> UUID? {
        guard let text = try string(field(), max: 36, &errors) else { return nil }
        guard let id = UUID(uuidString: text) else {
            errors.fail(field(), "must be a UUID")
            return nil
        }
        return id
    }

    /// A MAC address, normalised to lower case with colons. Read from the bytes: this runs for every heartbeat.
    mutating func mac(_ field: @autoclosure () -> String, _ errors: inout FieldErrors) throws(ParcError) -> String? {
        guard let span = try plainString(field(), &errors) else { return nil }
        var valid = span.count == 17
        if valid {
            for k in 0..<17 {
                let c = bytes[span.lowerBound + k]
                if k % 3 == 2 { valid = valid && (c == UInt8(ascii: ":") || c == UInt8(ascii: "-")) } else { valid = valid && Self.isHex(c) }
            }
        }
        guard valid else {
            errors.fail(field(), "must be a MAC address such as aa:bb:cc:dd:ee:ff")
            return nil
        }
        let start = span.lowerBound
        return String(unsafeUninitializedCapacity: 17) { out in
            for k in 0..<17 {
                let c = bytes[start + k]
                out[k] = k % 3 == 2 ? UInt8(ascii: ":") : (c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
            }
            return 17
        }
    }

    static func isHex(_ c: UInt8) -> Bool { (c &- 0x30) < 10 || ((c | 0x20) &- 0x61) < 6 }

    static let bands: [(forms: [String], name: String)] = [
        (["2.4ghz", "2.4", "2g", "2.4 ghz"], "2.4GHz"), (["5ghz", "5", "5g", "5 ghz"], "5GHz"), (["6ghz", "6", "6g", "6 ghz"], "6GHz"),
    ]

    mutating func band(_ field: @autoclosure () -> String, _ errors: inout FieldErrors) throws(ParcError) -> String? {
        guard let span = try plainString(field(), &errors) else { return nil }
        for band in Self.bands {
            for form in band.forms where form.utf8.count == span.count {
                if zip(form.utf8, bytes[span]).allSatisfy({ $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1) }) { return band.name }
            }
        }
        errors.fail(field(), "must be 2.4GHz, 5GHz or 6GHz")
        return nil
    }

    /// A string value's byte range when it has no escapes (codes, dates, addresses never need them); `null` is
    /// nil; another type, or an escaped string, is recorded as invalid.
    mutating func plainString(_ field: @autoclosure () -> String, _ errors: inout FieldErrors) throws(ParcError) -> Range<Int>? {
        skipSpace()
        if try consumeLiteral("null") { return nil }
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue()
            errors.fail(field(), "must be a string")
            return nil
        }
        let start = i + 1
        var k = start
        while k < bytes.count, bytes[k] != UInt8(ascii: "\""), bytes[k] != UInt8(ascii: "\\"), bytes[k] >= 0x20 { k += 1 }
        guard k < bytes.count, bytes[k] == UInt8(ascii: "\"") else {
            _ = try rawString()  // escapes or an error: let the full reader decide
            errors.fail(field(), "has an unexpected form")
            return nil
        }
        i = k + 1
        return start..<k
    }

    private var isNumberStart: Bool {
        let c = peek()
        return c == UInt8(ascii: "-") || c &- 0x30 < 10
    }
}

extension Double {
    fileprivate var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}

/// RFC 3339 date-times (`2026-11-23T08:30:00Z`, `…08:30:00.250+01:00`) to epoch milliseconds, without a formatter.
public enum ISO8601Millis {
    public static func parse(_ text: String) -> Int64? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                let d = b[k] &- 0x30
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D, let day = digits(8, 2),
            b[10] | 0x20 == UInt8(ascii: "t") || b[10] == 0x20, let hour = digits(11, 2), b[13] == 0x3A, let minute = digits(14, 2),
            b[16] == 0x3A, let second = digits(17, 2)
        else { return nil }
        guard (1970...9999).contains(year), (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100
            let start = i
            while i < b.count, b[i] &- 0x30 < 10 {
                millis += Int(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        if b[i] | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = digits(i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = LocalDate.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + min(second, 59) - offsetMinutes * 60
        return Int64(seconds) * 1000 + Int64(millis)
    }
}
