import CoreMetrics
import TownhallStore
import TownhallTransport

/// The relay's counters, gauges and its ack-latency histogram, made once from the
/// server's registry (swift-metrics handles; increments are atomic and cheap). The
/// gauges that describe the live state are set at each scrape by the caller.
package struct Metrics {
    private let factory: any MetricsFactory
    let framesIn, framesOut, bytesOut, updatesBuilt, updatesSent, updatesDeferred, welcomesBuilt, queueDrops, connectionsOpened: Counter
    /// Live reactions counted, and those dropped over a user's allowance.
    let reactions, reactionsDropped: Counter
    /// The time covered by the last update sent, which widens under load.
    let coalescingWindow: Gauge
    /// From a request's arrival to its durable ack.
    let ackLatency: CoreMetrics.Timer
    private var requestCounters: [String: Counter] = [:]
    private var errorCounters: [String: Counter] = [:]
    private let connections, users, posts, journalWritable, durable, pending, snapshotRecords: Gauge

    package init(registry: MetricsRegistry) {
        let factory = registry.factory
        self.factory = factory
        func counter(_ name: String) -> Counter { Counter(label: name, factory: factory) }
        func gauge(_ name: String) -> Gauge { Gauge(label: name, factory: factory) }
        framesIn = counter("townhall_frames_in_total")
        framesOut = counter("townhall_frames_out_total")
        bytesOut = counter("townhall_bytes_out_total")
        updatesBuilt = counter("townhall_updates_built_total")
        updatesSent = counter("townhall_updates_sent_total")
        updatesDeferred = counter("townhall_updates_deferred_total")
        welcomesBuilt = counter("townhall_welcome_templates_built_total")
        coalescingWindow = Gauge(label: "townhall_coalescing_window_milliseconds", factory: factory)
        queueDrops = counter("townhall_queue_drops_total")
        connectionsOpened = counter("townhall_connections_opened_total")
        reactions = counter("townhall_reactions_total")
        reactionsDropped = counter("townhall_reactions_dropped_total")
        ackLatency = CoreMetrics.Timer(label: "townhall_ack_latency_seconds", factory: factory)
        connections = gauge("townhall_connections")
        users = gauge("townhall_users_connected")
        posts = gauge("townhall_posts")
        journalWritable = gauge("townhall_journal_writable")
        durable = gauge("townhall_journal_records_durable")
        pending = gauge("townhall_journal_records_pending")
        snapshotRecords = gauge("townhall_snapshot_records")
    }

    /// One request of `type` (a fixed set of names, never user text).
    mutating func count(request type: String) {
        counter(type, label: "townhall_requests_total", dimension: "type", in: &requestCounters).increment()
    }

    /// One error reply with `code`.
    mutating func count(error code: String) {
        counter(code, label: "townhall_errors_total", dimension: "code", in: &errorCounters).increment()
    }

    private func counter(_ value: String, label: String, dimension: String, in cache: inout [String: Counter]) -> Counter {
        if let made = cache[value] { return made }
        let made = Counter(label: label, dimensions: [(dimension, value)], factory: factory)
        cache[value] = made
        return made
    }

    /// What the relay knows at scrape time, for the gauges.
    package struct Gauges: Sendable {
        package var connections, users, posts: Int
        package var journal: JournalStatus
        package var acceptingChanges: Bool
    }

    /// Sets the gauges from the live state, just before a scrape renders the registry.
    func publish(_ gauges: Gauges) {
        connections.record(gauges.connections)
        users.record(gauges.users)
        posts.record(gauges.posts)
        journalWritable.record(gauges.acceptingChanges ? 1 : 0)
        durable.record(gauges.journal.durable)
        pending.record(gauges.journal.appended - gauges.journal.durable)
        snapshotRecords.record(gauges.journal.lastSnapshot?.covered ?? 0)
    }
}
