/// Snapshots: the state as a plain value to write to disk, and back.
extension Townhall {
    /// What a snapshot keeps. The rankings, the retry-key table and each author's own
    /// posts are rebuilt from the posts on load; limits and review mode are
    /// configuration, given again when loading.
    package struct Snapshot: Codable, Sendable, Equatable {
        package var cycle: Cycle
        package var stage: Stage
        /// Every post, "pN" at index N−1.
        package var posts: [Post]
        /// User id → post id → non-zero vote, current cycle only.
        package var ballots: [String: [String: Int]]
        /// Comments on posts, per post id, oldest first.
        package var threads: [String: [Comment]]
        /// Live comments, oldest first.
        package var live: [Comment]
        package var commentCount: Int
        package var announcements: [Announcement]
    }

    /// The state as a snapshot value. Cheap to take: the collections are copied on write.
    package var snapshot: Snapshot {
        Snapshot(
            cycle: cycle, stage: stage, posts: store,
            ballots: ballots.mapValues { votes in
                Dictionary(uniqueKeysWithValues: votes.map { (PostID.make($0.key), $0.value) })
            },
            threads: threads, live: live, commentCount: commentCount, announcements: bulletins
        )
    }

    /// Rebuilds a townhall from a snapshot, the rankings in one sort per ordering.
    package init(snapshot: Snapshot, limits: Limits = Limits(), reviewPosts: Bool = false) {
        self.init(limits: limits, reviewPosts: reviewPosts, startedAt: snapshot.cycle.startedAt)
        cycle = snapshot.cycle
        stage = snapshot.stage
        store = snapshot.posts
        threads = snapshot.threads
        live = snapshot.live
        commentCount = snapshot.commentCount
        bulletins = snapshot.announcements
        var current: [(post: Post, number: Int)] = []
        for (index, post) in store.enumerated() {
            let number = index + 1
            if let key = post.key { keyed[AuthorKey(author: post.author.id, key: key)] = number }
            if post.cycle == cycle.id {
                ownPosts[post.author.id, default: []].append(number)
                current.append((post, number))
            }
        }
        ballots = snapshot.ballots.mapValues { votes in
            Dictionary(uniqueKeysWithValues: votes.compactMap { id, value in PostID.number(of: id).map { ($0, value) } })
        }
        rankings = Rankings(posts: current, cycleStart: cycle.startedAt)
    }
}
