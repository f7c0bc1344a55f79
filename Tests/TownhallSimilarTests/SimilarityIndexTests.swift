import Testing
@testable import TownhallSimilar

@Suite("The similarity index")
struct SimilarityIndexTests {
    func index(_ texts: [String: String]) -> SimilarityIndex {
        var index = SimilarityIndex()
        for (id, text) in texts.sorted(by: { $0.key < $1.key }) { index.insert(id: id, text: text) }
        return index
    }

    static let posts = [
        "rto": "When do we have to return to the office?",
        "parking": "Can we get more EV charging spots in the parking garage?",
        "canteen": "Will the canteen open on Saturdays?",
    ]

    @Test("a German return-to-office question finds the English one, and scores are sorted within 0...1")
    func acrossLanguages() {
        let matches = index(Self.posts).query("Wann müssen wir zurück ins Büro?")
        #expect(matches.first?.id == "rto")
        #expect(matches.map(\.similarity) == matches.map(\.similarity).sorted(by: >))
        #expect(matches.allSatisfy { (0...1).contains($0.similarity) && $0.similarity >= SimilarityIndex.defaultThreshold })
    }

    @Test("remove takes a post out, the same id replaces, allowed filters, and empty or unrelated text finds nothing")
    func maintenance() {
        var posts = index(Self.posts)
        #expect(posts.count == 3 && posts.contains("rto"))
        posts.remove(id: "rto")
        posts.remove(id: "rto")  // a second time changes nothing
        #expect(posts.count == 2 && !posts.contains("rto") && !posts.query("When do we return to the office?").contains { $0.id == "rto" })
        posts.insert(id: "parking", text: "When do we have to return to the office?")
        #expect(posts.count == 2 && posts.query("return to office date").first?.id == "parking")
        #expect(posts.query("return to office date", allowed: { $0 != "parking" }).isEmpty)
        #expect(posts.query("   ").isEmpty && posts.query("👍👍").isEmpty)
        #expect(index(Self.posts).query("Quarterly tax filing deadline for contractors").isEmpty)
    }

    /// Each pair is a paraphrase across languages that shares no word with its partner.
    @Test("paraphrases across languages find each other", arguments: [
        ("Will salaries be adjusted for inflation?", "Gibt es einen Inflationsausgleich auf die Gehälter?"),
        ("Are more layoffs planned?", "¿Habrá más despidos este año?"),
        ("Can we keep working from home?", "Pourra-t-on continuer le télétravail ?"),
        ("Wann kommt die Gehaltserhöhung?", "When is the salary increase coming?"),
        ("When will the hiring freeze end?", "¿Cuándo se levanta la congelación de contrataciones?"),
    ])
    func paraphrase(pair: (String, String)) {
        var posts = index(Self.posts)
        posts.insert(id: "target", text: pair.1)
        #expect(posts.query(pair.0).first?.id == "target", "\(pair.0) → \(pair.1)")
    }

    @Test("a question that only shares the topic word ranks below the paraphrase")
    func hardNegative() {
        let posts = index([
            "close": "Wird das Parkhaus während der Sanierung gesperrt?",
            "ev": "Can we get more EV charging spots in the parking garage?",
        ])
        #expect(posts.query("Will the parking garage be closed while it's being renovated?").first?.id == "close")
        #expect(posts.query("Gibt es bald mehr Ladesäulen für E-Autos?").first?.id == "ev")
    }

    @Test("a week's first posts: with one or two in the index, a paraphrase is found and an unrelated question is not")
    func smallIndex() {
        let rto = "When do we return to the office full time?"
        let one = index(["rto": rto])
        let two = index(["rto": rto, "parking": "Can we get more EV chargers in the parking garage?"])
        for posts in [one, two] {
            for query in ["What is the date for return to office?", "Wann müssen wir zurück ins Büro?"] {
                #expect(posts.query(query).first?.id == "rto", "\(posts.count) posts: \(query)")
            }
            #expect(posts.query("Will the canteen open on Saturdays?").isEmpty, "\(posts.count) posts")
        }
        // The console asks with the duplicate's own text, which is in the index too: the
        // words the two share are then in every post.
        let pair = index(["rto": rto, "dup": "What is the date for return to office?"])
        #expect(pair.query("What is the date for return to office?", allowed: { $0 != "dup" }).first?.id == "rto")
    }

    @Test("a typo of a lexicon word still matches")
    func typo() {
        #expect(index(Self.posts).query("more EV chargers in the parkign garage").first?.id == "parking")
    }

    @Test("the IDF follows removals: a feature in every document counts for less")
    func idfOnRemove() {
        var posts = index(["a": "Will the parking garage close?"])
        func score() -> Double { posts.query("parking fees", threshold: 0).first { $0.id == "a" }?.similarity ?? 0 }
        let alone = score()
        for (i, text) in ["Is parking free?", "Parking garage renovation", "More parking spots please"].enumerated() {
            posts.insert(id: "b\(i)", text: text)
        }
        let everywhere = score()
        #expect(everywhere < alone, "parking in every post weighs less: \(everywhere) < \(alone)")
        for i in 0..<3 { posts.remove(id: "b\(i)") }
        #expect(abs(score() - alone) < 1e-9, "removing the posts restores the weight")
    }

