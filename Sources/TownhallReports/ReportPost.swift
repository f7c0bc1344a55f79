import TownhallCore

/// One post as the export shows it: its counts, where its support came from, the
/// written answer and the whole thread.
///
/// `author` is the only place a post's author could appear, and it is nil for anonymous
/// posts: PROTOCOL.md §6 says no export ever carries the author of an anonymous post.
package struct ReportPost: Codable, Sendable, Equatable {
    package var id: String
    package var text: String
    /// Nil when the post is anonymous.
    package var author: ReportAuthor?
    /// The author's office at posting time; public even for anonymous posts.
    package var office: String
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64
    package var status: PostStatus
    package var up: Int
    package var down: Int
    /// `up − down`, stored so readers of the JSON need not recompute it.
    package var score: Int
    /// `up + down`: each voter counts once.
    package var voters: Int
    /// Votes by the voters' offices.
    package var support: [String: OfficeSupport]
    package var answer: ReportAnswer?
    /// The cycle the post was first made in, when it carried over into this one.
    package var carriedFrom: Int?
    /// The post's comments, oldest first.
    package var comments: [ReportComment]

    package init(
        id: String, text: String, author: ReportAuthor?, office: String, createdAt: Int64,
        status: PostStatus, up: Int, down: Int, support: [String: OfficeSupport],
        answer: ReportAnswer?, carriedFrom: Int?, comments: [ReportComment]
    ) {
        self.id = id
        self.text = text
        self.author = author
        self.office = office
        self.createdAt = createdAt
        self.status = status
        self.up = up
        self.down = down
        self.score = up - down
        self.voters = up + down
        self.support = support
        self.answer = answer
        self.carriedFrom = carriedFrom
        self.comments = comments
    }

    /// The export's view of `post` with its `comments`. The author is dropped here, at
    /// the first step, when the post is anonymous, so no later step can leak it.
    package init(_ post: Post, comments: [Comment]) {
        self.init(
            id: post.id, text: post.text, author: post.anonymous ? nil : ReportAuthor(post.author),
            office: post.office, createdAt: post.createdAt, status: post.status,
            up: post.up, down: post.down, support: post.support.mapValues(OfficeSupport.init),
            answer: post.answer.map(ReportAnswer.init), carriedFrom: post.carriedFrom,
            comments: comments.map(ReportComment.init)
        )
    }

    private enum CodingKeys: String, CodingKey {
        case id, text, author, office, createdAt, status, up, down, score, voters, support, answer, carriedFrom, comments
    }

    /// Written by hand so `author`, `answer` and `carriedFrom` encode as `null` when
    /// absent: every post in an export has the same keys.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(text, forKey: .text)
        try container.encode(author, forKey: .author)
        try container.encode(office, forKey: .office)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(up, forKey: .up)
        try container.encode(down, forKey: .down)
        try container.encode(score, forKey: .score)
        try container.encode(voters, forKey: .voters)
        try container.encode(support, forKey: .support)
        try container.encode(answer, forKey: .answer)
        try container.encode(carriedFrom, forKey: .carriedFrom)
        try container.encode(comments, forKey: .comments)
    }
}

/// One office's votes on one post. Unlike the core's `Support` it carries `voters`
/// explicitly, so the JSON reads without arithmetic.
package struct OfficeSupport: Codable, Sendable, Equatable {
    package var up: Int
    package var down: Int
    /// `up + down`: distinct voters from the office.
    package var voters: Int

    package init(up: Int, down: Int) {
        self.up = up
        self.down = down
        self.voters = up + down
    }

    /// The export's view of a core tally.
    package init(_ support: Support) {
        self.init(up: support.up, down: support.down)
    }
}

/// The written follow-up to an answered post.
package struct ReportAnswer: Codable, Sendable, Equatable {
    package var text: String
    /// Who follows up; nil when nobody was named.
    package var owner: String?
    /// Milliseconds since the Unix epoch.
    package var at: Int64

    package init(text: String, owner: String?, at: Int64) {
        self.text = text
        self.owner = owner
        self.at = at
    }

    /// The export's view of a core answer.
    package init(_ answer: Answer) {
        self.init(text: answer.text, owner: answer.owner, at: answer.at)
    }

    private enum CodingKeys: String, CodingKey {
        case text, owner, at
    }

    /// Written by hand so a missing owner is `"owner": null`, like every other absent value.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(owner, forKey: .owner)
        try container.encode(at, forKey: .at)
    }
}
