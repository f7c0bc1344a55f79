import ServiceLifecycle
import TownhallRelay

/// The token checks' queue. It shuts down after the transport: checks still in flight
/// finish (their results are dropped, the loop has ended) before the journal closes.
struct TokenCheckService: Service {
    let checks: TokenChecks

    func run() async throws {
        try? await gracefulShutdown()
        await checks.close()
    }
}
