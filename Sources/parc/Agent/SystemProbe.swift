import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads what a Linux laptop says about itself. Every source is optional: a missing or unreadable file gives nil,
/// never 0, so the server can tell "unknown" from "empty".
struct SystemProbe: Sendable {
    /// Prefix of every path read (`/` in production), so a test can point the probe at a fake tree.
    let root: String
    /// Bound on the `iw` helper, so a wedged driver cannot stall a heartbeat.
    var commandTimeout: Duration = .seconds(2)

    init(root: String = "/") {
        self.root = root
    }

    struct HardwareIdentity: Sendable, Equatable {
        var manufacturer: String
        var model: String?
        var serialNumber: String
        var macAddresses: [String]
    }

    struct Battery: Sendable, Equatable {
        var levelPercent: Double?
        var healthPercent: Double?
        var designCapacityMWh: Int?
        var fullCapacityMWh: Int?
        var cycleCount: Int?
        var charging: Bool?
    }

    struct Storage: Sendable, Equatable {
        var freeBytes: Int
        var totalBytes: Int
    }

    struct OperatingSystem: Sendable, Equatable {
        var name: String
        var version: String?
    }

    struct Wifi: Sendable, Equatable {
        var interface: String
        var ssid: String?
        var bssid: String?
        var signalDBm: Int?
        var band: String?
        var linkRateMbps: Double?
    }

    struct Snapshot: Sendable, Equatable {
        var battery: Battery?
        /// Whether a mains adapter is plugged in; nil on machines that expose no `Mains` supply.
        var acOnline: Bool?
        var storage: Storage?
        var os: OperatingSystem?
        var uptimeSeconds: Int?
        var wifi: Wifi?
        var ipv4Address: String?
    }

    /// One reading of everything. May block up to `commandTimeout` while `iw` runs.
    func snapshot() -> Snapshot {
        let ac = acOnline()
        return Snapshot(
            battery: battery(acOnline: ac), acOnline: ac, storage: storage(), os: operatingSystem(),
            uptimeSeconds: uptimeSeconds(), wifi: wifi(), ipv4Address: primaryIPv4Address())
    }

    func identity() -> HardwareIdentity {
        let dmi = "/sys/class/dmi/id/"
        let macs = macAddresses()
        // product_serial is root-only on most distributions; machine-id is world-readable and stable for the
        // life of the installation, which is what keeps re-enrollment landing on the same device.
        let serial =
            meaningful(text(at: dmi + "product_serial"))
            ?? text(at: "/etc/machine-id").map { "machine-id:" + $0 }
            ?? macs.first.map { "mac:" + $0 }
            ?? "unknown"
        return HardwareIdentity(
            manufacturer: meaningful(text(at: dmi + "sys_vendor")) ?? "Unknown",
            model: meaningful(text(at: dmi + "product_name")) ?? meaningful(text(at: dmi + "product_version")),
            serialNumber: serial, macAddresses: macs)
    }

    // MARK: Sources

    func battery(acOnline: Bool?) -> Battery? {
        let base = "/sys/class/power_supply/"
        // Wireless mice and headsets also appear as batteries, with scope "Device"; only the laptop's own counts.
        guard
            let name = entries(of: base).first(where: {
                text(at: base + $0 + "/type") == "Battery" && text(at: base + $0 + "/scope") != "Device"
            })
        else { return nil }
        let dir = base + name + "/"
        // Drivers write 0 when they do not know a capacity, so 0 is treated as absent.
        func positive(_ file: String) -> Double? { text(at: dir + file).flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } }
        func healthPercent(full: Double?, design: Double?) -> Double? {
            guard let full, let design else { return nil }
            return (full / design * 1000).rounded() / 10
        }

