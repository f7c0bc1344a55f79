/// The `vote` command.
extension Townhall {
    /// Sets `actor`'s vote on a post to `value` (1, −1, or 0 to take it back); never adds.
    mutating func vote(post id: String, value: Int, by actor: Actor) throws(CoreError) -> Outcome {
        guard (-1...1).contains(value) else {
            throw CoreError(.badRequest, "vote must be 1, -1 or 0")
        }
        let number = try visibleNumber(id, to: actor)
        let post = store[number - 1]
        guard post.cycle == cycle.id else {
            throw CoreError(.conflict, "voting on this post has closed")
        }
        guard !post.status.isHiddenFromEmployees else {
            throw CoreError(.conflict, "this post cannot be voted on while it is \(post.status.rawValue)")
        }
        let previous = ballots[actor.id]?[number]
        if (previous?.value ?? 0) == value {
            return Outcome(result: .vote(post: post, value: value), changes: [])
        }
        let office = previous?.office ?? actor.office
        setBallot(value == 0 ? nil : Ballot(value: value, office: office), of: actor.id, on: number)
        return Outcome(result: .vote(post: store[number - 1], value: value), changes: [.counts(id)])
    }

    /// Replaces one user's ballot on a post, keeping its counts, office tallies and
    /// rank in step. Shared by voting and by erasing a person's votes.
    mutating func setBallot(_ ballot: Ballot?, of user: String, on number: Int) {
        var post = store[number - 1]
        if let old = ballots[user]?[number] {
            if old.value == 1 { post.up -= 1 } else { post.down -= 1 }
            post.support[old.office, default: Support()].adjust(old.value, by: -1)
            if post.support[old.office]?.voters == 0 { post.support[old.office] = nil }
        }
        if let ballot {
            if ballot.value == 1 { post.up += 1 } else { post.down += 1 }
            post.support[ballot.office, default: Support()].adjust(ballot.value, by: 1)
        }
        store[number - 1] = post
        ballots[user, default: [:]][number] = ballot
        if ballots[user]?.isEmpty == true { ballots[user] = nil }
        if post.cycle == cycle.id { rankings.update(post, number: number, cycleStart: cycle.startedAt) }
    }
}

extension Support {
    /// Counts a vote of `value` (1 or −1) in or out.
    mutating func adjust(_ value: Int, by delta: Int) {
        if value == 1 { up += delta } else { down += delta }
    }
}
