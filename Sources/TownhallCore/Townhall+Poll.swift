/// The `poll` and poll `answer` commands.
extension Townhall {
    /// Options a poll may have.
    package static let pollOptions = 2...10

    /// Opens a poll in the current cycle; an open one closes first (one at a time).
    mutating func openPoll(question: String, options: [String], multi: Bool, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "run polls")
        let cleanQuestion = try TextRules.clean(question, field: "poll question", limit: limits.pollQuestion)
        guard Self.pollOptions.contains(options.count) else {
            throw CoreError(.badRequest, "a poll needs from \(Self.pollOptions.lowerBound) to \(Self.pollOptions.upperBound) options")
        }
        var cleanOptions: [String] = []
        for option in options { cleanOptions.append(try TextRules.clean(option, field: "poll option", limit: limits.pollOption)) }
        var changes = closeOpenPoll(at: at)
        pollCount += 1
        let poll = Poll(id: "q\(pollCount)", cycle: cycle.id, question: cleanQuestion, options: cleanOptions, multi: multi, createdAt: at)
        polls.append(poll)
        changes.append(.poll(poll.id))
        return Outcome(result: .poll(poll), changes: changes)
    }

    /// Closes a poll; closing a closed one changes nothing.
    mutating func closePoll(_ id: String, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "run polls")
        guard let index = polls.firstIndex(where: { $0.id == id }) else { throw CoreError(.notFound, "no such poll") }
        guard polls[index].state == .open else { return Outcome(result: .poll(polls[index]), changes: []) }
        let changes = close(pollAt: index, at: at)
        return Outcome(result: .poll(polls[index]), changes: changes)
    }

    /// Sets the actor's choices on an open poll (a set; `[]` takes the answer back).
    mutating func answerPoll(_ id: String, choices: [Int], by actor: Actor) throws(CoreError) -> Outcome {
        guard let index = polls.firstIndex(where: { $0.id == id }) else { throw CoreError(.notFound, "no such poll") }
        var poll = polls[index]
        let chosen = choices.sorted()
        guard chosen.allSatisfy(poll.options.indices.contains) else {
            throw CoreError(.badRequest, "choices must be option indexes from 0 to \(poll.options.count - 1)")
        }
        guard Set(chosen).count == chosen.count else { throw CoreError(.badRequest, "choices must not repeat") }
        guard poll.multi || chosen.count <= 1 else { throw CoreError(.badRequest, "this poll takes one choice") }
        guard poll.state == .open else { throw CoreError(.conflict, "this poll is closed") }
        let previous = pollAnswers[id]?[actor.id] ?? []
        guard previous != chosen else { return Outcome(result: .pollAnswer(poll, choices: chosen), changes: []) }
        for choice in previous { poll.votes[choice] -= 1 }
        for choice in chosen { poll.votes[choice] += 1 }
        poll.voters += (chosen.isEmpty ? 0 : 1) - (previous.isEmpty ? 0 : 1)
        polls[index] = poll
        pollAnswers[id, default: [:]][actor.id] = chosen.isEmpty ? nil : chosen
        return Outcome(result: .pollAnswer(poll, choices: chosen), changes: [.poll(id)])
    }

    private mutating func close(pollAt index: Int, at: Int64) -> [Change] {
        polls[index].state = .closed
        polls[index].closedAt = at
        return [.poll(polls[index].id)]
    }

    /// Closes the open poll, if any (another opens, or the week ends).
    mutating func closeOpenPoll(at: Int64) -> [Change] {
        guard let open = polls.lastIndex(where: { $0.state == .open }) else { return [] }
        return close(pollAt: open, at: at)
    }

    /// The poll with this id.
    package func poll(_ id: String) -> Poll? { polls.first { $0.id == id } }

    /// Cycle `id`'s polls, newest first (an open one is the newest).
    package func polls(inCycle id: Int) -> [Poll] {
        polls.filter { $0.cycle == id }.reversed()
    }

    /// The user's non-empty answers on the current cycle's polls.
    package func answers(of userID: String) -> [String: [Int]] {
        var answers: [String: [Int]] = [:]
        for poll in polls where poll.cycle == cycle.id {
            if let choices = pollAnswers[poll.id]?[userID] { answers[poll.id] = choices }
        }
        return answers
    }
}
