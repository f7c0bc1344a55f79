import Foundation

/// Tells a shard process when the traffic phase starts (the parent's `go`, read from
/// stdin on another thread); the loop thread polls it from its timer.
package final class GoSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var start: UInt64?
    private var aborted = false

    package init() {}

    package func set(start: UInt64) {
        lock.lock()
        self.start = start
        lock.unlock()
    }

    package func abort() {
        lock.lock()
        aborted = true
        lock.unlock()
    }

    var value: (start: UInt64?, aborted: Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (start, aborted)
    }
}

/// Tokens minted before the loop starts (minting is async and would stall the loop).
package struct LoadTokens: Sendable {
    /// One per connection of this shard, in `LoadPlan.globals` order.
    package var clients: [String]
    package var setup: String
    /// Shard 0 only: one per author who may have to make a post.
    package var authors: [String]

    package init(clients: [String], setup: String, authors: [String]) {
        self.clients = clients
        self.setup = setup
        self.authors = authors
    }
}

/// One shard's run: its connections, the phases (setup, ramp, wait for the others, idle,
/// traffic, drain) and what it measures. Everything here runs on the loop thread
/// (libwebsockets is built with LWS_MAX_SMP 1 and is driven from one thread), hence
/// `@unchecked Sendable`; the only other thread comes in through `GoSignal`.
package final class LoadRun: @unchecked Sendable {
    enum Phase { case setup, ramp, waitGo, idle, traffic, drain, done }

    let config: LoadConfig
    let plan: LoadPlan
    let tokens: LoadTokens
    let go: GoSignal?
    let ready: (@Sendable () -> Void)?
    let log: @Sendable (String) -> Void

    var native: LoadNative?
    var clients: [LoadClient] = []
    /// Connections 0..<measured are the shard's share; setup connections come after.
    let measured: Int
    var phase = Phase.setup
    var finished = false
    /// Set from a callback; the timer stops the loop (never from inside a connection's callback).
    var stopRequested = false
    var result = ShardResult()

    // Setup: the posts the voters vote on.
    var postIDs: [String] = []
    var postIndex: [String: Int] = [:]
    var postRefs: [[UInt8]] = []
    var setupDeadline: UInt64 = 0
    var setupRetryAt: UInt64?
    var setupWaitLogged = false
    var authorsStarted = false
    var authorsNeeded = 0
    var visibleBefore: [String] = []
    var created: [String] = []

    // Ramp.
    var rampStartNs: UInt64 = 0
    var nextToConnect = 0
    var lastConnectNs: UInt64 = 0
    var settledCount = 0

    // `--reconnect`: lost connections waiting for their next try, in no order.
    var reconnecting: [Int] = []

    // Traffic.
    var trafficStart: UInt64 = 0
    var trafficEnd: UInt64 = 0
    var drainEnd: UInt64 = 0
    var lastPace: UInt64 = 0
    /// When the pacing timer was asked to fire, for its lateness.
    var timerDue: UInt64 = 0
    var cpuAtTrafficStart = 0.0
    var voteCredit = 0.0
    var announceCredit = 0.0
    var commentCredit = 0.0
    var reactionCredit = 0.0
    var watcherTurn = 0
    let watchers: [Int]
    let reactionRate: Double
    var voterTurn = 0
    var commenterTurn = 0
    let voters: [Int]
    let commenters: [Int]
    let host: Int?
    let voteRate: Double
    let commentRate: Double
    let rampRate: Double

    // The wire: one request template, masks and keys from a fast generator.
    let upgradeRequest: WebSocketWire.RequestTemplate
    var random = FastRandom()
    /// `phase <name>` lines on stderr: a single process prints its own; with shards the
    /// parent prints them once for all (`ShardProcesses`).
    let announcesPhases: Bool
    var phasesAnnounced: Set<String> = []

    // Counting, by role (raw value) and request kind (raw value); named when reported.
    var builder = FrameBuilder()
    var updateCache: [(bytes: [UInt8], seq: Int64?, markers: [UInt64], reactions: Int?)] = []
    var trafficFrames = [UInt64](repeating: 0, count: LoadRole.allCases.count)
    var trafficBytes = [UInt64](repeating: 0, count: LoadRole.allCases.count)
    var totalFrames = [UInt64](repeating: 0, count: LoadRole.allCases.count)
    var totalBytes = [UInt64](repeating: 0, count: LoadRole.allCases.count)
    var requests = [RequestFigures](repeating: RequestFigures(), count: RequestKind.allCases.count)

    /// `go` and `ready`: in a shard process, `ready` tells the parent that every
    /// connection is welcomed (or given up on) and `go` brings the common start time.
    /// Without them the traffic starts `--idle` seconds after the last welcome.
    package init(
        config: LoadConfig, tokens: LoadTokens, go: GoSignal?, ready: (@Sendable () -> Void)?,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.config = config
        plan = LoadPlan(config: config)
        self.tokens = tokens
        self.go = go
        self.ready = ready
        self.log = log
        upgradeRequest = WebSocketWire.RequestTemplate(path: config.target.path, host: config.target.hostHeader)
        announcesPhases = go == nil
        let globals = plan.globals
        var clients: [LoadClient] = []
        clients.reserveCapacity(globals.count + config.posts + 4)
        for (local, global) in globals.enumerated() {
            let token = local < tokens.clients.count ? tokens.clients[local] : ""
            clients.append(LoadClient(role: plan.role(of: global), token: token, source: plan.source(global: global)))
        }
        self.clients = clients
        measured = globals.count
        voters = clients.indices.filter { clients[$0].role == .voter }
        commenters = clients.indices.filter { clients[$0].role == .commenter }
        watchers = clients.indices.filter { clients[$0].role == .watcher }
        reactionRate = plan.share(config.reactionRate, of: .watcher)
        host = clients.indices.first { clients[$0].role == .host }
        voteRate = plan.share(config.voteRate, of: .voter)
        commentRate = plan.share(config.commentRate, of: .commenter)
        rampRate = config.ramp / Double(config.shards)
        result.shard = config.shard
        for role in LoadRole.measured {
            result.planned[role.name] = clients.prefix(measured).filter { $0.role == role }.count
        }
    }

    /// Runs the whole shard on the calling thread and returns its figures.
    package func run() -> ShardResult {
        do {
            native = try LoadNative(owner: self, target: config.target, sources: config.sources) { [log] in log($0) }
        } catch {
            result.failure = error.description
            return result
        }
        guard let native else { return result }
        result.eventLoop = native.eventLoop
        if native.eventLoop != "libev" { result.notes.append("ran on lws's poll loop (libev unavailable, or TOWNHALL_LOAD_EVENT_LOOP=poll)") }
        if !native.rawSockets { result.notes.append("wss:// runs on lws's ws client (lws 4.1.6 cannot start TLS on a RAW client socket), whose parser costs about 5 ns per received byte") }
        setupDeadline = Monotonic.now() + 120_000_000_000
        // Without voters no posts are needed (an idle-only run, or a server in review mode).
        if config.voters == 0 { choosePosts([]) } else { startSetupClient() }
        native.schedule(afterMicroseconds: 1_000)
        native.runLoop { [unowned self] in finished }
        if !finished {
            result.interrupted = true
            result.notes.append("interrupted before the drain ended")
            finished = true
        }
        announcePhase("done")
        native.finish()
        self.native = nil
        finalize()
        return result
    }

    /// The pacing timer: every 5 ms while connecting or sending, slower while waiting.
    func tick() {
        guard !finished else { return }
        let now = Monotonic.now()
        if phase == .traffic, timerDue > 0 { result.timerLag.record(now > timerDue ? now - timerDue : 0) }
        if stopRequested { return stop() }
        var interval: UInt64 = 5_000
        switch phase {
        case .setup:
            if now > setupDeadline {
                fail("only \(postIDs.count) of the \(config.posts) posts needed became visible within 120 s (is post review on?)")
                return stop()
            }
            if let retry = setupRetryAt, now >= retry {
                setupRetryAt = nil
                startSetupClient()
            }
            interval = 20_000
        case .ramp:
            connectDue(now)
            if settledCount == measured || (nextToConnect == measured && now > lastConnectNs + 30_000_000_000) {
                rampDone(now)
            }
        case .waitGo:
            // The parent's start time comes with 200 ms to spare.
            interval = 10_000
            if let go {
                let signal = go.value
                if signal.aborted {
                    fail("the parent process went away")
                    return stop()
                }
                if let start = signal.start { beginIdle(start, now: now) }
            }
        case .idle:
            reconnectDue(now)
            if now >= trafficStart {
                beginTraffic(now)
            } else {
                interval = min(50_000, max(1_000, (trafficStart - now) / 1_000))
            }
        case .traffic:
            reconnectDue(now)
            pace(now)
            if now >= trafficEnd {
                phase = .drain
                result.trafficEndNs = now
                result.cpuTrafficSeconds = Self.cpuSeconds() - cpuAtTrafficStart
                announcePhase("drain")
                log("traffic done; draining \(config.drain) s")
            }
        case .drain:
            if now >= drainEnd { return stop() }
            reconnectDue(now)
            interval = reconnecting.isEmpty ? 20_000 : 5_000
        case .done:
            return
        }
        if phase == .traffic || phase == .ramp { interval = 5_000 }
        timerDue = Monotonic.now() + interval * 1_000
        native?.schedule(afterMicroseconds: interval)
    }

    /// Ends the run; only from the timer (see `LoadNative`).
    func stop() {
        guard !finished else { return }
        finished = true
        phase = .done
        announcePhase("done")
        native?.stopLoop()
    }

    /// One `phase <name>` line on stderr, written at once (FileHandle does not buffer), so
    /// a script sampling the server knows when the traffic starts and ends.
    func announcePhase(_ name: String) {
        guard announcesPhases, phasesAnnounced.insert(name).inserted else { return }
        LoadMain.announcePhase(name)
    }

    /// A note for the report; the same one once, and not without end.
    func note(_ text: String) {
        guard result.notes.count < 20, !result.notes.contains(text) else { return }
        result.notes.append(text)
    }

    /// Records why this shard could not run and asks the timer to stop.
    func fail(_ message: String) {
        if result.failure == nil { result.failure = message }
        stopRequested = true
    }

    /// Starts connections as the ramp allows, at most 500 a turn so the loop keeps
    /// answering the ones already open.
    func connectDue(_ now: UInt64) {
        let due = rampRate <= 0 ? measured : min(measured, Int(Double(now - rampStartNs) / 1e9 * rampRate) + 1)
        var budget = 500
        while nextToConnect < due, budget > 0 {
            if result.firstConnectNs == nil { result.firstConnectNs = now }
            open(nextToConnect)
            nextToConnect += 1
            budget -= 1
            lastConnectNs = now
        }
    }

    func open(_ index: Int) {
        let now = Monotonic.now()
        clients[index].state = .connecting
        clients[index].connectNs = now
        if index < measured, clients[index].droppedNs == 0 { result.attempted += 1 }
        let wsi = native?.connect(index: index, source: clients[index].source)
        guard let wsi else { return failed(index, reason: "libwebsockets refused to start the connection") }
        clients[index].wsi = wsi
    }

    /// Connects the lost connections whose backoff is over, at most 500 a turn.
    func reconnectDue(_ now: UInt64) {
        var budget = 500
        var index = 0
        while index < reconnecting.count, budget > 0 {
            let client = reconnecting[index]
            guard clients[client].retryNs <= now else {
                index += 1
                continue
            }
            reconnecting.swapAt(index, reconnecting.count - 1)
            reconnecting.removeLast()
            budget -= 1
            open(client)
        }
    }

    /// `--reconnect`: a welcomed connection was closed or lost, or a try to bring it back
    /// failed: try again after the backoff.
    func scheduleReconnect(_ index: Int, reason: String?) {
        let now = Monotonic.now()
        if clients[index].droppedNs == 0 {
            clients[index].droppedNs = now
            clients[index].attempt = 0
            result.dropped += 1
            result.firstDropNs = min(result.firstDropNs ?? now, now)
        } else if let reason {
            result.retryFailures.count(reason: reason)
        }
        for kind in clients[index].resetForReconnect() { requests[kind.rawValue].unanswered += 1 }
        clients[index].state = .waiting
        clients[index].retryNs = now + LoadClient.backoffNs(attempt: clients[index].attempt, unit: Double.random(in: 0..<1, using: &random))
        clients[index].attempt += 1
        reconnecting.append(index)
    }

    func settle(_ index: Int) {
        guard index < measured, !clients[index].settled else { return }
        clients[index].settled = true
        settledCount += 1
    }

    func rampDone(_ now: UInt64) {
        let waiting = measured - settledCount
        let seconds = Double(now - rampStartNs) / 1e9
        log("ramp: \(result.welcomed) of \(measured) welcomed, \(result.failed) failed, \(waiting) still waiting, after \(String(format: "%.2f", seconds)) s")
        if waiting > 0 { note("\(waiting) connections were not welcomed within 30 s of the last connect") }
        guard result.welcomed > 0 else {
            fail("no connection was welcomed (\(result.failures.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))")
            return
        }
        if let ready {
            phase = .waitGo
            ready()
        } else {
            announcePhase("welcomed")
            beginIdle(now + UInt64(config.idle * 1e9), now: now)
        }
    }

    func beginIdle(_ start: UInt64, now: UInt64) {
        trafficStart = start
        trafficEnd = start + UInt64(config.duration * 1e9)
        drainEnd = trafficEnd + UInt64(config.drain * 1e9)
        phase = .idle
        if config.idle > 0 { log("holding every connection idle for \(config.idle) s") }
    }

    func beginTraffic(_ now: UInt64) {
        phase = .traffic
        result.trafficStartNs = now
        cpuAtTrafficStart = Self.cpuSeconds()
        lastPace = now
        announcePhase("traffic")
        log("traffic for \(config.duration) s")
    }

    /// User plus system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The per-client figures the parent needs for losses, and what is left unanswered.
    func finalize() {
        for index in 0..<min(measured, clients.count) {
            let client = clients[index]
            if client.welcomeNs > 0 {
                result.clientWelcomeNs.append(client.welcomeNs)
                result.clientMarkers.append(client.markers)
            }
            for (_, entry) in client.inflight { requests[entry.1.rawValue].unanswered += 1 }
        }
        if result.trafficEndNs == 0, result.trafficStartNs > 0 {
            result.trafficEndNs = Monotonic.now()
            result.cpuTrafficSeconds = Self.cpuSeconds() - cpuAtTrafficStart
        }
        result.cpuRunSeconds = Self.cpuSeconds()
        for role in LoadRole.measured {
            result.traffic.frames[role.name] = trafficFrames[role.rawValue]
            result.traffic.bytes[role.name] = trafficBytes[role.rawValue]
            result.total.frames[role.name] = totalFrames[role.rawValue]
            result.total.bytes[role.name] = totalBytes[role.rawValue]
        }
        for kind in RequestKind.allCases where kind != .post || requests[kind.rawValue].sent > 0 {
            result.requests[kind.name] = requests[kind.rawValue]
        }
    }
}
