import Testing
import TownhallCore
@testable import TownhallRelay

@Suite("Roles on every request")
struct RoleTests {
    @Test("an employee cannot moderate, announce, run the townhall or close the cycle")
    func employeeForbidden() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "Mine", "id": 1])
        harness.tick()
        let before = await harness.view(Harness.host)
        let requests: [[String: Any]] = [
            ["type": "moderate", "post": "p1", "status": "hidden", "id": 2],
            ["type": "announce", "text": "I am the host now", "id": 3],
            ["type": "townhall", "state": "live", "id": 4],
            ["type": "cycle", "action": "close", "id": 5],
        ]
        for request in requests { harness.send(alice, request) }
        harness.tick()
        for id in 2...5 { #expect(harness.reply(alice, id: id)?["code"] as? String == "forbidden", "request \(id)") }
        let after = await harness.view(Harness.host)
        #expect(canonical(before["posts"]) == canonical(after["posts"]))
        #expect(canonical(before["townhall"]) == canonical(after["townhall"]))
        #expect((after["cycle"] as? [String: Any])?["id"] as? Int == 1)
        #expect((after["announcements"] as? [Any])?.isEmpty == true)
    }

    @Test("a moderator moderates but cannot announce")
    func moderator() async {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let mod = await harness.signIn(Harness.mod)
        harness.send(alice, ["type": "post", "text": "Mine", "id": 1])
        harness.tick()
        harness.send(mod, ["type": "moderate", "post": "p1", "status": "shortlisted", "id": 2])
        harness.send(mod, ["type": "announce", "text": "Hi", "id": 3])
        harness.tick()
        #expect(harness.reply(mod, id: 2)?["type"] as? String == "ack")
        #expect(harness.reply(mod, id: 3)?["code"] as? String == "forbidden")
    }

    @Test("a hidden post leaves employees' view (removed) and stays in the staff's")
    func hidden() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        let host = await harness.signIn(Harness.host)
        harness.send(alice, ["type": "post", "text": "Rude words", "id": 1])
        harness.tick()
        harness.send(host, ["type": "moderate", "post": "p1", "status": "hidden", "id": 2])
        harness.tick()
        let update = try #require(harness.messages(bob, type: "update").last)
        #expect(update["removed"] as? [String] == ["p1"])
        #expect((update["ranks"] as? [String: [String]])?["top"] == [])
        let staff = try #require(harness.messages(host, type: "update").last)
        #expect((staff["posts"] as? [[String: Any]])?.first?["status"] as? String == "hidden")
        harness.send(bob, ["type": "vote", "post": "p1", "value": 1, "id": 3])
        harness.send(bob, ["type": "thread", "post": "p1", "id": 4])
        harness.tick()
        #expect(harness.reply(bob, id: 3)?["code"] as? String == "not_found")
        #expect(harness.reply(bob, id: 4)?["code"] as? String == "not_found")
        let view = await harness.view(Harness.bob)
        #expect((view["posts"] as? [Any])?.isEmpty == true)
        #expect(harness.transport.closed[alice] == nil)
    }
}
