import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wi-Fi link and IPv4 address: the kernel's wireless table first, then `iw` for what the table lacks.
extension SystemProbe {
    struct WirelessEntry: Sendable, Equatable {
        var interface: String
        var levelDBm: Int?
    }

    struct IwLink: Sendable, Equatable {
        var ssid: String?
        var bssid: String?
        var frequencyMHz: Double?
        var signalDBm: Int?
        var txBitrateMbps: Double?
    }

    static let iwLocations = ["/usr/sbin/iw", "/sbin/iw", "/usr/bin/iw"]

    /// The first associated wireless interface, or nil when there is none.
    func wifi() -> Wifi? {
        guard let table = text(at: "/proc/net/wireless") else { return nil }
        let iw = Self.iwLocations.map(resolve).first { access($0, X_OK) == 0 }
        for entry in Self.parseWireless(table) {
            var wifi = Wifi(interface: entry.interface, signalDBm: entry.levelDBm)
            // Without iw (or if it fails) the kernel's signal level is all there is; still worth reporting.
            guard let iw, let output = CommandRunner.run(iw, ["dev", entry.interface, "link"], timeout: commandTimeout) else {
                return wifi
            }
            guard let link = Self.parseIwLink(output) else { continue }  // "Not connected."
            wifi.ssid = link.ssid
            wifi.bssid = link.bssid
            wifi.signalDBm = link.signalDBm ?? wifi.signalDBm
            wifi.band = link.frequencyMHz.flatMap(Self.band(forMHz:))
            wifi.linkRateMbps = link.txBitrateMbps
            return wifi
        }
        return nil
    }

    /// The address of the interface carrying the default route, else the first non-loopback IPv4 that is up
    /// (so a docker bridge does not win over the real link).
    func primaryIPv4Address() -> String? {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return nil }
        defer { freeifaddrs(head) }
        var candidates: [(interface: String, address: String)] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = entry.pointee.ifa_flags
            guard flags & UInt32(IFF_UP) != 0, flags & UInt32(IFF_LOOPBACK) == 0,
                let address = entry.pointee.ifa_addr, Int32(address.pointee.sa_family) == AF_INET
            else { continue }
            var inet = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            guard inet_ntop(AF_INET, &inet, &buffer, socklen_t(buffer.count)) != nil else { continue }
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            candidates.append((String(cString: entry.pointee.ifa_name), text))
        }
        let routed = defaultRouteInterface()
        return (candidates.first { $0.interface == routed } ?? candidates.first)?.address
    }

    /// From /proc/net/route: the interface whose destination is 0.0.0.0.
    func defaultRouteInterface() -> String? {
        guard let table = text(at: "/proc/net/route") else { return nil }
        for line in table.split(separator: "\n").dropFirst() {
            let columns = line.split(whereSeparator: \.isWhitespace)
            if columns.count > 1 && columns[1] == "00000000" { return String(columns[0]) }
        }
        return nil
    }

    // MARK: Parsing

    /// Rows of /proc/net/wireless after its two header lines: "wlp2s0: 0000   54.  -56.  -256  0 …".
    static func parseWireless(_ text: String) -> [WirelessEntry] {
        text.split(separator: "\n").dropFirst(2).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            // status, link, level, noise…; the kernel appends '.' to values not updated since the last read.
            let columns = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace)
            guard !name.isEmpty else { return nil }
            var level = columns.count > 2 ? Double(columns[2].trimmingCharacters(in: CharacterSet(charactersIn: "."))) : nil
            // Some drivers still report the level as an unsigned byte (200 means -56 dBm); 0 means "no reading".
            if let value = level, value >= 0 { level = value > 0 && value < 256 ? value - 256 : nil }
            return WirelessEntry(interface: name, levelDBm: level.map { Int($0.rounded()) })
        }
    }

    /// `iw dev <iface> link` output, or nil when it reports no association.
    static func parseIwLink(_ text: String) -> IwLink? {
        var link = IwLink()
        var connected = false
        func number(after prefix: String, in line: String) -> Double? {
            guard line.hasPrefix(prefix) else { return nil }
            return line.dropFirst(prefix.count).split(whereSeparator: \.isWhitespace).first.flatMap { Double($0) }
        }
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Connected to ") {
                connected = true
                let bssid = line.dropFirst("Connected to ".count).split(separator: " ").first.map { $0.lowercased() } ?? ""
                let octets = bssid.split(separator: ":")
                link.bssid = octets.count == 6 && octets.allSatisfy { $0.count == 2 && UInt8($0, radix: 16) != nil } ? bssid : nil
            } else if line.hasPrefix("SSID: ") {
                link.ssid = unescapeSSID(String(line.dropFirst("SSID: ".count)))  // may hold spaces: the whole rest
            } else if let value = number(after: "freq:", in: line) {
                link.frequencyMHz = value
            } else if let value = number(after: "signal:", in: line) {
                link.signalDBm = Int(value.rounded())
            } else if let value = number(after: "tx bitrate:", in: line) {
                link.txBitrateMbps = value
            }
        }
        return connected ? link : nil
    }

    /// iw prints as \xNN every SSID byte that is not printable ASCII (so all of UTF-8 beyond ASCII), backslashes,
    /// and spaces at either end; this gives back the name people see.
    static func unescapeSSID(_ text: String) -> String {
        var bytes: [UInt8] = []
        var rest = Array(text.utf8)[...]
        while let byte = rest.popFirst() {
            if byte == UInt8(ascii: "\\"), rest.first == UInt8(ascii: "x"), rest.count >= 3,
                let value = UInt8(String(decoding: rest.dropFirst().prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                rest = rest.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func band(forMHz frequency: Double) -> String? {
        switch frequency {
        case 2400..<2500: "2.4GHz"
        case 4900..<5925: "5GHz"
        case 5925...7125: "6GHz"
        default: nil
        }
    }
}

/// Runs a helper binary and captures its standard output. posix_spawn rather than Foundation's `Process`,
/// which hangs in this project's environment; a deadline kills helpers that do not finish.
enum CommandRunner {
    /// The output of a run that exited 0 within `timeout`, else nil.
    static func run(_ path: String, _ arguments: [String], timeout: Duration) -> String? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Neither end may survive into other children spawned meanwhile, or EOF would never come.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
        #else
            var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        // A fixed locale keeps the output in the wording the parsers expect.
        let environment: [UnsafeMutablePointer<CChar>?] = [strdup("LC_ALL=C"), nil]
        defer { (argv + environment).forEach { free($0) } }

        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environment)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            return nil
        }

        let deadline = ContinuousClock.now + timeout
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var abandoned = false
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, output.count < 1 << 20 else {
                abandoned = true
                break
            }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let (seconds, attoseconds) = remaining.components
            let ready = poll(&poller, 1, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            guard ready > 0 else { break }
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 {
                output += chunk[0..<count]
            } else if count == 0 || errno != EINTR {
                break  // EOF (or a read error): the child is done writing.
            }
        }
        close(readEnd)

        if abandoned { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return nil }
            if reaped == 0 && !abandoned && ContinuousClock.now >= deadline {
                // Closed its output but lingers: do not leave it behind.
                kill(pid, SIGKILL)
                abandoned = true
            }
            if reaped == 0 { usleep(5_000) }
        }
        // WIFEXITED && WEXITSTATUS == 0, spelled out because Swift does not import those macros.
        guard !abandoned, status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
