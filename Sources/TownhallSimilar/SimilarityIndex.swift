/// One suggestion: a post id and how similar it is to the query, in 0...1.
public struct Match: Sendable, Equatable {
    public let id: String
    public let similarity: Double

    public init(id: String, similarity: Double) {
        self.id = id
        self.similarity = similarity
    }
}

/// "Already asked": the cycle's posts, indexed so a new question finds its paraphrases
/// across languages. Cosine over TF-IDF-weighted concept, word and trigram features
/// (see `Analyzer`); document frequencies are kept up to date on every insert and remove,
/// and weights are computed at query time, so inserting costs only the text's own features.
/// A value type: all storage is arrays and dictionaries, copied on write.
public struct SimilarityIndex: Sendable {
    /// Chosen on bench/similar (docs/similar.md): the lowest threshold at which at most a
    /// quarter of unrelated questions get any suggestion, so paraphrase recall stays high.
    public static let defaultThreshold: Double = 0.4

    private let analyzer: Analyzer
    private var store = Store()

    public init(synonyms: [[String]] = SimilarityIndex.defaultSynonyms) {
        analyzer = synonyms == Self.defaultSynonyms ? Analyzer.shared : Analyzer(synonyms: synonyms)
    }

    public var count: Int { store.live }

    public func contains(_ id: String) -> Bool { store.slotByID[id] != nil }

    public mutating func insert(id: String, text: String) {
        if store.slotByID[id] != nil { remove(id: id) }
        store.add(id: id, features: analyzer.features(text))
    }

    public mutating func remove(id: String) {
        store.remove(id: id)
    }

    public func query(
        _ text: String, limit: Int = 5, threshold: Double = SimilarityIndex.defaultThreshold,
        allowed: (String) -> Bool = { _ in true }
    ) -> [Match] {
        guard limit > 0, store.live > 0 else { return [] }
        let features = analyzer.features(text)
        guard !features.isEmpty else { return [] }
        return store.search(features, limit: limit, threshold: threshold, allowed: allowed)
    }
}

/// The index proper. Slots are never reused: a removed document leaves a hole and stale
/// postings, skipped at query time and swept by `compact()` once holes outnumber documents,
/// so removal stays proportional to the document too (amortised).
private struct Store: Sendable {
    /// The posts IDF assumes besides the real ones (bench/similar: figures unchanged on
    /// 619 questions; with two posts, a paraphrase scores 0.29 without them, over 0.40 with).
    static let backgroundDocuments = 20.0

    struct Doc: Sendable {
        var id: String
        var features: [Int32]  // ascending
        var weights: [Float]   // before IDF
    }

    var keys: [String] = []            // feature id → key
    var featureByKey: [String: Int32] = [:]
    var df: [Int32] = []
    var postings: [[Int32]] = []       // concept and word features only: the candidate generators
    var docs: [Doc?] = []
    var slotByID: [String: Int32] = [:]
    var live = 0
    var holes = 0

    mutating func add(id: String, features: [(key: String, weight: Float)]) {
        let slot = Int32(docs.count)
        var pairs: [(Int32, Float)] = []
        pairs.reserveCapacity(features.count)
        for (key, weight) in features {
            let f: Int32
            if let known = featureByKey[key] {
                f = known
            } else {
                f = Int32(keys.count)
                featureByKey[key] = f
                keys.append(key)
                df.append(0)
                postings.append([])
            }
            df[Int(f)] += 1
            if Analyzer.kind(of: key) != .gram { postings[Int(f)].append(slot) }
            pairs.append((f, weight))
        }
        pairs.sort { $0.0 < $1.0 }
        docs.append(Doc(id: id, features: pairs.map(\.0), weights: pairs.map(\.1)))
        slotByID[id] = slot
        live += 1
    }

    mutating func remove(id: String) {
        guard let slot = slotByID.removeValue(forKey: id), let doc = docs[Int(slot)] else { return }
        for f in doc.features { df[Int(f)] -= 1 }
        docs[Int(slot)] = nil
        live -= 1
        holes += 1
        if holes > 64 && holes > live { compact() }
    }

