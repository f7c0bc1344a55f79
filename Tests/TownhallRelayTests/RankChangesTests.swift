import Testing
import TownhallCore
import TownhallTransport
@testable import TownhallRelay

@Suite("Ranks as changes")
struct RankChangesTests {
    /// The ranks a client holds: its welcome's, then each update's orderings laid over them.
    func held(_ harness: Harness, _ connection: ConnectionID) -> [String: [String]] {
        var ranks: [String: [String]] = [:]
        for message in harness.transport.messages(connection) where ["welcome", "update"].contains(message["type"] as? String) {
            for (ordering, ids) in (message["ranks"] as? [String: [String]]) ?? [:] { ranks[ordering] = ids }
        }
        return ranks
    }

    func lastRanks(_ harness: Harness, _ connection: ConnectionID) -> [String: [String]]? {
        harness.messages(connection, type: "update").last?["ranks"] as? [String: [String]]
    }

    @Test("a client that asks for changes gets only the orderings that moved; the others get all four")
    func onlyMoved() async throws {
        let (harness, bob) = await Harness.seeded()
        let full = await harness.signIn(Harness.alice)
        let changes = await harness.signIn(Harness.carol, ranks: "changes")
        harness.send(bob, ["type": "vote", "post": "p3", "value": 1, "id": 10])
        harness.tick()
        harness.tick()
        let all = try #require(lastRanks(harness, full))
        let moved = try #require(lastRanks(harness, changes))
        #expect(Set(all.keys) == ["top", "hot", "best", "new"])
        #expect(moved["new"] == nil, "a vote does not move the newest-first ordering")
        #expect(!moved.isEmpty)
        for (ordering, ids) in moved { #expect(all[ordering] == ids) }
        #expect(held(harness, changes) == held(harness, full))
    }

    @Test("a welcome that showed newer ranks than its seq is corrected even when they move back before the next update")
    func welcomeAhead() async throws {
        let (harness, bob) = await Harness.seeded()
        // The vote is durable (the welcome shows it) but not yet in an update.
        harness.send(bob, ["type": "vote", "post": "p3", "value": 1, "id": 10])
        _ = harness.executor.drain()
        let full = await harness.signIn(Harness.alice)
        let changes = await harness.signIn(Harness.carol, ranks: "changes")
        harness.send(bob, ["type": "vote", "post": "p3", "value": 0, "id": 11])
        harness.tick()
        harness.tick()
        harness.tick()
        let fresh = await harness.signIn(Harness.dave)
        let truth = try #require(harness.messages(fresh, type: "welcome").first?["ranks"] as? [String: [String]])
        #expect(held(harness, full) == truth)
        #expect(held(harness, changes) == truth)
    }

    @Test("a resumed client that takes changes gets the missed updates as changes, kept while another such client listened")
    func resumed() async throws {
        let (harness, bob) = await Harness.seeded()
        _ = await harness.signIn(Harness.dave, ranks: "changes")
        let changes = await harness.signIn(Harness.carol, ranks: "changes")
        let seen = try #require(harness.messages(changes, type: "welcome").first?["seq"] as? Int)
        harness.drop(changes)
        harness.send(bob, ["type": "vote", "post": "p2", "value": 1, "id": 10])
        harness.tick()
        harness.tick()
        let again = await harness.signIn(Harness.carol, resume: ["epoch": harness.relay.epoch, "seq": seen], ranks: "changes")
        let missed = try #require(lastRanks(harness, again))
        #expect(missed["new"] == nil)
        #expect(!missed.isEmpty)
    }
}
