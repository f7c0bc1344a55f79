/// One ordering's posts kept sorted by `OrderingKey`, so a vote costs a binary search and
/// one move instead of a full re-sort, and reading the top `n` is a walk from the front.
package struct RankIndex: Sendable, Equatable {
    /// Keys in ranking order, best first.
    package private(set) var entries: [OrderingKey] = []
    /// Each indexed post's current key, so it can be found and removed exactly.
    private var current: [Int: OrderingKey] = [:]

    /// An empty index.
    package init() {}

    /// An index over `keys` at once: one sort instead of one insertion each.
    package init(keys: [OrderingKey]) {
        entries = keys.sorted()
        current = Dictionary(uniqueKeysWithValues: keys.map { ($0.post, $0) })
    }

    /// Number of posts in the index.
    package var count: Int { entries.count }

    /// Puts `key.post` at `key`'s place, moving it from its old place if it was indexed.
    package mutating func upsert(_ key: OrderingKey) {
        if let old = current[key.post] {
            if old == key { return }
            let at = lowerBound(old)
            if at < entries.count, entries[at] == old { entries.remove(at: at) }
        }
        entries.insert(key, at: lowerBound(key))
        current[key.post] = key
    }

    /// Forgets every post (a new cycle starts with empty rankings).
    package mutating func removeAll() {
        entries.removeAll()
        current.removeAll()
    }

    /// The first position whose key is not before `key`.
    private func lowerBound(_ key: OrderingKey) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