    /// Renumbers documents and features, dropping holes, unused features and stale postings.
    mutating func compact() {
        var newID = [Int32](repeating: -1, count: keys.count)
        var newKeys: [String] = [], newDF: [Int32] = []
        for (f, key) in keys.enumerated() where df[f] > 0 {
            newID[f] = Int32(newKeys.count)
            newKeys.append(key)
            newDF.append(df[f])
        }
        var newPostings = [[Int32]](repeating: [], count: newKeys.count)
        var newDocs: [Doc?] = []
        var newSlots: [String: Int32] = [:]
        for case let doc? in docs {
            let slot = Int32(newDocs.count)
            var pairs = zip(doc.features, doc.weights).map { (newID[Int($0.0)], $0.1) }
            pairs.sort { $0.0 < $1.0 }
            for (f, _) in pairs where Analyzer.kind(of: newKeys[Int(f)]) != .gram { newPostings[Int(f)].append(slot) }
            newDocs.append(Doc(id: doc.id, features: pairs.map(\.0), weights: pairs.map(\.1)))
            newSlots[doc.id] = slot
        }
        keys = newKeys; df = newDF; postings = newPostings; docs = newDocs; slotByID = newSlots
        featureByKey = Dictionary(uniqueKeysWithValues: newKeys.enumerated().map { ($1, Int32($0)) })
        holes = 0
    }

    func search(
        _ features: [(key: String, weight: Float)], limit: Int, threshold: Double, allowed: (String) -> Bool
    ) -> [Match] {
        // IDF of the current index, smoothed so that a feature in every document weighs
        // least and one in no document (only in the query) weighs most. The index counts
        // as holding `backgroundDocuments` more posts that share nothing: in a week's first
        // few posts a word in all of them is not yet a word in every question.
        let n = Double(live) + Store.backgroundDocuments
        var cache = [Float](repeating: -1, count: 256)
        func idf(_ d: Int32) -> Float {
            let i = Int(d)
            if i < cache.count, cache[i] >= 0 { return cache[i] }
            // The square root flattens IDF so a rare topic word alone does not outweigh the
            // question's other words (bench, first held-out round: P@1 0.35 with plain IDF, 0.50 with the root).
            let value = Float(naturalLog((n + 1) / (Double(d) + 0.5)).squareRoot())
            if i < cache.count { cache[i] = value }
            return value
        }
        var qFeatures: [Int32] = [], qWeights: [Float] = []
        var qNorm2: Float = 0
        var candidates = Set<Int32>()
        for (key, base) in features {
            guard let f = featureByKey[key], df[Int(f)] > 0 else {
                let w = base * idf(0); qNorm2 += w * w
                continue
            }
            let w = base * idf(df[Int(f)])
            qNorm2 += w * w
            qFeatures.append(f); qWeights.append(w)
            if Analyzer.kind(of: key) != .gram { candidates.formUnion(postings[Int(f)]) }
        }
        guard qNorm2 > 0, !candidates.isEmpty else { return [] }
        let order = qFeatures.indices.sorted { qFeatures[$0] < qFeatures[$1] }
        qFeatures = order.map { qFeatures[$0] }; qWeights = order.map { qWeights[$0] }

        var scored: [(slot: Int32, similarity: Double)] = []
        for slot in candidates {
            guard let doc = docs[Int(slot)] else { continue }
            var dot: Float = 0, dNorm2: Float = 0
            var q = 0
            for (k, f) in doc.features.enumerated() {
                let w = doc.weights[k] * idf(df[Int(f)])
                dNorm2 += w * w
                while q < qFeatures.count && qFeatures[q] < f { q += 1 }
                if q < qFeatures.count && qFeatures[q] == f { dot += w * qWeights[q] }
            }
            guard dot > 0, dNorm2 > 0 else { continue }
            let similarity = min(1, max(0, Double(dot / (qNorm2 * dNorm2).squareRoot())))
            if similarity >= threshold { scored.append((slot, similarity)) }
        }
        scored.sort { a, b in
            a.similarity != b.similarity ? a.similarity > b.similarity : docs[Int(a.slot)]!.id < docs[Int(b.slot)]!.id
        }
        var out: [Match] = []
        for (slot, similarity) in scored {
            let id = docs[Int(slot)]!.id
            guard allowed(id) else { continue }
            out.append(Match(id: id, similarity: similarity))
            if out.count == limit { break }
        }
        return out
    }
}
