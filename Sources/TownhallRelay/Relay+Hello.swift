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
            // PROTOCOL.md §4: a hello is welcomed or closed with 4001; the reason says what was wrong.
            return refuse(connection, id: error.id, "the first message must be hello with a token (\(error.message))")
        }
        guard case .hello(let token, let resume, let form) = frame.message else {
            return refuse(connection, id: frame.id, "the first message must be hello with a token")
        }
        sessions[connection]?.phase = .authenticating
        sessions[connection]?.form = form
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
        sessions[connection]?.readOnly = identity.readOnly
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
        let ring = feed.rings[(sessions[connection]?.form ?? .full).index]
        if let resume, resume.epoch == epoch, let missed = ring.frames(after: resume.seq) {
            send(recoveredWelcome(actor, seq: resume.seq), to: connection)
            for frame in missed { send(frame, to: connection) }
            return
        }
        let template = welcomeTemplate(for: audience)
        let own = core.posts(by: actor.id).filter { !template.postIDs.contains($0.id) && core.canSee($0, actor) }
        let bytes = template.welcome(
            encoder: encoder, user: WireUser(actor), myVotes: core.votes(of: actor.id), ownPosts: own.map { WirePost($0, for: audience) },
            myAnswers: core.answers(of: actor.id)
        )
        send(OutboundFrame(bytes, headroom: transport?.frameHeadroom ?? 0), to: connection)
    }

    /// The shared part of a full welcome for `audience`: made by the first who needs it,
    /// reused by everyone after until the next durable change or update (so a welcome
    /// always shows what was acked before it).
    func welcomeTemplate(for audience: Audience) -> WelcomeTemplate {
        let feed = feeds[audience.rawValue]
        if let made = feed.welcome, made.epoch == epoch, made.version == stateVersion, made.seq == feed.seq { return made.template }
        let current = core.ranks(for: audience, depth: config.rankDepth)
        let last = feed.lastRanks
        feeds[audience.rawValue].ranksAhead.formUnion(Ordering.allCases.filter { current[$0] != last[$0] })
        var seen = Set<String>()
        var ids = Ordering.allCases.flatMap { current[$0] }
        if let onAir = core.stage.onAir { ids.append(onAir) }
        let posts = ids.filter { seen.insert($0).inserted }.compactMap { id in
            core.post(id).flatMap { core.audience(audience, sees: $0) ? WirePost($0, for: audience) : nil }
        }
        let template = WelcomeTemplate(
            encoder: encoder, epoch: epoch, seq: feed.seq, cycle: core.cycle, townhall: WireStage(core.stage), posts: posts,
            ranks: WireRanks(current), comments: core.liveComments(last: config.welcomeComments).map(WireComment.init),
            announcements: core.announcements(last: config.welcomeAnnouncements), presence: sessions.presence.snapshot,
            agenda: audience == .staff ? core.agenda : nil, polls: core.polls(inCycle: core.cycle.id).map(WirePoll.init)
        )
        // Its clients hold only these posts of those the updates so far named.
        feeds[audience.rawValue].held.formIntersection(posts.map(\.id))
        feeds[audience.rawValue].welcome = (epoch, stateVersion, feed.seq, template)
        metrics.welcomesBuilt.increment()
        return template
    }

    /// A resumed welcome: no posts, ranks, comments or announcements; the missed updates follow.
    func recoveredWelcome(_ actor: Actor, seq: Int64) -> Welcome {
        let audience = Audience(actor.role)
        return Welcome(
            user: WireUser(actor), epoch: epoch, seq: seq, cycle: core.cycle, townhall: WireStage(core.stage),
            posts: nil, ranks: nil, myVotes: core.votes(of: actor.id), comments: nil, announcements: nil,
            presence: sessions.presence.snapshot, recovered: true,
            agenda: audience == .staff ? core.agenda : nil, myAnswers: core.answers(of: actor.id)
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
        case .success(let identity) where identity.actor == actor && identity.readOnly == sessions[connection]?.readOnly:
            sessions.extend(connection, expires: identity.expires, expiryDue: expiryDue(identity.expires))
            if let id { send(Ack(id: id, payload: .none), to: connection) }
        case .success:
            reject(connection, ErrorReply(id: id, code: .unauthorized, message: "the new token is for another user, role or kind of session"))
        case .failure(let error):
            reject(connection, ErrorReply(id: id, code: .unauthorized, message: error.message))
        }
    }
}
