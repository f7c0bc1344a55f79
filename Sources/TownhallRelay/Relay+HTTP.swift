import Foundation
import TownhallProtocol

extension Relay {
    /// The dynamic paths: `/healthz`, `/metrics`, `/api/export`. Everything else is a
    /// static file (or a 404) for the transport.
    package func respond(to request: HTTPRequest) -> HTTPResponse? {
        switch request.path {
        case "/healthz":
            return HTTPResponse(status: acceptingChanges ? 200 : 503, contentType: "application/json", body: encoder.encode(health))
        case "/metrics":
            let text = metrics.render(Metrics.Gauges(
                connections: sessions.count, users: presence.snapshot.total, posts: core.ranks(for: .staff, depth: .max).top.count,
                journal: journal.status, acceptingChanges: acceptingChanges
            ))
            return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
        case "/api/export":
            return export(request)
        default:
            return nil
        }
    }
}
