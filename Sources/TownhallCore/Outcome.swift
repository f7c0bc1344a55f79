/// What one applied request produced: the object the `ack` carries and what changed.
package struct Outcome: Sendable, Equatable {
    package var result: Result
    /// Empty when the request changed nothing (a repeated vote, a retried post key):
    /// such a request needs no journal record.
    package var changes: [Change]

    package init(result: Result, changes: [Change]) {
        self.result = result
        self.changes = changes
    }

    /// The object an `ack` carries back (PROTOCOL.md §4).
    package enum Result: Sendable, Equatable {
        case post(Post)
        case vote(post: Post, value: Int)
        case comment(Comment)
        case announcement(Announcement)
        case cycle(Cycle)
        case erased(posts: Int, comments: Int, votes: Int)
        case poll(Poll)
        case pollAnswer(Poll, choices: [Int])
        case done
    }
}

/// One thing that changed, for the relay's next `update`.
package enum Change: Sendable, Equatable {
    /// A post was created, or its text, status, note, answer or merge changed (and maybe
    /// its counts too).
    case post(String)
    /// Only a post's counts changed: its votes (up, down, score, office support) or its
    /// comment count. Updates may carry these as counts instead of the whole post.
    case counts(String)
    case comment(Comment)
    case announcement(Announcement)
    /// The live stage (state, title, stream or on-air post) changed.
    case stage
    /// A new cycle began; the old cycle's posts left the rankings.
    case cycle
    /// The agenda's order changed.
    case agenda
    /// A pending post was approved (or declined) in review mode; its author is told.
    case reviewed(String, approved: Bool)
    /// A comment was erased (a privacy request, or retention for a live comment).
    case commentRemoved(String)
    /// An announcement was erased by retention.
    case announcementRemoved(String)
    /// Configuration (review mode) changed; nothing to show.
    case configured
    /// A post employees could see no longer is (hidden, or erased): they drop it.
    case withdrawn(String)
    /// A post was erased: staff drop it too.
    case erased(String)
    /// A poll was opened or closed, or its counts changed.
    case poll(String)
    /// A duplicate was merged into a post (`into` nil: the merge was undone); its author is told.
    case merged(String, into: String?)
}
