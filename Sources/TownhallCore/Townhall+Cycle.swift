/// The `cycle` command.
extension Townhall {
    /// Ends the current cycle and opens the next at `at`. Old posts stay retrievable and
    /// commentable but leave the rankings, and voting on them closes, except shortlisted
    /// ones not yet answered, which carry over with their votes when `carryOver` is set.
    mutating func closeCycle(carryOver: Bool, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "close the cycle")
        let old = cycle.id
        cycle = Cycle(id: old + 1, startedAt: at)
        history.append(cycle)
        var changes: [Change] = closeOpenPoll(at: at) + [.cycle]
        var carried: [(post: Post, number: Int)] = []
        ownPosts.removeAll()
        if carryOver {
            for (index, post) in store.enumerated() where post.cycle == old && post.status == .shortlisted {
                store[index].cycle = cycle.id
                store[index].carriedFrom = post.carriedFrom ?? old
                carried.append((store[index], index + 1))
                ownPosts[post.author.id, default: []].append(index + 1)
                changes.append(.post(post.id))
            }
        }
        rankings = Rankings(posts: carried, cycleStart: cycle.startedAt)
        let kept = Set(carried.map(\.post.id))
        let agendaBefore = agenda
        agenda = agenda.filter(kept.contains)
        if agenda != agendaBefore { changes.append(.agenda) }
        return Outcome(result: .cycle(cycle), changes: changes)
    }
}
