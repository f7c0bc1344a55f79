import Testing
import TownhallCore
import TownhallStore
@testable import TownhallRelay

@Suite("Live reactions (PROTOCOL.md §9)")
struct ReactionTests {
    @Test("reactions are counted per tick and go to every audience as one map, with no ack and nothing journaled")
    func countedPerTick() async throws {
        let journal = MemoryJournal()
        let harness = await Harness(journal: journal)
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        let host = await harness.signIn(Harness.host)
        harness.tick()
        let before = harness.messages(alice, type: "update").count
        for _ in 0..<3 { harness.send(alice, ["type": "react", "emoji": "👏", "id": 7]) }
        harness.send(bob, ["type": "react", "emoji": "❤", "id": 8])
        harness.send(bob, ["type": "react", "emoji": "\u{2764}\u{FE0F}"])
        harness.tick()
        for connection in [alice, bob, host] {
            let updates = harness.messages(connection, type: "update")
            let reactions = try #require(updates.last?["reactions"] as? [String: Int])
            #expect(reactions == ["👏": 3, "\u{2764}\u{FE0F}": 2] as [String: Int])
        }
        #expect(harness.messages(alice, type: "update").count == before + 1, "one update for all of them")
        #expect(harness.reply(alice, id: 7) == nil && harness.reply(bob, id: 8) == nil, "react gets no ack")
        harness.tick()
        #expect(harness.messages(alice, type: "update").count == before + 1, "no reactions since: no update")
        #expect(journal.records.isEmpty, "reactions are not stored")
    }

    @Test("an unknown emoji is bad_request; over 5 a second they are dropped with at most one rate_limited a second, never a 4008")
    func refusals() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "react", "emoji": "🍕", "id": 1])
        #expect(harness.reply(alice, id: 1)?["code"] as? String == "bad_request")
        for _ in 0..<60 { harness.send(alice, ["type": "react", "emoji": "👍"]) }
        harness.tick()
        let limited = harness.messages(alice, type: "error").filter { $0["code"] as? String == "rate_limited" }
        #expect(limited.count == 1)
        #expect(harness.transport.closed[alice] == nil)
        #expect(harness.messages(alice, type: "update").last?["reactions"] as? [String: Int] == ["👍": 5])
    }
}
