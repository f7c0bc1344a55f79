/// Read-only views the relay builds `welcome`, `update` and `thread` replies from.
extension Townhall {
    /// The post with this id, from any cycle and in any status; the caller checks `canSee`.
    package func post(_ id: String) -> Post? {
        number(of: id).map { store[$0 - 1] }
    }

    /// Every post of cycle `id`, oldest first (for exports).
    package func posts(inCycle id: Int) -> [Post] {
        store.filter { $0.cycle == id && !$0.isErased }
    }

    /// Posts in the current cycle's rankings, in O(1) for `/metrics` (a post erased by a
    /// privacy request counts until the week ends, as it stays in the indexes).
    package var currentPostCount: Int { rankings[.top].count }

    /// For each ordering, the first `depth` current-cycle posts `audience` may see; merged
    /// posts are in no ranking.
    package func ranks(for audience: Audience, depth: Int = 100) -> Ranks {
        rankings.ranks(depth: depth) { store[$0 - 1].status != .merged && self.audience(audience, sees: store[$0 - 1]) }
    }

    /// The user's non-zero votes on current-cycle posts, by post id.
    package func votes(of userID: String) -> [String: Int] {
        var votes: [String: Int] = [:]
        for (number, ballot) in ballots[userID] ?? [:] where store[number - 1].cycle == cycle.id {
            votes[PostID.make(number)] = ballot.value
        }
        return votes
    }

    /// Every vote on cycle `id`'s posts: who, on which post, and the ballot.
    package func votes(inCycle id: Int) -> [(user: String, post: String, ballot: Ballot)] {
        ballots.flatMap { user, votes in
            votes.compactMap { number, ballot in
                store[number - 1].cycle == id ? (user, PostID.make(number), ballot) : nil
            }
        }
    }

    /// Cycle `id` and when it ended (nil while it is the current one), or nil if unknown.
    package func cycleInfo(_ id: Int) -> (cycle: Cycle, endedAt: Int64?)? {
        guard let index = history.firstIndex(where: { $0.id == id }) else { return nil }
        return (history[index], index + 1 < history.count ? history[index + 1].startedAt : nil)
    }

    /// Every live comment kept (oldest first), for exports.
    package var allLiveComments: [Comment] { live }

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
