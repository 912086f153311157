import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What became of a request, as far as retrying goes.
enum AgentOutcome<Response: Sendable>: Sendable {
    /// 2xx with a readable body: whatever was sent can be forgotten.
    case acknowledged(Response)
    /// Network failure, timeout, 408, 429 or 5xx: nothing wrong with the request, try again later
    /// (`after`: the server's Retry-After in seconds, when it gave one).
    case retryLater(after: Int?, reason: String)
    /// Any other status: the request itself is bad and resending it unchanged will not help.
    /// 401 is the exception the loop treats apart: the device token is no longer valid.
    case rejected(status: Int, message: String)
}

typealias EnrollOutcome = AgentOutcome<AgentAPI.EnrollResponse>
typealias SendOutcome = AgentOutcome<AgentAPI.HeartbeatResponse>

/// The two calls the loop makes, so a test can stand in for the server.
protocol AgentTransport: Sendable {
    func enroll(_ request: AgentAPI.EnrollRequest) async -> EnrollOutcome
    func send(batch: [AgentAPI.Heartbeat], deviceToken: String) async -> SendOutcome
}

/// The agent API over URLSession.
struct AgentClient: AgentTransport {
    static let requestTimeout: TimeInterval = 10

    let serverURL: URL
    let userAgent: String
    private let session: URLSession

    init(serverURL: URL, agentVersion: String = AgentAPI.agentVersion, session: URLSession? = nil) {
        self.serverURL = serverURL
        self.userAgent = "parc-agent/\(agentVersion)"
        self.session =
            session
            ?? {
                // Ephemeral: no cookies or cache to keep on a laptop; the whole exchange is bounded, not just idle gaps.
                let configuration = URLSessionConfiguration.ephemeral
                configuration.timeoutIntervalForRequest = Self.requestTimeout
                configuration.timeoutIntervalForResource = Self.requestTimeout
                return URLSession(configuration: configuration)
            }()
    }

    func enroll(_ request: AgentAPI.EnrollRequest) async -> EnrollOutcome {
        await post(AgentAPI.enrollPath, body: request, bearer: nil)
    }

    func send(batch: [AgentAPI.Heartbeat], deviceToken: String) async -> SendOutcome {
        await post(AgentAPI.heartbeatsPath, body: batch, bearer: deviceToken)
    }

    private func post<Body: Encodable, Response: Decodable & Sendable>(
        _ path: String, body: Body, bearer: String?
    ) async -> AgentOutcome<Response> {
        var request = URLRequest(url: serverURL.appending(path: path), timeoutInterval: Self.requestTimeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        do {
            request.httpBody = try JSONEncoder().encode(body)
        } catch {
            return .rejected(status: 0, message: "could not encode the request: \(error)")
        }

        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            return .retryLater(after: nil, reason: "\(request.url?.absoluteString ?? path): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { return .retryLater(after: nil, reason: "not an HTTP response") }

        let status = http.statusCode
        switch status {
        case 200..<300:
            do {
                return .acknowledged(try JSONDecoder().decode(Response.self, from: data))
            } catch {
                // The server may well have stored the batch; resending is harmless since it dedupes on seq.
                return .retryLater(after: nil, reason: "unreadable HTTP \(status) answer: \(error)")
            }
        case 408, 429, 500...:
            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return .retryLater(after: retryAfter, reason: "HTTP \(status) \(Self.describe(data))")
        default:
            return .rejected(status: status, message: Self.describe(data))
        }
    }

    /// The server's error summary, else the start of the body as text.
    private static func describe(_ body: Data) -> String {
        if let error = try? JSONDecoder().decode(AgentAPI.ErrorResponse.self, from: body) { return error.summary }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }
}
