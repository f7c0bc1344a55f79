/// Retention and privacy requests: erasing content for good. An erased post keeps its
/// id (ids are positions) but loses its text, author and votes, and nobody sees it.
extension Townhall {
    /// The author an erased post is left with.
    static let nobody = Actor(id: "", name: "", office: "", role: .employee)

    /// Erases every cycle that ended at or before `cutoff`: its posts, their comments and
    /// votes, and the live comments and announcements made before the cutoff. `plan`, when
    /// given, is `purgePlan(before: cutoff)` of an earlier copy of this value: it spares
    /// the service thread the scan of every post and ballot. It stays right because
    /// nothing adds to what it names (ended cycles take no votes or posts); what was erased
    /// since is skipped.
    mutating func purge(before cutoff: Int64, by actor: Actor, plan: PurgePlan? = nil) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "apply retention")
        let plan = plan.flatMap { $0.cutoff == cutoff ? $0 : nil } ?? purgePlan(before: cutoff)
        var erased = Counts()
        var changes: [Change] = []
        for (user, numbers) in plan.votes {
            for number in numbers where ballots[user]?.removeValue(forKey: number) != nil {
                erased.votes += 1
            }
            if ballots[user]?.isEmpty == true { ballots[user] = nil }
        }
        for number in plan.posts where !store[number - 1].isErased {
            changes += erase(number: number, counts: &erased, votesRemoved: true)
        }
        // Each erased live comment and announcement is a change, so the purge is
        // journaled and announced even when no post was old enough.
        let oldLive = live.filter { $0.createdAt <= cutoff }
        live.removeAll { $0.createdAt <= cutoff }
        erased.comments += oldLive.count
        changes += oldLive.map { .commentRemoved($0.id) }
        changes += bulletins.filter { $0.createdAt <= cutoff }.map { .announcementRemoved($0.id) }
        bulletins.removeAll { $0.createdAt <= cutoff }
        // Polls belong to their week: they go with it, answers and all.
        let ended = endedCycles(before: cutoff)
        for poll in polls where ended.contains(poll.cycle) {
            pollAnswers[poll.id] = nil
            changes.append(.poll(poll.id))
        }
        polls.removeAll { ended.contains($0.cycle) }
        return Outcome(result: .erased(posts: erased.posts, comments: erased.comments, votes: erased.votes), changes: changes)
    }

    /// What `purge(before:)` will erase: one pass over the posts and one over the ballots,
    /// meant for a copy of the state off the service thread.
    package func purgePlan(before cutoff: Int64) -> PurgePlan {
        let ended = endedCycles(before: cutoff)
        var posts: [Int] = []
        for index in store.indices where ended.contains(store[index].cycle) && !store[index].isErased {
            posts.append(index + 1)
        }
        var votes: [String: [Int]] = [:]
        if !posts.isEmpty {
            for (user, ballot) in ballots {
                let theirs = ballot.keys.filter { ended.contains(store[$0 - 1].cycle) }
                if !theirs.isEmpty { votes[user] = theirs.sorted() }
            }
        }
        return PurgePlan(cutoff: cutoff, posts: posts, votes: votes)
    }

    /// The cycles that ended at or before `cutoff`: what retention erases.
    private func endedCycles(before cutoff: Int64) -> Set<Int> {
        var ended = Set<Int>()
        for (index, old) in history.enumerated().dropLast() where history[index + 1].startedAt <= cutoff {
            ended.insert(old.id)
        }
        return ended
    }

    /// Erases everything one person wrote or voted: posts (with the comments under
    /// them), comments elsewhere (counts follow), and votes (counts and ranks follow).
    mutating func forget(user: String, by actor: Actor) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "erase a person's content")
        guard !user.isEmpty else { throw CoreError(.badRequest, "name the user to forget") }
        var erased = Counts()
        var changes: [Change] = []
        for index in store.indices where store[index].author.id == user {
            changes += erase(number: index + 1, counts: &erased)
        }
        for (number, _) in ballots[user] ?? [:] {
            setBallot(nil, of: user, on: number)
            erased.votes += 1
            changes.append(.post(store[number - 1].id))
        }
        for (postID, comments) in threads {
            let theirs = comments.filter { $0.author.id == user }
            guard !theirs.isEmpty, let number = number(of: postID) else { continue }
            threads[postID] = comments.filter { $0.author.id != user }
            store[number - 1].comments -= theirs.count
            erased.comments += theirs.count
            changes += theirs.map { .commentRemoved($0.id) } + [.post(postID)]
        }
        for comment in live where comment.author.id == user {
            changes.append(.commentRemoved(comment.id))
            erased.comments += 1
        }
        live.removeAll { $0.author.id == user }
        for index in polls.indices {
            guard let choices = pollAnswers[polls[index].id]?.removeValue(forKey: user) else { continue }
            for choice in choices { polls[index].votes[choice] -= 1 }
            polls[index].voters -= 1
            changes.append(.poll(polls[index].id))
        }
        ownPosts[user] = nil
        return Outcome(result: .erased(posts: erased.posts, comments: erased.comments, votes: erased.votes), changes: changes)
    }

    struct Counts {
        var posts = 0, comments = 0, votes = 0
    }


    /// Erases one post: its text, author, retry key, votes and comments. `votesRemoved`:
    /// the caller already took its ballots away (a purge does that for all posts in one
    /// pass instead of a scan of every user per post).
    private mutating func erase(number: Int, counts: inout Counts, votesRemoved: Bool = false) -> [Change] {
        let wasPublic = !store[number - 1].status.isHiddenFromEmployees
        if !votesRemoved {
            for (user, votes) in ballots where votes[number] != nil {
                setBallot(nil, of: user, on: number)
                counts.votes += 1
            }
        }
        var post = store[number - 1]
        post.up = 0
        post.down = 0
        if let key = post.key { keyed[AuthorKey(author: post.author.id, key: key)] = nil }
        let comments = threads.removeValue(forKey: post.id) ?? []
        counts.comments += comments.count
        counts.posts += 1
        post.text = ""
        post.author = Self.nobody
        post.office = ""
        post.key = nil
        post.note = nil
        post.answer = nil
        post.support = [:]
        post.comments = 0
        post.anonymous = true
        post.status = .hidden
        post.mergedInto = nil
        store[number - 1] = post
        merges[post.id] = nil
        agenda.removeAll { $0 == post.id }
        if stage.onAir == post.id { stage.onAir = nil }
        return [.post(post.id), .erased(post.id)] + (wasPublic ? [.withdrawn(post.id)] : []) + comments.map { .commentRemoved($0.id) }
    }
}
