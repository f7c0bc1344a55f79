/// The languages the analyser knows stop words and suffixes for.
enum Language: Int, CaseIterable, Sendable {
    case en, de, fr, es, pt, it, nl
}

/// Text → folded tokens, with no Foundation: lower-cased, diacritics removed, split at
/// everything that is not a letter or digit (so "l'inflation" → "l", "inflation" and
/// "Vier-Tage-Woche" → "vier", "tage", "woche"). Folding is a table over precomposed Latin
/// letters plus dropping combining marks, so NFC and NFD input fold alike.
enum Normalizer {
    /// The tokens and, per language, how many letters typical of it appeared (ß, ñ, ç, ã…):
    /// a hint for language detection that folding would otherwise erase.
    static func analyze(_ text: String) -> (tokens: [String], hints: [Int]) {
        var tokens: [String] = []
        var hints = [Int](repeating: 0, count: Language.allCases.count)
        var current = String.UnicodeScalarView()
        var upper = 0  // upper-case ASCII letters in the current token
        func flush() {
            guard !current.isEmpty else { return }
            // "IT" (the department) is not "it" (the pronoun, a stop word): only case tells them apart.
            tokens.append(upper == 2 && String(current) == "it" ? "itdept" : String(current))
            current = String.UnicodeScalarView()
            upper = 0
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let v = scalar.value
                if v >= 65 && v <= 90 {
                    current.append(Unicode.Scalar(v + 32)!)
                    upper += 1
                } else if (v >= 97 && v <= 122) || (v >= 48 && v <= 57) {
                    current.append(scalar)
                } else {
                    flush()
                }
                continue
            }
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                if let hint = hintTable[lower] { hints[hint.rawValue] += 1 }
                if let folded = foldTable[lower] {
                    current.append(contentsOf: folded.unicodeScalars)
                } else if lower.properties.generalCategory == .nonspacingMark {
                    continue  // a combining accent of decomposed input: drop it, keep the word whole
                } else if lower.properties.isAlphabetic || lower.properties.numericType != nil {
                    current.append(lower)
                } else {
                    flush()
                }
            }
        }
        flush()
        return (tokens, hints)
    }

    /// Folds a lexicon entry or stop word the same way as text (tokens joined by spaces).
    static func fold(_ text: String) -> [String] { analyze(text).tokens }

    /// Letters that point to one language more than others.
    private static let hintTable: [Unicode.Scalar: Language] = {
        var t: [Unicode.Scalar: Language] = [:]
        for c in "ßäöü".unicodeScalars { t[c] = .de }
        for c in "ñ¿¡".unicodeScalars { t[c] = .es }
        for c in "çèêëîïûùœâ".unicodeScalars { t[c] = .fr }
        for c in "ãõ".unicodeScalars { t[c] = .pt }
        for c in "ìò".unicodeScalars { t[c] = .it }
        return t
    }()

    /// Precomposed lower-case Latin letters → their base letters.
    private static let foldTable: [Unicode.Scalar: String] = {
        let groups: [(String, String)] = [
            ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"),
            ("ĥħ", "h"), ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"),
            ("òóôõöøōŏő", "o"), ("ŕŗř", "r"), ("śŝşšș", "s"), ("ţťŧț", "t"), ("ùúûüũūŭůűų", "u"),
            ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
        ]
        var t: [Unicode.Scalar: String] = [:]
        for (letters, base) in groups { for c in letters.unicodeScalars { t[c] = base } }
        t["ß"] = "ss"; t["æ"] = "ae"; t["œ"] = "oe"; t["ð"] = "d"; t["þ"] = "th"; t["ĳ"] = "ij"
        return t
    }()
}
