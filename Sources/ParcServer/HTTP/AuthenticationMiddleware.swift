import Crypto
public import Foundation
public import Hummingbird
import Logging
import ParcCore
public import ParcStore

/// Resolves `Authorization: Bearer <token>` to a principal, or answers 401. Tokens are looked up by their SHA-256.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ParcRequestContext
    let access: AccessStore
    let now: @Sendable () -> Date

    public init(access: AccessStore, now: @escaping @Sendable () -> Date) {
        self.access = access
        self.now = now
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw ParcError.unauthenticated("an API token is required (Authorization: Bearer …)")
        }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        guard let (principal, _) = try await access.principal(tokenHash: TokenMinting.hash(token), now: now()) else {
            throw ParcError.unauthenticated("the token is unknown, expired or revoked")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal.id"] = "\(principal.id)"
        return try await next(request, context)
    }
}

/// Mints opaque tokens (a kind prefix + 32 random bytes, base32) and the hash that is stored instead of them.
public enum TokenMinting {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// `prefix` tells token kinds apart at a glance: `parc_` (API), `penr_` (enrollment), `pdev_` (device).
    public static func mint<G: RandomNumberGenerator>(prefix: String = "parc_", using generator: inout G) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        var bits = 0
        var value = 0
        var text = prefix
        for byte in bytes {
            value = (value << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                text.append(alphabet[(value >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { text.append(alphabet[(value << (5 - bits)) & 31]) }
        return text
    }

    /// Lower-case hex of the SHA-256, as tokens are stored.
    public static func hash(_ token: some StringProtocol) -> String { digest(token).hex }

    /// The SHA-256 of a token as a value: the device-token cache keys on it, 32 bytes held inline rather than a
    /// 64-character string on the heap for each of a région's devices.
    static func digest(_ token: some StringProtocol) -> TokenDigest {
        // Straight from the string's own bytes when they are contiguous (native strings): no copy on the heartbeat path.
        let digest =
            token.utf8.withContiguousStorageIfAvailable { SHA256.hash(data: UnsafeRawBufferPointer($0)) } ?? SHA256.hash(data: Array(token.utf8))
        return digest.withUnsafeBytes { bytes in
            func word(_ n: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * n, as: UInt64.self)) }
            return TokenDigest(a: word(0), b: word(1), c: word(2), d: word(3))
        }
    }
}

/// A token's SHA-256 in four words, each read little-endian from eight digest bytes.
struct TokenDigest: Hashable, Sendable {
    let a, b, c, d: UInt64

    /// Lower-case hex of the digest bytes, in their order.
    var hex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            var k = 0
            for word in [a, b, c, d] {
                for shift in stride(from: 0, to: 64, by: 8) {
                    let byte = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                    out[k] = TokenMinting.hexDigits[Int(byte >> 4)]
                    out[k + 1] = TokenMinting.hexDigits[Int(byte & 0x0F)]
                    k += 2
                }
            }
            return 64
        }
    }
}
