/// What a merge moved, kept with the duplicate so `moderate … open` can split it again.
package struct Merge: Codable, Sendable, Equatable {
    package var into: String
    /// Voter → the ballot that moved to the target (they had not voted on it).
    package var moved: [String: Ballot]
    /// Voter → their ballot on the duplicate, dropped because they had voted on the target.
    package var dropped: [String: Ballot]
    /// The comments that moved, by id.
    package var comments: [String]
}

/// The `merge` command, and its undo.
extension Townhall {
    /// Folds the duplicate `id` into `target`: votes join (one per person: whoever voted
    /// on both keeps the target's vote), comments move, and the duplicate leaves the
    /// rankings as `merged`. Scans the ballots once, as erasing a post does.
    mutating func merge(_ id: String, into target: String, by actor: Actor) throws(CoreError) -> Outcome {
        try require(actor, in: [.moderator, .host], to: "merge posts")
        guard id != target else { throw CoreError(.badRequest, "a post cannot be merged into itself") }
        guard let number = self.number(of: id), !store[number - 1].isErased,
              let targetNumber = self.number(of: target), !store[targetNumber - 1].isErased
        else { throw CoreError(.notFound, "no such post") }
        let duplicate = store[number - 1]
        guard duplicate.status != .merged, store[targetNumber - 1].status != .merged else {
            throw CoreError(.conflict, "a merged post can neither be merged again nor take a merge")
        }
        guard duplicate.cycle == store[targetNumber - 1].cycle else { throw CoreError(.conflict, "posts of different weeks cannot be merged") }

        var record = Merge(into: target, moved: [:], dropped: [:], comments: [])
        for (user, votes) in ballots {
            guard let ballot = votes[number] else { continue }
            setBallot(nil, of: user, on: number)
            if votes[targetNumber] != nil {
                record.dropped[user] = ballot
            } else {
                setBallot(ballot, of: user, on: targetNumber)
                record.moved[user] = ballot
            }
        }
        let comments = threads.removeValue(forKey: id) ?? []
        record.comments = comments.map(\.id)
        threads[target, default: []] += comments.map { var moved = $0; moved.post = target; return moved }
        threads[target]?.sort { ($0.createdAt, Self.counter($0.id)) < ($1.createdAt, Self.counter($1.id)) }
        store[targetNumber - 1].comments += comments.count

        var post = store[number - 1]
        post.comments = 0
        post.status = .merged
        post.mergedInto = target
        store[number - 1] = post
        merges[id] = record
        var changes: [Change] = [.post(id), .post(target), .merged(id, into: target)]
        if !duplicate.status.isHiddenFromEmployees { changes.append(.withdrawn(id)) }
        if syncAgenda(post) { changes.append(.agenda) }
        if stage.onAir == id {
            stage.onAir = nil
            changes.append(.stage)
        }
        return Outcome(result: .post(store[targetNumber - 1]), changes: changes)
    }

    /// Splits a merged post off again: its comments return, and each moved vote returns
    /// unless its voter changed their vote on the target since; the status becomes `open`.
    mutating func unmerge(number: Int) -> [Change] {
        let id = store[number - 1].id
        guard let record = merges.removeValue(forKey: id), let targetNumber = self.number(of: record.into) else { return [] }
        for (user, ballot) in record.moved where ballots[user]?[targetNumber] == ballot {
            setBallot(nil, of: user, on: targetNumber)
            setBallot(ballot, of: user, on: number)
        }
        for (user, ballot) in record.dropped where ballots[user]?[number] == nil {
            setBallot(ballot, of: user, on: number)
        }
        let returning = Set(record.comments)
        let back = (threads[record.into] ?? []).filter { returning.contains($0.id) }
        if !back.isEmpty {
            threads[record.into]?.removeAll { returning.contains($0.id) }
            store[targetNumber - 1].comments -= back.count
            threads[id] = back.map { var comment = $0; comment.post = id; return comment }
        }
        store[number - 1].comments = back.count
        store[number - 1].status = .open
        store[number - 1].mergedInto = nil
        return [.post(id), .post(record.into), .merged(id, into: nil)]
    }

    /// A comment id's counter ("c12" → 12), so moved comments sort as they were made.
    private static func counter(_ id: String) -> Int { Int(id.dropFirst()) ?? 0 }
}
