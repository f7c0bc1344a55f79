import TownhallCore
import TownhallProtocol

extension Relay {
    /// One message from a signed-in user: decode, authorize, rate-limit, apply, and
    /// hand the change to the journal at once; its ack waits for the journal's answer.
    /// The journal groups what arrives while it is busy (group commit), so acks are not
    /// held for the tick; updates are.
    func handle(_ bytes: [UInt8], from connection: ConnectionID, as actor: Actor) {
        let frame: ClientFrame
        do {
            frame = try ClientFrame.decode(bytes)
        } catch {
            metrics.requests["invalid", default: 0] += 1
            return reject(connection, ErrorReply(error))
        }
        let receivedAt = clock.monotonicNanos()
        switch frame.message {
        case .hello:
            metrics.requests["hello", default: 0] += 1
            reject(connection, ErrorReply(id: frame.id, code: .badRequest, message: "already signed in"))
        case .ping:
            metrics.requests["ping", default: 0] += 1
            send(Pong(id: frame.id), to: connection)
        case .refresh(let token):
            metrics.requests["token", default: 0] += 1
            refresh(connection, token: token, id: frame.id, as: actor)
        case .thread(let postID):
            metrics.requests["thread", default: 0] += 1
            guard let post = core.post(postID), core.canSee(post, actor) else {
                return reject(connection, ErrorReply(id: frame.id, code: .notFound, message: "no such post"))
            }
            let audience = Audience(actor.role)
            let comments = core.comments(on: postID).map(WireComment.init)
            if let id = frame.id {
                send(Ack(id: id, payload: .thread(WirePost(post, for: audience), comments)), to: connection)
            }
        case .archive(let cycle):
            metrics.requests["archive", default: 0] += 1
            guard let info = core.cycleInfo(cycle) else {
                return reject(connection, ErrorReply(id: frame.id, code: .notFound, message: "no such cycle"))
            }
            let audience = Audience(actor.role)
            let posts = core.posts(inCycle: cycle).filter { core.canSee($0, actor) }.sorted(by: Post.topOrder)
            if let id = frame.id { send(Ack(id: id, payload: .archive(info.cycle, posts.map { WirePost($0, for: audience) })), to: connection) }
        case .command(let command):
            metrics.requests[command.kind, default: 0] += 1
            apply(command, id: frame.id, from: connection, as: actor, receivedAt: receivedAt)
        }
    }

    func apply(_ command: Command, id: JSONValue?, from connection: ConnectionID, as actor: Actor, receivedAt: UInt64) {
        guard acceptingChanges else {
            return reject(connection, ErrorReply(id: id, code: .unavailable, message: "the server cannot save changes right now; reading still works"))
        }
        let now = clock.monotonicMillis
        let rule = rateRule(for: command)
        if let rule, !rateLimiter.allows(actor.id, rule, now: now) {
            return reject(connection, ErrorReply(id: id, code: .rateLimited, message: rule.message))
        }
        let request = Request(actor: actor, at: clock.wallMillis(), command: command)
        let outcome: Outcome
        do {
            outcome = try core.apply(request)
        } catch {
            return reject(connection, ErrorReply(id: id, code: error.wireCode, message: error.message))
        }
        if let rule { rateLimiter.record(actor.id, rule, now: now) }
        var batch = Batch()
        if !outcome.changes.isEmpty {
            batch.records.append(request)
            batch.changes = outcome.changes
        }
        if let id {
            let ack = Ack(id: id, payload: outcome.result.payload(for: Audience(actor.role)))
            batch.acks.append(PendingAck(connection: connection, ack: ack, receivedAt: receivedAt))
        }
        commit(batch)
    }

    func rateRule(for command: Command) -> RateLimiter.Rule? {
        switch command {
        case .post: config.rateLimits.posts
        case .comment: config.rateLimits.comments
        case .vote: config.rateLimits.votes
        default: nil
        }
    }

    /// Sends an error; a connection that keeps earning them is closed with 4008.
    func reject(_ connection: ConnectionID, _ reply: ErrorReply) {
        metrics.errors[reply.code.rawValue, default: 0] += 1
        send(reply, to: connection)
        let now = clock.monotonicMillis
        guard var session = sessions[connection] else { return }
        session.strikes.removeAll { now - $0 >= config.strikeWindowMillis }
        session.strikes.append(now)
        sessions[connection] = session
        if session.strikes.count >= config.strikeLimit {
            close(connection, .policy, "too many refused requests")
        }
    }
}

extension Command {
    /// The request type's name, for metrics (a fixed set, never user text).
    var kind: String {
        switch self {
        case .post: "post"
        case .vote: "vote"
        case .comment: "comment"
        case .moderate: "moderate"
        case .announce: "announce"
        case .townhall: "townhall"
        case .closeCycle: "cycle"
        case .agenda: "agenda"
        case .answer: "answer"
        case .forget: "forget"
        case .purge: "purge"
        case .configure: "configure"
        }
    }
}

extension CoreError {
    /// The wire's code for a core refusal.
    var wireCode: ErrorCode {
        switch code {
        case .badRequest: .badRequest
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .invalidText: .invalidText
        case .tooLarge: .tooLarge
        case .conflict: .conflict
        }
    }
}

extension Outcome.Result {
    /// What the ack carries, as the requester's audience may see it.
    func payload(for audience: Audience) -> Ack.Payload {
        switch self {
        case .post(let post): .post(WirePost(post, for: audience))
        case .vote(let post, let value): .vote(WirePost(post, for: audience), value: value)
        case .comment(let comment): .comment(WireComment(comment))
        case .announcement(let announcement): .announcement(announcement)
        case .cycle(let cycle): .cycle(cycle)
        case .erased(let posts, let comments, let votes): .erased(posts: posts, comments: comments, votes: votes)
        case .done: .none
        }
    }
}
