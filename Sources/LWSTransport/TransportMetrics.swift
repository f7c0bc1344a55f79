/// What the transport turns away before the relay hears of it.
package struct TransportMetrics: Sendable {
    /// Sockets refused for their address (too many open, or too many a second).
    package var refusedConnections = 0
    /// WebSocket upgrades refused (wrong path or a foreign Origin).
    package var refusedUpgrades = 0
}

extension LWSServer {
    /// The transport's lines of `/metrics`.
    var metricsText: String {
        "# HELP townhall_refused_connections_total Sockets refused for their address (too many open or too many a second).\n"
            + "# TYPE townhall_refused_connections_total counter\ntownhall_refused_connections_total \(metrics.refusedConnections)\n"
            + "# HELP townhall_refused_upgrades_total WebSocket upgrades refused (wrong path or foreign Origin).\n"
            + "# TYPE townhall_refused_upgrades_total counter\ntownhall_refused_upgrades_total \(metrics.refusedUpgrades)\n"
    }
}
