import Foundation
import Logging
import Synchronization
import TownhallProtocol
import TownhallTransport

/// The transport the relay sees: one or more libwebsockets service threads, each with
/// its own context, owning its connections' queues and writes.
///
/// The first thread listens, hands every accepted socket to a thread in turn (itself
/// included), and runs the relay: the hub. The others tell the hub what happens on their
/// connections through `HubLink`, and the hub sends back the frames to write: an update
/// is encoded once, and each other thread gets one copy of its bytes and the list of
/// its members (libwebsockets writes the frame header into a frame's headroom, so two
/// threads must not write the same buffer). One ledger counts every connection, so the
/// per-address caps hold whichever thread a connection lives on.
package final class LWSServerGroup: Transport, @unchecked Sendable {
    private var threads: [LWSServer] = []
    private let ledger: SharedLedger
    /// The next thread to give a socket to; touched on the listener's thread only.
    private var nextThread = 0
    /// Every thread's latest join queue and health, for the scrape; and the one set of
    /// gauges they are published to.
    private let reports: Locked<(parts: [TransportReport], metrics: TransportMetrics)>

    /// The hub's way in: the relay runs on the first thread.
    package var executor: any ServiceExecutor { threads[0].queue }

    /// `hub` is the relay's executor: the first thread's queue. `threadCount` service
    /// threads in all (at least one).
    package init(
        config: LWSServerConfig, threadCount: Int, handler: any TransportHandler, executor hub: ServiceQueue,
        metricsRegistry: MetricsRegistry, logger: Logger
    ) throws(LWSError) {
        guard let files = StaticFiles(root: config.webRoot) else {
            throw LWSError(description: "the web folder \(config.webRoot) does not exist")
        }
        let count = max(1, threadCount)
        ledger = SharedLedger(maxOpen: config.maxConnectionsPerAddress, maxNewPerSecond: config.maxNewConnectionsPerAddressPerSecond)
        reports = Locked((Array(repeating: TransportReport(), count: count), TransportMetrics(registry: metricsRegistry, threads: count)))
        for index in 0..<count {
            let queue = index == 0 ? hub : ServiceQueue()
            let link: any TransportHandler = index == 0 ? handler : HubLink(handler: handler, hub: hub)
            threads.append(LWSServer(
                group: self, index: index, threads: count, config: config, handler: link, queue: queue,
                ledger: ledger.slot(index), files: files, metricsRegistry: metricsRegistry, logger: logger
            ))
        }
    }

    package var frameHeadroom: Int { threads[0].frameHeadroom }
    package var boundPort: Int { threads[0].boundPort }
    package var threadCount: Int { threads.count }

    /// Starts every thread; the first binds the port.
    package func start() throws(LWSError) {
        for thread in threads { try thread.start() }
    }

    /// Every thread closes its WebSockets with 1001 and drains them for up to `grace`
    /// seconds, at the same time; returns once every loop has ended.
    package func shutdown(grace: Double) {
        let group = DispatchGroup()
        for thread in threads {
            DispatchQueue.global().async(group: group) { thread.shutdown(grace: grace) }
        }
        group.wait()
    }

    // MARK: Transport (called on the hub's thread)

    private func owner(of connection: ConnectionID) -> Int { Int((connection &- 1) % UInt64(threads.count)) }

    package func send(_ frame: OutboundFrame, to connection: ConnectionID) {
        let index = owner(of: connection)
        guard index != 0 else { return threads[0].send(frame, to: connection) }
        let thread = threads[index], copy = frame.copy()
        thread.queue.execute { thread.send(copy, to: connection) }
    }

    /// Each thread's share as a plain list: a member is in the set once, so no thread
    /// needs a set of its own (and no hash insert per member per update).
    package func broadcast(_ frame: OutboundFrame, to members: Set<ConnectionID>) {
        guard threads.count > 1 else { return threads[0].broadcast(frame, to: Array(members)) }
        var shares = Array(repeating: [ConnectionID](), count: threads.count)
        for index in shares.indices { shares[index].reserveCapacity(members.count / threads.count + 16) }
        for member in members { shares[owner(of: member)].append(member) }
        for index in 1..<threads.count where !shares[index].isEmpty {
            let thread = threads[index], copy = frame.copy(), share = shares[index]
            thread.queue.execute { thread.broadcast(copy, to: share) }
        }
        threads[0].broadcast(frame, to: shares[0])
    }

    package func close(_ connection: ConnectionID, code: CloseCode, reason: String) {
        let index = owner(of: connection)
        guard index != 0 else { return threads[0].close(connection, code: code, reason: reason) }
        let thread = threads[index]
        thread.queue.execute { thread.close(connection, code: code, reason: reason) }
    }

    package var backlogged: Int { threads.reduce(0) { $0 + $1.backlogged } }
    package var unreached: Int { threads.reduce(0) { $0 + $1.unreached } }

    // MARK: For the threads

    /// A socket the listener accepted (or whose PROXY header was read): the next thread
    /// in turn adopts it. On the listener's thread. The descriptor travels owned: if that
    /// thread's loop has already ended (shutdown), the dropped work closes it.
    func place(_ fd: Int32, from address: String, exempt: Bool) {
        let thread = threads[nextThread]
        nextThread = (nextThread + 1) % threads.count
        let socket = ProxyIntake.Socket(fd)
        thread.queue.execute {
            guard let fd = socket.take() else { return }
            thread.adopt(fd, from: address, exempt: exempt)
        }
    }

    /// Before a scrape on `thread`: its own numbers now, the others' as of their last
    /// report (at each connection opened or closed, and each tick), and the shared
    /// ledger's, into the gauges.
    func publishMetrics(from thread: LWSServer) {
        report(from: thread)
        var sum = reports.withLock { $0.parts.dropFirst().reduce($0.parts[0], +) }
        ledger.withLedger { sum.take($0) }
        reports.withLock { $0.metrics.publish(sum, websocketsPerThread: $0.parts.map(\.websockets)) }
    }

    /// A thread's WebSockets, join queue and health, kept for the next scrape.
    func report(from thread: LWSServer) {
        let part = TransportReport(websockets: thread.connections.count, thread.joins, thread.health)
        reports.withLock { $0.parts[thread.index] = part }
    }
}

/// How a service thread other than the hub's reaches the relay: every event is carried
/// over to the hub's thread, in order. Its tick does nothing (the hub ticks the relay);
/// a dynamic path is answered on the hub and its reply comes back through the caller's
/// own queue, as on the hub's thread.
final class HubLink: TransportHandler, @unchecked Sendable {
    private let handler: any TransportHandler
    private let hub: ServiceQueue

    init(handler: any TransportHandler, hub: ServiceQueue) {
        self.handler = handler
        self.hub = hub
    }

    func connectionOpened(_ connection: ConnectionID, peer: String) {
        hub.execute { self.handler.connectionOpened(connection, peer: peer) }
    }

    func received(_ bytes: [UInt8], from connection: ConnectionID) {
        hub.execute { self.handler.received(bytes, from: connection) }
    }

    func connectionClosed(_ connection: ConnectionID, cause: CloseCause) {
        hub.execute { self.handler.connectionClosed(connection, cause: cause) }
    }

    func tick() {}

    func respond(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        guard handler.isDynamic(request.path) else { return false }
        hub.execute {
            if !self.handler.respond(to: request, reply: reply) {
                reply(HTTPResponse(status: 404, contentType: "text/plain", body: Array("not found".utf8)))
            }
        }
        return true
    }

    func isDynamic(_ path: String) -> Bool { handler.isDynamic(path) }
}
