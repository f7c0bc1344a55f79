import Foundation
import Testing
import TownhallCore
import TownhallTransport
@testable import TownhallRelay

/// What a client holds after its welcome and the updates since, as a page keeps it:
/// whole posts replace what it had, counts are laid over a post it has, removed posts go,
/// orderings are laid over the ones it has.
struct HeldState {
    var posts: [String: [String: Any]] = [:]
    var ranks: [String: [String]] = [:]
    /// Ids that came as counts for a post the client did not hold.
    var orphanCounts: [String] = []

    init(_ messages: [[String: Any]]) {
        for message in messages {
            guard let type = message["type"] as? String, ["welcome", "update"].contains(type) else { continue }
            if type == "welcome", message["recovered"] as? Bool != true {
                posts = [:]
                ranks = [:]
            }
            for post in (message["posts"] as? [[String: Any]]) ?? [] { posts[post["id"] as! String] = post }
            for (id, counts) in (message["counts"] as? [String: [String: Any]]) ?? [:] {
                guard posts[id] != nil else {
                    orphanCounts.append(id)
                    continue
                }
                for (field, value) in counts { posts[id]?[field] = value }
            }
            for id in (message["removed"] as? [String]) ?? [] { posts[id] = nil }
            for (ordering, ids) in (message["ranks"] as? [String: [String]]) ?? [:] { ranks[ordering] = ids }
        }
    }

    /// The posts its ranks name that it lacks, or holds otherwise than `truth` (a fresh welcome) shows them.
    func wrong(against truth: [String: Any]) -> [String] {
        let truePosts = Dictionary(((truth["posts"] as? [[String: Any]]) ?? []).map { ($0["id"] as! String, $0) }, uniquingKeysWith: { a, _ in a })
        let named = Set(ranks.values.flatMap { $0 })
        return named.sorted().filter { id in
            guard let mine = posts[id], let real = truePosts[id] else { return true }
            return !(mine as NSDictionary).isEqual(to: real)
        }
    }
}

@Suite("Posts as counts")
struct PostCountsTests {
    static let erin = Actor(id: "u-erin", name: "Erin Wu", office: "Oslo", role: .employee)

    /// Each client holds every post its ranks name, as a fresh welcome shows it, and was
    /// never sent counts for a post it did not hold.
    func expectHeldAsWelcomed(_ harness: Harness, _ connections: [ConnectionID]) async {
        let truth = await harness.view(Harness.dave)
        for connection in connections {
            let held = HeldState(harness.transport.messages(connection))
            #expect(held.wrong(against: truth).isEmpty)
            #expect(held.orphanCounts.isEmpty)
        }
    }

    func lastUpdate(_ harness: Harness, _ connection: ConnectionID) -> [String: Any]? {
        harness.messages(connection, type: "update").last
    }

    @Test("a client that asks for counts gets a voted post's counts, not the post; it then holds what a full client holds")
    func countsOnly() async throws {
        let (harness, bob) = await Harness.seeded()
        let full = await harness.signIn(Harness.alice)
        let counted = await harness.signIn(Harness.carol, ranks: "changes", posts: "counts")
        harness.send(bob, ["type": "vote", "post": "p3", "value": 1, "id": 10])
        harness.send(bob, ["type": "comment", "post": "p2", "text": "me too", "id": 11])
        harness.tick()
        harness.tick()
        let whole = try #require(lastUpdate(harness, full))
        let small = try #require(lastUpdate(harness, counted))
        #expect(Set(((whole["posts"] as? [[String: Any]]) ?? []).map { $0["id"] as! String }) == ["p2", "p3"])
        #expect(whole["counts"] == nil)
        #expect(small["posts"] == nil)
        let counts = try #require(small["counts"] as? [String: [String: Int]])
        #expect(counts["p3"] == ["up": 1, "down": 0, "score": 1, "comments": 0])
        #expect(counts["p2"] == ["up": 0, "down": 0, "score": 0, "comments": 1])
        await expectHeldAsWelcomed(harness, [full, counted])
    }

    @Test("a new post, a status change and a new cycle go whole to a client that takes counts")
    func wholeWhenMoreChanged() async throws {
        let (harness, bob) = await Harness.seeded()
        let host = await harness.signIn(Harness.host)
        let counted = await harness.signIn(Harness.carol, posts: "counts")
        harness.send(bob, ["type": "vote", "post": "p1", "value": 1, "id": 10])
        harness.send(host, ["type": "moderate", "post": "p1", "status": "shortlisted", "id": 11])
        harness.send(bob, ["type": "vote", "post": "p2", "value": 1, "id": 12])
        harness.clock.advance(millis: 60_000)
        harness.send(bob, ["type": "post", "text": "Question 4", "id": 13])
        harness.tick()
        harness.tick()
        let update = try #require(lastUpdate(harness, counted))
        let posts = ((update["posts"] as? [[String: Any]]) ?? []).map { $0["id"] as! String }
        #expect(Set(posts) == ["p1", "p4"])
        #expect(Set(((update["counts"] as? [String: Any]) ?? [:]).keys) == ["p2"])

        harness.send(bob, ["type": "vote", "post": "p1", "value": 0, "id": 14])
        harness.send(host, ["type": "cycle", "action": "close", "id": 15])
        harness.tick()
        harness.tick()
        let turned = try #require(harness.messages(counted, type: "update").last { $0["cycle"] != nil })
        #expect(turned["counts"] == nil, "a new cycle drops every post a client held")
        await expectHeldAsWelcomed(harness, [counted])
    }

