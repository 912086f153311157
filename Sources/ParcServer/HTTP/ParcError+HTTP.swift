import Foundation
import HTTPTypes
public import Hummingbird
public import ParcCore

/// The one place where domain errors become HTTP. The switch is exhaustive: a new `ParcError` case does not
/// compile until it has a status and a code.
extension ParcError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .malformed: .badRequest
        case .validation: .unprocessableContent
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .versionMismatch: .preconditionFailed
        case .payloadTooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        }
    }

    var code: String {
        switch self {
        case .malformed: "malformed_request"
        case .validation: "validation_failed"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .versionMismatch: "version_mismatch"
        case .payloadTooLarge: "payload_too_large"
        case .unavailable: "unavailable"
        }
    }

    var message: String {
        switch self {
        case .malformed(let m), .unauthenticated(let m), .forbidden(let m), .unavailable(let m): m
        case .validation(let fields): fields.count == 1 ? "\(fields[0].field) \(fields[0].reason)" : "\(fields.count) fields are invalid"
        case .notFound(let what): "\(what) not found"
        case .conflict(let field, let m): field.map { "\($0): \(m)" } ?? m
        case .versionMismatch(let expected, _): "the object changed since version \(expected); read it again and retry"
        case .payloadTooLarge(let limit): "the body is larger than \(limit) bytes"
        }
    }

    var fields: [FieldError] {
        switch self {
        case .validation(let fields): fields
        case .conflict(let field?, let m): [FieldError(field: field, reason: m)]
        default: []
        }
    }

    /// The error as the API writes it, also used inside answers that report per-item failures.
    var detail: ErrorBody.Detail { ErrorBody.Detail(code: code, message: message, fields: fields) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if case .unauthenticated = self { headers[.wwwAuthenticate] = "Bearer realm=\"parc\"" }
        if case .unavailable = self { headers[.retryAfter] = "5" }
        let body = ErrorBody(error: detail)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try APIJSON.encoder.encode(body))))
    }
}

/// `{"error":{"code","message","fields":[{"row"?,"field","reason"}]}}`: stable for every error.
public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
        public var fields: [FieldError]
    }

    public var error: Detail
}
