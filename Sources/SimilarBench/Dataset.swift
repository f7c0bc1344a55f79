import Foundation

/// bench/similar/questions.json: paraphrase groups, hard negatives, unrelated standalones.
struct Dataset: Decodable {
    struct Question: Decodable { var lang: String; var text: String }
    struct Group: Decodable { var id: String; var split: String?; var questions: [Question] }
    struct Negative: Decodable { var lang: String; var text: String; var near: String }

    var groups: [Group]
    var negatives: [Negative]
    var standalones: [Question]

    /// Every question as one index document.
    struct Item {
        var id: String
        var text: String
        var lang: String
        var group: String?      // its paraphrase group
        var near: String?       // for a negative: the group it resembles
        var split: String?      // its group's split: "round1" (none given), "round2", "heldout"
    }

    var items: [Item] {
        var out: [Item] = []
        for g in groups {
            for (i, q) in g.questions.enumerated() {
                out.append(Item(id: "\(g.id)#\(i)", text: q.text, lang: q.lang, group: g.id, split: g.split ?? "round1"))
            }
        }
        for (i, n) in negatives.enumerated() { out.append(Item(id: "neg#\(i)", text: n.text, lang: n.lang, near: n.near)) }
        for (i, s) in standalones.enumerated() { out.append(Item(id: "solo#\(i)", text: s.text, lang: s.lang)) }
        return out
    }

    static func load(_ path: String) throws -> Dataset {
        try JSONDecoder().decode(Dataset.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
