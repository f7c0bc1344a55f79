/// Where one post stands in one ordering, as a tuple compared field by field, ascending:
/// the front of an index is the top of its ranking. Every ordering's last field holds
/// the post's counter (signed for the direction), so two posts never share a key.
///
/// - top:  (0, −score, createdAt, +n): score desc, earlier first, then lower id.
/// - hot:  (−hot, 0, 0, −n): hot desc; exact ties put the newer id first.
/// - best: (−wilson, −score, createdAt, +n): Wilson bound desc, ties by `top`.
/// - new:  (0, −createdAt, 0, −n): newest first; ties put the higher id first.
package struct OrderingKey: Sendable, Comparable {
    /// The floating-point score (−hot or −wilson), or 0 where the ordering has none.
    package var primary: Double
    /// The first integer field: −score or −createdAt.
    package var secondary: Int64
    /// The second integer field: createdAt for the orderings that break ties earliest first.
    package var tertiary: Int64
    /// ± the post's counter: the final tie-break, which also makes keys unique.
    package var tiebreak: Int
    /// The post's counter, to find the post again; not part of the order.
    package var post: Int

    /// The key of `post` (the `number`th post) in `ordering` for a cycle that began at `cycleStart`.
    package init(_ ordering: Ordering, _ post: Post, number: Int, cycleStart: Int64) {
        let score = Int64(post.score)
        self.post = number
        switch ordering {
        case .top:
            (primary, secondary, tertiary, tiebreak) = (0, -score, post.createdAt, number)
        case .hot:
            let hot = RankMath.hot(score: post.score, createdAt: post.createdAt, cycleStart: cycleStart)
            (primary, secondary, tertiary, tiebreak) = (-hot, 0, 0, -number)
        case .best:
            let wilson = RankMath.wilson(up: post.up, down: post.down)
            (primary, secondary, tertiary, tiebreak) = (-wilson, -score, post.createdAt, number)
        case .new:
            (primary, secondary, tertiary, tiebreak) = (0, -post.createdAt, 0, -number)
        }
    }

    /// Lexicographic over the four ordering fields.
    package static func < (a: OrderingKey, b: OrderingKey) -> Bool {
        if a.primary != b.primary { return a.primary < b.primary }
        if a.secondary != b.secondary { return a.secondary < b.secondary }
        if a.tertiary != b.tertiary { return a.tertiary < b.tertiary }
        return a.tiebreak < b.tiebreak
    }

    /// Same place in the order (and therefore the same post, since the tie-break is unique).
    package static func == (a: OrderingKey, b: OrderingKey) -> Bool {
        a.primary == b.primary && a.secondary == b.secondary
            && a.tertiary == b.tertiary && a.tiebreak == b.tiebreak
    }
}

extension Post {
    /// Whether `a` comes before `b` in the `top` ordering (PROTOCOL.md §7), with the very
    /// key the live rankings use, for lists outside them (archives, reports).
    package static func topOrder(_ a: Post, _ b: Post) -> Bool {
        func key(_ post: Post) -> OrderingKey {
            OrderingKey(.top, post, number: PostID.number(of: post.id) ?? .max, cycleStart: 0)
        }
        return key(a) < key(b)
    }
}
