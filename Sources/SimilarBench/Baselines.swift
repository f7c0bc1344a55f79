import Foundation
import TownhallSimilar

/// Anything the quality protocol can rank with: leave-one-out over the dataset's items.
protocol Ranker {
    var name: String { get }
    /// Best first, up to `limit`, for item `query`, over all items except it.
    mutating func rank(_ query: Int, limit: Int) -> [(item: Int, similarity: Double)]
}

/// The method: the real SimilarityIndex, with the query's own document removed and put back.
struct IndexRanker: Ranker {
    let name = "concepts+stems+trigrams (TownhallSimilar)"
    var index = SimilarityIndex()
    let items: [Dataset.Item]
    let position: [String: Int]

    init(items: [Dataset.Item]) {
        self.items = items
        position = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.id, $0) })
        for item in items { index.insert(id: item.id, text: item.text) }
    }

    mutating func rank(_ query: Int, limit: Int) -> [(item: Int, similarity: Double)] {
        let item = items[query]
        index.remove(id: item.id)
        defer { index.insert(id: item.id, text: item.text) }
        return index.query(item.text, limit: limit, threshold: 0).map { (position[$0.id]!, $0.similarity) }
    }
}

/// Sparse vectors by brute force: the baselines are small and only need to be right.
private func cosine(_ a: [String: Double], _ b: [String: Double]) -> Double {
    var dot = 0.0
    let (small, large) = a.count < b.count ? (a, b) : (b, a)
    for (k, v) in small { if let w = large[k] { dot += v * w } }
    let na = a.values.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = b.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return na > 0 && nb > 0 ? dot / (na * nb) : 0
}

private func top(_ scores: [(Int, Double)], _ limit: Int) -> [(item: Int, similarity: Double)] {
    scores.filter { $0.1 > 0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit).map { ($0.0, $0.1) }
}

/// Baseline 1: cosine of raw character-trigram counts of the lower-cased text.
struct TrigramRanker: Ranker {
    let name = "plain character-trigram cosine"
    let vectors: [[String: Double]]

    init(items: [Dataset.Item]) {
        vectors = items.map { item in
            let chars = Array(" " + item.text.lowercased() + " ")
            var v: [String: Double] = [:]
            if chars.count >= 3 { for i in 0...(chars.count - 3) { v[String(chars[i..<(i + 3)]), default: 0] += 1 } }
            return v
        }
    }

    mutating func rank(_ query: Int, limit: Int) -> [(item: Int, similarity: Double)] {
        top(vectors.indices.filter { $0 != query }.map { ($0, cosine(vectors[query], vectors[$0])) }, limit)
    }
}

/// Baseline 2: word TF-IDF cosine, (1 + ln tf) · ln((N + 1) / (df + 1)) + 1, no stop words
/// or stemming; the query's own document is left out of N and df.
struct WordTFIDFRanker: Ranker {
    let name = "plain word TF-IDF cosine"
    let terms: [[String: Double]]
    var df: [String: Double] = [:]

    init(items: [Dataset.Item]) {
        terms = items.map { item in
            var tf: [String: Double] = [:]
            for w in item.text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) { tf[String(w), default: 0] += 1 }
            return tf
        }
        for t in terms { for k in t.keys { df[k, default: 0] += 1 } }
    }

    private func vector(_ i: Int, excluding q: Int) -> [String: Double] {
        let n = Double(terms.count - 1)
        var v: [String: Double] = [:]
        for (k, tf) in terms[i] {
            let d = (df[k] ?? 0) - (terms[q][k] != nil ? 1 : 0)
            v[k] = (1 + log(tf)) * (log((n + 1) / (d + 1)) + 1)
        }
        return v
    }

    mutating func rank(_ query: Int, limit: Int) -> [(item: Int, similarity: Double)] {
        let qv = vector(query, excluding: query)
        return top(terms.indices.filter { $0 != query }.map { ($0, cosine(qv, vector($0, excluding: query))) }, limit)
    }
}
