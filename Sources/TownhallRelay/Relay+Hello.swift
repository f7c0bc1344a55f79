import TownhallCore
import TownhallProtocol
import TownhallTransport

extension Relay {
    /// The first message: it must be a `hello`; its token is checked off the thread.
    func greet(_ bytes: [UInt8], from connection: ConnectionID) {
        let frame: ClientFrame
        do {
            frame = try ClientFrame.decode(bytes)
        } catch {
            return refuse(connection, id: error.id, "the first message must be hello with a token")
        }
        guard case .hello(let token, let resume) = frame.message else {
            return refuse(connection, id: frame.id, "the first message must be hello with a token")
        }
        sessions[connection]?.phase = .authenticating
        let id = frame.id
        verify(token) { self.authenticated(connection, $0, resume: resume, helloID: id) }
    }

    /// Checks a token off the service thread and comes back to it with the result.
    func verify(_ token: String, then finish: @escaping @Sendable (Result<Identity, AuthError>) -> Void) {
        let executor = executor
        tokenChecks.submit(token) { result in executor.execute { finish(result) } }
    }

    /// Sends `unauthorized` and closes with 4001.
    func refuse(_ connection: ConnectionID, id: JSONValue?, _ message: String) {
        metrics.count(error: "unauthorized")
        send(ErrorReply(id: id, code: .unauthorized, message: message), to: connection)
        close(connection, .unauthorized, "unauthorized")
    }

    /// The token check finished: welcome the user, then handle what they sent meanwhile.
    func authenticated(_ connection: ConnectionID, _ result: Result<Identity, AuthError>, resume: ResumePoint?, helloID: JSONValue?) {
        guard let session = sessions[connection], case .authenticating = session.phase else { return }
        let identity: Identity
        switch result {
        case .failure(let error): return refuse(connection, id: helloID, error.message)
        case .success(let verified): identity = verified
        }
        if disk.rebuilding {
            disk.welcomesAfterRebuild.append((connection, identity, resume, helloID))
            return
        }
        let actor = identity.actor
        guard sessions.presence.connections(of: actor.id) < config.maxConnectionsPerUser else {
            send(ErrorReply(id: helloID, code: .rateLimited, message: "too many connections for this user (at most \(config.maxConnectionsPerUser))"), to: connection)
            return close(connection, .policy, "too many connections for this user")
        }
        sessions.signIn(connection, as: actor, expires: identity.expires, expiryDue: expiryDue(identity.expires))
        sendWelcome(to: connection, actor: actor, resume: resume)
        logger.info("session.ready", metadata: ["connection.id": "\(connection)", "role": "\(actor.role.rawValue)"])
        for bytes in session.early where sessions[connection]?.actor != nil {
            handle(bytes, from: connection, as: actor)
        }
    }

    /// A full welcome, or a recovered one followed by the missed updates when this run
    /// still holds them (PROTOCOL.md §5, Resume).
    func sendWelcome(to connection: ConnectionID, actor: Actor, resume: ResumePoint?) {
        let audience = Audience(actor.role)
        let feed = feeds[audience.rawValue]
        if let resume, resume.epoch == epoch, let missed = feed.ring.frames(after: resume.seq) {
            send(welcome(actor, seq: resume.seq, full: false), to: connection)
            for frame in missed { send(frame, to: connection) }
            return
        }
        send(welcome(actor, seq: feed.seq, full: true), to: connection)
    }

    func welcome(_ actor: Actor, seq: Int64, full: Bool) -> Welcome {
        let audience = Audience(actor.role)
        var posts: [WirePost]?
        var ranks: WireRanks?
        if full {
            let current = core.ranks(for: audience, depth: config.rankDepth)
            var seen = Set<String>()
            var ids = Ordering.allCases.flatMap { current[$0] }
            ids += core.posts(by: actor.id).map(\.id)
            if let onAir = core.stage.onAir { ids.append(onAir) }
            posts = ids.filter { seen.insert($0).inserted }.compactMap { id in
                core.post(id).flatMap { core.canSee($0, actor) ? WirePost($0, for: audience) : nil }
            }
            ranks = WireRanks(current)
        }
        return Welcome(
            user: WireUser(actor), epoch: epoch, seq: seq, cycle: core.cycle, townhall: WireStage(core.stage),
            posts: posts, ranks: ranks, myVotes: core.votes(of: actor.id),
            comments: full ? core.liveComments(last: config.welcomeComments).map(WireComment.init) : nil,
            announcements: full ? core.announcements(last: config.welcomeAnnouncements) : nil,
            presence: sessions.presence.snapshot, recovered: !full,
            agenda: audience == .staff ? core.agenda : nil
        )
    }
}

extension Relay {
    /// A fresh token for the same user extends the connection's sign-in.
    func refresh(_ connection: ConnectionID, token: String, id: JSONValue?, as actor: Actor) {
        verify(token) { self.refreshed(connection, $0, id: id, as: actor) }
    }

    func refreshed(_ connection: ConnectionID, _ result: Result<Identity, AuthError>, id: JSONValue?, as actor: Actor) {
        guard sessions[connection]?.actor != nil else { return }
        switch result {
        case .success(let identity) where identity.actor == actor:
            sessions.extend(connection, expires: identity.expires, expiryDue: expiryDue(identity.expires))
            if let id { send(Ack(id: id, payload: .none), to: connection) }
        case .success:
            reject(connection, ErrorReply(id: id, code: .unauthorized, message: "the new token is for another user or role"))
        case .failure(let error):
            reject(connection, ErrorReply(id: id, code: .unauthorized, message: error.message))
        }
    }
}
