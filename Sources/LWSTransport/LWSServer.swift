import CLibWebSockets
import Foundation
import Logging
import Synchronization
import TownhallProtocol
import TownhallTransport

/// Why the server could not start.
package struct LWSError: Error, CustomStringConvertible, Sendable {
    package var description: String
}

/// One libwebsockets service thread: a context, the connections it owns with their
/// bounded output queues, a tick timer and static files. The first of a group listens
/// and calls the relay; the others are handed sockets and reach the relay through
/// `HubLink` (see `LWSServerGroup`).
///
/// All state here is touched on its service thread only (libwebsockets is built with
/// `LWS_MAX_SMP 1`); other threads come in through `queue`. Hence `@unchecked Sendable`.
final class LWSServer: @unchecked Sendable {
    let config: LWSServerConfig
    /// Which thread of the group this is; connection ids are `index + 1 + threads * k`.
    let index: Int
    let threads: Int
    let handler: any TransportHandler
    /// The group, for handing sockets on and for the scrape's sums.
    unowned let group: LWSServerGroup
    let files: StaticFiles
    let logger: Logger
    /// The way into the service thread for other threads.
    let queue: ServiceQueue

    var connections: [ConnectionID: Connection] = [:]
    /// Connections with updates queued and not yet written: the fan-out's backlog
    /// (written here, read by the hub's thread).
    let backlog = Atomic<Int>(0)
    /// Updates being written in slices, oldest first, and the members they have yet to reach.
    var fanOuts: [FanOut] = []
    /// At shutdown: connections not yet told to close (`closeSlice`).
    var toClose: [ConnectionID] = []
    let fanOutWaiting = Atomic<Int>(0)
    var nextID: ConnectionID
    /// Dynamic HTTP responses on their way out, per connection.
    var httpReplies: [OpaquePointer: HTTPReply] = [:]
    /// Requests whose response is still being made, by number: a late reply finds its
    /// connection here, or learns that it is gone.
    var httpWaiting: [UInt64: OpaquePointer] = [:]
    var nextHTTPRequest: UInt64 = 1
    var native: NativeParts?
    /// Every admitted socket, from accept to destruction, by connection (shared by the group).
    let ledger: LedgerSlot
    /// Sockets over their address's rate of new connections, waiting their turn.
    var joins: JoinQueue
    /// Reads PROXY protocol headers off the service thread.
    let proxyIntake = ProxyIntake()
    /// Which WebSockets have gone quiet (pings and hang-ups).
    var idle: IdleWheel
    /// The ping this thread sends (lws writes its header into the headroom, so one a
    /// thread). Not empty: lws hands an empty pong to no callback (ops-ws.c at v4.1.6).
    lazy var pingFrame: OutboundFrame = {
        let frame = OutboundFrame(Array("idle".utf8), headroom: frameHeadroom)
        frame.kind = .ping
        return frame
    }()
    /// Tick lateness, the longest turn and the busy share of the service thread.
    var health = LoopHealth()
    /// When the next tick is due (monotonic ns).
    var tickDue: UInt64 = 0
    /// The second of the last refusal written to the log.
    var lastRefusalLogged: Int64 = -1
    /// The transport's counters, in the server's registry (the gauges are the group's).
    var metrics: TransportMetrics
    var running = true
    var drainDeadline: UInt64?
    let finished = DispatchSemaphore(value: 0)

    /// `metricsRegistry`: the server's one registry, which the relay renders for `/metrics`.
    init(
        group: LWSServerGroup, index: Int, threads: Int, config: LWSServerConfig, handler: any TransportHandler, queue: ServiceQueue,
        ledger: LedgerSlot, files: StaticFiles, metricsRegistry: MetricsRegistry, logger: Logger
    ) {
        self.group = group
        self.index = index
        self.threads = threads
        self.config = config
        self.handler = handler
        self.files = files
        self.logger = logger
        self.queue = queue
        self.ledger = ledger
        nextID = ConnectionID(index + 1)
        metrics = TransportMetrics(registry: metricsRegistry)
        joins = JoinQueue(maxWaiting: config.maxWaitingJoins, maxWaitSeconds: config.maxJoinWaitSeconds)
        let ping = UInt64(config.idlePingSeconds), hangup = UInt64(config.idleHangupSeconds)
        // Pings spread over half as long again, the last at least 2 s before the hang-up.
        idle = IdleWheel(ping: ping, hangup: hangup, spread: min(ping / 2, hangup - ping - 1), now: UInt64(Self.second))
    }

