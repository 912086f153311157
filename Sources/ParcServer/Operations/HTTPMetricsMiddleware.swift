public import Hummingbird
import Synchronization

/// Counts answered requests by route template (never the concrete path, which holds ids) and status.
/// Outermost, so it sees the status the error middleware chose. Unmatched paths count as one label.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ParcMetrics

    public init(metrics: ParcMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.request(route: "\(request.method.rawValue) \(context.endpointPath ?? "unmatched")", status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(route: "\(request.method.rawValue) \(context.endpointPath ?? "unmatched")", status: status)
            throw error
        }
    }
}
