import Foundation
import Logging
import TownhallCore
import TownhallProtocol
import TownhallStore
import TownhallTransport

/// The hub: sessions, auth, limits, audiences, the tick and encode-once fan-out.
///
/// Confined to the transport's service thread, like Redis: no locks on the hot path.
/// The only ways in from other threads go through `executor` (finished token checks,
/// journal completions). That confinement is why it is `@unchecked Sendable`.
package final class Relay: @unchecked Sendable {
    package let config: RelayConfig
    /// Changes on every start (and after a rollback to the disk's state), so a client
    /// can tell its resume point is from another history.
    package internal(set) var epoch: String
    package var core: Townhall
    let journal: any Journal
    let authenticator: Authenticator
    /// Where token checks run, off the service thread; `Serve` closes it at shutdown.
    package let tokenChecks: TokenChecks
    let executor: any ServiceExecutor
    let clock: RelayClock
    let logger: Logger
    /// Set once by the transport that serves this relay.
    package weak var transport: (any Transport)?
    let encoder = FrameEncoder()

    /// Connections, who is signed in, and the audience each receives.
    var sessions = SessionTable()
    var feeds: [Feed]
    /// Durable changes not yet announced in an update.
    var announced: [Change] = []
    /// Reactions since the last update, by emoji (§9): counted, never stored.
    var reactions: [String: Int] = [:]
    /// The current cycle's posts indexed for `similar` (§9).
    var similarPosts: SimilarPosts
    /// Rises with every batch of durable changes: a welcome template older than it is stale.
    var stateVersion = 0
    /// When updates last went out (monotonic ms).
    var lastPublishAt: Int64 = .min / 2
    var rateLimiter = RateLimiter()
    var lastPrune: Int64 = 0
    /// The server's one registry (the transport's metrics are in it too), and the relay's own.
    package let metricsRegistry: MetricsRegistry
    var metrics: Metrics
    /// The journal as the relay sees it: changes taken or not, failure and retries,
    /// snapshots, the rebuild after a failure.
    var disk: JournalTracking
    /// When the weekly rollover and retention were last looked at.
    var calendar = CalendarTracking()
    /// Rebuilds the state from what is durable, after the journal recovered from a failure.
    let reload: (@Sendable () throws -> Townhall)?
    /// Called when the journal cannot be made to work again: the process should exit.
    let onFatal: @Sendable (String) -> Void
    /// HTTP paths served beside the relay (sign-in), set before the transport starts.
    package var routes: [any HTTPRoutes] = []
    /// Set by `stopAccepting`: new connections are turned away with 1001.
    var shuttingDown = false
    /// Work running off the service thread whose result has not come back yet.
    package internal(set) var backgroundInFlight = 0

    package init(
        config: RelayConfig = RelayConfig(), core: Townhall, journal: any Journal, authenticator: Authenticator,
        executor: any ServiceExecutor, clock: RelayClock = .system, logger: Logger = Logger(label: "townhall.relay"),
        reload: (@Sendable () throws -> Townhall)? = nil, onFatal: @escaping @Sendable (String) -> Void = { _ in },
        metricsRegistry: MetricsRegistry = MetricsRegistry()
    ) {
        self.metricsRegistry = metricsRegistry
        metrics = Metrics(registry: metricsRegistry)
        self.reload = reload
        self.onFatal = onFatal
        self.config = config
        self.core = core
        similarPosts = SimilarPosts(core)
        self.journal = journal
        self.authenticator = authenticator
        tokenChecks = TokenChecks(authenticator: authenticator)
        self.executor = executor
        self.clock = clock
        self.logger = logger
        epoch = Self.newEpoch()
        disk = JournalTracking(lastSnapshotAt: clock.monotonicMillis, lastSnapshotCovered: journal.status.appended)
        feeds = Audience.allCases.map { Feed(resumeCapacity: config.resumeCapacity, resumeBytes: config.resumeBytes, ranks: core.ranks(for: $0, depth: config.rankDepth)) }
    }

    static func newEpoch() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 36)
    }

    /// False once the journal failed: the relay then serves reads only.
    package var acceptingChanges: Bool { disk.acceptingChanges }
    /// A snapshot is being written.
    package var snapshotInFlight: Bool { disk.snapshotInFlight }
    /// The state is being rebuilt from disk after a failed write.
    package var rebuilding: Bool { disk.rebuilding }

    /// Open WebSocket connections.
    package var connectionCount: Int { sessions.count }

    /// Queues a message for one connection.
    func send(_ message: some Encodable, to connection: ConnectionID) {
        send(OutboundFrame(encoder.encode(message), headroom: transport?.frameHeadroom ?? 0), to: connection)
    }

    /// One update to every member of an audience; counted once, not per member (the
    /// counters are atomics, and this loop is the hottest there is).
    func send(_ frame: OutboundFrame, to members: Set<ConnectionID>) {
        metrics.updatesSent.increment(by: members.count)
        metrics.framesOut.increment(by: members.count)
        metrics.bytesOut.increment(by: members.count * frame.count)
        transport?.broadcast(frame, to: members)
    }

    func send(_ frame: OutboundFrame, to connection: ConnectionID) {
        metrics.framesOut.increment()
        metrics.bytesOut.increment(by: frame.count)
        transport?.send(frame, to: connection)
    }

    /// Ends a connection on the relay's initiative; it stops counting at once.
    func close(_ connection: ConnectionID, _ code: CloseCode, _ reason: String) {
        guard sessions[connection] != nil else { return }
        sessions.leave(connection)
        sessions[connection]?.phase = .closing
        logger.info("connection.closing", metadata: ["connection.id": "\(connection)", "close.code": "\(code.rawValue)"])
        transport?.close(connection, code: code, reason: reason)
    }
}
