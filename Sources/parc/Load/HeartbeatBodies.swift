import CompressNIO
import Foundation
import NIOCore
import ParcCore

/// Heartbeat bodies as an agent would send them, with plausible values drawn from a seeded generator.
enum HeartbeatBodies {
    static let bssids = (1...8).map { "aa:bb:cc:00:00:0\($0)" }

    /// `count` heartbeats from `seq` on. The parts after `seq` come from a few pre-rendered variants, so the load
    /// generator spends its CPU sending, not formatting: it shares the machine with the server it measures.
    static func json(seq: Int64, count: Int, variants: [String]) -> String {
        var body = count == 1 ? "" : "["
        body.reserveCapacity(count * (variants[0].utf8.count + 24))
        for i in 0..<count {
            if i > 0 { body += "," }
            body += "{\"seq\":"
            body += String(seq + Int64(i))
            body += variants[Int(seq + Int64(i)) % variants.count]
        }
        if count != 1 { body += "]" }
        return body
    }

    /// Everything of a heartbeat after its sequence number, with plausible values, timestamped `now`.
    static func variants(_ n: Int, now: Date, generator: inout SplitMix64) -> [String] {
        let observed = now.formatted(.iso8601)
        return (0..<n).map { i in
            let level = Int.random(in: 5...100, using: &generator)
            let rssi = -Int.random(in: 45...85, using: &generator)
            let free = Int64.random(in: 1_000_000_000...60_000_000_000, using: &generator)
            let bssid = bssids[Int.random(in: 0..<bssids.count, using: &generator)]
            return """
                ,"observed_at":"\(observed)","agent_version":"loadgen-1","uptime_seconds":\(3600 + i),\
                "battery":{"level_percent":\(level),"health_percent":91.5,"cycle_count":212,"charging":\(level < 30)},\
                "storage":{"free_bytes":\(free),"total_bytes":64000000000},"os":{"name":"Debian GNU/Linux","version":"12"},\
                "wifi":{"ssid":"PARC-BENCH","bssid":"\(bssid)","rssi_dbm":\(rssi),"band":"5GHz","link_rate_mbps":433.3},"ip":"10.0.0.12"}
                """
        }
    }

    static func gzip(_ text: String) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: text)
        return try buffer.compress(with: .gzip())
    }
}
