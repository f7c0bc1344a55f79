import Foundation
import TownhallTransport

/// How the service thread keeps up: any stall on it stops every socket at once, so
/// `/metrics` shows how late the ticks fire, the longest single turn of work, and the
/// share of its time the thread spends working rather than waiting for sockets.
struct LoopHealth {
    /// How much later than scheduled each tick fired (seconds).
    var tickLateness = Histogram(bounds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])
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

    /// A tick due at `due` fired at `now`; every few seconds the busy share is taken
    /// from the thread's CPU time (which counts libwebsockets' own work, TLS included).
    mutating func tickFired(due: UInt64, now: UInt64) {
        let late = now > due ? now - due : 0
        worstLateness = max(worstLateness, late)
        tickLateness.observe(Double(late) / 1e9)
        let cpu = Self.threadCPUNanos()
        if window.wall == 0 {
            window = (cpu, now)
        } else if now - window.wall >= 5_000_000_000 {
            busyShare = Double(cpu - window.cpu) / Double(now - window.wall)
            window = (cpu, now)
        }
    }

    /// The lines of `/metrics`.
    func render(into text: inout String) {
        text += "# HELP townhall_loop_tick_lateness_seconds How much later than scheduled the service thread's tick fired.\n"
        text += "# TYPE townhall_loop_tick_lateness_seconds histogram\n"
        tickLateness.render("townhall_loop_tick_lateness_seconds", into: &text)
        text += "# HELP townhall_loop_tick_lateness_max_seconds The latest any tick has fired since start.\n"
        text += "# TYPE townhall_loop_tick_lateness_max_seconds gauge\ntownhall_loop_tick_lateness_max_seconds \(Double(worstLateness) / 1e9)\n"
        text += "# HELP townhall_loop_turn_max_seconds The longest single callback or tick on the service thread since start.\n"
        text += "# TYPE townhall_loop_turn_max_seconds gauge\ntownhall_loop_turn_max_seconds \(Double(worstTurn) / 1e9)\n"
        text += "# HELP townhall_loop_busy_ratio Share of the service thread's time spent working (CPU), over the last 5 s.\n"
        text += "# TYPE townhall_loop_busy_ratio gauge\ntownhall_loop_busy_ratio \(busyShare)\n"
    }

    static func threadCPUNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
