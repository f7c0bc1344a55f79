import Testing
import TownhallCore
import TownhallStore
import TownhallTransport
@testable import TownhallRelay

@Suite("Merging duplicates (PROTOCOL.md §9)")
struct MergeTests {
    /// p1 (the original) and p2 (its duplicate) by Bob; Alice voted on both, the host on
    /// the duplicate only; the duplicate has a comment.
    func setUp() async -> (Harness, alice: ConnectionID, bob: ConnectionID, mod: ConnectionID, host: ConnectionID) {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        let mod = await harness.signIn(Harness.mod)
        let host = await harness.signIn(Harness.host)
        harness.send(bob, ["type": "post", "text": "When do we return to the office?"])
        harness.send(bob, ["type": "post", "text": "Is RTO happening this year?"])
        harness.tick()
        harness.send(alice, ["type": "vote", "post": "p1", "value": 1])
        harness.send(alice, ["type": "vote", "post": "p2", "value": -1])
        harness.send(host, ["type": "vote", "post": "p2", "value": 1])
        harness.send(alice, ["type": "comment", "post": "p2", "text": "Same question as p1"])
        harness.tick()
        return (harness, alice, bob, mod, host)
    }

    @Test("votes join one per person, comments move, the duplicate leaves the ranks and its author is told")
    func merge() async throws {
        let (harness, alice, bob, mod, host) = await setUp()
        harness.send(mod, ["type": "merge", "post": "p2", "into": "p1", "id": 1])
        harness.tick()
        let target = try #require(harness.reply(mod, id: 1)?["post"] as? [String: Any])
        #expect(target["id"] as? String == "p1" && target["up"] as? Int == 2 && target["down"] as? Int == 0, "Alice keeps her vote on p1; the host's moves")
        #expect(target["comments"] as? Int == 1)
        let core = harness.relay.core
        #expect(core.post("p2")?.status == .merged && core.post("p2")?.mergedInto == "p1")
        #expect(core.post("p2")?.score == 0 && core.post("p2")?.comments == 0)
        #expect(core.comments(on: "p1").map(\.text) == ["Same question as p1"])
        #expect(core.votes(of: Harness.host.id) == ["p1": 1], "the moved vote is the host's vote on the target")
        #expect(core.votes(of: Harness.alice.id) == ["p1": 1])

        let employees = try #require(harness.messages(alice, type: "update").last)
        #expect((employees["removed"] as? [String])?.contains("p2") == true)
        #expect(employees["merged"] as? [String: String] == ["p2": "p1"])
        let employeeTop = (employees["ranks"] as? [String: [String]])?["top"] ?? []
        #expect(employeeTop == ["p1"])
        let staff = try #require(harness.messages(host, type: "update").last)
        let merged = try #require((staff["posts"] as? [[String: Any]])?.first { $0["id"] as? String == "p2" })
        #expect(merged["status"] as? String == "merged" && merged["mergedInto"] as? String == "p1")
        let staffTop = (staff["ranks"] as? [String: [String]])?["top"] ?? []
        #expect(staffTop == ["p1"], "out of the staff's ranks too")
        let notice = try #require(harness.messages(bob, type: "merged").last)
        #expect((notice["into"] as? [String: Any])?["id"] as? String == "p1")

        harness.send(alice, ["type": "vote", "post": "p2", "value": 1, "id": 2])
        harness.send(host, ["type": "vote", "post": "p2", "value": 1, "id": 3])
        harness.send(host, ["type": "comment", "post": "p2", "text": "x", "id": 4])
        harness.tick()
        #expect(harness.reply(alice, id: 2)?["code"] as? String == "not_found", "employees no longer see it")
        #expect(harness.reply(host, id: 3)?["code"] as? String == "conflict", "a merged post takes no votes")
        #expect(harness.reply(host, id: 4)?["code"] as? String == "conflict", "nor comments")
    }

    @Test("moderate back to open splits it: comments return, votes return unless changed on the target since")
    func undo() async throws {
        let (harness, alice, _, mod, host) = await setUp()
        harness.send(mod, ["type": "merge", "post": "p2", "into": "p1", "id": 1])
        harness.tick()
        harness.send(host, ["type": "vote", "post": "p1", "value": -1])  // changed since: stays on p1
        harness.send(mod, ["type": "moderate", "post": "p2", "status": "open", "id": 2])
        harness.tick()
        #expect(harness.reply(mod, id: 2)?["type"] as? String == "ack")
        let core = harness.relay.core
        #expect(core.post("p2")?.status == .open && core.post("p2")?.mergedInto == nil)
        #expect(core.comments(on: "p2").map { $0.post } == ["p2"] && core.comments(on: "p1").isEmpty)
        #expect(core.post("p1")?.comments == 0 && core.post("p2")?.comments == 1)
        #expect(core.votes(of: Harness.alice.id) == ["p1": 1, "p2": -1], "Alice's dropped vote on the duplicate returns")
        #expect(core.votes(of: Harness.host.id) == ["p1": -1], "the host changed the moved vote: it stays")
        #expect(core.post("p2")?.up == 0 && core.post("p2")?.down == 1)
        let update = try #require(harness.messages(alice, type: "update").last)
        #expect((update["posts"] as? [[String: Any]])?.contains { $0["id"] as? String == "p2" } == true, "employees get it back")
        #expect(((update["ranks"] as? [String: [String]])?["top"] ?? []).contains("p2"))
    }

    @Test("refusals: into itself bad_request, from or into a merged post conflict, unknown not_found, employees forbidden")
    func refusals() async throws {
        let (harness, alice, bob, mod, _) = await setUp()
        harness.send(bob, ["type": "post", "text": "Third one about the office"])
        harness.tick()
        harness.send(alice, ["type": "merge", "post": "p2", "into": "p1", "id": 1])
        harness.send(mod, ["type": "merge", "post": "p1", "into": "p1", "id": 2])
        harness.send(mod, ["type": "merge", "post": "p9", "into": "p1", "id": 3])
        harness.send(mod, ["type": "merge", "post": "p2", "into": "p1", "id": 4])
        harness.send(mod, ["type": "merge", "post": "p3", "into": "p2", "id": 5])
        harness.send(mod, ["type": "merge", "post": "p2", "into": "p3", "id": 6])
        harness.send(mod, ["type": "moderate", "post": "p2", "status": "hidden", "id": 7])
        harness.send(mod, ["type": "moderate", "post": "p3", "status": "merged", "id": 8])
        harness.tick()
        let codes = (1...8).map { harness.reply($0 == 1 ? alice : mod, id: $0)?["code"] as? String }
        #expect(codes == ["forbidden", "bad_request", "not_found", nil, "conflict", "conflict", "conflict", "bad_request"])
        #expect(harness.relay.core.post("p3")?.status == .open)
    }
}
