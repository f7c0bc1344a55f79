import TownhallCore
import TownhallProtocol
import TownhallTransport

extension Relay: TransportHandler {
    package func connectionOpened(_ connection: ConnectionID, peer: String) {
        let now = clock.monotonicMillis
        sessions.open(Session(id: connection, peer: peer, openedAt: now), helloDue: now + config.helloTimeoutMillis)
        metrics.connectionsOpened.increment()
        if shuttingDown { close(connection, .goingAway, "server shutting down") }
        logger.debug("connection.opened", metadata: ["connection.id": "\(connection)"])
    }

    package func connectionClosed(_ connection: ConnectionID, cause: CloseCause) {
        sessions.remove(connection)
        if cause == .tooSlow { metrics.queueDrops.increment() }
        logger.debug("connection.closed", metadata: ["connection.id": "\(connection)", "cause": "\(cause)"])
    }

    package func received(_ bytes: [UInt8], from connection: ConnectionID) {
        metrics.framesIn.increment()
        guard let session = sessions[connection] else { return }
        guard bytes.count <= config.maxFrameBytes else {
            return close(connection, .tooLarge, "message larger than \(config.maxFrameBytes) bytes")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return close(connection, .invalidUTF8, "text is not valid UTF-8")
        }
        switch session.phase {
        case .closing:
            return
        case .authenticating:
            guard session.early.count < config.earlyFrameLimit else {
                return close(connection, .policy, "too many messages before welcome")
            }
            sessions[connection]?.early.append(bytes)
        case .awaitingHello:
            greet(bytes, from: connection)
        case .ready(let actor):
            handle(bytes, from: connection, as: actor)
        }
    }

    package func tick() {
        let now = clock.monotonicMillis
        closeOverdue(now: now)
        tendCalendar(now: now)
        tendSimilar()
        publishUpdates(now: now)
        tendJournal(now: now)
        if now - lastPrune >= 10_000 {
            rateLimiter.prune(now: now)
            lastPrune = now
        }
    }

    /// Closes the connections whose deadline came: no hello in time, or a token that
    /// expired. Only those due are looked at, never every session.
    func closeOverdue(now: Int64) {
        let wallSeconds = Double(clock.wallMillis()) / 1000
        for connection in sessions.due(now: now) {
            guard let session = sessions[connection] else { continue }
            switch session.phase {
            case .awaitingHello:
                close(connection, .unauthorized, "no hello in time")
            case .ready where session.expires <= wallSeconds:
                send(ErrorReply(id: nil, code: .unauthorized, message: "your sign-in has expired; open your link again"), to: connection)
                close(connection, .unauthorized, "token expired")
            case .ready:
                // The wall clock moved: look again when the token says.
                sessions.extend(connection, expires: session.expires, expiryDue: expiryDue(session.expires))
            case .authenticating, .closing:
                break
            }
        }
    }

    /// When the monotonic clock reaches a wall time (seconds since the epoch).
    func expiryDue(_ expires: Double) -> Int64 {
        let remaining = (expires - Double(clock.wallMillis()) / 1000) * 1000
        return clock.monotonicMillis + Int64(max(0, min(remaining, 1e15)))
    }
}
