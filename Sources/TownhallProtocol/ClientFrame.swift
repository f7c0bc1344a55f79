import TownhallCore

/// A resume point: the epoch and the last update `seq` the client saw.
package struct ResumePoint: Sendable, Equatable {
    package var epoch: String
    package var seq: Int64

    package init(epoch: String, seq: Int64) {
        self.epoch = epoch
        self.seq = seq
    }
}

/// How a client takes `ranks` in updates (docs/PROTOCOL-NOTES.md, Ranks as changes).
package enum RankEncoding: String, Sendable, Equatable, CaseIterable {
    /// All four orderings whenever one changed (PROTOCOL.md §5).
    case full
    /// Only the orderings that changed; the client keeps the others.
    case changes
}

/// How a client takes changed posts in updates (docs/PROTOCOL-NOTES.md, Posts as counts).
package enum PostEncoding: String, Sendable, Equatable, CaseIterable {
    /// Every changed post whole, in `posts` (PROTOCOL.md §5).
    case full
    /// A post the client holds whose only change is its counts goes in `counts`.
    case counts
}

/// The form a client takes updates in, as its hello asked: one of four, each encoded
/// once per update (when someone takes it) and kept in a resume ring of its own.
package struct UpdateForm: Hashable, Sendable, CaseIterable {
    package var ranks: RankEncoding
    package var posts: PostEncoding

    package init(ranks: RankEncoding = .full, posts: PostEncoding = .full) {
        self.ranks = ranks
        self.posts = posts
    }

    /// PROTOCOL.md §5's update, which every other form may fall back to.
    package static let full = UpdateForm()

    package static let allCases = RankEncoding.allCases.flatMap { ranks in PostEncoding.allCases.map { UpdateForm(ranks: ranks, posts: $0) } }

    /// The form's place in `allCases`.
    package var index: Int { (ranks == .full ? 0 : 2) + (posts == .full ? 0 : 1) }
}

/// What a client can ask (PROTOCOL.md §4). Changes are core `Command`s; the rest are reads.
package enum ClientMessage: Sendable, Equatable {
    case hello(token: String, resume: ResumePoint?, form: UpdateForm = .full)
    /// A fresh token for a signed-in connection whose token is about to expire.
    case refresh(token: String)
    case command(Command)
    case thread(post: String)
    /// A page of a past (or the current) cycle's posts, with their answers: `limit`
    /// posts in `top` order after the first `after`.
    case archive(cycle: Int, after: Int, limit: Int)
    case ping
    /// A live reaction (§9): counted, never stored, never acked.
    case react(Reaction)
    /// The cycle's posts most like a question being typed (§9).
    case similar(text: String)
}

extension ClientMessage {
    /// Posts in one `archive` page when the request names no `limit`, and at most.
    package static let archivePageDefault = 100
    package static let archivePageMax = 500
}

/// One decoded client frame: the request's optional `id` and its message.
package struct ClientFrame: Sendable, Equatable {
    package var id: JSONValue?
    package var message: ClientMessage

    package init(id: JSONValue?, message: ClientMessage) {
        self.id = id
        self.message = message
    }
}
