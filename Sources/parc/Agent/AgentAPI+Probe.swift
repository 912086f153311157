import Foundation

// From probe readings to wire values, kept within the limits the server validates. The server refuses a
// whole request for a single out-of-range value, and the loop then drops that batch, so a driver that
// reports 101 % or an absurd capacity must not cost a hundred good heartbeats: such values are clamped
// or left out here.

extension AgentAPI.Heartbeat {
    init(seq: Int, observedAt: Date, agentVersion: String, snapshot: SystemProbe.Snapshot) {
        self.init(
            seq: seq, observedAt: observedAt,
            battery: snapshot.battery.map {
                Battery(
                    // Some drivers say 101 % when full.
                    levelPercent: $0.levelPercent.map { min(max($0, 0), 100) },
                    healthPercent: within($0.healthPercent, 0...150),
                    designCapacityMWh: within($0.designCapacityMWh, 0...10_000_000),
                    fullCapacityMWh: within($0.fullCapacityMWh, 0...10_000_000),
                    cycleCount: within($0.cycleCount, 0...1_000_000), charging: $0.charging)
            },
            storage: snapshot.storage.flatMap {
                $0.freeBytes <= $0.totalBytes ? Storage(freeBytes: $0.freeBytes, totalBytes: $0.totalBytes) : nil
            },
            os: snapshot.os.flatMap { os in
                limited(os.name, 100).map { OperatingSystem(name: $0, version: limited(os.version, 100)) }
            },
            agentVersion: limited(agentVersion, 64) ?? AgentAPI.agentVersion,
            uptimeSeconds: within(snapshot.uptimeSeconds, 0...(100 * 365 * 86_400)),
            wifi: snapshot.wifi.map {
                Wifi(
                    ssid: limited($0.ssid, 64), bssid: $0.bssid, rssiDBm: within($0.signalDBm, -127...0), band: $0.band,
                    linkRateMbps: within($0.linkRateMbps, 0...100_000))
            },
            ip: limited(snapshot.ipv4Address, 45))
    }
}

extension AgentAPI.EnrollRequest.Hardware {
    init(identity: SystemProbe.HardwareIdentity, kind: String) {
        self.init(
            manufacturer: limited(identity.manufacturer, 100) ?? "Unknown",
            serialNumber: limited(identity.serialNumber, 100) ?? "unknown",
            model: limited(identity.model, 150), kind: kind,
            macAddresses: Array(identity.macAddresses.prefix(16)))
    }
}

private func within<Value: Comparable>(_ value: Value?, _ range: ClosedRange<Value>) -> Value? {
    value.flatMap { range.contains($0) ? $0 : nil }
}

/// At most `maxLength` characters and 4 bytes per character on average, as the server counts; nil when empty.
private func limited(_ text: String?, _ maxLength: Int) -> String? {
    guard var text = text.map({ String($0.prefix(maxLength)) }) else { return nil }
    while text.utf8.count > maxLength * 4 { text.removeLast() }
    return text.isEmpty ? nil : text
}
