/// Read-only views the relay builds `welcome`, `update` and `thread` replies from.
extension Townhall {
    /// The post with this id, from any cycle and in any status; the caller checks `canSee`.
    package func post(_ id: String) -> Post? {
        number(of: id).map { store[$0 - 1] }
    }

    /// Every post of cycle `id`, oldest first (for exports).
    package func posts(inCycle id: Int) -> [Post] {
        store.filter { $0.cycle == id }
    }

    /// For each ordering, the first `depth` current-cycle posts `audience` may see.
    package func ranks(for audience: Audience, depth: Int = 100) -> Ranks {
        rankings.ranks(depth: depth) { self.audience(audience, sees: store[$0 - 1]) }
    }

    /// The user's non-zero votes on current-cycle posts, by post id.
    package func votes(of userID: String) -> [String: Int] {
        var votes: [String: Int] = [:]
        for (number, value) in ballots[userID] ?? [:] { votes[PostID.make(number)] = value }
        return votes
    }

    /// The user's posts in the current cycle, oldest first, whatever their status.
    package func posts(by userID: String) -> [Post] {
        (ownPosts[userID] ?? []).map { store[$0 - 1] }
    }

    /// The comments on a post, oldest first.
    package func comments(on postID: String) -> [Comment] {
        threads[postID] ?? []
    }

    /// The latest `n` live comments, oldest first.
    package func liveComments(last n: Int) -> [Comment] {
        Array(live.suffix(max(n, 0)))
    }

    /// The latest `n` announcements, newest first.
    package func announcements(last n: Int) -> [Announcement] {
        Array(bulletins.suffix(max(n, 0)).reversed())
    }
}
