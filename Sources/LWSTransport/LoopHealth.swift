import Foundation

/// How the service thread keeps up: any stall on it stops every socket at once, so
/// `/metrics` shows how late the ticks fire, the longest single turn of work, and the
/// share of its time the thread spends working rather than waiting for sockets.
/// (Each tick's lateness also goes into a histogram, in `TransportMetrics`.)
struct LoopHealth {
    private(set) var worstLateness: UInt64 = 0
    /// The longest callback (outermost, nested ones inside it count towards it).
    private(set) var worstTurn: UInt64 = 0
    private var depth = 0
    private var turnStart: UInt64 = 0
    /// Thread CPU time and wall time at the start of the current busy-share window.
    private var window = (cpu: UInt64(0), wall: UInt64(0))
    private(set) var busyShare = 0.0

    /// A turn of work (a callback or the tick) begins.
    mutating func enter(_ now: UInt64) {
        if depth == 0 { turnStart = now }
        depth += 1
    }

    /// The turn that `enter` began has ended.
    mutating func leave(_ now: UInt64) {
        depth -= 1
        if depth == 0 { worstTurn = max(worstTurn, now &- turnStart) }
    }

    /// A tick due at `due` fired at `now`: returns how late (ns). Every few seconds the
    /// busy share is taken from the thread's CPU time (which counts libwebsockets' own
    /// work, TLS included).
    mutating func tickFired(due: UInt64, now: UInt64) -> UInt64 {
        let late = now > due ? now - due : 0
        worstLateness = max(worstLateness, late)
        let cpu = Self.threadCPUNanos()
        if window.wall == 0 {
            window = (cpu, now)
        } else if now - window.wall >= 5_000_000_000 {
            busyShare = Double(cpu - window.cpu) / Double(now - window.wall)
            window = (cpu, now)
        }
        return late
    }

    static func threadCPUNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
