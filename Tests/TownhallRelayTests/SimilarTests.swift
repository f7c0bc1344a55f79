import Testing
import TownhallCore
@testable import TownhallRelay

@Suite("Already asked: similar (PROTOCOL.md §9)")
struct SimilarTests {
    @Test("the closest posts come back with a similarity, never merged or hidden ones, and nothing is posted")
    func suggestions() async throws {
        let harness = await Harness()
        harness.tick()
        await harness.idle()
        let alice = await harness.signIn(Harness.alice)
        let mod = await harness.signIn(Harness.mod)
        for text in ["When do we return to the office full time?", "Can we get more EV chargers in the parking garage?",
                     "Is the return to office mandate final?", "Will the canteen open on Saturdays?"] {
            harness.send(mod, ["type": "post", "text": text])
        }
        harness.tick()
        harness.send(alice, ["type": "similar", "text": "return to office date?", "id": 1])
        harness.tick()
        let posts = try #require(harness.reply(alice, id: 1)?["posts"] as? [[String: Any]])
        let ids = posts.compactMap { $0["id"] as? String }
        #expect(ids.first == "p1" && !ids.contains("p2") && !ids.contains("p4"), "the return-to-office question first, not parking or the canteen")
        let scores = posts.compactMap { $0["similarity"] as? Double }
        #expect(scores.count == posts.count && scores == scores.sorted(by: >) && scores.allSatisfy { (0...1).contains($0) })
        #expect(harness.relay.core.currentPostCount == 4, "asking posts nothing")

        harness.send(mod, ["type": "merge", "post": "p3", "into": "p1"])
        harness.send(mod, ["type": "moderate", "post": "p1", "status": "hidden"])
        harness.tick()
        harness.send(alice, ["type": "similar", "text": "return to office date?", "id": 2])
        harness.send(mod, ["type": "similar", "text": "return to office date?", "id": 3])
        harness.send(alice, ["type": "similar", "text": "   ", "id": 4])
        harness.tick()
        let employee = (harness.reply(alice, id: 2)?["posts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let staff = (harness.reply(mod, id: 3)?["posts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(!employee.contains("p1") && !employee.contains("p3"), "hidden and merged posts are not suggested")
        #expect(staff.first == "p1" && !staff.contains("p3"), "staff see hidden posts, but never merged ones")
        #expect(harness.reply(alice, id: 4)?["code"] as? String == "invalid_text")
    }
}
