import TownhallCore
import TownhallProtocol
import TownhallTransport

extension Relay: TransportHandler {
    package func connectionOpened(_ connection: ConnectionID, peer: String) {
        sessions.open(Session(id: connection, peer: peer, openedAt: clock.monotonicMillis))
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
        let wallSeconds = Double(clock.wallMillis()) / 1000
        for session in sessions.all {
            switch session.phase {
            case .awaitingHello where now - session.openedAt >= config.helloTimeoutMillis:
                close(session.id, .unauthorized, "no hello in time")
            case .ready where session.expires <= wallSeconds:
                send(ErrorReply(id: nil, code: .unauthorized, message: "your sign-in has expired; open your link again"), to: session.id)
                close(session.id, .unauthorized, "token expired")
            default:
                break
            }
        }
        tendCalendar(now: now)
        publishUpdates(now: now)
        tendJournal(now: now)
        if now - lastPrune >= 10_000 {
            rateLimiter.prune(now: now)
            lastPrune = now
        }
    }
}
