import TownhallStore
import TownhallTransport

/// Counters for `/metrics`, in Prometheus' text exposition format. Kept by the relay on
/// its own thread, so plain integers do.
package struct Metrics: Sendable {
    package var framesIn = 0
    package var framesOut = 0
    package var bytesOut = 0
    package var updatesBuilt = 0
    package var updatesSent = 0
    package var queueDrops = 0
    package var connectionsOpened = 0
    package var requests: [String: Int] = [:]
    package var errors: [String: Int] = [:]
    package var ackLatency = Histogram(bounds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])

    package init() {}

    /// What the relay knows at scrape time, for the gauges.
    package struct Gauges: Sendable {
        package var connections, users, posts: Int
        package var journal: JournalStatus
        package var acceptingChanges: Bool
    }

    /// The exposition text. Gauges come from the caller, who knows the live state.
    package func render(_ gauges: Gauges) -> String {
        let (connections, users, posts) = (gauges.connections, gauges.users, gauges.posts)
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("townhall_connections", "gauge", "Open WebSocket connections.", connections)
        metric("townhall_users_connected", "gauge", "Distinct signed-in users connected.", users)
        metric("townhall_posts", "gauge", "Posts in the current cycle.", posts)
        metric("townhall_journal_writable", "gauge", "1 while changes are saved; 0 while the journal fails (read-only).",
               gauges.acceptingChanges ? 1 : 0)
        metric("townhall_journal_records_durable", "gauge", "Journal records known to be on disk since start-up's snapshot.",
               Int(gauges.journal.durable))
        metric("townhall_journal_records_pending", "gauge", "Records handed to the journal and not yet fsynced.",
               Int(gauges.journal.appended - gauges.journal.durable))
        metric("townhall_snapshot_records", "gauge", "Records the newest snapshot covers.",
               Int(gauges.journal.lastSnapshot?.covered ?? 0))
        metric("townhall_connections_opened_total", "counter", "WebSocket connections accepted.", connectionsOpened)
        metric("townhall_frames_in_total", "counter", "WebSocket messages received.", framesIn)
        metric("townhall_frames_out_total", "counter", "WebSocket messages queued for sending.", framesOut)
        metric("townhall_bytes_out_total", "counter", "Payload bytes queued for sending.", bytesOut)
        metric("townhall_updates_built_total", "counter", "Update frames encoded (once per audience per tick).", updatesBuilt)
        metric("townhall_updates_sent_total", "counter", "Update frames queued to connections.", updatesSent)
        metric("townhall_queue_drops_total", "counter", "Connections closed because their output queue overflowed.", queueDrops)
        text += "# HELP townhall_requests_total Requests received, by type.\n# TYPE townhall_requests_total counter\n"
        for (type, count) in requests.sorted(by: { $0.key < $1.key }) {
            text += "townhall_requests_total{type=\"\(type)\"} \(count)\n"
        }
        text += "# HELP townhall_errors_total Error replies, by code.\n# TYPE townhall_errors_total counter\n"
        for (code, count) in errors.sorted(by: { $0.key < $1.key }) {
            text += "townhall_errors_total{code=\"\(code)\"} \(count)\n"
        }
        text += "# HELP townhall_ack_latency_seconds From a request's arrival to its durable ack.\n# TYPE townhall_ack_latency_seconds histogram\n"
        ackLatency.render("townhall_ack_latency_seconds", into: &text)
        return text
    }
}