    @Test("a post that enters the ranks, changed or not, goes whole to every client")
    func entering() async throws {
        var config = RelayConfig()
        config.rankDepth = 1
        let (harness, bob) = await Harness.seeded(config)
        let host = await harness.signIn(Harness.host)
        // p1 ahead of p2 everywhere but `new`, which names p3.
        harness.send(bob, ["type": "vote", "post": "p1", "value": 1, "id": 10])
        harness.tick()
        harness.tick()
        let full = await harness.signIn(Harness.alice)
        let counted = await harness.signIn(Harness.carol, ranks: "changes", posts: "counts")
        let welcomed = Set(((harness.messages(counted, type: "welcome").first?["posts"] as? [[String: Any]]) ?? []).map { $0["id"] as! String })
        try #require(!welcomed.contains("p2"), "the test needs p2 outside every ordering")
        // Hiding p3 lets p2 into `new` though nothing about p2 changed.
        harness.send(host, ["type": "moderate", "post": "p3", "status": "hidden", "id": 11])
        harness.tick()
        harness.tick()
        for connection in [full, counted] {
            let update = try #require(lastUpdate(harness, connection))
            #expect(((update["posts"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == "p2" })
        }
        await expectHeldAsWelcomed(harness, [full, counted])
    }

    @Test("a post a welcome left out goes whole in the next update, even when the ranks are back to the last update's")
    func welcomeLeftOut() async throws {
        var config = RelayConfig()
        config.rankDepth = 1
        let (harness, bob) = await Harness.seeded(config)
        harness.send(bob, ["type": "vote", "post": "p2", "value": 1, "id": 10])
        harness.tick()
        harness.tick()
        let early = await harness.signIn(Harness.alice, posts: "counts")
        // Durable but not yet in an update: p1 goes ahead of p2, and a welcome shows that.
        let voters = [Harness.dave, Self.erin, Harness.mod]
        var connections: [ConnectionID] = []
        for voter in voters { connections.append(await harness.signIn(voter)) }
        for (index, connection) in connections.enumerated() {
            harness.send(connection, ["type": "vote", "post": "p1", "value": 1, "id": 20 + index])
        }
        _ = harness.executor.drain()
        let late = await harness.signIn(Harness.carol, posts: "counts")
        let welcomed = Set(((harness.messages(late, type: "welcome").first?["posts"] as? [[String: Any]]) ?? []).map { $0["id"] as! String })
        try #require(!welcomed.contains("p2"), "the test needs a welcome without p2")
        // Back as the last update had it, and p2's counts change: p2 must go whole to `late`.
        for (index, connection) in connections.enumerated() {
            harness.send(connection, ["type": "vote", "post": "p1", "value": 0, "id": 30 + index])
        }
        harness.send(bob, ["type": "vote", "post": "p2", "value": -1, "id": 40])
        harness.tick()
        harness.tick()
        await expectHeldAsWelcomed(harness, [early, late])
    }

    @Test("a resumed client that takes counts gets the missed updates as counts while another such client listened, whole otherwise")
    func resumed() async throws {
        let (harness, bob) = await Harness.seeded()
        let other = await harness.signIn(Harness.dave, posts: "counts")
        let counted = await harness.signIn(Harness.carol, posts: "counts")
        let seen = try #require(harness.messages(counted, type: "welcome").first?["seq"] as? Int)
        harness.drop(counted)
        harness.send(bob, ["type": "vote", "post": "p2", "value": 1, "id": 10])
        harness.tick()
        harness.tick()
        let again = await harness.signIn(Harness.carol, resume: ["epoch": harness.relay.epoch, "seq": seen], posts: "counts")
        #expect(harness.messages(again, type: "welcome").first?["recovered"] as? Bool == true)
        let missed = try #require(lastUpdate(harness, again))
        #expect((missed["counts"] as? [String: Any])?["p2"] != nil)

        let seenAgain = try #require(missed["seq"] as? Int)
        harness.drop(again)
        harness.drop(other)
        harness.send(bob, ["type": "vote", "post": "p2", "value": -1, "id": 11])
        harness.tick()
        harness.tick()
        let last = await harness.signIn(Harness.carol, resume: ["epoch": harness.relay.epoch, "seq": seenAgain], posts: "counts")
        let wholeMissed = try #require(lastUpdate(harness, last))
        #expect(wholeMissed["counts"] == nil)
        #expect(((wholeMissed["posts"] as? [[String: Any]]) ?? []).first?["down"] as? Int == 1)
    }

    @Test("the staff's counts carry each office's support")
    func staffSupport() async throws {
        let (harness, bob) = await Harness.seeded()
        let host = await harness.signIn(Harness.host, posts: "counts")
        harness.send(bob, ["type": "vote", "post": "p1", "value": 1, "id": 10])
        harness.tick()
        harness.tick()
        let counts = try #require(lastUpdate(harness, host)?["counts"] as? [String: [String: Any]])
        let support = try #require(counts["p1"]?["support"] as? [String: [String: Int]])
        #expect(support == ["Berlin": ["up": 1, "down": 0, "voters": 1]])
    }
}
