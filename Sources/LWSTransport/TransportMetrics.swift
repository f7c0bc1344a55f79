/// What the transport turns away before the relay hears of it.
package struct TransportMetrics: Sendable {
    /// Sockets refused for their address (too many open, or too many a second).
    package var refusedConnections = 0
    /// WebSocket upgrades refused (wrong path or a foreign Origin).
    package var refusedUpgrades = 0
    /// Connections from a PROXY-protocol proxy dropped for a missing, malformed or late header.
    package var proxyHeaderFailures = 0
}

extension LWSServer {
    /// The transport's lines of `/metrics`: refusals, and the ledger of admitted sockets.
    var metricsText: String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ values: [(labels: String, value: Int)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in values { text += "\(name)\(labels) \(value)\n" }
        }
        metric("townhall_refused_connections_total", "counter",
               "Sockets refused for their address (too many open or too many a second).", [("", metrics.refusedConnections)])
        metric("townhall_refused_upgrades_total", "counter",
               "WebSocket upgrades refused (wrong path or foreign Origin).", [("", metrics.refusedUpgrades)])
        metric("townhall_proxy_header_failures_total", "counter",
               "Connections from a trusted proxy dropped for a missing, malformed or late PROXY header.",
               [("", metrics.proxyHeaderFailures)])
        metric("townhall_open_connections", "gauge", "Admitted sockets not yet destroyed, by state.",
               ConnectionLedger<OpaquePointer>.State.allCases.map { ("{state=\"\($0.rawValue)\"}", ledger.count($0)) })
        metric("townhall_open_connections_per_address_max", "gauge",
               "The most connections one address holds open now (trusted proxies' own not counted).", [("", ledger.maxPerAddress)])
        metric("townhall_connections_admitted_total", "counter", "Sockets admitted at accept.", [("", ledger.admittedTotal)])
        metric("townhall_connections_released_total", "counter", "Admitted sockets given back at their end.", [("", ledger.releasedTotal)])
        health.render(into: &text)
        return text
    }
}
