import CLibWebSockets
import Foundation
import Logging
import TownhallProtocol
import TownhallRelay

/// Why the server could not start.
package struct LWSError: Error, CustomStringConvertible, Sendable {
    package var description: String
}

/// The libwebsockets server: one context, one service thread that owns every
/// connection and calls the relay, a tick timer, static files and bounded output queues.
///
/// All state here is touched on the service thread only (libwebsockets is built with
/// `LWS_MAX_SMP 1`); other threads come in through `executor`. Hence `@unchecked Sendable`.
package final class LWSServer: Transport, @unchecked Sendable {
    let config: LWSServerConfig
    let handler: any TransportHandler
    let files: StaticFiles
    let logger: Logger
    /// The way into the service thread for other threads.
    package let executor: any ServiceExecutor
    let queue: ServiceQueue

    var connections: [ConnectionID: Connection] = [:]
    var sockets: [ConnectionID: OpaquePointer] = [:]
    var nextID: ConnectionID = 1
    /// Bodies of dynamic HTTP responses waiting for their socket to be writable.
    var httpBodies: [OpaquePointer: [UInt8]] = [:]
    var native: NativeParts?
    var addressLimits: AddressLimits
    /// Refusals the relay does not see, for `/metrics`.
    package internal(set) var metrics = TransportMetrics()
    var running = true
    var drainDeadline: UInt64?
    let finished = DispatchSemaphore(value: 0)

    package init(config: LWSServerConfig, handler: any TransportHandler, executor: ServiceQueue, logger: Logger) throws(LWSError) {
        guard let files = StaticFiles(root: config.webRoot) else {
            throw LWSError(description: "the web folder \(config.webRoot) does not exist")
        }
        self.config = config
        self.handler = handler
        self.files = files
        self.logger = logger
        self.queue = executor
        self.executor = executor
        addressLimits = AddressLimits(maxOpen: config.maxConnectionsPerAddress, maxNewPerSecond: config.maxNewConnectionsPerAddressPerSecond)
    }

    package var frameHeadroom: Int { Int(th_lws_pre) }

    /// Per-session marker, between FILTER and ESTABLISHED, for an echo connection.
    static let echoMarker = UInt64.max

    /// The port actually listened on (useful with port 0).
    package var boundPort: Int { native?.boundPort ?? config.port }

    /// Creates the context, binds the port and starts the service thread.
    package func start() throws(LWSError) {
        let parts = try NativeParts(server: self)
        native = parts
        queue.context = parts.context
        let thread = Thread { [self] in serve() }
        thread.name = "townhall-service"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func serve() {
        queue.serviceThread = pthread_self()
        guard let native else { return }
        native.scheduleTick(after: config.tickMilliseconds)
        while running, native.service() {}
        native.destroy()
        self.native = nil
        finished.signal()
    }

    /// Closes every WebSocket with 1001, lets their queues drain for up to `grace`
    /// seconds, then stops the loop. Blocks the caller until the loop has ended.
    package func shutdown(grace: Double) {
        queue.execute { [self] in
            for id in connections.keys { close(id, code: .goingAway, reason: "server shutting down") }
            drainDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(grace * 1e9)
        }
        finished.wait()
    }

    /// Called by the tick timer on the service thread.
    func tickFired() {
        handler.tick()
        addressLimits.prune(second: Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000_000))
        if let drainDeadline, connections.isEmpty || DispatchTime.now().uptimeNanoseconds >= drainDeadline {
            running = false
            native?.wake()
            return
        }
        native?.scheduleTick(after: config.tickMilliseconds)
    }

    // MARK: Transport

    package func send(_ frame: OutboundFrame, to connection: ConnectionID) {
        guard var state = connections[connection], state.closing == nil else { return }
        if state.output.push(frame) {
            connections[connection] = state
            native?.wantWritable(sockets[connection])
            return
        }
        state.output.drop()
        state.cause = .tooSlow
        state.closing = (.tooSlow, "too slow: output dropped, reconnect with resume")
        connections[connection] = state
        native?.closeSoon(sockets[connection])
        logger.warning("connection.too_slow", metadata: ["connection.id": "\(connection)"])
    }

    package func close(_ connection: ConnectionID, code: CloseCode, reason: String) {
        guard var state = connections[connection], state.closing == nil else { return }
        state.closing = (code, reason)
        state.cause = .server
        connections[connection] = state
        native?.closeSoon(sockets[connection])
    }
}
