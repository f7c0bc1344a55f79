/// The synonym groups compiled for matching: a folded text's tokens → concept ids.
///
/// Matching order per position, longest first: a phrase or word of the lexicon (articles and
/// prepositions between its words optional, plurals folded), then, for an unknown word, a
/// German/Dutch-style compound split into known parts ("Gehaltserhöhung" = salary +
/// increase), then a one-edit typo of a long lexicon word ("parkign"). What matches none of
/// these stays a plain word for the caller to stem.
struct ConceptLexicon: Sendable {
    /// One token of an entry: a folded word, `prefix` for `word*`; interior glue is optional.
    struct Pattern: Sendable, Hashable {
        var text: String
        var prefix: Bool
        var optional: Bool
    }

    struct Entry: Sendable {
        var patterns: [Pattern]
        var language: Language?
        var concepts: [Int32]
    }

    /// A lexicon match or a word left over, in text order.
    enum Piece: Equatable {
        case concepts([Int32])
        case word(String)
    }

    private(set) var entries: [Entry] = []
    private var byExactFirst: [String: [Int]] = [:]
    private var byPrefixFirst: [String: [Int]] = [:]
    private var prefixLengths: [Int] = []
    /// Deletion neighbourhood of long single-word entries: a typo and its word share a key.
    private var fuzzy: [String: [String]] = [:]
    let conceptCount: Int

    init(groups: [[String]]) {
        conceptCount = groups.count
        var index: [String: Int] = [:]  // entry signature → position in `entries`
        for (group, words) in groups.enumerated() {
            for raw in words {
                guard let (patterns, language) = Self.compile(raw) else { continue }
                let signature = "\(language?.rawValue ?? -1)|" + patterns.map { "\($0.text)\($0.prefix ? "*" : "")" }.joined(separator: " ")
                if let at = index[signature] {
                    if !entries[at].concepts.contains(Int32(group)) { entries[at].concepts.append(Int32(group)) }
                } else {
                    index[signature] = entries.count
                    entries.append(Entry(patterns: patterns, language: language, concepts: [Int32(group)]))
                }
            }
        }
        var lengths = Set<Int>()
        for (i, entry) in entries.enumerated() {
            let first = entry.patterns[0]
            if first.prefix {
                byPrefixFirst[first.text, default: []].append(i)
                lengths.insert(first.text.utf8.count)
            } else {
                byExactFirst[first.text, default: []].append(i)
            }
            if entry.patterns.count == 1, !first.prefix, entry.language == nil, first.text.utf8.count >= 6 {
                let word = first.text
                fuzzy[word, default: []].append(word)
                for d in Self.deletions(word) { fuzzy[d, default: []].append(word) }
            }
        }
        prefixLengths = lengths.sorted(by: >)
    }

    /// "xx:word word*" → patterns and the language tag; nil when nothing is left after folding.
    private static func compile(_ raw: String) -> ([Pattern], Language?)? {
        var text = Substring(raw)
        var language: Language?
        if let colon = text.firstIndex(of: ":"), text.distance(from: text.startIndex, to: colon) == 2,
           let tagged = Language.allCases.first(where: { "\($0)" == text[..<colon] }) {
            language = tagged
            text = text[text.index(after: colon)...]
        }
        var patterns: [Pattern] = []
        for word in text.split(separator: " ") {
            let isPrefix = word.hasSuffix("*")
            let tokens = Normalizer.fold(String(isPrefix ? word.dropLast() : word))
            for (i, token) in tokens.enumerated() {
                patterns.append(Pattern(text: token, prefix: isPrefix && i == tokens.count - 1, optional: false))
            }
        }
        guard !patterns.isEmpty else { return nil }
        for i in patterns.indices.dropFirst().dropLast() where !patterns[i].prefix && StopWords.glue.contains(patterns[i].text) {
            patterns[i].optional = true
        }
        return (patterns, language)
    }

    private static func deletions(_ word: String) -> [String] {
        let chars = Array(word)
        return chars.indices.map { i in var c = chars; c.remove(at: i); return String(c) }
    }

    /// The word with one plural or inflection ending removed, for matching entries written
    /// in the singular ("prices" → "price", "Gehälter" → "gehalt", "salaires" → "salaire").
    static func variants(_ token: String) -> [String] {
        var out: [String] = []
        let n = token.utf8.count
        for suffix in ["s", "es", "en", "n", "e", "er", "x"] where n - suffix.utf8.count >= 3 && token.hasSuffix(suffix) {
            out.append(String(token.dropLast(suffix.count)))
        }
        return out
    }

    private static func matches(_ p: Pattern, _ token: String) -> Bool {
        if p.prefix { return token.hasPrefix(p.text) }
        if token == p.text { return true }
        return variants(token).contains(p.text)
    }

    /// Entries whose first pattern accepts `token`.
    private func candidates(_ token: String, _ language: Language) -> [Int] {
        var out: [Int] = byExactFirst[token] ?? []
        for v in Self.variants(token) { if let e = byExactFirst[v] { out += e } }
        let n = token.utf8.count
        for length in prefixLengths where length <= n {
            if let e = byPrefixFirst[String(token.prefix(length))] { out += e }
        }
        return out.filter { entries[$0].language == nil || entries[$0].language == language }
    }

