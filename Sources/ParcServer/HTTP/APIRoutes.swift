import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ParcCore

/// One documented operation of the API. Every route is registered through `APIRoutes`, which records it here
/// for `/openapi.json`; a test checks the router and the document list exactly the same routes.
public struct APIOperation: Sendable {
    public enum Body: Sendable {
        case none
        case json(schema: String)
        case csv
        /// A raw file of one of these media types.
        case file([String])
    }

    public enum Reply: Sendable {
        case object(schema: String)
        case page(schema: String)
        case list(schema: String)
        case empty
        case csv
        case text
        case file
        /// An image/svg+xml drawing.
        case svg
    }

    public var method: String
    public var path: String
    public var summary: String
    public var tag: String
    public var authenticated: Bool
    public var query: [String]
    public var body: Body
    public var reply: Reply
    public var status: Int
}

/// The documented operations, gathered while routes are registered.
public final class APICatalogue: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [APIOperation] = []

    public init() {}

    public var operations: [APIOperation] { lock.withLock { storage } }

    func record(_ operation: APIOperation) { lock.withLock { storage.append(operation) } }
}

/// Registers routes on a router group and documents them in the catalogue in the same call.
struct APIRoutes {
    let group: RouterGroup<ParcRequestContext>
    let prefix: String
    let catalogue: APICatalogue
    let authenticated: Bool

    func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, tag: String, query: [String] = [], body: APIOperation.Body = .none,
        reply: APIOperation.Reply, status: Int = 200,
        _ handler: @escaping @Sendable (Request, ParcRequestContext) async throws -> Response
    ) {
        catalogue.record(
            APIOperation(
                method: method.rawValue, path: prefix + (path.isEmpty ? "" : "/" + path), summary: summary, tag: tag, authenticated: authenticated,
                query: query, body: body, reply: reply, status: status))
        group.on(RouterPath(path), method: method, use: handler)
    }
}

/// Response helpers: JSON with the API's encoder, optional ETag for versioned objects.
enum Reply {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, version: Int? = nil, location: String? = nil) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let version { headers[.eTag] = "\"\(version)\"" }
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try APIJSON.encoder.encode(value))))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    static func csv(_ text: String, filename: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func svg(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// The JSON body as a merge-patch document; anything but a JSON object is malformed.
    func jsonObject(context: ParcRequestContext) async throws -> JSONValue {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let value: JSONValue
        do {
            value = try APIJSON.decoder.decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ParcError.malformed("the body is not valid JSON")
        }
        guard case .object = value else { throw ParcError.malformed("the body must be a JSON object") }
        return value
    }

    func decodeJSON<T: Decodable>(_ type: T.Type, context: ParcRequestContext) async throws -> T {
        let value = try await jsonObject(context: context)
        return try APIJSON.decoder.decode(T.self, from: APIJSON.encoder.encode(value))
    }

    /// `If-Match: "3"` (or `3`) as a version number.
    func ifMatchVersion() throws -> Int? {
        guard let raw = headers[.ifMatch] else { return nil }
        let text = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
        guard let version = Int(text) else { throw ParcError.malformed("If-Match must be a version returned in an ETag") }
        return version
    }

    var queryDictionary: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in uri.queryParameters { result[String(key)] = String(value) }
        return result
    }
}

extension ParcRequestContext {
    func id(_ name: String = "id") throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else {
            throw ParcError.notFound("object")
        }
        return id
    }
}
