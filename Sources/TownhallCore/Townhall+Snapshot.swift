/// Snapshots: the state as a plain value to write to disk, and back.
extension Townhall {
    /// What a snapshot keeps. The rankings, the retry-key table and each author's own
    /// posts are rebuilt from the posts on load; limits and review mode are
    /// configuration, given again when loading; review mode is journaled state.
    package struct Snapshot: Codable, Sendable, Equatable {
        package var cycle: Cycle
        package var stage: Stage
        /// Every post, "pN" at index N−1.
        package var posts: [Post]
        /// Every cycle so far, and the agenda's order.
        package var history: [Cycle]
        package var agenda: [String]
        /// User id → post id → their vote, all cycles.
        package var ballots: [String: [String: Ballot]]
        /// Comments on posts, per post id, oldest first.
        package var threads: [String: [Comment]]
        /// Live comments, oldest first.
        package var live: [Comment]
        package var commentCount: Int
        package var announcements: [Announcement]
        /// Announcements ever made (nil in snapshots written before it was kept: then
        /// the newest surviving id stands for it).
        package var announcementCount: Int?
        package var reviewPosts: Bool
        /// Polls, their answers and what merges moved (nil in snapshots written before
        /// polls and merging: there were none).
        package var polls: [Poll]?
        package var pollCount: Int?
        package var pollAnswers: [String: [String: [Int]]]?
        package var merges: [String: Merge]?
    }

    /// The state as a snapshot value. Cheap to take: the collections are copied on write.
    package var snapshot: Snapshot {
        Snapshot(
            cycle: cycle, stage: stage, posts: store, history: history, agenda: agenda,
            ballots: ballots.mapValues { votes in
                Dictionary(uniqueKeysWithValues: votes.map { (PostID.make($0.key), $0.value) })
            },
            threads: threads, live: live, commentCount: commentCount, announcements: bulletins,
            announcementCount: announcementCount, reviewPosts: reviewPosts,
            polls: polls, pollCount: pollCount, pollAnswers: pollAnswers, merges: merges
        )
    }

    /// Rebuilds a townhall from a snapshot, the rankings in one sort per ordering.
    package init(snapshot: Snapshot, limits: Limits = Limits()) {
        self.init(limits: limits, reviewPosts: snapshot.reviewPosts, startedAt: snapshot.cycle.startedAt)
        cycle = snapshot.cycle
        stage = snapshot.stage
        history = snapshot.history
        agenda = snapshot.agenda
        store = snapshot.posts
        threads = snapshot.threads
        live = snapshot.live
        commentCount = snapshot.commentCount
        bulletins = snapshot.announcements
        announcementCount = snapshot.announcementCount
            ?? bulletins.compactMap { Int($0.id.dropFirst()) }.max() ?? 0
        polls = snapshot.polls ?? []
        pollCount = snapshot.pollCount ?? polls.count
        pollAnswers = snapshot.pollAnswers ?? [:]
        merges = snapshot.merges ?? [:]
        var current: [(post: Post, number: Int)] = []
        for (index, post) in store.enumerated() {
            let number = index + 1
            if let key = post.key, !post.isErased { keyed[AuthorKey(author: post.author.id, key: key)] = number }
            if post.cycle == cycle.id {
                // Erased posts stay in the indexes (reads skip them), as they do live.
                current.append((post, number))
                if !post.isErased { ownPosts[post.author.id, default: []].append(number) }
            }
        }
        ballots = snapshot.ballots.mapValues { votes in
            Dictionary(uniqueKeysWithValues: votes.compactMap { id, ballot in PostID.number(of: id).map { ($0, ballot) } })
        }
        rankings = Rankings(posts: current, cycleStart: cycle.startedAt)
    }
}
