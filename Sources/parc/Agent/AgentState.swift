import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the agent must remember across restarts.
struct AgentState: Codable, Sendable, Equatable {
    var serverURL: URL
    var deviceID: UUID
    var deviceToken: String
    var establishmentID: UUID
    /// The number the next heartbeat gets. Saved before that heartbeat is queued, so a crash can skip a number
    /// but never reuse one for different data (the server would drop it as a duplicate).
    var nextSeq: Int
    var intervalSeconds: Int

    enum CodingKeys: String, CodingKey {
        case serverURL = "server_url"
        case deviceID = "device_id"
        case deviceToken = "device_token"
        case establishmentID = "establishment_id"
        case nextSeq = "next_seq"
        case intervalSeconds = "interval_seconds"
    }
}

/// The state file: JSON, replaced atomically, readable by its owner only since it holds the device token.
struct AgentStateFile: Sendable {
    let path: String

    /// nil when the agent has never enrolled; throws when the file exists but cannot be read, rather than
    /// silently enrolling again.
    func load() throws -> AgentState? {
        guard let data = try DurableFile.contents(of: path) else { return nil }
        return try JSONDecoder().decode(AgentState.self, from: data)
    }

    func save(_ state: AgentState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try DurableFile.replace(path, with: try encoder.encode(state))
    }
}

/// Heartbeats not yet acknowledged, oldest first, mirrored in a JSON-lines file (store and forward).
/// Bounded: past `capacity`, the oldest are dropped, since recent state matters more than old history.
struct HeartbeatOutbox: Sendable {
    let path: String
    let capacity: Int
    private(set) var pending: [AgentAPI.Heartbeat] = []
    /// Heartbeats dropped for lack of room since this process started (including when loading).
    private(set) var droppedCount = 0
    /// Lines found unreadable when loading, e.g. the tail of an append cut short by a crash.
    private(set) var unreadableLineCount = 0

    init(path: String, capacity: Int = 10_000) throws {
        self.path = path
        self.capacity = max(1, capacity)
        guard let data = try DurableFile.contents(of: path), !data.isEmpty else { return }
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let heartbeat = try? decoder.decode(AgentAPI.Heartbeat.self, from: line) {
                pending.append(heartbeat)
            } else {
                unreadableLineCount += 1
            }
        }
        droppedCount = max(0, pending.count - self.capacity)
        pending.removeFirst(droppedCount)
        // A torn last line would swallow the next append; rewriting leaves only whole lines.
        if unreadableLineCount > 0 || droppedCount > 0 || data.last != UInt8(ascii: "\n") {
            try rewrite(pending)
        }
    }

    var isEmpty: Bool { pending.isEmpty }
    var count: Int { pending.count }
    var lastSeq: Int? { pending.last?.seq }

    func oldest(_ limit: Int) -> [AgentAPI.Heartbeat] { Array(pending.prefix(limit)) }

    /// Queues a heartbeat durably (written and fsynced before returning); returns how many of the oldest were
    /// dropped to stay within capacity.
    @discardableResult
    mutating func append(_ heartbeat: AgentAPI.Heartbeat) throws -> Int {
        let overflow = pending.count + 1 - capacity
        guard overflow > 0 else {
            try DurableFile.append(try Self.line(heartbeat), to: path)
            pending.append(heartbeat)
            return 0
        }
        let kept = Array(pending.dropFirst(overflow)) + [heartbeat]
        try rewrite(kept)
        pending = kept
        droppedCount += overflow
        return overflow
    }

    /// Forgets the `count` oldest (acknowledged, or rejected for good). The file is rewritten beside the old one
    /// and renamed over it, so a crash in between leaves the old queue: at worst a resend the server dedupes.
    /// Memory moves on even if the rewrite fails, so a full disk cannot make the loop resend one batch forever;
    /// the next successful rewrite catches the file up.
    mutating func removeOldest(_ count: Int) throws {
        pending.removeFirst(min(count, pending.count))
        try rewrite(pending)
    }

    private func rewrite(_ heartbeats: [AgentAPI.Heartbeat]) throws {
        var data = Data()
        for heartbeat in heartbeats { data += try Self.line(heartbeat) }
        try DurableFile.replace(path, with: data)
    }

    private static func line(_ heartbeat: AgentAPI.Heartbeat) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(heartbeat)
        line.append(UInt8(ascii: "\n"))
        return line
    }
}

/// File writes that survive a crash or power loss: fsync before returning, rename for replacement, mode 0600.
enum DurableFile {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var code: Int32

        init(_ operation: String, _ path: String, code: Int32 = errno) {
            self.operation = operation
            self.path = path
            self.code = code
        }

        var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    /// The whole file, or nil when it does not exist.
    static func contents(of path: String) throws -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Writes a sibling temporary file, fsyncs it, renames it over `path`, then fsyncs the directory so the
    /// rename itself is on disk.
    static func replace(_ path: String, with data: Data) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("create", temporary) }
        do {
            _ = fchmod(fd, 0o600)  // a leftover temporary may have been created with other bits
            try writeAll(data, to: fd, path: temporary)
            guard fsync(fd) == 0 else { throw Failure("fsync", temporary) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = Failure("rename", temporary)
            unlink(temporary)
            throw failure
        }
        syncDirectory(containing: path)
    }

    /// Appends and fsyncs, creating the file (0600) if needed.
    static func append(_ data: Data, to path: String) throws {
        let existed = FileManager.default.fileExists(atPath: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("open", path) }
        defer { close(fd) }
        try writeAll(data, to: fd, path: path)
        guard fsync(fd) == 0 else { throw Failure("fsync", path) }
        if !existed { syncDirectory(containing: path) }
    }

    private static func writeAll(_ data: Data, to fd: Int32, path: String) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Failure("write", path)
                }
                offset += written
            }
        }
    }

    /// Best effort: some filesystems refuse fsync on directories, and the data itself is already safe.
    private static func syncDirectory(containing path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
