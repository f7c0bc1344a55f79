import Foundation
import TownhallProtocol
import TownhallTransport

extension Relay {
    /// The dynamic paths: `routes` (sign-in) off the service thread, `/healthz`,
    /// `/metrics` at once, `/api/export` once the report is built off the service thread.
    /// Everything else is a static file (or a 404) for the transport.
    package func respond(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        if let route = routes.first(where: { $0.handles(request.path) }) {
            Task { reply(await route.respond(to: request)) }
            return true
        }
        if request.path == "/api/export" {
            export(request, reply: reply)
            return true
        }
        guard let response = respond(to: request) else { return false }
        reply(response)
        return true
    }

    package func isDynamic(_ path: String) -> Bool { Self.dynamicPaths.contains(path) || routes.contains { $0.handles(path) } }

    static let dynamicPaths: Set<String> = ["/healthz", "/metrics", "/api/export", "/auth/status", "/auth/token"]

    /// The paths answered at once from counters and flags.
    package func respond(to request: HTTPRequest) -> HTTPResponse? {
        switch request.path {
        case "/healthz":
            return HTTPResponse(status: disk.acceptingChanges ? 200 : 503, contentType: "application/json", body: encoder.encode(health))
        case "/metrics":
            metrics.publish(Metrics.Gauges(
                connections: sessions.count, users: sessions.presence.snapshot.total, posts: core.currentPostCount,
                journal: journal.status, acceptingChanges: disk.acceptingChanges
            ))
            return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metricsRegistry.render())
        case "/auth/status", "/auth/token":
            // No company sign-in here (its routes come first when there is): links only.
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(#"{"signIn":"links"}"#.utf8))
        default:
            return nil
        }
    }
}
