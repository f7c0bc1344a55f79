/// The `cycle` command.
extension Townhall {
    /// Ends the current cycle and opens the next at `at`. Old posts stay retrievable and
    /// commentable but leave the rankings, and voting on them closes.
    mutating func closeCycle(by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "close the cycle")
        cycle = Cycle(id: cycle.id + 1, startedAt: at)
        rankings.removeAll()
        ownPosts.removeAll()
        ballots.removeAll()
        return Outcome(result: .cycle(cycle), changes: [.cycle])
    }
}
