/// The cycle's headline numbers, for the summary line and dashboards.
package struct ReportTotals: Codable, Sendable, Equatable {
    /// Posts of the cycle staff can see (erased ones are gone), whatever their status.
    package var posts: Int
    /// Ballots (non-zero votes) on the cycle's posts.
    package var votes: Int
    /// Distinct users who voted on at least one of the cycle's posts.
    package var voters: Int
    /// Comments on the cycle's posts (live comments are listed apart).
    package var comments: Int
    /// Posts whose status is `answered`.
    package var answered: Int

    package init(posts: Int, votes: Int, voters: Int, comments: Int, answered: Int) {
        self.posts = posts
        self.votes = votes
        self.voters = voters
        self.comments = comments
        self.answered = answered
    }
}

/// How much one office took part in the cycle, so leadership can see which offices a
/// question came from and which ones backed it.
package struct OfficeActivity: Codable, Sendable, Equatable {
    /// Posts made from this office (anonymous ones included: a post's office is public).
    package var posts: Int
    /// Distinct users whose ballots count for this office.
    package var voters: Int
    /// Ballots that count for this office.
    package var votes: Int
    /// Comments on the cycle's posts by people of this office.
    package var comments: Int

    package init(posts: Int = 0, voters: Int = 0, votes: Int = 0, comments: Int = 0) {
        self.posts = posts
        self.voters = voters
        self.votes = votes
        self.comments = comments
    }
}
