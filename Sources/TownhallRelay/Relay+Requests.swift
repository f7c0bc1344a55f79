import TownhallCore
import TownhallProtocol
import TownhallTransport

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
            metrics.count(request: "invalid")
            return reject(connection, ErrorReply(error))
        }
        let receivedAt = clock.monotonicNanos()
        metrics.count(request: frame.message.kind)
        if let rule = readRule(for: frame.message) {
            // Reads cost like writes: each has its allowance, and refusals count as strikes.
            let now = clock.monotonicMillis
            guard rateLimiter.allows(actor.id, rule, now: now) else {
                return reject(connection, ErrorReply(id: frame.id, code: .rateLimited, message: rule.message))
            }
            rateLimiter.record(actor.id, rule, now: now)
        }
        switch frame.message {
        case .hello:
            reject(connection, ErrorReply(id: frame.id, code: .badRequest, message: "already signed in"))
        case .ping:
            send(Pong(id: frame.id), to: connection)
        case .refresh(let token):
            refresh(connection, token: token, id: frame.id, as: actor)
        case .thread where disk.rebuilding, .archive where disk.rebuilding:
            reject(connection, ErrorReply(id: frame.id, code: .unavailable, message: Self.rebuildingMessage))
        case .thread(let postID):
            guard let post = core.post(postID), core.canSee(post, actor) else {
                return reject(connection, ErrorReply(id: frame.id, code: .notFound, message: "no such post"))
            }
            let audience = Audience(actor.role)
            let comments = core.comments(on: postID).map(WireComment.init)
            if let id = frame.id {
                send(Ack(id: id, payload: .thread(WirePost(post, for: audience), comments)), to: connection)
            }
        case .archive(let cycle, let after, let limit):
            guard core.cycleInfo(cycle) != nil else {
                return reject(connection, ErrorReply(id: frame.id, code: .notFound, message: "no such cycle"))
            }
            guard let id = frame.id else { return }
            archivePage(cycle: cycle, after: after, limit: limit, id: id, to: connection, as: actor)
        case .react(let reaction):
            react(reaction, from: connection, as: actor)
        case .similar(let text):
            similar(text, id: frame.id, to: connection, as: actor)
        case .command where sessions[connection]?.readOnly == true:
            reject(connection, ErrorReply(id: frame.id, code: .forbidden, message: "this room screen is read-only"))
        case .command(let command):
            apply(command, id: frame.id, from: connection, as: actor, receivedAt: receivedAt)
        }
    }

    func apply(_ command: Command, id: JSONValue?, from connection: ConnectionID, as actor: Actor, receivedAt: UInt64) {
        guard disk.acceptingChanges else {
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
        case .vote, .answerPoll: config.rateLimits.votes
        default: nil
        }
    }

    /// Sends an error; a connection that keeps earning them is closed with 4008.
    func reject(_ connection: ConnectionID, _ reply: ErrorReply) {
        metrics.count(error: reply.code.rawValue)
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
        case .openPoll, .closePoll: "poll"
        case .answerPoll: "poll_answer"
        case .merge: "merge"
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
        case .poll(let poll): .poll(WirePoll(poll))
        case .pollAnswer(let poll, let choices): .pollAnswer(WirePoll(poll), choices: choices)
        case .done: .none
        }
    }
}

extension Relay {
    static let rebuildingMessage = "the server is restoring its saved state; try again in a moment"

    /// The allowance a read draws on, if any.
    func readRule(for message: ClientMessage) -> RateLimiter.Rule? {
        switch message {
        case .thread, .archive: config.rateLimits.reads
        case .ping: config.rateLimits.pings
        case .refresh: config.rateLimits.tokens
        case .similar: config.rateLimits.votes
        case .hello, .command, .react: nil
        }
    }

    /// Counts a reaction for the next update. Over the allowance it is dropped, with at
    /// most one `rate_limited` a second, which never counts towards the abuse close.
    func react(_ reaction: Reaction, from connection: ConnectionID, as actor: Actor) {
        let now = clock.monotonicMillis
        let rule = config.rateLimits.reactions
        guard rateLimiter.allows(actor.id, rule, now: now) else {
            metrics.reactionsDropped.increment()
            guard let refusedAt = sessions[connection]?.reactionRefusedAt, now - refusedAt >= 1_000 else { return }
            sessions[connection]?.reactionRefusedAt = now
            metrics.count(error: ErrorCode.rateLimited.rawValue)
            return send(ErrorReply(id: nil, code: .rateLimited, message: rule.message), to: connection)
        }
        rateLimiter.record(actor.id, rule, now: now)
        reactions[reaction.rawValue, default: 0] += 1
        metrics.reactions.increment()
    }

    /// One page of a week's posts in `top` order, filtered, ordered and encoded off the
    /// service thread from a copy of the state; only the bytes come back.
    func archivePage(cycle: Int, after: Int, limit: Int, id: JSONValue, to connection: ConnectionID, as actor: Actor) {
        let state = core
        offLoop({ () -> [UInt8]? in
            guard let info = state.cycleInfo(cycle) else { return nil }
            let audience = Audience(actor.role)
            let visible = state.posts(inCycle: cycle).filter { state.canSee($0, actor) }.sorted(by: Post.topOrder)
            let page = visible.dropFirst(after).prefix(limit)
            let next = after + page.count < visible.count ? after + page.count : nil
            let polls = after == 0 ? state.polls(inCycle: cycle).map(WirePoll.init) : []
            let ack = Ack(id: id, payload: .archive(info.cycle, page.map { WirePost($0, for: audience) }, next: next, polls: polls))
            return FrameEncoder().encode(ack)
        }) { bytes in
            guard let bytes, self.sessions[connection]?.actor != nil else { return }
            self.send(OutboundFrame(bytes, headroom: self.transport?.frameHeadroom ?? 0), to: connection)
        }
    }
}

extension ClientMessage {
    /// The request type's name, for metrics.
    var kind: String {
        switch self {
        case .hello: "hello"
        case .ping: "ping"
        case .refresh: "token"
        case .thread: "thread"
        case .archive: "archive"
        case .command(let command): command.kind
        case .react: "react"
        case .similar: "similar"
        }
    }
}
