/// Where a post stands in the townhall's workflow (PROTOCOL.md §6).
package enum PostStatus: String, Codable, Sendable, CaseIterable {
    case pending, open, shortlisted, onair, answered, dismissed, hidden
    /// Folded into another post by `merge` (PROTOCOL.md §9); out of every ranking.
    case merged

    /// Statuses that employees never see (except their own pending or merged posts).
    package var isHiddenFromEmployees: Bool { self == .pending || self == .hidden || self == .merged }
}

/// A concern or suggestion raised by an employee.
///
/// The author's identity is always kept here, even for anonymous posts: the core needs it
/// for idempotent retries and "own posts"; only the wire encoder decides what leaves.
package struct Post: Codable, Sendable, Equatable {
    package var id: String
    package var cycle: Int
    package var text: String
    package var author: Actor
    package var anonymous: Bool
    /// The author's office at posting time; shown even for anonymous posts (PROTOCOL.md §6).
    package var office: String
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64
    package var up: Int
    package var down: Int
    /// Number of comments on this post.
    package var comments: Int
    package var status: PostStatus
    /// Moderation note; staff only.
    package var note: String?
    /// The client's retry key, unique per author.
    package var key: String?
    /// Votes per voter's office, for leadership review (staff only on the wire).
    package var support: [String: Support] = [:]
    /// The written follow-up, once the post was answered.
    package var answer: Answer?
    /// The cycle the post was first made in, when it carried over to a later one.
    package var carriedFrom: Int?
    /// The post this one was merged into, while it is `merged`.
    package var mergedInto: String?

    /// Whether the post was erased (retention or a privacy request): nobody sees it.
    package var isErased: Bool { author.id.isEmpty }

    package var score: Int { up - down }

    package init(
        id: String, cycle: Int, text: String, author: Actor, anonymous: Bool, office: String,
        createdAt: Int64, up: Int = 0, down: Int = 0, comments: Int = 0,
        status: PostStatus = .open, note: String? = nil, key: String? = nil
    ) {
        self.id = id
        self.cycle = cycle
        self.text = text
        self.author = author
        self.anonymous = anonymous
        self.office = office
        self.createdAt = createdAt
        self.up = up
        self.down = down
        self.comments = comments
        self.status = status
        self.note = note
        self.key = key
    }
}