    /// Where `entry` ends if it matches at `start`.
    private func match(_ entry: Entry, _ tokens: [String], _ start: Int) -> Int? {
        var k = start, j = 0, skipped = 0
        let patterns = entry.patterns
        while j < patterns.count {
            if k < tokens.count, Self.matches(patterns[j], tokens[k]) { j += 1; k += 1; continue }
            if patterns[j].optional { j += 1; continue }
            if j > 0, k < tokens.count, skipped < 2, StopWords.glue.contains(tokens[k]) { k += 1; skipped += 1; continue }
            return nil
        }
        return k
    }

    /// Concepts of a single word on its own (exact, plural or prefix entry), or nil.
    func single(_ token: String, _ language: Language) -> [Int32]? {
        var best: [Int32]?
        var bestPrefix = -1
        for i in candidates(token, language) where entries[i].patterns.count == 1 {
            let p = entries[i].patterns[0]
            let strength = p.prefix ? p.text.utf8.count : Int.max  // an exact word beats any prefix
            if strength > bestPrefix { best = entries[i].concepts; bestPrefix = strength }
            else if strength == bestPrefix { best! += entries[i].concepts }
        }
        return best
    }

    /// Splits an unknown compound into known parts, with German/Dutch linking letters; for
    /// German and Dutch a known head with an unknown tail keeps the tail as a word.
    func decompose(_ token: String, _ language: Language, depth: Int = 3) -> (concepts: [Int32], rest: [String])? {
        if let c = single(token, language) { return (c, []) }
        let chars = Array(token)
        guard depth > 0, chars.count >= 7 else { return nil }
        var fallback: (concepts: [Int32], rest: [String])?
        for cut in stride(from: chars.count - 3, through: 4, by: -1) {
            let head = String(chars[..<cut])
            guard let hc = single(head, language) else { continue }
            let tail = String(chars[cut...])
            for link in ["", "s", "es", "n", "en"] where tail.hasPrefix(link) && tail.count - link.count >= 3 {
                let rest = String(tail.dropFirst(link.count))
                if let (tc, tr) = decompose(rest, language, depth: depth - 1) { return (hc + tc, tr) }
            }
            if fallback == nil, language == .de || language == .nl, tail.count >= 4 {
                fallback = (hc, [tail.hasPrefix("s") && tail.count >= 5 ? String(tail.dropFirst()) : tail])
            }
        }
        return fallback
    }

    /// A long lexicon word at one edit (insertion, deletion, substitution, swap) from `token`.
    func typo(_ token: String, _ language: Language) -> [Int32]? {
        guard token.utf8.count >= 6 else { return nil }
        var found: [String] = fuzzy[token] ?? []
        for d in Self.deletions(token) { found += fuzzy[d] ?? [] }
        guard let word = found.filter({ $0 != token }).min(by: { ($0.count, $0) < ($1.count, $1) }) else { return nil }
        return single(word, language)
    }

    /// The text's tokens as concepts and left-over words. Stop words that no entry claims are
    /// dropped here, so they never become features.
    func pieces(_ tokens: [String], _ language: Language, stop: Set<String>) -> [Piece] {
        var out: [Piece] = []
        var i = 0
        while i < tokens.count {
            var bestEnd = i, bestConcepts: [Int32] = [], bestSingle: Entry?
            for e in candidates(tokens[i], language) {
                guard let end = match(entries[e], tokens, i) else { continue }
                if end > bestEnd {
                    bestEnd = end; bestConcepts = entries[e].concepts
                    bestSingle = entries[e].patterns.count == 1 ? entries[e] : nil
                } else if end == bestEnd {
                    for c in entries[e].concepts where !bestConcepts.contains(c) { bestConcepts.append(c) }
                }
            }
            if bestEnd > i {
                // A prefix entry swallowed a compound: "gehalts*" in "gehaltserhohung" leaves "erhohung".
                if let entry = bestSingle, entry.patterns[0].prefix {
                    let token = tokens[i]
                    let tail = String(token.dropFirst(entry.patterns[0].text.count))
                    if tail.count >= 4 {
                        for link in ["", "s", "es", "n", "en"] where tail.hasPrefix(link) && tail.count - link.count >= 3 {
                            if let (tc, _) = decompose(String(tail.dropFirst(link.count)), language, depth: 2) {
                                for c in tc where !bestConcepts.contains(c) { bestConcepts.append(c) }
                                break
                            }
                        }
                    }
                }
                out.append(.concepts(bestConcepts))
                i = bestEnd
                continue
            }
            let token = tokens[i]
            i += 1
            if stop.contains(token) || token.utf8.count < 2 { continue }
            if let (c, rest) = decompose(token, language) {
                out.append(.concepts(c))
                out += rest.map { .word($0) }
            } else if let c = typo(token, language) {
                out.append(.concepts(c))
            } else {
                out.append(.word(token))
            }
        }
        return out
    }
}
