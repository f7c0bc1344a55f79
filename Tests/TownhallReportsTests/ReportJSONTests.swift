import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

/// The JSON export, read back as untyped JSON so explicit nulls and exact keys are checked.
@Suite("Cycle report JSON")
struct ReportJSONTests {
    /// `report.json()` parsed with JSONSerialization.
    func object(_ report: CycleReport) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(report.json())) as? [String: Any])
    }

    /// The post with `id` in the parsed `posts` array.
    func post(_ id: String, in root: [String: Any]) throws -> [String: Any] {
        let posts = try #require(root["posts"] as? [[String: Any]])
        return try #require(posts.first { $0["id"] as? String == id })
    }

    /// `value` as the `{up, down, voters}` triple it should be.
    func tally(_ value: Any?) -> [Int]? {
        guard let object = value as? [String: Any], object.count == 3,
              let up = object["up"] as? Int, let down = object["down"] as? Int, let voters = object["voters"] as? Int
        else { return nil }
        return [up, down, voters]
    }

    @Test("an unknown cycle has no report")
    func unknownCycle() throws {
        let townhall = try Townhall.seeded()
        #expect(CycleReport(townhall: townhall, cycle: 4, timeZone: utc, generatedAt: 0) == nil)
        #expect(CycleReport(townhall: townhall, cycle: 0, timeZone: utc, generatedAt: 0) == nil)
    }

    @Test("top-level keys, cycle and totals")
    func cycleAndTotals() throws {
        let root = try object(try seededReport())
        #expect(Set(root.keys) == ["cycle", "generatedAt", "totals", "offices", "posts", "liveComments", "carriedOver", "polls"])
        #expect(root["generatedAt"] as? Int64 == Clock.thirdCycle + 1)

        let cycle = try #require(root["cycle"] as? [String: Any])
        #expect(cycle.count == 5)
        #expect(cycle["id"] as? Int == 1)
        #expect(cycle["startedAt"] as? Int64 == Clock.start)
        #expect(cycle["endedAt"] as? Int64 == Clock.secondCycle)
        #expect(cycle["week"] as? String == "2026-W48")
        #expect(cycle["timeZone"] as? String == utc.identifier) // "GMT" on some platforms

        let totals = try #require(root["totals"] as? [String: Int])
        #expect(totals == ["posts": 10, "votes": 17, "voters": 6, "comments": 5, "answered": 2])
    }

    @Test("offices: posts by post office, distinct voters and votes by ballot office, comments by commenter office")
    func offices() throws {
        let root = try object(try seededReport())
        let offices = try #require(root["offices"] as? [String: [String: Int]])
        #expect(offices == [
            "Dublin": ["posts": 3, "voters": 2, "votes": 6, "comments": 2],
            "Berlin": ["posts": 4, "voters": 2, "votes": 6, "comments": 1],
            "Austin": ["posts": 2, "voters": 1, "votes": 4, "comments": 2],
            "Remote": ["posts": 1, "voters": 1, "votes": 1, "comments": 0],
        ])
    }

    @Test("posts come in top order: score desc, earlier first, then id numerically")
    func order() throws {
        let report = try seededReport()
        #expect(report.posts.map(\.id) == ["p2", "p1", "p6", "p4", "p5", "p7", "p8", "p9", "p10", "p3"])
        let root = try object(report)
        let ids = try #require(root["posts"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(ids == report.posts.map(\.id))
    }

    @Test("the anonymous post: null author, public office, counts, support, answer, thread")
    func anonymousPost() throws {
        let p2 = try post("p2", in: try object(try seededReport()))
        #expect(Set(p2.keys) == [
            "id", "text", "author", "office", "createdAt", "status", "up", "down", "score", "voters",
            "support", "answer", "carriedFrom", "comments",
        ])
        #expect(p2["author"] is NSNull)
        #expect(p2["text"] as? String == Texts.p2)
        #expect(p2["office"] as? String == "Remote")
        #expect(p2["createdAt"] as? Int64 == Clock.start + 20 * Clock.minute)
        #expect(p2["status"] as? String == "answered")
        #expect(p2["up"] as? Int == 5)
        #expect(p2["down"] as? Int == 0)
        #expect(p2["score"] as? Int == 5)
        #expect(p2["voters"] as? Int == 5)
        #expect(p2["carriedFrom"] is NSNull)

        let support = try #require(p2["support"] as? [String: Any])
        #expect(Set(support.keys) == ["Dublin", "Berlin", "Austin"])
        #expect(tally(support["Dublin"]) == [2, 0, 2])
        #expect(tally(support["Berlin"]) == [2, 0, 2])
        #expect(tally(support["Austin"]) == [1, 0, 1])

        let answer = try #require(p2["answer"] as? [String: Any])
        #expect(answer.count == 3)
        #expect(answer["text"] as? String == Texts.answer2)
        #expect(answer["owner"] as? String == Texts.owner2)
        #expect(answer["at"] as? Int64 == Clock.start + 3 * Clock.day)

        let comments = try #require(p2["comments"] as? [[String: Any]])
        #expect(comments.compactMap { $0["id"] as? String } == ["c3", "c4", "c7"])
        #expect(comments.compactMap { $0["text"] as? String } == [#"Thanks, "finally""#, "Agreed.\nSecond line", "We'll follow up"])
        #expect(comments.compactMap { $0["createdAt"] as? Int64 }
            == [Clock.start + 3 * Clock.hour + Clock.minute, Clock.start + 3 * Clock.hour + 2 * Clock.minute, Clock.start + 5 * Clock.hour])
        let authors = comments.compactMap { $0["author"] as? [String: String] }
        #expect(authors == [
            ["name": "Alice Archer", "office": "Dublin"],
            ["name": "Bob Brandt", "office": "Berlin"],
            ["name": "Hana Host", "office": "Dublin"],
        ])
        #expect(comments.allSatisfy { Set($0.keys) == ["id", "text", "author", "createdAt"] })
    }

    @Test("a named post: author without id, split support, answer without owner")
    func namedPost() throws {
        let root = try object(try seededReport())
        let p1 = try post("p1", in: root)
        #expect(p1["author"] as? [String: String] == ["name": "Alice Archer", "office": "Dublin"])
        #expect(p1["text"] as? String == Texts.p1)
        #expect([p1["up"], p1["down"], p1["score"], p1["voters"]].map { $0 as? Int } == [4, 1, 3, 5])
        let support = try #require(p1["support"] as? [String: Any])
        #expect(support.count == 4)
        #expect(tally(support["Berlin"]) == [1, 1, 2])
        #expect(tally(support["Austin"]) == [1, 0, 1])
        #expect(tally(support["Dublin"]) == [1, 0, 1])
        #expect(tally(support["Remote"]) == [1, 0, 1])
        let answer = try #require(p1["answer"] as? [String: Any])
        #expect(answer["text"] as? String == Texts.answer1)
        #expect(answer["owner"] is NSNull)
        #expect((p1["comments"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["c2"])

        // A changed vote counts once, with its last value; a taken-back vote not at all.
        let p3 = try post("p3", in: root)
        #expect([p3["up"], p3["down"], p3["score"], p3["voters"]].map { $0 as? Int } == [0, 2, -2, 2])
        #expect(tally((p3["support"] as? [String: Any])?["Dublin"]) == [0, 1, 1])
        #expect(p3["answer"] is NSNull)
        let p4 = try post("p4", in: root)
        #expect((p4["support"] as? [String: Any])?.keys.sorted() == ["Berlin"])
        #expect(tally((p4["support"] as? [String: Any])?["Berlin"]) == [1, 0, 1])

        // Staff see every status, hidden included; posts without votes have empty support.
        #expect(try post("p7", in: root)["status"] as? String == "hidden")
        #expect(try post("p6", in: root)["status"] as? String == "shortlisted")
        let p9 = try post("p9", in: root)
        #expect((p9["support"] as? [String: Any])?.isEmpty == true)
        #expect((p9["comments"] as? [Any])?.isEmpty == true)
    }

    @Test("live comments: only those made in [startedAt, endedAt)")
    func liveComments() throws {
        let live = try #require(try object(try seededReport())["liveComments"] as? [[String: Any]])
        #expect(live.count == 1)
        #expect(live.first?["id"] as? String == "c6")
        #expect(live.first?["text"] as? String == "Live: hello, Dublin!")
        #expect(live.first?["author"] as? [String: String] == ["name": "Erin Engel", "office": "Berlin"])
        #expect(live.first?["createdAt"] as? Int64 == Clock.start + 4 * Clock.hour)

        let second = try seededReport(cycle: 2)
        #expect(second.liveComments.map(\.id) == ["c8"])
    }

    @Test("the current cycle: endedAt null; a carried post names the cycle it came from")
    func currentCycle() throws {
        let report = try seededReport(cycle: 3)
        let root = try object(report)
        let cycle = try #require(root["cycle"] as? [String: Any])
        #expect(cycle["endedAt"] is NSNull)
        #expect(cycle["week"] as? String == "2026-W50")
        let p11 = try post("p11", in: root)
        #expect(p11["carriedFrom"] as? Int == 2)
        #expect(p11["status"] as? String == "shortlisted")
        #expect(tally((p11["support"] as? [String: Any])?["Dublin"]) == [1, 0, 1])
        #expect(root["totals"] as? [String: Int] == ["posts": 1, "votes": 1, "voters": 1, "comments": 0, "answered": 0])

        // Carried posts moved on with their votes: cycle 2 is left empty.
        let second = try seededReport(cycle: 2)
        #expect(second.posts.isEmpty)
        #expect(second.totals == ReportTotals(posts: 0, votes: 0, voters: 0, comments: 0, answered: 0))
        #expect(second.offices.isEmpty)
    }

    @Test("the JSON decodes back into the same report, and sorted keys make it byte-stable")
    func roundTrip() throws {
        let report = try seededReport()
        let decoded = try JSONDecoder().decode(CycleReport.self, from: Data(report.json()))
        #expect(decoded == report)
        #expect(decoded.json() == report.json())
        let json = text(report.json())
        #expect(json.hasPrefix(#"{"carriedOver":[],"cycle":{"endedAt":"#), "keys sorted")
        #expect(json.contains("http://x"))   // slashes are not escaped
        #expect(!json.contains(#"\/"#))
    }
}
