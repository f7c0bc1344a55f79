/// The whole townhall as a pure state machine: every accepted change goes through `apply`,
/// so replaying the journaled requests into a fresh value rebuilds the same state, ids
/// included. No I/O, no clock: time arrives inside each `Request`.
package struct Townhall: Sendable, Equatable {
    /// Text limits in force; fixed for the life of the value so replay validates the same way.
    package internal(set) var limits: Limits
    /// When true, new posts by employees start `pending` until a moderator opens them.
    package var reviewPosts: Bool
    /// The cycle new posts join and the rankings cover.
    package internal(set) var cycle: Cycle
    /// The live meeting's state.
    package internal(set) var stage: Stage

    /// Every post ever made; the post "pN" is at index N−1.
    var store: [Post] = []
    /// (author, key) → post counter, across all cycles, for idempotent retries.
    var keyed: [AuthorKey: Int] = [:]
    /// Author id → counters of their posts in the current cycle, oldest first.
    var ownPosts: [String: [Int]] = [:]
    /// User id → post counter → their vote, for every cycle (exports count distinct
    /// voters per office; retention and privacy requests erase them).
    var ballots: [String: [Int: Ballot]] = [:]
    /// Every cycle so far, oldest first; the last is the current one.
    package internal(set) var history: [Cycle] = []
    /// Shortlisted posts in the order leadership will take them.
    package internal(set) var agenda: [String] = []
    /// Post id → its comments, oldest first.
    var threads: [String: [Comment]] = [:]
    /// Live comments on the townhall, oldest first.
    var live: [Comment] = []
    /// Comments ever made, for the next comment id.
    var commentCount = 0
    /// Announcements, oldest first.
    var bulletins: [Announcement] = []
    /// Announcements ever made, for the next id: retention removes old ones, and ids
    /// must never repeat (clients key announcements by id).
    var announcementCount = 0
    /// Every poll, oldest first, and how many were ever opened (for the next id).
    var polls: [Poll] = []
    var pollCount = 0
    /// Poll id → user id → their choices (never empty).
    var pollAnswers: [String: [String: [Int]]] = [:]
    /// Merged post id → what its merge moved, so the merge can be undone.
    var merges: [String: Merge] = [:]
    /// The incremental orderings over the current cycle's posts.
    var rankings = Rankings()

    /// A fresh townhall whose first cycle starts at `startedAt` (ms since the epoch).
    package init(limits: Limits = Limits(), reviewPosts: Bool = false, startedAt: Int64) {
        self.limits = limits
        self.reviewPosts = reviewPosts
        self.cycle = Cycle(id: 1, startedAt: startedAt)
        self.stage = Stage()
        self.history = [cycle]
    }

    /// Applies one request. Throws `CoreError` and changes nothing when refused: every
    /// check runs before the first mutation. `plan` may carry a retention purge's scan,
    /// made off the service thread; the outcome is the same without it (as on replay).
    package mutating func apply(_ request: Request, plan: PurgePlan? = nil) throws(CoreError) -> Outcome {
        let actor = request.actor, at = request.at
        switch request.command {
        case let .post(text, anonymous, key):
            return try post(text: text, anonymous: anonymous, key: key, by: actor, at: at)
        case let .vote(post, value):
            return try vote(post: post, value: value, by: actor)
        case let .comment(text, post):
            return try comment(text: text, on: post, by: actor, at: at)
        case let .moderate(post, status, note):
            return try moderate(post: post, status: status, note: note, by: actor)
        case let .announce(text):
            return try announce(text: text, by: actor, at: at)
        case let .townhall(state, title, stream):
            return try townhall(state: state, title: title, stream: stream, by: actor)
        case let .closeCycle(carryOver):
            return try closeCycle(carryOver: carryOver, by: actor, at: at)
        case let .agenda(posts):
            return try setAgenda(posts, by: actor)
        case let .answer(post, text, owner):
            return try answer(post: post, text: text, owner: owner, by: actor, at: at)
        case let .purge(before):
            return try purge(before: before, by: actor, plan: plan)
        case let .forget(user):
            return try forget(user: user, by: actor)
        case let .openPoll(question, options, multi):
            return try openPoll(question: question, options: options, multi: multi, by: actor, at: at)
        case let .closePoll(poll):
            return try closePoll(poll, by: actor, at: at)
        case let .answerPoll(poll, choices):
            return try answerPoll(poll, choices: choices, by: actor)
        case let .merge(post, target):
            return try merge(post, into: target, by: actor)
        case let .configure(review):
            try require(actor, in: [.host], to: "configure the townhall")
            guard review != reviewPosts else { return Outcome(result: .done, changes: []) }
            reviewPosts = review
            return Outcome(result: .done, changes: [.configured])
        }
    }

    /// The actor of what the server does by itself: weekly rollover, retention, config.
    package static let system = Actor(id: "system", name: "Townhall", office: "", role: .host)

    /// Identifies an author's retry key.
    struct AuthorKey: Hashable, Sendable {
        /// The author's user id: keys are unique per author, not globally.
        var author: String
        /// The client-made retry key.
        var key: String
    }
}