    @Test("the threshold and limit bound the results; allowed is asked only about posts that scored")
    func thresholdLimitAllowed() {
        var posts = index(Self.posts)
        for i in 0..<8 { posts.insert(id: "r\(i)", text: "Do we have to return to the office \(i) days a week?") }
        #expect(posts.query("return to office", limit: 3).count == 3)
        #expect(posts.query("return to office", threshold: 1.01).isEmpty)
        var asked: [String] = []
        _ = posts.query("return to office") { asked.append($0); return true }
        #expect(!asked.isEmpty && !asked.contains("canteen") && !asked.contains("parking"))
        #expect(posts.query("return to office", limit: 0).isEmpty && SimilarityIndex().query("return to office").isEmpty)
    }

    @Test("a copy is independent of the original")
    func valueSemantics() {
        let original = index(Self.posts)
        var copy = original
        copy.remove(id: "rto")
        copy.insert(id: "new", text: "Is the Berlin office going to close?")
        #expect(original.count == 3 && copy.count == 3)
        #expect(original.query("Wann müssen wir zurück ins Büro?").first?.id == "rto")
        #expect(!copy.query("Wann müssen wir zurück ins Büro?").contains { $0.id == "rto" })
    }

    @Test("many removals compact the index without changing answers")
    func compaction() {
        var posts = SimilarityIndex()
        for i in 0..<200 { posts.insert(id: "n\(i)", text: "Question number \(i) about the bonus payout date") }
        posts.insert(id: "rto", text: Self.posts["rto"]!)
        for i in 0..<190 { posts.remove(id: "n\(i)") }
        #expect(posts.count == 11)
        #expect(posts.query("Wann müssen wir zurück ins Büro?").first?.id == "rto")
        #expect(posts.query("When is the bonus paid out?", limit: 20).count == 10)
    }

    @Test("the company's own synonyms extend the lexicon")
    func customSynonyms() {
        var plain = SimilarityIndex(), extended = SimilarityIndex(synonyms: SimilarityIndex.defaultSynonyms + [["okr", "objectives and key results"]])
        plain.insert(id: "a", text: "When are the OKRs due?")
        extended.insert(id: "a", text: "When are the OKRs due?")
        #expect(plain.query("objectives and key results deadline", threshold: 0.05).isEmpty)
        #expect(extended.query("objectives and key results deadline", threshold: 0.05).first?.id == "a")
    }

    /// The relay's own check (TownhallRelayTests.SimilarTests) against the default threshold.
    @Test("the relay's return-to-office scenario holds at the default threshold")
    func relayScenario() {
        let posts = index([
            "p1": "When do we return to the office full time?", "p2": "Can we get more EV chargers in the parking garage?",
            "p3": "Is the return to office mandate final?", "p4": "Will the canteen open on Saturdays?",
        ])
        let ids = posts.query("return to office date?", limit: 5).map(\.id)
        #expect(ids.first == "p1" && !ids.contains("p2") && !ids.contains("p4"))
    }
}

@Suite("Text analysis")
struct AnalysisTests {
    @Test("folding: case, accents, NFC and NFD alike, punctuation and emoji split or dropped")
    func normalizer() {
        #expect(Normalizer.fold("Rückkehr ins Büro!") == ["ruckkehr", "ins", "buro"])
        #expect(Normalizer.fold("Re\u{301}sume\u{301}") == Normalizer.fold("Résumé"))
        #expect(Normalizer.fold("l'inflation, Vier-Tage-Woche 👍 Straße") == ["l", "inflation", "vier", "tage", "woche", "strasse"])
        #expect(Normalizer.fold("IT says it works") == ["itdept", "says", "it", "works"])
    }

    @Test("language detection picks the stop words a question uses")
    func language() {
        func detect(_ s: String) -> Language { let (t, h) = Normalizer.analyze(s); return StopWords.detect(tokens: t, hints: h) }
        #expect(detect("When will the bonus be paid?") == .en)
        #expect(detect("Wann wird der Bonus ausgezahlt?") == .de)
        #expect(detect("Pourquoi les prix de la cantine ont-ils augmenté ?") == .fr)
        #expect(detect("¿Por qué han recortado los bonus este año?") == .es)
    }

    @Test("stemming joins inflections within a language")
    func stemmer() {
        #expect(Stemmer.stem("closing", .en) == Stemmer.stem("closed", .en))
        #expect(Stemmer.stem("renovations", .en) == Stemmer.stem("renovation", .en))
        #expect(Stemmer.stem("entlassungen", .de) == Stemmer.stem("entlassung", .de))
        #expect(Stemmer.stem("annulee", .fr) == Stemmer.stem("annuler", .fr))
        #expect(Stemmer.stem("bonus", .en) == "bonus")
    }

    @Test("an unknown compound splits into known parts; a prefix entry keeps its tail", arguments: [
        ("Dienstwagenregelung", ["Dienstwagen", "Regelung"]),  // company car + policy, by splitting
        ("Kantinenpreise", ["Kantine", "Preise"]),             // "kantinen*" + price, the tail of a prefix
        ("Bonusauszahlung", ["Bonus", "Auszahlung"]),
    ])
    func compounds(compound: String, parts: [String]) {
        let lexicon = Analyzer.shared.lexicon
        let whole = Set(concepts(lexicon.pieces(Normalizer.fold(compound), .de, stop: [])))
        for part in parts {
            let expected = Set(concepts(lexicon.pieces(Normalizer.fold(part), .de, stop: [])))
            #expect(!expected.isEmpty && expected.isSubset(of: whole), "\(compound) carries \(part)")
        }
    }

    private func concepts(_ pieces: [ConceptLexicon.Piece]) -> [Int32] {
        pieces.flatMap { piece -> [Int32] in
            if case .concepts(let c) = piece { return c }
            return []
        }
    }
}
