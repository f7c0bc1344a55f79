import Dispatch
import LWSTransport
import ServiceLifecycle
import TownhallRelay

/// The libwebsockets loop, already started. At graceful shutdown it turns new
/// connections away, closes every WebSocket with 1001, lets their queues drain for up
/// to `grace` seconds and ends the loop; after that nothing touches the context.
struct TransportService: Service {
    let server: LWSServerGroup
    let relay: Relay
    let grace: Double

    func run() async throws {
        try? await gracefulShutdown()
        let (server, relay, grace) = (server, relay, grace)
        server.executor.execute { relay.stopAccepting() }
        // `shutdown` blocks until the loop has ended: wait for it off the task pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                server.shutdown(grace: grace)
                done.resume()
            }
        }
    }
}
