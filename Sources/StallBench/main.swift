// Stall benchmark: how long the service thread is blocked while the state is snapshotted,
// exported, read from the archive and purged by retention, with a week loaded (5,000
// posts, 200,000 votes, 50,000 comments). Each operation runs two ways in the same run:
// the way the relay does it now (the real Relay: a copy of the value, the work off the
// thread) and the way it was done before (the same computation on the thread).
// Usage: StallBench [posts] [votes] [comments]   (defaults: 5000 200000 50000)
import Foundation
import Logging
import Synchronization
import TownhallCore
import TownhallProtocol
import TownhallRelay
import TownhallReports
import TownhallStore
import TownhallTransport

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let postCount = arguments.count > 0 ? arguments[0] : 5_000
let voteCount = arguments.count > 1 ? arguments[1] : 200_000
let commentCount = arguments.count > 2 ? arguments[2] : 50_000
let target = 10.0

/// The service thread: the main thread runs what others hand it, as the lws loop would.
final class MainExecutor: ServiceExecutor, Sendable {
    private let pending = Mutex<[@Sendable () -> Void]>([])

    func execute(_ work: @escaping @Sendable () -> Void) {
        if Thread.isMainThread { return work() }
        pending.withLock { $0.append(work) }
    }

    /// Runs what came back; true if anything ran.
    @discardableResult
    func drain() -> Bool {
        let work = pending.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
        for item in work { item() }
        return !work.isEmpty
    }
}

