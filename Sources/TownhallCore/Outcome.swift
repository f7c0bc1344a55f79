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
        case done
    }
}

/// One thing that changed, for the relay's next `update`.
package enum Change: Sendable, Equatable {
    /// A post was created, or its counts, comment count, status or note changed.
    case post(String)
    case comment(Comment)
    case announcement(Announcement)
    /// The live stage (state, title, stream or on-air post) changed.
    case stage
    /// A new cycle began; the old cycle's posts left the rankings.
    case cycle
}
