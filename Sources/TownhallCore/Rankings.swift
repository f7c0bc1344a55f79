/// The four orderings' indexes over the current cycle's posts, updated together.
package struct Rankings: Sendable, Equatable {
    private var indexes = [RankIndex](repeating: RankIndex(), count: Ordering.allCases.count)

    /// Empty rankings.
    package init() {}

    /// Rankings over `posts` (each with its counter), built with one sort per ordering.
    package init(posts: [(post: Post, number: Int)], cycleStart: Int64) {
        for ordering in Ordering.allCases {
            indexes[Self.slot(ordering)] = RankIndex(keys: posts.map { OrderingKey(ordering, $0.post, number: $0.number, cycleStart: cycleStart) })
        }
    }

    /// The index behind one ordering.
    package subscript(ordering: Ordering) -> RankIndex {
        indexes[Self.slot(ordering)]
    }

    /// Re-keys `post` (the `number`th post) in every ordering after it was made or voted on.
    package mutating func update(_ post: Post, number: Int, cycleStart: Int64) {
        for ordering in Ordering.allCases {
            indexes[Self.slot(ordering)].upsert(OrderingKey(ordering, post, number: number, cycleStart: cycleStart))
        }
    }

    /// Empties every ordering, for a new cycle.
    package mutating func removeAll() {
        for slot in indexes.indices { indexes[slot].removeAll() }
    }

    /// The first `depth` posts of each ordering for which `include` holds.
    package func ranks(depth: Int, include: (Int) -> Bool) -> Ranks {
        var ranks = Ranks()
        guard depth > 0 else { return ranks }
        for ordering in Ordering.allCases {
            var ids: [String] = []
            ids.reserveCapacity(min(depth, indexes[Self.slot(ordering)].count))
            for key in indexes[Self.slot(ordering)].entries where include(key.post) {
                ids.append(PostID.make(key.post))
                if ids.count == depth { break }
            }
            ranks[ordering] = ids
        }
        return ranks
    }

    private static func slot(_ ordering: Ordering) -> Int {
        switch ordering {
        case .top: 0
        case .hot: 1
        case .best: 2
        case .new: 3
        }
    }
}