/// Keeps what the relay sends, so replies can be waited for.
final class CollectingTransport: Transport {
    var frames: [ConnectionID: [OutboundFrame]] = [:]
    var frameHeadroom: Int { 16 }
    func send(_ frame: OutboundFrame, to connection: ConnectionID) { frames[connection, default: []].append(frame) }
    func close(_ connection: ConnectionID, code: CloseCode, reason: String) {}
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func millis(_ nanos: UInt64) -> Double { Double(nanos) / 1e6 }

/// Runs `body` on the service thread and returns how long it held it (ms).
func onLoop(_ body: () -> Void) -> Double {
    let started = now()
    body()
    return millis(now() - started)
}

/// A week: posts by many authors, votes spread over them, comments on them.
func week() -> Townhall {
    let start: Int64 = 1_800_000_000_000
    var townhall = Townhall(startedAt: start)
    let voters = max(voteCount / max(postCount / 10, 1), 1)
    for n in 0..<postCount {
        let author = Actor(id: "author-\(n % 2_000)", name: "Author \(n % 2_000)", office: ["Dublin", "Berlin", "Austin"][n % 3], role: .employee)
        _ = try? townhall.apply(Request(actor: author, at: start + Int64(n), command: .post(text: "Question number \(n) about the week", anonymous: n % 7 == 0, key: nil)))
    }
    var votes = 0, user = 0
    while votes < voteCount {
        let voter = Actor(id: "voter-\(user)", name: "Voter \(user)", office: ["Dublin", "Berlin", "Austin"][user % 3], role: .employee)
        for k in 0..<min(postCount / 10, voteCount - votes) {
            let post = (user * 7 + k * 10) % postCount + 1
            _ = try? townhall.apply(Request(actor: voter, at: start + 10_000, command: .vote(post: "p\(post)", value: k % 5 == 0 ? -1 : 1)))
            votes += 1
        }
        user += 1
    }
    for n in 0..<commentCount {
        let author = Actor(id: "voter-\(n % max(voters, 1))", name: "Voter", office: "Dublin", role: .employee)
        _ = try? townhall.apply(Request(actor: author, at: start + 20_000 + Int64(n), command: .comment(text: "A comment, number \(n)", post: "p\(n % postCount + 1)")))
    }
    return townhall
}

let built = now()
let loaded = week()
let host = Actor(id: "host", name: "Host", office: "HQ", role: .host)
var closed = loaded
_ = try? closed.apply(Request(actor: host, at: 1_800_000_100_000, command: .closeCycle(carryOver: false)))
print("stall benchmark: \(postCount) posts, \(voteCount) votes, \(commentCount) comments (built in \(String(format: "%.1f", millis(now() - built) / 1000)) s); worst time the service thread is held, ms")

let executor = MainExecutor()
let transport = CollectingTransport()
let authenticator = try await Authenticator(secret: Array(repeating: 9, count: 32))
let journal = MemoryJournal()
var config = RelayConfig()
config.rateLimits = .unlimited
var quiet = Logger(label: "stall-bench")
quiet.logLevel = .warning
let relay = Relay(config: config, core: closed, journal: journal, authenticator: authenticator, executor: executor, logger: quiet)
relay.transport = transport

/// Waits, running completions on the service thread, until `done` holds (bounded).
@MainActor
func pump(until done: () -> Bool) async {
    for _ in 0..<60_000 where !done() {
        if !executor.drain() { try? await Task.sleep(for: .milliseconds(1)) }
    }
}

// A signed-in employee to read the archive.
let reader: ConnectionID = 1
relay.connectionOpened(reader, peer: "127.0.0.1")
let readerToken = try await authenticator.mint(Actor(id: "reader", name: "Reader", office: "Dublin", role: .employee), ttl: 3600)
relay.received(Array(#"{"type":"hello","token":"\#(readerToken)"}"#.utf8), from: reader)
await pump { !(transport.frames[reader] ?? []).isEmpty }
let hostToken = try await authenticator.mint(host, ttl: 3600)

struct Row {
    var name: String
    var before: Double
    var now: Double
    var background: Double
}
var rows: [Row] = []

// Snapshot: before, the loop built the Snapshot value (a String per vote); now it copies.
do {
    let before = onLoop { _ = closed.snapshot }
    relay.received(Array(#"{"type":"comment","text":"one change to snapshot","id":1}"#.utf8), from: reader)
    let held = onLoop { relay.takeSnapshot(now: 0) }
    await pump { !relay.snapshotInFlight }
    // What DiskJournal then does off the thread: build the value and encode it.
    let background = onLoop { _ = try? JSONEncoder().encode(closed.snapshot) }
    rows.append(Row(name: "snapshot", before: before, now: held, background: background))
}

// Export (CSV of the closed week): before, the report was built on the loop.
do {
    let before = onLoop { _ = CycleReport(townhall: closed, cycle: 1, timeZone: .gmt, generatedAt: 0).map { $0.csv() } }
    let replies = Mutex(0)
    let started = now()
    let held = onLoop {
        _ = relay.respond(to: HTTPRequest(path: "/api/export", query: "cycle=1&format=csv", authorization: "Bearer \(hostToken)")) { _ in
            replies.withLock { $0 += 1 }
        }
    }
    await pump { replies.withLock { $0 } == 1 }
    rows.append(Row(name: "export (CSV)", before: before, now: held, background: millis(now() - started)))
}

// Archive read of the whole week: before, filtered, sorted and encoded on the loop.
do {
    let reader = Actor(id: "reader", name: "Reader", office: "Dublin", role: .employee)
    let before = onLoop {
        let posts = closed.posts(inCycle: 1).filter { closed.canSee($0, reader) }.sorted(by: Post.topOrder)
        _ = FrameEncoder().encode(Ack(id: .int(1), payload: .archive(closed.cycle, posts.map { WirePost($0, for: .employees) }, next: nil)))
    }
    let sent = transport.frames[1]?.count ?? 0
    let started = now()
    let held = onLoop {
        relay.received(Array(#"{"type":"archive","cycle":1,"limit":500,"id":7}"#.utf8), from: 1)
    }
    await pump { (transport.frames[1]?.count ?? 0) > sent }
    rows.append(Row(name: "archive page (500)", before: before, now: held, background: millis(now() - started)))
}

// Retention erasing the closed week: before, one scan of every ballot per post, on the loop.
do {
    var old = closed
    let before = onLoop { _ = try? old.apply(Request(actor: Townhall.system, at: 1_800_000_200_000, command: .purge(before: 1_800_000_150_000))) }
    var copy = closed
    let plan = copy.purgePlan(before: 1_800_000_150_000)
    let background = onLoop { _ = copy.purgePlan(before: 1_800_000_150_000) }
    let held = onLoop { _ = try? copy.apply(Request(actor: Townhall.system, at: 1_800_000_200_000, command: .purge(before: 1_800_000_150_000)), plan: plan) }
    if copy != old {
        print("  the purge with a plan made off the thread did not erase the same as without: a bug")
        exit(1)
    }
    rows.append(Row(name: "retention purge", before: before, now: held, background: background))
}

print("  operation            on the thread before   on the thread now   off the thread now")
var missed: [String] = []
for row in rows {
    print("  " + row.name.padding(toLength: 20, withPad: " ", startingAt: 0)
        + String(format: " %12.2f %20.2f %20.2f", row.before, row.now, row.background))
    if row.now >= target { missed.append(row.name) }
}
print(missed.isEmpty
    ? "  every operation holds the service thread under the \(Int(target)) ms target"
    : "  over the \(Int(target)) ms target: \(missed.joined(separator: ", "))")
