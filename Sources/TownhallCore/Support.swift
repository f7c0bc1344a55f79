/// Up and down votes from one office: each voter counts once, so `up + down` is the
/// number of distinct voters from that office.
package struct Support: Codable, Sendable, Equatable {
    package var up = 0
    package var down = 0

    package init(up: Int = 0, down: Int = 0) {
        self.up = up
        self.down = down
    }

    package var voters: Int { up + down }
}

/// The written follow-up to an answered post: what was said, who owns the next step.
package struct Answer: Codable, Sendable, Equatable {
    package var text: String
    /// Who follows up, e.g. "HR will report back by 12 Dec".
    package var owner: String?
    /// Milliseconds since the Unix epoch.
    package var at: Int64

    package init(text: String, owner: String?, at: Int64) {
        self.text = text
        self.owner = owner
        self.at = at
    }
}

/// One user's vote on one post, and the office it counts for (the voter's office at
/// their first vote on it), so taking it back undoes the right tally.
package struct Ballot: Codable, Sendable, Equatable {
    package var value: Int
    package var office: String

    package init(value: Int, office: String) {
        self.value = value
        self.office = office
    }
}
