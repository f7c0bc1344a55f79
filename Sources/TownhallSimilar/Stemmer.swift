/// Light suffix stripping per language, in the spirit of the Snowball "light" stemmers: one
/// inflectional or common derivational suffix, never leaving fewer than three letters. It
/// only has to make "closing"/"closed"/"close" or "Entlassung"/"Entlassungen" meet within a
/// language; across languages the concept lexicon does the work.
enum Stemmer {
    static func stem(_ word: String, _ language: Language) -> String {
        var w = Array(word.utf8)
        guard w.count > 3, w.allSatisfy({ $0 < 128 }) else { return word }
        let rules = suffixes[language.rawValue]
        for (suffix, replacement) in rules where w.count - suffix.count >= 3 && w.ends(with: suffix) {
            if language == .en && suffix == [UInt8(ascii: "s")] {
                // "access", "bonus", "analysis": not plurals.
                let before = w[w.count - 2]
                if before == UInt8(ascii: "s") || before == UInt8(ascii: "u") || before == UInt8(ascii: "i") { break }
            }
            w.removeLast(suffix.count)
            w.append(contentsOf: replacement)
            break
        }
        // A final -e is noise in every language here ("close"/"closed", "salaire"/"salaires").
        if w.count > 3, w.last == UInt8(ascii: "e") { w.removeLast() }
        return String(decoding: w, as: UTF8.self)
    }

    private static func rules(_ list: String) -> [([UInt8], [UInt8])] {
        list.split(separator: " ").map { item in
            let parts = item.split(separator: ">", omittingEmptySubsequences: false)
            return (Array(parts[0].utf8), parts.count > 1 ? Array(parts[1].utf8) : [])
        }.sorted { $0.0.count > $1.0.count }
    }

    /// "suffix" or "suffix>replacement"; the longest matching suffix wins.
    private static let suffixes: [[([UInt8], [UInt8])]] = Language.allCases.map { language in
        switch language {
        case .en: rules("ational>ate ization>ize izations>ize ations>ate ation>ate ements ement ments ment nesses ness ings ing edly ies>y ied>y ed ly s")
        case .de: rules("ungen>ung heiten heit keiten keit lichen liche lich ischen ische isch innen ern em en er es e s n")
        case .fr: rules("issements issement atrices atrice ateurs ateur ations ation ements ement euses euse eux ites ite ives ive ifs if ees ee es e ez er ent s x")
        case .es: rules("amientos amiento imientos imiento aciones acion adoras adores ador idades idad mente ando iendo ados adas idos idas ado ada ido ida ar er ir os as es o a e s")
        case .pt: rules("amentos amento imentos imento acoes acao idades idade mente ando endo ados adas idos idas ado ada ido ida ar er ir os as es o a e s")
        case .it: rules("amenti amento azioni azione mente ando endo ati ate ato ata iti ite ito ita are ere ire i e o a")
        case .nl: rules("heden heid ingen ing en e s")
        }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
