/// A live poll the host runs during the week or the meeting (PROTOCOL.md §9). Counts are
/// public as they come in; who chose what stays in the townhall's own store.
package struct Poll: Codable, Sendable, Equatable {
    package enum State: String, Codable, Sendable { case open, closed }

    package var id: String
    package var cycle: Int
    package var question: String
    package var options: [String]
    /// Answers per option, in the options' order.
    package var votes: [Int]
    package var multi: Bool
    package var state: State
    /// People whose answer is not empty.
    package var voters: Int
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64
    package var closedAt: Int64?

    package init(id: String, cycle: Int, question: String, options: [String], multi: Bool, createdAt: Int64) {
        self.id = id
        self.cycle = cycle
        self.question = question
        self.options = options
        self.votes = Array(repeating: 0, count: options.count)
        self.multi = multi
        self.state = .open
        self.voters = 0
        self.createdAt = createdAt
    }
}
