/// A change someone asked for. Together with its actor and time it is a journal record:
/// replaying the same requests through `Townhall.apply` rebuilds the same state.
package enum Command: Codable, Sendable, Equatable {
    case post(text: String, anonymous: Bool, key: String?)
    /// `value` is 1, -1 or 0 (take back); it sets the actor's vote, never adds.
    case vote(post: String, value: Int)
    /// `post` nil means a live comment on the townhall.
    case comment(text: String, post: String?)
    case moderate(post: String, status: PostStatus, note: String?)
    case announce(text: String)
    case townhall(state: LiveState, title: String?, stream: String?)
    case closeCycle
}

/// One accepted change as it is journaled: who, when (ms since the epoch), what.
/// Time comes from outside so the core stays deterministic.
package struct Request: Codable, Sendable, Equatable {
    package var actor: Actor
    package var at: Int64
    package var command: Command

    package init(actor: Actor, at: Int64, command: Command) {
        self.actor = actor
        self.at = at
        self.command = command
    }
}
