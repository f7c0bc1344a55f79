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
    /// The ledger keeps its totals; these counters follow them at each scrape.
    private let admitted, released: Counter
    private var published = (admitted: 0, released: 0, expired: 0)
    /// Refusals so far, for the log line.
    private(set) var refusals = 0

    init(registry: MetricsRegistry) {
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

    /// Sets the gauges from the ledger, the join queue and the loop's health, for the
    /// scrape under way.
    mutating func publish(_ ledger: ConnectionLedger<OpaquePointer>, _ joins: JoinQueue, _ health: LoopHealth) {
        joinsWaiting.record(joins.count)
        joinsExpired.increment(by: joins.expired - published.expired)
        for (state, gauge) in open { gauge.record(ledger.count(state)) }
        perAddressMax.record(ledger.maxPerAddress)
        admitted.increment(by: ledger.admittedTotal - published.admitted)
        released.increment(by: ledger.releasedTotal - published.released)
        published = (ledger.admittedTotal, ledger.releasedTotal, joins.expired)
        latenessMax.record(Double(health.worstLateness) / 1e9)
        turnMax.record(Double(health.worstTurn) / 1e9)
        busy.record(health.busyShare)
    }
}
