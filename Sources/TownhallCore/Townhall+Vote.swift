/// The `vote` command.
extension Townhall {
    /// Sets `actor`'s vote on a post to `value` (1, −1, or 0 to take it back); never adds.
    mutating func vote(post id: String, value: Int, by actor: Actor) throws(CoreError) -> Outcome {
        guard (-1...1).contains(value) else {
            throw CoreError(.badRequest, "vote must be 1, -1 or 0")
        }
        let number = try visibleNumber(id, to: actor)
        var post = store[number - 1]
        guard post.cycle == cycle.id else {
            throw CoreError(.conflict, "voting on this post has closed")
        }
        guard !post.status.isHiddenFromEmployees else {
            throw CoreError(.conflict, "this post cannot be voted on while it is \(post.status.rawValue)")
        }
        let previous = ballots[actor.id]?[number] ?? 0
        if previous == value {
            return Outcome(result: .vote(post: post, value: value), changes: [])
        }
        if previous == 1 { post.up -= 1 } else if previous == -1 { post.down -= 1 }
        if value == 1 { post.up += 1 } else if value == -1 { post.down += 1 }
        store[number - 1] = post
        ballots[actor.id, default: [:]][number] = value == 0 ? nil : value
        if ballots[actor.id]?.isEmpty == true { ballots[actor.id] = nil }
        rankings.update(post, number: number, cycleStart: cycle.startedAt)
        return Outcome(result: .vote(post: post, value: value), changes: [.post(id)])
    }
}
