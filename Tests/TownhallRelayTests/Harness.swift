import Foundation
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallStore
import TownhallTransport

/// A relay wired to the memory transport, a queue executor and a manual clock.
final class Harness {
    let transport = MemoryTransport()
    let executor = QueueExecutor()
    let clock = ManualClock()
    let authenticator: Authenticator
    let relay: Relay
    private var nextConnection: ConnectionID = 1

    static let alice = Actor(id: "u-alice", name: "Alice Smith", office: "Dublin", role: .employee)
    static let bob = Actor(id: "u-bob", name: "Bob Jones", office: "Berlin", role: .employee)
    static let mod = Actor(id: "u-mod", name: "Mo Reyes", office: "Dublin", role: .moderator)
    static let host = Actor(id: "u-host", name: "Hana Ito", office: "Austin", role: .host)
    static let carol = Actor(id: "u-carol", name: "Carol Diaz", office: "Austin", role: .employee)
    static let dave = Actor(id: "u-dave", name: "Dave Kim", office: "Berlin", role: .employee)

    /// A relay with three posts by Bob a second apart (p1 to p3), published; and Bob.
    static func seeded(_ config: RelayConfig = RelayConfig()) async -> (Harness, ConnectionID) {
        let harness = await Harness(config: config)
        let bob = await harness.signIn(Harness.bob)
        for index in 1...3 {
            harness.send(bob, ["type": "post", "text": "Question \(index)", "id": index])
            harness.clock.advance(millis: 1_000)
        }
        harness.tick()
        harness.tick()
        return (harness, bob)
    }

    init(
        config: RelayConfig = RelayConfig(), journal: any Journal = MemoryJournal(), sso: SSOConfig? = nil,
        startedAt: Int64 = 1_800_000_000_000, review: Bool = false,
        reload: (@Sendable () throws -> Townhall)? = nil, onFatal: @escaping @Sendable (String) -> Void = { _ in }
    ) async {
        authenticator = try! await Authenticator(secret: Array(repeating: 7, count: 32), sso: sso)
        relay = Relay(
            config: config, core: Townhall(reviewPosts: review, startedAt: startedAt), journal: journal,
            authenticator: authenticator, executor: executor, clock: clock.relayClock, reload: reload, onFatal: onFatal
        )
        relay.transport = transport
    }

    /// Opens a connection without signing in.
    func open() -> ConnectionID {
        let id = nextConnection
        nextConnection += 1
        executor.onService { relay.connectionOpened(id, peer: "127.0.0.1") }
        return id
    }

    /// Sends a JSON object as one text frame.
    func send(_ connection: ConnectionID, _ object: [String: Any]) {
        sendRaw(connection, Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    func sendRaw(_ connection: ConnectionID, _ bytes: [UInt8]) {
        executor.onService { relay.received(bytes, from: connection) }
    }

    func token(_ actor: Actor, ttl: Double = 3600, readOnly: Bool = false) async -> String {
        try! await authenticator.mint(actor, ttl: ttl, readOnly: readOnly)
    }

    /// Waits (bounded) until the off-thread token check has come back and run.
    func settle(_ connection: ConnectionID) async {
        for _ in 0..<2000 {
            executor.drain()
            if transport.closed[connection] != nil || !(transport.sent[connection] ?? []).isEmpty { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("no reply to hello within 2 s")
    }

    /// Opens a connection, says hello, and returns it once welcomed.
    func signIn(_ actor: Actor, resume: [String: Any]? = nil, ranks: String? = nil, posts: String? = nil) async -> ConnectionID {
        let connection = open()
        var hello: [String: Any] = ["type": "hello", "token": await token(actor)]
        if let resume { hello["resume"] = resume }
        if let ranks { hello["ranks"] = ranks }
        if let posts { hello["posts"] = posts }
        send(connection, hello)
        await settle(connection)
        return connection
    }

    /// Waits (bounded) until the work the relay sent off the service thread (archive
    /// pages, purge scans, rebuilds) has come back and run.
    func idle() async {
        for _ in 0..<2000 {
            executor.drain()
            if relay.backgroundInFlight == 0 { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("background work did not come back within 2 s")
    }

    /// Runs one tick (commit, acks, updates).
    func tick() {
        executor.drain()
        executor.onService { relay.tick() }
    }

    func messages(_ connection: ConnectionID, type: String) -> [[String: Any]] {
        transport.messages(connection).filter { $0["type"] as? String == type }
    }

    /// The reply to the request with integer `id`.
    func reply(_ connection: ConnectionID, id: Int) -> [String: Any]? {
        transport.messages(connection).first { ($0["id"] as? Int) == id && $0["type"] as? String != "update" }
    }

    /// The peer goes away.
    func drop(_ connection: ConnectionID) {
        executor.onService { relay.connectionClosed(connection, cause: .peer) }
    }

    /// The current welcome for `actor` on a fresh connection: the state as it sees it.
    func view(_ actor: Actor) async -> [String: Any] {
        let connection = await signIn(actor)
        defer { drop(connection) }
        return messages(connection, type: "welcome").first ?? [:]
    }
}
