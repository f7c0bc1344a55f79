/// A post's text → weighted sparse features, the same for documents and queries.
///
/// Three kinds, each with its own weight because they carry different evidence:
/// - `c<n>`: a concept of the lexicon, language-independent ("Rückkehr ins Büro" = "RTO");
/// - `w<stem>`: a content word the lexicon does not know, stemmed for its language — the
///   question's own specifics ("renovation" vs "EV"), which keep topic neighbours apart;
/// - `g<abc>`: character trigrams of those words, at low weight, so a typo or a compound
///   part still shares something.
final class Analyzer: Sendable {
    let lexicon: ConceptLexicon

    static let conceptWeight: Float = 1.0
    static let wordWeight: Float = 0.8
    static let gramWeight: Float = 0.2

    /// Kind of a feature key, from its first character.
    enum Kind: UInt8 { case concept = 0, word = 1, gram = 2 }

    init(synonyms: [[String]]) {
        lexicon = ConceptLexicon(groups: synonyms)
    }

    static let shared = Analyzer(synonyms: SimilarityIndex.defaultSynonyms)

    static func kind(of key: String) -> Kind {
        switch key.utf8.first {
        case UInt8(ascii: "c"): .concept
        case UInt8(ascii: "w"): .word
        default: .gram
        }
    }

    /// Feature keys with their weights before IDF: kind weight × (1 + ln tf).
    func features(_ text: String) -> [(key: String, weight: Float)] {
        let (tokens, hints) = Normalizer.analyze(text)
        guard !tokens.isEmpty else { return [] }
        let language = StopWords.detect(tokens: tokens, hints: hints)
        var counts: [String: Int] = [:]
        for piece in lexicon.pieces(tokens, language, stop: StopWords.list(language)) {
            switch piece {
            case .concepts(let ids):
                for id in ids { counts["c\(id)", default: 0] += 1 }
            case .word(let word):
                counts["w" + Stemmer.stem(word, language), default: 0] += 1
                let chars = Array("^" + word + "$")
                if chars.count >= 5 {
                    for i in 0...(chars.count - 3) { counts["g" + String(chars[i..<(i + 3)]), default: 0] += 1 }
                }
            }
        }
        return counts.map { key, count in
            let base: Float = switch Self.kind(of: key) {
            case .concept: Self.conceptWeight
            case .word: Self.wordWeight
            case .gram: Self.gramWeight
            }
            return (key, base * (1 + Float(naturalLog(Double(count)))))
        }.sorted { $0.key < $1.key }
    }
}

/// Natural logarithm without Foundation: x = m·2^e, ln m by the atanh series (error < 1e-7
/// on the range used, far below what ranking can notice).
func naturalLog(_ x: Double) -> Double {
    precondition(x > 0)
    var m = x.significand  // [1, 2)
    var e = Double(x.exponent)
    if m > 1.4142135623730951 { m /= 2; e += 1 }
    let s = (m - 1) / (m + 1), s2 = s * s
    let series = 1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 / 11))))
    return e * 0.6931471805599453 + 2 * s * series
}
