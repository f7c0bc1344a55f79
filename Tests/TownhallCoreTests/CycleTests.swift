import Testing
@testable import TownhallCore

@Suite("Cycles")
struct CycleTests {
    @Test("closing a cycle opens the next and empties the rankings; old posts stay retrievable")
    func close() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost("old")
        try townhall.run(People.bob, .vote(post: "p1", value: 1))
        let later = start + 7 * 86_400_000
        let outcome = try townhall.run(People.host, at: later, .closeCycle(carryOver: false))
        #expect(outcome == Outcome(result: .cycle(Cycle(id: 2, startedAt: later)), changes: [.cycle]))
        #expect(townhall.cycle == Cycle(id: 2, startedAt: later))
        #expect(townhall.ranks(for: .staff) == Ranks())
        #expect(townhall.posts(by: People.alice.id).isEmpty)
        #expect(townhall.post("p1")?.text == "old")
        #expect(townhall.posts(inCycle: 1).map(\.id) == ["p1"])

        let fresh = try townhall.newPost("new", at: later + 45_000_000)
        #expect(fresh.id == "p2")
        #expect(fresh.cycle == 2)
        #expect(townhall.ranks(for: .employees).top == ["p2"])
        #expect(townhall.posts(by: People.alice.id) == [fresh])
        // Hot counts from the new cycle's start: 0 + 45,000 s / 45,000 = 1.0
        #expect(RankMath.hot(score: fresh.score, createdAt: fresh.createdAt, cycleStart: townhall.cycle.startedAt) == 1.0)
    }
}
