import Foundation

/// Where the relay reads time: wall time for `createdAt`, a monotonic clock for
/// timeouts, rate windows and latency. Tests pass their own.
package struct RelayClock: Sendable {
    /// Milliseconds since the Unix epoch.
    package var wallMillis: @Sendable () -> Int64
    /// Nanoseconds on a clock that never goes back.
    package var monotonicNanos: @Sendable () -> UInt64

    package init(wallMillis: @escaping @Sendable () -> Int64, monotonicNanos: @escaping @Sendable () -> UInt64) {
        self.wallMillis = wallMillis
        self.monotonicNanos = monotonicNanos
    }

    package static let system = RelayClock(
        wallMillis: { Int64(Date().timeIntervalSince1970 * 1000) },
        monotonicNanos: { DispatchTime.now().uptimeNanoseconds }
    )

    /// Monotonic milliseconds.
    package var monotonicMillis: Int64 { Int64(monotonicNanos() / 1_000_000) }
}
