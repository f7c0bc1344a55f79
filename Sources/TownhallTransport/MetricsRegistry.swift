import CoreMetrics
import Prometheus

/// The one registry behind `/metrics`: the relay and the transport make their counters,
/// gauges and histograms through swift-metrics from `factory`, and a scrape renders them
/// all at once in Prometheus' text format (swift-prometheus). One per server, not the
/// global `MetricsSystem`, so every relay a test makes counts on its own.
package final class MetricsRegistry: Sendable {
    private let registry = PrometheusCollectorRegistry()
    package let factory: PrometheusMetricsFactory

    package init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "townhall_ack_latency_seconds": [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5].map(Self.seconds),
            "townhall_loop_tick_lateness_seconds": [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5].map(Self.seconds),
        ]
        self.factory = factory
    }

    /// Everything, as the body of `/metrics`.
    package func render() -> [UInt8] { registry.emitToBuffer() }

    private static func seconds(_ value: Double) -> Duration { .nanoseconds(Int64(value * 1e9)) }
}