    var frameHeadroom: Int { Int(th_lws_pre) }

    /// Connections with updates queued on them.
    var backlogged: Int { backlog.load(ordering: .relaxed) }
    /// Members the fan-outs under way have yet to reach.
    var unreached: Int { fanOutWaiting.load(ordering: .relaxed) }

    /// The current second on the monotonic clock, for the per-second caps.
    static var second: Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000_000) }

    /// Per-session marker, between FILTER and ESTABLISHED, for an echo connection.
    static let echoMarker = UInt64.max

    /// The port actually listened on (useful with port 0).
    var boundPort: Int { native?.boundPort ?? config.port }

    /// Creates the context, binds the port (the first thread only) and starts the
    /// service thread.
    func start() throws(LWSError) {
        native = try NativeParts(server: self, listens: index == 0)
        let thread = Thread { [self] in serve() }
        thread.name = index == 0 ? "townhall-service" : "townhall-service-\(index)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func serve() {
        guard let native else { return }
        queue.open(native.context)
        scheduleTick()
        logger.info("event_loop.started", metadata: ["loop": "\(native.loopName)"])
        native.run { running }
        let started = DispatchTime.now().uptimeNanoseconds
        let left = connections.count
        joins.closeAll()
        queue.close()
        native.destroy()
        logger.info("event_loop.ended", metadata: [
            "connections.left": "\(left)",
            "destroy.ms": "\((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)",
        ])
        self.native = nil
        finished.signal()
    }

    /// Closes every WebSocket with 1001, lets their queues drain for up to `grace`
    /// seconds, then stops the loop. Blocks the caller until the loop has ended.
    func shutdown(grace: Double) {
        queue.execute { [self] in
            toClose = Array(connections.keys)
            drainDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(grace * 1e9)
            closeSlice()
        }
        finished.wait()
    }

    /// Starts closes while fewer than `closesUnderWay` await the client's answer (and a
    /// few each turn regardless, so clients that never answer cannot hold up the rest),
    /// and looks again in a millisecond. lws keeps each close's timeout in a list sorted
    /// by a scan from its head (`lws_dll2_add_sorted`, lib/core/lws_dll2.c at v4.1.6):
    /// 9,000 closes started at once cost 40 million steps, 7.7 s to stop with 18,000.
    func closeSlice() {
        var started = 0
        while let id = toClose.last, started < 32 || connections.count - toClose.count < Self.closesUnderWay {
            toClose.removeLast()
            close(id, code: .goingAway, reason: "server shutting down")
            started += 1
        }
        if !toClose.isEmpty { native?.scheduleCloseSlice() }
    }

    static let closesUnderWay = 1024

    private func scheduleTick() {
        tickDue = DispatchTime.now().uptimeNanoseconds + UInt64(config.tickMilliseconds) * 1_000_000
        native?.scheduleTick(after: config.tickMilliseconds)
    }

    /// Called by the tick timer on the service thread.
    func tickFired() {
        let now = DispatchTime.now().uptimeNanoseconds
        metrics.tickLateness.recordNanoseconds(Int64(health.tickFired(due: tickDue, now: now)))
        health.enter(now)
        defer { health.leave(DispatchTime.now().uptimeNanoseconds) }
        handler.tick()
        admitWaiting()
        tendIdle()
        group.report(from: self)
        if index == 0 { ledger.prune(second: Self.second) }
        if let drainDeadline, connections.isEmpty || DispatchTime.now().uptimeNanoseconds >= drainDeadline {
            running = false
            native?.stop()
            return
        }
        scheduleTick()
    }

    /// Pings the connections that went quiet, and hangs up on those that stayed so.
    private func tendIdle() {
        for action in idle.due(now: UInt64(Self.second)) {
            switch action {
            case .ping(let id):
                if let state = connections[id] { enqueue(pingFrame, on: state, update: false) }
            case .hangUp(let id):
                close(id, code: .goingAway, reason: "no reply to ping")
            }
        }
    }

    // MARK: What the group routes here

    func send(_ frame: OutboundFrame, to connection: ConnectionID) {
        guard let state = connections[connection] else { return }
        enqueue(frame, on: state, update: false)
    }

    /// Queues an update for its members; it is written in slices (`writeSlice`), after
    /// any fan-out still under way, so the order per connection holds.
    func broadcast(_ frame: OutboundFrame, to members: [ConnectionID]) {
        guard !members.isEmpty else { return }
        fanOuts.append(FanOut(frame: frame, members: members))
        fanOutWaiting.add(members.count, ordering: .relaxed)
        if fanOuts.count == 1 { writeSlice() }
    }

    /// Writes the next `sliceSize` frames of the fan-outs under way, and leaves the rest
    /// for the loop's next turn: between slices the loop reads what arrived (votes,
    /// journal completions, so acks), instead of being held for a whole fan-out to
    /// thousands (at 15 µs a send, 9,000 sends are 135 ms).
    func writeSlice() {
        var budget = Self.sliceSize
        while budget > 0, var fanOut = fanOuts.first {
            let end = min(fanOut.members.count, fanOut.next + budget)
            for member in fanOut.members[fanOut.next..<end] {
                guard let state = connections[member] else { continue }
                enqueue(fanOut.frame, on: state, update: true)
            }
            budget -= end - fanOut.next
            fanOutWaiting.subtract(end - fanOut.next, ordering: .relaxed)
            fanOut.next = end
            if end == fanOut.members.count { fanOuts.removeFirst() } else { fanOuts[0] = fanOut }
        }
        if !fanOuts.isEmpty { native?.scheduleSlice() }
    }

    static let sliceSize = 256

    private func enqueue(_ frame: OutboundFrame, on state: Connection, update: Bool) {
        guard state.closing == nil else { return }
        // Nothing waiting, nothing half-sent: straight to the socket, with no round trip
        // through the event loop (two epoll_ctl calls and a callback per frame).
        if state.writesDirectly, state.output.isEmpty, native?.idle(state.wsi) == true {
            if !write(frame, to: state.wsi) { fail(state) }
            return
        }
        let hadUpdates = state.output.hasUpdates
        if state.output.push(frame, update: update) {
            if update && !hadUpdates { backlog.add(1, ordering: .relaxed) }
            native?.wantWritable(state.wsi)
            return
        }
        if hadUpdates { backlog.subtract(1, ordering: .relaxed) }
        state.output.drop()
        state.cause = .tooSlow
        state.closing = (.tooSlow, "too slow: output dropped, reconnect with resume")
        closeSoon(state)
        logger.warning("connection.too_slow", metadata: ["connection.id": "\(state.id)"])
    }

    /// Writes one frame (its header goes into the headroom); false when the socket
    /// failed. What the kernel does not take at once, libwebsockets keeps and sends first
    /// (lib/core-net/output.c at v4.1.6), and it then asks for a writable callback itself.
    func write(_ frame: OutboundFrame, to wsi: OpaquePointer) -> Bool {
        let count = frame.count
        let written = frame.storage.withUnsafeMutableBufferPointer { raw in
            lws_write(wsi, raw.baseAddress! + frame.headroom, count, Self.protocol(frame.kind))
        }
        return written >= count
    }

    static func `protocol`(_ kind: OutboundFrame.Kind) -> lws_write_protocol {
        switch kind {
        case .text: LWS_WRITE_TEXT
        case .binary: LWS_WRITE_BINARY
        case .ping: LWS_WRITE_PING
        }
    }

    /// A write failed outside a callback: libwebsockets closes the socket on its own turn.
    private func fail(_ state: Connection) {
        forget(state)
        state.closing = (.goingAway, "write failed")
        native?.killSoon(state.wsi)
    }

    /// Takes the next frame off a connection's queue, keeping the backlog count true.
    func dequeue(_ state: Connection) -> OutboundFrame? {
        let hadUpdates = state.output.hasUpdates
        let frame = state.output.pop()
        if hadUpdates && !state.output.hasUpdates { backlog.subtract(1, ordering: .relaxed) }
        return frame
    }

    /// Forgets a connection's queue as it goes, keeping the backlog count true.
    func forget(_ state: Connection) {
        if state.output.hasUpdates { backlog.subtract(1, ordering: .relaxed) }
        state.output.drop()
    }

    func close(_ connection: ConnectionID, code: CloseCode, reason: String) {
        guard let state = connections[connection], state.closing == nil else { return }
        state.closing = (code, reason)
        state.cause = .server
        closeSoon(state)
    }

    /// Asks for the close to be sent; the connection counts as closing from now on.
    private func closeSoon(_ state: Connection) {
        ledger.set(state.wsi, .closing)
        native?.closeSoon(state.wsi)
    }
}

/// One update on its way to its members on one thread, a slice at a time.
struct FanOut {
    let frame: OutboundFrame
    let members: [ConnectionID]
    var next = 0
}
