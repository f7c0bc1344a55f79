import TownhallCore

/// The first frame after a good `hello` (PROTOCOL.md §5). A recovered welcome carries
/// only what is per-user or small; the missed updates follow it.
package struct Welcome: Encodable, Sendable {
    package var type = "welcome"
    package var user: WireUser
    package var epoch: String
    package var seq: Int64
    package var cycle: Cycle
    package var townhall: WireStage
    package var posts: [WirePost]?
    package var ranks: WireRanks?
    package var myVotes: [String: Int]
    package var comments: [WireComment]?
    package var announcements: [Announcement]?
    package var presence: WirePresence
    package var recovered: Bool
    /// The shortlist's order (staff only).
    package var agenda: [String]?
    /// This cycle's polls, newest first (§9); absent from a recovered welcome, whose
    /// missed updates carry them.
    package var polls: [WirePoll]?
    package var myAnswers: [String: [Int]]

    package init(
        user: WireUser, epoch: String, seq: Int64, cycle: Cycle, townhall: WireStage,
        posts: [WirePost]?, ranks: WireRanks?, myVotes: [String: Int], comments: [WireComment]?,
        announcements: [Announcement]?, presence: WirePresence, recovered: Bool, agenda: [String]? = nil,
        polls: [WirePoll]? = nil, myAnswers: [String: [Int]] = [:]
    ) {
        self.user = user
        self.epoch = epoch
        self.seq = seq
        self.cycle = cycle
        self.townhall = townhall
        self.posts = posts
        self.ranks = ranks
        self.myVotes = myVotes
        self.comments = comments
        self.announcements = announcements
        self.presence = presence
        self.recovered = recovered
        self.agenda = agenda
        self.polls = polls
        self.myAnswers = myAnswers
    }
}

/// One coalesced tick's worth of changes for one audience. Absent parts did not change.
package struct Update: Encodable, Sendable {
    package var type = "update"
    package var seq: Int64
    package var posts: [WirePost]?
    /// In the counts form: post id → counts, for posts every client holds whose only change is their counts.
    package var counts: [String: WireCounts]?
    package var removed: [String]?
    package var ranks: WireRanks?
    package var comments: [WireComment]?
    package var announcements: [Announcement]?
    package var townhall: WireStage?
    package var cycle: Cycle?
    package var presence: WirePresence?
    /// The agenda's new order (staff only).
    package var agenda: [String]?
    /// Comments erased by a privacy request or by retention.
    package var removedComments: [String]?
    /// Announcements erased by retention.
    package var removedAnnouncements: [String]?
    /// Reactions since the previous update, by emoji (§9); the same for every audience.
    package var reactions: [String: Int]?
    /// Polls opened, closed, or whose counts changed (§9).
    package var polls: [WirePoll]?
    /// Duplicate id → the post it was merged into (§9); an undone merge is not here
    /// (the post comes back in `posts`).
    package var merged: [String: String]?

    package init(seq: Int64) { self.seq = seq }

    /// True when there is nothing to send.
    package var isEmpty: Bool {
        posts == nil && counts == nil && removed == nil && ranks == nil && comments == nil && announcements == nil
            && townhall == nil && cycle == nil && presence == nil && agenda == nil && removedComments == nil
            && removedAnnouncements == nil && reactions == nil && polls == nil && merged == nil
    }
}

/// The reply to a request that succeeded, with the object it made or changed.
package struct Ack: Encodable, Sendable {
    package enum Payload: Sendable {
        case none
        case post(WirePost)
        case vote(WirePost, value: Int)
        case comment(WireComment)
        case announcement(Announcement)
        case cycle(Cycle)
        case thread(WirePost, [WireComment])
        /// One page; `next` is the `after` of the next page, nil on the last.
        case archive(Cycle, [WirePost], next: Int?, polls: [WirePoll] = [])
        case erased(posts: Int, comments: Int, votes: Int)
        case poll(WirePoll)
        case pollAnswer(WirePoll, choices: [Int])
        case similar([WirePost])
    }

    package var id: JSONValue
    package var payload: Payload

    package init(id: JSONValue, payload: Payload) {
        self.id = id
        self.payload = payload
    }

    enum Keys: String, CodingKey { case type, id, post, value, comment, announcement, cycle, comments, posts, erased, next, poll, choices, polls }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode("ack", forKey: .type)
        try c.encode(id, forKey: .id)
        switch payload {
        case .none: break
        case .post(let post): try c.encode(post, forKey: .post)
        case .vote(let post, let value):
            try c.encode(post, forKey: .post)
            try c.encode(value, forKey: .value)
        case .comment(let comment): try c.encode(comment, forKey: .comment)
        case .announcement(let announcement): try c.encode(announcement, forKey: .announcement)
        case .cycle(let cycle): try c.encode(cycle, forKey: .cycle)
        case .thread(let post, let comments):
            try c.encode(post, forKey: .post)
            try c.encode(comments, forKey: .comments)
        case .archive(let cycle, let posts, let next, let polls):
            try c.encode(cycle, forKey: .cycle)
            try c.encode(posts, forKey: .posts)
            try c.encode(next, forKey: .next)
            try c.encode(polls, forKey: .polls)
        case .erased(let posts, let comments, let votes):
            try c.encode(["posts": posts, "comments": comments, "votes": votes], forKey: .erased)
        case .poll(let poll): try c.encode(poll, forKey: .poll)
        case .pollAnswer(let poll, let choices):
            try c.encode(poll, forKey: .poll)
            try c.encode(choices, forKey: .choices)
        case .similar(let posts): try c.encode(posts, forKey: .posts)
        }
    }
}

/// The reply to a request that failed.
package struct ErrorReply: Encodable, Sendable {
    package var type = "error"
    package var id: JSONValue?
    package var code: ErrorCode
    package var message: String

    package init(id: JSONValue?, code: ErrorCode, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    package init(_ error: ProtocolError) {
        self.init(id: error.id, code: error.code, message: error.message)
    }
}

/// The reply to `ping`.
package struct Pong: Encodable, Sendable {
    package var type = "pong"
    package var id: JSONValue?

    package init(id: JSONValue?) { self.id = id }
}

/// Tells an author their pending post was approved, or declined and why (review mode).
package struct ReviewNotice: Encodable, Sendable {
    package var type = "review"
    package var post: WirePost
    package var approved: Bool
    package var reason: String?

    package init(post: WirePost, approved: Bool, reason: String?) {
        self.post = post
        self.approved = approved
        self.reason = reason
    }

    enum Keys: String, CodingKey { case type, post, approved, reason }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(type, forKey: .type)
        try c.encode(post, forKey: .post)
        try c.encode(approved, forKey: .approved)
        try c.encode(reason, forKey: .reason)
    }
}

/// Tells an author their post was merged into another (`into`), or split off again
/// (`into` null). An extension of §9, sent only to the author's own connections.
package struct MergeNotice: Encodable, Sendable {
    package var type = "merged"
    package var post: WirePost
    package var into: WirePost?

    package init(post: WirePost, into: WirePost?) {
        self.post = post
        self.into = into
    }

    enum Keys: String, CodingKey { case type, post, into }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(type, forKey: .type)
        try c.encode(post, forKey: .post)
        try c.encode(into, forKey: .into)
    }
}
