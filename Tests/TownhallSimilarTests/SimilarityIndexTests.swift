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
        #expect(posts.count == 3)
        posts.remove(id: "rto")
        #expect(posts.count == 2 && !posts.query("When do we return to the office?").contains { $0.id == "rto" })
        posts.insert(id: "parking", text: "When do we have to return to the office?")
        #expect(posts.count == 2 && posts.query("return to office date").first?.id == "parking")
        #expect(posts.query("return to office date", allowed: { $0 != "parking" }).isEmpty)
        #expect(posts.query("   ").isEmpty && posts.query("👍👍").isEmpty)
        #expect(index(Self.posts).query("Quarterly tax filing deadline for contractors").isEmpty)
    }
}