        var battery = Battery()
        battery.levelPercent =
            text(at: dir + "capacity").flatMap(Double.init)
            ?? positive("energy_full").flatMap { full in positive("energy_now").map { ($0 / full * 100).rounded() } }
        if positive("energy_full_design") != nil || positive("energy_full") != nil {
            // µWh → mWh.
            battery.designCapacityMWh = positive("energy_full_design").map { Int(($0 / 1000).rounded()) }
            battery.fullCapacityMWh = positive("energy_full").map { Int(($0 / 1000).rounded()) }
            battery.healthPercent = healthPercent(full: positive("energy_full"), design: positive("energy_full_design"))
        } else {
            // Charge-reporting batteries give µAh; µAh × µV / 10⁹ = mWh. Without the design voltage only the ratio is known.
            if let microvolts = positive("voltage_min_design") {
                battery.designCapacityMWh = positive("charge_full_design").map { Int(($0 * microvolts / 1e9).rounded()) }
                battery.fullCapacityMWh = positive("charge_full").map { Int(($0 * microvolts / 1e9).rounded()) }
            }
            battery.healthPercent = healthPercent(full: positive("charge_full"), design: positive("charge_full_design"))
        }
        battery.cycleCount = text(at: dir + "cycle_count").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        switch text(at: dir + "status") {
        case "Charging", "Full": battery.charging = true
        case "Discharging", "Not charging": battery.charging = false
        default: battery.charging = acOnline  // "Unknown" or no status file: the adapter is the best hint left.
        }
        return battery
    }

    func acOnline() -> Bool? {
        let base = "/sys/class/power_supply/"
        let states = entries(of: base).filter { text(at: base + $0 + "/type") == "Mains" }.compactMap { text(at: base + $0 + "/online") }
        return states.isEmpty ? nil : states.contains("1")
    }

    func storage() -> Storage? {
        var stats = statvfs()
        guard statvfs(resolve("/"), &stats) == 0 else { return nil }
        let blockSize = UInt64(stats.f_frsize)
        let total = UInt64(stats.f_blocks) * blockSize
        guard total > 0 else { return nil }
        return Storage(freeBytes: Int(clamping: UInt64(stats.f_bavail) * blockSize), totalBytes: Int(clamping: total))
    }

    func operatingSystem() -> OperatingSystem? {
        guard let release = text(at: "/etc/os-release") ?? text(at: "/usr/lib/os-release") else { return nil }
        let fields = Self.parseOSRelease(release)
        // os-release(5): NAME defaults to "Linux" when absent.
        return OperatingSystem(name: fields["NAME"] ?? "Linux", version: fields["VERSION_ID"] ?? fields["VERSION"])
    }

    func uptimeSeconds() -> Int? {
        text(at: "/proc/uptime")?.split(separator: " ").first.flatMap { Double($0) }.map { Int($0) }
    }

    func macAddresses() -> [String] {
        let base = "/sys/class/net/"
        // Only interfaces backed by hardware have a `device` link; docker bridges and veths come and go,
        // and their addresses would make the identity flicker.
        let addresses = entries(of: base)
            .filter { $0 != "lo" && exists(base + $0 + "/device") }
            .compactMap { text(at: base + $0 + "/address")?.lowercased() }
            .filter { $0.count == 17 && $0 != "00:00:00:00:00:00" }
        return Array(Set(addresses)).sorted()
    }

    // MARK: Parsing

    /// KEY=value lines, with surrounding single or double quotes removed.
    static func parseOSRelease(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = value.dropFirst().dropLast()
            }
            if !value.isEmpty { fields[String(line[..<equals])] = String(value) }
        }
        return fields
    }

    /// Vendor firmware often leaves these in DMI fields; they identify nothing.
    static let placeholders: Set<String> = [
        "to be filled by o.e.m.", "to be filled by oem", "system product name", "system manufacturer", "system version",
        "system serial number", "default string", "not applicable", "not specified", "none", "n/a", "oem", "o.e.m.", "0",
        "0123456789", "123456789", "invalid", "unknown", "type1productconfigid",
    ]

    func meaningful(_ value: String?) -> String? {
        guard let value, !Self.placeholders.contains(value.lowercased()) else { return nil }
        return value
    }

    // MARK: Files

    func resolve(_ path: String) -> String {
        root == "/" ? path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
    }

    func exists(_ path: String) -> Bool { access(resolve(path), F_OK) == 0 }

    func entries(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: resolve(directory))) ?? []).sorted()
    }

    /// The trimmed contents of a file under `root`, or nil when absent, unreadable or empty. Plain read(2),
    /// because /proc and /sys files report sizes (0 or 4096) that have nothing to do with their contents.
    func text(at path: String) -> String? {
        let fd = open(resolve(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                return nil  // e.g. EACCES on root-only DMI files, or EIO from a battery driver.
            }
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
