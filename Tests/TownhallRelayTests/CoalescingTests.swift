import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallTransport

@Suite("Coalesced, encode-once updates")
struct CoalescingTests {
    @Test("many votes in one tick make one update per audience, the same bytes for every member")
    func oneUpdatePerTick() async throws {
        let harness = await Harness()
        let watchers = [await harness.signIn(Harness.alice), await harness.signIn(Harness.bob)]
        let staff = await harness.signIn(Harness.host)
        harness.send(watchers[0], ["type": "post", "text": "Vote on me", "id": 1])
        harness.tick()
        var voters: [ConnectionID] = []
        for index in 0..<40 {
            voters.append(await harness.signIn(Actor(id: "v\(index)", name: "V\(index)", office: "Remote", role: .employee)))
        }
        for connection in watchers + [staff] { harness.transport.clear(connection) }
        for (index, voter) in voters.enumerated() {
            harness.send(voter, ["type": "vote", "post": "p1", "value": index % 4 == 0 ? -1 : 1, "id": index])
        }
        harness.tick()
        let first = try #require(harness.transport.sent[watchers[0]]?.last)
        #expect(harness.messages(watchers[0], type: "update").count == 1)
        #expect(harness.messages(watchers[1], type: "update").count == 1)
        #expect(harness.messages(staff, type: "update").count == 1)
        #expect(harness.transport.sent[watchers[1]]?.last === first, "one encoding shared by the audience")
        #expect(harness.transport.sent[staff]?.last !== first, "staff get their own encoding")
        let post = try #require((harness.messages(watchers[0], type: "update").first?["posts"] as? [[String: Any]])?.first)
        #expect(post["up"] as? Int == 30)
        #expect(post["down"] as? Int == 10)
        #expect(post["score"] as? Int == 20)
    }

    @Test("seq rises by one per update per audience, and ranks go out only when an ordering moved")
    func seqAndRanks() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        harness.send(alice, ["type": "post", "text": "A", "id": 1])
        harness.tick()
        harness.clock.advance(millis: 1000)
        harness.send(bob, ["type": "post", "text": "B", "id": 2])
        harness.tick()
        harness.send(alice, ["type": "vote", "post": "p2", "value": 1, "id": 3])
        harness.tick()
        harness.send(alice, ["type": "comment", "text": "just chatting", "id": 4])
        harness.tick()
        let updates = harness.messages(alice, type: "update")
        #expect(updates.compactMap { $0["seq"] as? Int } == Array(1...updates.count))
        let ranks = updates.compactMap { $0["ranks"] as? [String: [String]] }
        #expect(ranks.last?["top"] == ["p2", "p1"], "p2 has a vote")
        #expect(ranks.last?["new"] == ["p2", "p1"])
        #expect(updates.last?["ranks"] == nil, "a live comment moves no ordering")
    }

    @Test("presence goes out at most once a second")
    func presenceRate() async {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        harness.tick()
        harness.transport.clear(alice)
        for index in 0..<5 {
            _ = await harness.signIn(Actor(id: "p\(index)", name: "P", office: "Paris", role: .employee))
            harness.clock.advance(millis: 100)
            harness.tick()
        }
        let withPresence = harness.messages(alice, type: "update").filter { $0["presence"] != nil }
        #expect(withPresence.count <= 1)
        harness.clock.advance(millis: 1000)
        harness.tick()
        let last = harness.messages(alice, type: "update").last?["presence"] as? [String: Any]
        #expect(last?["total"] as? Int == 6)
        #expect((last?["offices"] as? [String: Int])?["Paris"] == 5)
    }
}

@Suite("Adaptive coalescing")
struct AdaptiveCoalescingTests {
    @Test("while the last update is still being written to many, the next waits, then carries everything, at most a second late")
    func widensUnderBacklog() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "Vote on me", "id": 1])
        harness.tick()
        harness.transport.clear(alice)
        harness.transport.backlogged = 17
        harness.send(alice, ["type": "vote", "post": "p1", "value": 1, "id": 2])
        harness.tick()
        #expect(harness.reply(alice, id: 2)?["type"] as? String == "ack", "acks do not wait for the fan-out")
        #expect(harness.messages(alice, type: "update").isEmpty, "the update waits while 17 connections are behind")
        harness.clock.advance(millis: 500)
        harness.send(alice, ["type": "comment", "text": "still here", "id": 3])
        harness.tick()
        #expect(harness.messages(alice, type: "update").isEmpty)
        harness.clock.advance(millis: 500)
        harness.tick()
        let updates = harness.messages(alice, type: "update")
        #expect(updates.count == 1, "after a second it goes out anyway")
        #expect((updates.first?["posts"] as? [[String: Any]])?.first?["up"] as? Int == 1)
        #expect((updates.first?["comments"] as? [[String: Any]])?.first?["text"] as? String == "still here")
        harness.transport.backlogged = 16
        harness.send(alice, ["type": "vote", "post": "p1", "value": -1, "id": 4])
        harness.tick()
        #expect(harness.messages(alice, type: "update").count == 2, "a backlog of 16 (a few slow readers) holds nothing back")
        harness.transport.backlogged = 0
        harness.transport.unreached = 17
        harness.send(alice, ["type": "vote", "post": "p1", "value": 1, "id": 5])
        harness.tick()
        harness.clock.advance(millis: 5000)
        harness.tick()
        #expect(harness.messages(alice, type: "update").count == 2, "while the last fan-out is under way, the next waits however long")
        harness.transport.unreached = 0
        harness.tick()
        #expect(harness.messages(alice, type: "update").count == 3)
    }
}
