import TownhallCore

/// The signed-in user as `welcome` shows it.
package struct WireUser: Encodable, Sendable {
    var id, name, office: String
    var role: Role

    package init(_ actor: Actor) {
        id = actor.id
        name = actor.name
        office = actor.office
        role = actor.role
    }
}

/// An author as others see it: a name and an office, never the user id.
package struct WireAuthor: Encodable, Sendable {
    var name, office: String
}

/// A post as one audience sees it (PROTOCOL.md §6). The author of an anonymous post
/// never leaves the server: this is the one place that decides it.
package struct WirePost: Encodable, Sendable {
    var post: Post
    var audience: Audience
    /// How like a `similar` request's text it is (0–1); only in that request's ack.
    var similarity: Double?

    package init(_ post: Post, for audience: Audience, similarity: Double? = nil) {
        self.post = post
        self.audience = audience
        self.similarity = similarity
    }

    package var id: String { post.id }

    enum Keys: String, CodingKey {
        case id, cycle, text, author, office, createdAt, up, down, score, comments, status, note, answer, carriedFrom, support
        case mergedInto, similarity
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(post.id, forKey: .id)
        try c.encode(post.cycle, forKey: .cycle)
        try c.encode(post.text, forKey: .text)
        if post.anonymous {
            try c.encodeNil(forKey: .author)
        } else {
            try c.encode(WireAuthor(name: post.author.name, office: post.author.office), forKey: .author)
        }
        try c.encode(post.office, forKey: .office)
        try c.encode(post.createdAt, forKey: .createdAt)
        try c.encode(post.up, forKey: .up)
        try c.encode(post.down, forKey: .down)
        try c.encode(post.score, forKey: .score)
        try c.encode(post.comments, forKey: .comments)
        try c.encode(post.status, forKey: .status)
        try c.encode(post.answer, forKey: .answer)
        try c.encode(post.carriedFrom, forKey: .carriedFrom)
        try c.encodeIfPresent(post.mergedInto, forKey: .mergedInto)
        try c.encodeIfPresent(similarity, forKey: .similarity)
        if audience == .staff {
            try c.encode(post.note, forKey: .note)
            try c.encode(post.support.mapValues(WireSupport.init), forKey: .support)
        }
    }
}

/// A post's counts on the wire, for a client that holds the post and asked for counts
/// (docs/PROTOCOL-NOTES.md, Posts as counts): the same fields as in the whole post, so a
/// client lays them over the post it has.
package struct WireCounts: Encodable, Sendable {
    var post: Post
    var audience: Audience

    package init(_ post: Post, for audience: Audience) {
        self.post = post
        self.audience = audience
    }

    enum Keys: String, CodingKey { case up, down, score, comments, support }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(post.up, forKey: .up)
        try c.encode(post.down, forKey: .down)
        try c.encode(post.score, forKey: .score)
        try c.encode(post.comments, forKey: .comments)
        if audience == .staff { try c.encode(post.support.mapValues(WireSupport.init), forKey: .support) }
    }
}

/// One office's votes on a post, with its distinct voters (staff only).
package struct WireSupport: Encodable, Sendable {
    var up, down, voters: Int

    init(_ support: Support) {
        up = support.up
        down = support.down
        voters = support.voters
    }
}

/// A comment on the wire: comments are never anonymous.
package struct WireComment: Encodable, Sendable {
    var comment: Comment

    package init(_ comment: Comment) { self.comment = comment }

    enum Keys: String, CodingKey { case id, post, text, author, createdAt }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(comment.id, forKey: .id)
        try c.encode(comment.post, forKey: .post)
        try c.encode(comment.text, forKey: .text)
        try c.encode(WireAuthor(name: comment.author.name, office: comment.author.office), forKey: .author)
        try c.encode(comment.createdAt, forKey: .createdAt)
    }
}

/// The live stage as `townhall` on the wire, with explicit nulls.
package struct WireStage: Encodable, Sendable {
    var stage: Stage

    package init(_ stage: Stage) { self.stage = stage }

    enum Keys: String, CodingKey { case state, title, stream, onAir }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(stage.state, forKey: .state)
        try c.encode(stage.title, forKey: .title)
        try c.encode(stage.stream, forKey: .stream)
        try c.encode(stage.onAir, forKey: .onAir)
    }
}

/// Connected users, in all and per office.
package struct WirePresence: Encodable, Sendable, Equatable {
    package var total: Int
    package var offices: [String: Int]

    package init(total: Int, offices: [String: Int]) {
        self.total = total
        self.offices = offices
    }
}

/// The orderings' top ids: all four, or (for a client that takes changes) only some.
package struct WireRanks: Encodable, Sendable {
    var top, hot, best, new: [String]?

    package init(_ ranks: Ranks) {
        top = ranks.top
        hot = ranks.hot
        best = ranks.best
        new = ranks.new
    }

    package init(_ ranks: Ranks, only orderings: Set<Ordering>) {
        top = orderings.contains(.top) ? ranks.top : nil
        hot = orderings.contains(.hot) ? ranks.hot : nil
        best = orderings.contains(.best) ? ranks.best : nil
        new = orderings.contains(.new) ? ranks.new : nil
    }

    /// Whether every ordering is here, so both encodings are the same bytes.
    package var isComplete: Bool { top != nil && hot != nil && best != nil && new != nil }
}

/// A poll on the wire (PROTOCOL.md §9): counts for everyone, never who chose what.
package struct WirePoll: Encodable, Sendable {
    var poll: Poll

    package init(_ poll: Poll) { self.poll = poll }

    struct Option: Encodable { var text: String; var votes: Int }

    enum Keys: String, CodingKey { case id, cycle, question, options, multi, state, voters, createdAt, closedAt }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(poll.id, forKey: .id)
        try c.encode(poll.cycle, forKey: .cycle)
        try c.encode(poll.question, forKey: .question)
        try c.encode(zip(poll.options, poll.votes).map { Option(text: $0, votes: $1) }, forKey: .options)
        try c.encode(poll.multi, forKey: .multi)
        try c.encode(poll.state.rawValue, forKey: .state)
        try c.encode(poll.voters, forKey: .voters)
        try c.encode(poll.createdAt, forKey: .createdAt)
        try c.encode(poll.closedAt, forKey: .closedAt)
    }
}
