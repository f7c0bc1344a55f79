/// The `agenda` command, and keeping the agenda in step with statuses.
extension Townhall {
    /// Puts `ids` (shortlisted or on-air posts of this cycle) first, in this order; the
    /// rest of the agenda follows in its old order.
    mutating func setAgenda(_ ids: [String], by actor: Actor) throws(CoreError) -> Outcome {
        try require(actor, in: [.moderator, .host], to: "order the agenda")
        guard Set(ids).count == ids.count else { throw CoreError(.badRequest, "the agenda names a post twice") }
        for id in ids {
            guard let number = number(of: id), !store[number - 1].isErased else { throw CoreError(.notFound, "no such post: \(id)") }
            let post = store[number - 1]
            guard post.cycle == cycle.id, post.status == .shortlisted || post.status == .onair else {
                throw CoreError(.conflict, "only this week's shortlisted posts can be on the agenda (\(id) is \(post.status.rawValue))")
            }
        }
        let ordered = ids + agenda.filter { !ids.contains($0) }
        guard ordered != agenda else { return Outcome(result: .done, changes: []) }
        agenda = ordered
        return Outcome(result: .done, changes: [.agenda])
    }

    /// Shortlisting adds a post to the end of the agenda; leaving the shortlist (other
    /// than going on air) takes it off. True when the agenda changed.
    mutating func syncAgenda(_ post: Post) -> Bool {
        let listed = agenda.contains(post.id)
        switch post.status {
        case .shortlisted where !listed:
            agenda.append(post.id)
            return true
        case .shortlisted, .onair:
            return false
        default:
            guard listed else { return false }
            agenda.removeAll { $0 == post.id }
            return true
        }
    }
}
