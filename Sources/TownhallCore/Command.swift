/// A change someone asked for. Together with its actor and time it is a journal record:
/// replaying the same requests through `Townhall.apply` rebuilds the same state.
package enum Command: Sendable, Equatable {
    case post(text: String, anonymous: Bool, key: String?)
    /// `value` is 1, -1 or 0 (take back); it sets the actor's vote, never adds.
    case vote(post: String, value: Int)
    /// `post` nil means a live comment on the townhall.
    case comment(text: String, post: String?)
    case moderate(post: String, status: PostStatus, note: String?)
    case announce(text: String)
    case townhall(state: LiveState, title: String?, stream: String?)
    /// Ends the week; shortlisted posts not yet answered move on with their votes when
    /// `carryOver` is true.
    case closeCycle(carryOver: Bool)
    /// Puts shortlisted posts in this order at the head of the agenda.
    case agenda(posts: [String])
    /// The written follow-up to a post, with who owns it; marks the post answered.
    case answer(post: String, text: String, owner: String?)
    /// Retention: erases every cycle that ended at or before `before` (ms since the epoch).
    case purge(before: Int64)
    /// A privacy request: erases one person's posts, comments and votes.
    case forget(user: String)
    /// Turns post review on or off; journaled so a replay makes the same decisions.
    case configure(reviewPosts: Bool)
    /// Opens a poll (closing the open one, if any).
    case openPoll(question: String, options: [String], multi: Bool)
    case closePoll(poll: String)
    /// Sets the actor's choices on a poll, like a vote: `[]` takes the answer back.
    case answerPoll(poll: String, choices: [Int])
    /// Folds a duplicate into the post it repeats: votes (one per person) and comments move.
    case merge(post: String, into: String)
}

/// One accepted change as it is journaled (`JournalRecord` is its format on disk): who,
/// when (ms since the epoch), what.
/// Time comes from outside so the core stays deterministic.
package struct Request: Sendable, Equatable {
    package var actor: Actor
    package var at: Int64
    package var command: Command

    package init(actor: Actor, at: Int64, command: Command) {
        self.actor = actor
        self.at = at
        self.command = command
    }
}
