import CoreMetrics
import TownhallTransport

/// The transport's part of `/metrics`, in the server's one registry: what it turns away
/// before the relay hears of it, the ledger of admitted sockets, and the service thread's
/// health. Counters count as things happen; the gauges are set just before a scrape.
struct TransportMetrics {
    /// Sockets refused for their address (too many open, or too many a second).
    let refusedConnections: Counter
    /// WebSocket upgrades refused (wrong path or a foreign Origin).
    let refusedUpgrades: Counter
    /// Connections from a PROXY-protocol proxy dropped for a missing, malformed or late header.
    let proxyHeaderFailures: Counter
    /// Sockets held back to wait their turn (over their address's rate of new ones).
    let joinsHeld: Counter
    /// How much later than scheduled each tick fired.
    let tickLateness: CoreMetrics.Timer
    private let open: [ConnectionLedger<OpaquePointer>.State: Gauge]
    private let perAddressMax, latenessMax, turnMax, busy, joinsWaiting: Gauge
    private let joinsExpired: Counter
    /// WebSockets per service thread.
    private let perThread: [Gauge]
    /// The ledger keeps its totals; these counters follow them at each scrape.
    private let admitted, released: Counter
    private var published = (admitted: 0, released: 0, expired: 0)
    /// Refusals so far, for the log line.
    private(set) var refusals = 0

    init(registry: MetricsRegistry, threads: Int = 1) {
        let factory = registry.factory
        func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> Gauge {
            Gauge(label: name, dimensions: dimensions, factory: factory)
        }
        refusedConnections = Counter(label: "townhall_refused_connections_total", factory: factory)
        refusedUpgrades = Counter(label: "townhall_refused_upgrades_total", factory: factory)
        proxyHeaderFailures = Counter(label: "townhall_proxy_header_failures_total", factory: factory)
        joinsHeld = Counter(label: "townhall_joins_held_total", factory: factory)
        joinsExpired = Counter(label: "townhall_joins_expired_total", factory: factory)
        joinsWaiting = gauge("townhall_joins_waiting")
        perThread = (0..<threads).map { gauge("townhall_service_thread_websockets", [("thread", "\($0)")]) }
        tickLateness = CoreMetrics.Timer(label: "townhall_loop_tick_lateness_seconds", factory: factory)
        open = Dictionary(uniqueKeysWithValues: ConnectionLedger<OpaquePointer>.State.allCases.map {
            ($0, gauge("townhall_open_connections", [("state", $0.rawValue)]))
        })
        perAddressMax = gauge("townhall_open_connections_per_address_max")
        admitted = Counter(label: "townhall_connections_admitted_total", factory: factory)
        released = Counter(label: "townhall_connections_released_total", factory: factory)
        latenessMax = gauge("townhall_loop_tick_lateness_max_seconds")
        turnMax = gauge("townhall_loop_turn_max_seconds")
        busy = gauge("townhall_loop_busy_ratio")
    }

    mutating func refused() {
        refusals += 1
        refusedConnections.increment()
    }

    /// Sets the gauges and follows the totals, from every service thread's report summed,
    /// for the scrape under way. Only the group's one instance publishes.
    mutating func publish(_ report: TransportReport, websocketsPerThread: [Int]) {
        for (state, gauge) in open { gauge.record(report.open[state, default: 0]) }
        perAddressMax.record(report.perAddressMax)
        // Two scrapes may publish out of order: totals only ever move forward.
        admitted.increment(by: max(0, report.admitted - published.admitted))
        released.increment(by: max(0, report.released - published.released))
        joinsWaiting.record(report.joinsWaiting)
        for (gauge, count) in zip(perThread, websocketsPerThread) { gauge.record(count) }
        joinsExpired.increment(by: max(0, report.joinsExpired - published.expired))
        published = (
            max(published.admitted, report.admitted), max(published.released, report.released), max(published.expired, report.joinsExpired)
        )
        latenessMax.record(Double(report.worstLateness) / 1e9)
        turnMax.record(Double(report.worstTurn) / 1e9)
        busy.record(report.busyShare)
    }
}

/// The transport's state as numbers for a scrape: the shared ledger, and every service
/// thread's join queue and health.
struct TransportReport: Sendable {
    var open: [ConnectionLedger<OpaquePointer>.State: Int] = [:]
    var perAddressMax = 0
    var admitted = 0, released = 0
    var joinsWaiting = 0, joinsExpired = 0
    var worstLateness: UInt64 = 0, worstTurn: UInt64 = 0
    var busyShare = 0.0
    /// One thread's WebSockets (not summed: each thread has its gauge).
    var websockets = 0

    init() {}

    /// One thread's own part: its WebSockets, its join queue and its health.
    init(websockets: Int, _ joins: JoinQueue, _ health: LoopHealth) {
        self.websockets = websockets
        joinsWaiting = joins.count
        joinsExpired = joins.expired
        worstLateness = health.worstLateness
        worstTurn = health.worstTurn
        busyShare = health.busyShare
    }

    /// The ledger's part, which every thread shares.
    mutating func take(_ ledger: ConnectionLedger<OpaquePointer>) {
        for state in ConnectionLedger<OpaquePointer>.State.allCases { open[state] = ledger.count(state) }
        perAddressMax = ledger.maxPerAddress
        admitted = ledger.admittedTotal
        released = ledger.releasedTotal
    }

    /// Two threads' own parts: counts add up; the worst and the busiest are the worst and
    /// busiest of either.
    static func + (a: Self, b: Self) -> Self {
        var sum = a
        sum.joinsWaiting += b.joinsWaiting
        sum.joinsExpired += b.joinsExpired
        sum.worstLateness = max(a.worstLateness, b.worstLateness)
        sum.worstTurn = max(a.worstTurn, b.worstTurn)
        sum.busyShare = max(a.busyShare, b.busyShare)
        return sum
    }
}
