import TownhallCore

/// One poll as the export shows it: the question, each option's count, how many took
/// part. Never who chose what.
package struct ReportPoll: Codable, Sendable, Equatable {
    package struct Option: Codable, Sendable, Equatable {
        package var text: String
        package var votes: Int
    }

    package var id: String
    package var question: String
    package var options: [Option]
    package var multi: Bool
    package var state: String
    package var voters: Int
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64
    package var closedAt: Int64?

    package init(_ poll: Poll) {
        id = poll.id
        question = poll.question
        options = zip(poll.options, poll.votes).map { Option(text: $0, votes: $1) }
        multi = poll.multi
        state = poll.state.rawValue
        voters = poll.voters
        createdAt = poll.createdAt
        closedAt = poll.closedAt
    }

    private enum CodingKeys: String, CodingKey { case id, question, options, multi, state, voters, createdAt, closedAt }

    /// By hand so `closedAt` is `null` while open: every poll has the same keys.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(question, forKey: .question)
        try c.encode(options, forKey: .options)
        try c.encode(multi, forKey: .multi)
        try c.encode(state, forKey: .state)
        try c.encode(voters, forKey: .voters)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(closedAt, forKey: .closedAt)
    }
}
