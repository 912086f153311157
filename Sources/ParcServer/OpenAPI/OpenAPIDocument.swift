import Foundation
import ParcCore
import ParcStore

/// Builds the OpenAPI 3.1 document from the routes as registered and from example values of every schema,
/// so the document describes exactly the JSON the server writes.
enum OpenAPIDocument {
    static func build(_ operations: [APIOperation], schemas: [String: JSONValue]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for op in operations {
            var operation: [String: JSONValue] = [
                "summary": .string(op.summary), "tags": .array([.string(op.tag)]),
                "operationId": .string(
                    op.method.lowercased()
                        + op.path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "")
                        .replacingOccurrences(of: "}", with: "").replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")),
            ]
            var parameters: [JSONValue] = op.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment in
                .object([
                    "name": .string(String(segment.dropFirst().dropLast())), "in": .string("path"), "required": .bool(true),
                    "schema": .object(["type": .string("string"), "format": .string("uuid")]),
                ])
            }
            parameters += op.query.map { name in
                .object(["name": .string(name), "in": .string("query"), "required": .bool(false), "schema": .object(["type": .string("string")])])
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            switch op.body {
            case .none: break
            case .json(let schema):
                operation["requestBody"] = .object([
                    "required": .bool(true),
                    "content": .object(["application/json": .object(["schema": ref(schemas[schema] != nil ? schema : "Object")])]),
                ])
            case .csv:
                operation["requestBody"] = .object([
                    "required": .bool(true), "content": .object(["text/csv": .object(["schema": .object(["type": .string("string")])])]),
                ])
            case .file(let types):
                let schema: JSONValue = .object(["type": .string("string"), "format": .string("binary")])
                operation["requestBody"] = .object([
                    "required": .bool(true), "content": .object(Dictionary(uniqueKeysWithValues: types.map { ($0, .object(["schema": schema])) })),
                ])
            }
            var responses: [String: JSONValue] = [:]
            let success: JSONValue =
                switch op.reply {
                case .object(let schema): content(ref(schema))
                case .page(let schema):
                    content(
                        .object([
                            "type": .string("object"),
                            "properties": .object([
                                "items": .object(["type": .string("array"), "items": ref(schema)]),
                                "next_cursor": .object(["type": .array([.string("string"), .string("null")])]),
                            ]),
                        ]))
                case .list(let schema): content(.object(["type": .string("array"), "items": ref(schema)]))
                case .empty: .object(["description": .string("No content")])
                case .csv:
                    .object([
                        "description": .string("CSV"), "content": .object(["text/csv": .object(["schema": .object(["type": .string("string")])])]),
                    ])
                case .text:
                    .object([
                        "description": .string("Text"), "content": .object(["text/plain": .object(["schema": .object(["type": .string("string")])])]),
                    ])
                case .svg:
                    .object([
                        "description": .string("SVG drawing"),
                        "content": .object(["image/svg+xml": .object(["schema": .object(["type": .string("string")])])]),
                    ])
                case .file:
                    .object([
                        "description": .string("The stored file, with its type"),
                        "content": .object([
                            "application/octet-stream": .object(["schema": .object(["type": .string("string"), "format": .string("binary")])])
                        ]),
                    ])
                }
            responses[String(op.status)] = success
            let errors: [(Int, String)] =
                (op.authenticated ? [(401, "missing or invalid token"), (403, "the role does not allow this")] : [])
                + [
                    (400, "malformed request"), (404, "not found or outside the caller's scope"), (409, "conflict with existing data"),
                    (412, "stale If-Match version"), (413, "body too large"), (422, "invalid fields, each named"),
                ]
            for (status, description) in errors {
                responses[String(status)] = .object([
                    "description": .string(description), "content": .object(["application/json": .object(["schema": ref("ErrorBody")])]),
                ])
            }
            operation["responses"] = .object(responses)
            if op.authenticated { operation["security"] = .array([.object(["bearer": .array([])])]) }
            var item: [String: JSONValue] = if case .object(let existing) = paths[op.path] { existing } else { [:] }
            item[op.method.lowercased()] = .object(operation)
            paths[op.path] = .object(item)
        }
        var components = schemas
        components["Object"] = .object(["type": .string("object")])
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("Parc"), "version": .string("1"),
                "description": .string(
                    "Device fleet of French schools: inventory by UAI, Wi-Fi and Internet readiness, scoped by role. Errors are {\"error\":{\"code\",\"message\",\"fields\":[…]}}. Lists use cursor pagination (limit, cursor → next_cursor)."
                ),
            ]),
            "paths": .object(paths),
            "components": .object([
                "schemas": .object(components),
                "securitySchemes": .object(["bearer": .object(["type": .string("http"), "scheme": .string("bearer")])]),
            ]),
        ])
    }

    static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }

    static func content(_ schema: JSONValue) -> JSONValue {
        .object(["description": .string("OK"), "content": .object(["application/json": .object(["schema": schema])])])
    }

    /// A JSON Schema inferred from an example value as the server encodes it.
    static func schema(of value: JSONValue) -> JSONValue {
        switch value {
        case .null: return .object(["type": .array([.string("string"), .string("null")])])
        case .bool: return .object(["type": .string("boolean")])
        case .integer: return .object(["type": .string("integer")])
        case .number: return .object(["type": .string("number")])
        case .string(let s):
            if UUID(uuidString: s) != nil { return .object(["type": .string("string"), "format": .string("uuid")]) }
            if LocalDate(s) != nil { return .object(["type": .string("string"), "format": .string("date")]) }
            if s.count == 20, s.hasSuffix("Z"), s.contains("T") { return .object(["type": .string("string"), "format": .string("date-time")]) }
            return .object(["type": .string("string")])
        case .array(let items): return .object(["type": .string("array"), "items": items.first.map(schema) ?? .object([:])])
        case .object(let fields):
            return .object(["type": .string("object"), "properties": .object(fields.mapValues(schema))])
        }
    }

    static func schema(example: some Encodable) -> JSONValue {
        (try? JSONValue(encoding: example)).map(schema) ?? .object(["type": .string("object")])
    }
}
