/// The quality protocol (docs/similar.md), computed from one ranked list per query so that
/// every threshold can be read off the same run.
struct Quality {
    let items: [Dataset.Item]
    let groupSize: [String: Int]
    /// Per item: its top 5 with similarities, threshold 0.
    let ranked: [[(item: Int, similarity: Double)]]

    init<R: Ranker>(items: [Dataset.Item], ranker: inout R) {
        self.items = items
        var size: [String: Int] = [:]
        for item in items { if let g = item.group { size[g, default: 0] += 1 } }
        groupSize = size
        ranked = items.indices.map { ranker.rank($0, limit: 5) }
    }

    struct Figures {
        var precisionAt1 = 0.0, recallAt3 = 0.0, queries = 0
        var falseTop3 = 0.0, falseTop1 = 0.0, negativesAny = 0.0, negatives = 0
        var standaloneAny = 0.0, standalones = 0
    }

    /// Figures at `threshold`; `split` restricts the group queries to that split's groups.
    func figures(threshold: Double, split: String? = nil) -> Figures {
        var f = Figures()
        for (q, item) in items.enumerated() {
            let list = ranked[q].filter { $0.similarity >= threshold }
            if let g = item.group {
                guard split == nil || item.split == split else { continue }
                f.queries += 1
                if let first = list.first, items[first.item].group == g { f.precisionAt1 += 1 }
                let found = list.prefix(3).filter { items[$0.item].group == g }.count
                f.recallAt3 += Double(found) / Double(min(3, groupSize[g]! - 1))
            } else if let near = item.near {
                f.negatives += 1
                if list.prefix(3).contains(where: { items[$0.item].group == near }) { f.falseTop3 += 1 }
                if let first = list.first, items[first.item].group == near { f.falseTop1 += 1 }
                if !list.isEmpty { f.negativesAny += 1 }
            } else {
                f.standalones += 1
                if !list.isEmpty { f.standaloneAny += 1 }
            }
        }
        if f.queries > 0 { f.precisionAt1 /= Double(f.queries); f.recallAt3 /= Double(f.queries) }
        if f.negatives > 0 { f.falseTop3 /= Double(f.negatives); f.falseTop1 /= Double(f.negatives); f.negativesAny /= Double(f.negatives) }
        if f.standalones > 0 { f.standaloneAny /= Double(f.standalones) }
        return f
    }

    /// precision@1 over the group queries that `include` accepts (by item index).
    func precisionAt1(threshold: Double, where include: (Int) -> Bool) -> (value: Double, queries: Int) {
        var hits = 0, n = 0
        for (q, item) in items.enumerated() where item.group != nil && include(q) {
            n += 1
            if let first = ranked[q].first(where: { $0.similarity >= threshold }), items[first.item].group == item.group { hits += 1 }
        }
        return (n > 0 ? Double(hits) / Double(n) : 0, n)
    }

    /// Group queries whose best suggestion at `threshold` is wrong or missing.
    func misses(threshold: Double) -> [String] {
        items.indices.compactMap { q -> String? in
            guard let g = items[q].group else { return nil }
            let list = ranked[q].filter { $0.similarity >= threshold }
            if let first = list.first, items[first.item].group == g { return nil }
            let got = list.first.map { "\(items[$0.item].id) \(fmt($0.similarity)) \"\(items[$0.item].text)\"" } ?? "nothing"
            let right = ranked[q].first { items[$0.item].group == g }.map { " (best right one \(fmt($0.similarity)))" } ?? ""
            return "  \(items[q].id) \"\(items[q].text)\"\n      → \(got)\(right)"
        }
    }

    /// Negatives whose top 3 at `threshold` hold their near group.
    func falseSuggestions(threshold: Double) -> [String] {
        items.indices.compactMap { q -> String? in
            guard let near = items[q].near else { return nil }
            let list = ranked[q].filter { $0.similarity >= threshold }.prefix(3)
            guard let hit = list.first(where: { items[$0.item].group == near }) else { return nil }
            return "  \(items[q].id) \"\(items[q].text)\"\n      → \(items[hit.item].id) \(fmt(hit.similarity)) \"\(items[hit.item].text)\""
        }
    }
}

func fmt(_ x: Double, _ digits: Int = 2) -> String {
    let scale = [1.0, 10, 100, 1000, 10000][digits]
    let r = (x * scale).rounded() / scale
    var s = "\(r)"
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 { s += "." + String(repeating: "0", count: digits) }
    return s
}
