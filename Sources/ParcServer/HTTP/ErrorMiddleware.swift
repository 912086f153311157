import Foundation
public import Hummingbird
import Logging
import NIOCore
import ParcCore

/// Turns every failure into the API's JSON error body: domain errors as they are, decoding errors as 400/422
/// naming the field, Hummingbird's own errors (unknown route, body too large) with their status, and anything
/// unexpected as a logged 500 that reveals nothing.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ParcError {
            return try error.response(from: request, context: context)
        } catch let error as DecodingError {
            return try ErrorMiddleware.translate(error).response(from: request, context: context)
        } catch let error as HTTPError {
            return try ErrorMiddleware.translate(error).response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try ParcError.payloadTooLarge(limit: context.maxUploadSize).response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "hb.request.id": "\(context.id)"])
            let body = ErrorBody(error: .init(code: "internal_error", message: "internal error (request \(context.id))", fields: []))
            return Response(
                status: .internalServerError, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: try APIJSON.encoder.encode(body))))
        }
    }

    static func translate(_ error: HTTPError) -> ParcError {
        switch error.status.code {
        case 404: .notFound("route")
        case 413: .payloadTooLarge(limit: APIJSON.maxBodySize)
        case 401: .unauthenticated(error.body ?? "authentication required")
        default: .malformed(error.body ?? error.status.reasonPhrase)
        }
    }

    /// Missing keys and wrong types are validation failures on a named field; unreadable JSON is malformed.
    static func translate(_ error: DecodingError) -> ParcError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? SnakeCaseKey.snake(key.stringValue) }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), reason: "must be \(describe(type))")])
        case .valueNotFound(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), reason: "must be \(describe(type)), not null")])
        case .keyNotFound(let key, let context):
            return .validation([FieldError(field: path(context.codingPath + [key]), reason: "is required")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformed("the body is not valid JSON") }
            let reason = context.debugDescription.contains("UUID") ? "must be a UUID" : context.debugDescription
            return .validation([FieldError(field: path(context.codingPath), reason: reason)])
        @unknown default:
            return .malformed("the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is UUID.Type: "a UUID"
        case is Date.Type: "an ISO 8601 date-time"
        default: "of type \(type)"
        }
    }

}
