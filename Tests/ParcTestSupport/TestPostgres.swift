import Foundation
import Logging
import ParcStore

/// A throwaway PostgreSQL 15 for the test suite, started once per test process from the Debian package's
/// binaries, listening only on a Unix socket inside its own temporary folder, stopped when the process exits.
/// Set `PARC_TEST_POSTGRES_SOCKET` (socket file path) and `PARC_TEST_POSTGRES_USER` to use a server of your own.
public actor TestPostgres {
    public static let shared = TestPostgres()

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    struct Server {
        var socketPath: String
        var user: String
    }

    private var server: Result<Server, Unavailable>?
    private var template: Task<Void, any Error>?
    private var counter = 0

    /// Connection settings for a brand-new database, copied from a migrated template.
    public func freshDatabase(logger: Logger) async throws -> PostgresDatabase.Settings {
        let server = try startIfNeeded().get()
        let admin = PostgresDatabase.Settings(user: server.user, database: "postgres", socketPath: server.socketPath, maxConnections: 2)
        // Tests ask concurrently: the first builds the migrated template, the others wait for that same task.
        if template == nil {
            template = Task {
                try await TestPostgres.withDatabase(admin, logger: logger) { db in
                    try await db.executeOutsideTransaction(["DROP DATABASE IF EXISTS parc_template", "CREATE DATABASE parc_template"])
                }
                _ = try await TestPostgres.withDatabase(
                    PostgresDatabase.Settings(user: server.user, database: "parc_template", socketPath: server.socketPath, maxConnections: 2),
                    logger: logger
                ) { db in
                    try await Migrator(database: db).migrate()
                }
            }
        }
        try await template!.value
        counter += 1
        let name = "parc_test_\(ProcessInfo.processInfo.processIdentifier)_\(counter)"
        try await TestPostgres.withDatabase(admin, logger: logger) { db in
            try await db.executeOutsideTransaction(["CREATE DATABASE \(name) TEMPLATE parc_template"])
        }
        return PostgresDatabase.Settings(user: server.user, database: name, socketPath: server.socketPath, maxConnections: 4)
    }

    /// Runs `body` with a running client on `settings`.
    public static func withDatabase<T: Sendable>(
        _ settings: PostgresDatabase.Settings, logger: Logger, _ body: @Sendable (PostgresDatabase) async throws -> T
    ) async throws -> T {
        let database = PostgresDatabase(settings: settings, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    private func startIfNeeded() -> Result<Server, Unavailable> {
        if let server { return server }
        let result = TestPostgres.start()
        server = result
        return result
    }

    private static func start() -> Result<Server, Unavailable> {
        let env = ProcessInfo.processInfo.environment
        if let socket = env["PARC_TEST_POSTGRES_SOCKET"] {
            return .success(Server(socketPath: socket, user: env["PARC_TEST_POSTGRES_USER"] ?? "postgres"))
        }
        guard
            let bin = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") })
        else {
            return .failure(
                Unavailable(
                    description:
                        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the Debian package postgresql-15 (`.ci/setup` does), or set PARC_TEST_POSTGRES_SOCKET"
                ))
        }
        let root = getuid() == 0
        let dir = NSTemporaryDirectory() + "parc-pg-\(ProcessInfo.processInfo.processIdentifier)-\(Int.random(in: 0..<1_000_000))"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if root {
                // PostgreSQL refuses to run as root: the cluster belongs to the `postgres` system user.
                try run("/bin/chown", ["postgres:postgres", dir])
                try run("/bin/chmod", ["700", dir])
            }
            let data = dir + "/data"
            try run(bin + "/initdb", ["-D", data, "-U", "parc", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asPostgres: root)
            let options =
                "-c listen_addresses='' -k \(dir) -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            try run(bin + "/pg_ctl", ["-D", data, "-o", options, "-l", dir + "/server.log", "-w", "-t", "60", "start"], asPostgres: root)
        } catch {
            return .failure(Unavailable(description: "could not start a throwaway PostgreSQL in \(dir): \(error)"))
        }
        stopCommand = (bin + "/pg_ctl", data: dir + "/data", dir: dir, root: root)
        atexit {
            guard let stop = TestPostgres.stopCommand else { return }
            try? TestPostgres.run(stop.pgctl, ["-D", stop.data, "-m", "immediate", "stop"], asPostgres: stop.root)
            try? FileManager.default.removeItem(atPath: stop.dir)
        }
        return .success(Server(socketPath: dir + "/.s.PGSQL.5432", user: "parc"))
    }

    nonisolated(unsafe) static var stopCommand: (pgctl: String, data: String, dir: String, root: Bool)?

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a command to completion with posix_spawn and waitpid. Foundation's `Process` can miss the exit of a
    /// child here (its monitor never reaps it), which would hang the suite.
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let outputPath = NSTemporaryDirectory() + "parc-pg-command-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Output goes to a file, not a pipe: the server that pg_ctl leaves running would hold a pipe open forever.
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        guard spawned == 0 else { throw CommandFailed(description: "cannot start \(argv[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw CommandFailed(description: "\(executable) failed (status \(status)): \(text)")
        }
    }
}
