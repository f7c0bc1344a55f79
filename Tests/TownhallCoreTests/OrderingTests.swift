import Testing
@testable import TownhallCore

@Suite("Orderings")
struct OrderingTests {
    @Test("hot matches hand-computed values")
    func hotValues() {
        // score 10, 90,000 s after the start: log10(10) + 90000/45000 = 1 + 2 = 3.0
        #expect(abs(RankMath.hot(score: 10, createdAt: start + 90_000_000, cycleStart: start) - 3.0) < 1e-12)
        // score -100, 45,000 s: -log10(100) + 1 = -2 + 1 = -1.0
        #expect(abs(RankMath.hot(score: -100, createdAt: start + 45_000_000, cycleStart: start) + 1.0) < 1e-12)
        // score 1 or 0 or -1, 4,500 s: ±log10(1) = 0, so 4500/45000 = 0.1
        for score in -1...1 {
            #expect(abs(RankMath.hot(score: score, createdAt: start + 4_500_000, cycleStart: start) - 0.1) < 1e-12)
        }
        // score 2, 3 s: log10(2) + 3/45000 ≈ 0.30103 + 0.0000667 = 0.3010967
        #expect(abs(RankMath.hot(score: 2, createdAt: start + 3_000, cycleStart: start) - 0.3010966623) < 1e-9)
    }

    @Test("Wilson lower bound matches hand-computed values")
    func wilsonValues() {
        // z² = 1.281551565545² ≈ 1.6423744
        #expect(RankMath.wilson(up: 0, down: 0) == 0)
        // 3 up 1 down: n = 4, p = 0.75; z²/2n = 0.2052968; p(1-p)/n = 0.046875; z²/4n² = 0.0256621;
        // z·√0.0725371 = z·0.2693272 = 0.3451556; (0.75 + 0.2052968 - 0.3451556) / (1 + 0.4105936)
        // = 0.6101412 / 1.4105936 ≈ 0.4325415
        #expect(abs(RankMath.wilson(up: 3, down: 1) - 0.4325415) < 1e-6)
        // n up, 0 down: p = 1 so the root is z/2n and cancels z²/2n: 1 / (1 + z²/n)
        #expect(abs(RankMath.wilson(up: 1, down: 0) - 0.3784475) < 1e-6)   // 1 / 2.6423744
        #expect(abs(RankMath.wilson(up: 2, down: 0) - 0.5490924) < 1e-6)   // 1 / 1.8211872
        #expect(abs(RankMath.wilson(up: 10, down: 0) - 0.8589313) < 1e-6)  // 1 / 1.1642374
        // 0 up, 1 down: p = 0, so (z²/2 - z·z/2) / (1 + z²) = 0
        #expect(RankMath.wilson(up: 0, down: 1) == 0)
        #expect(RankMath.wilson(up: 0, down: 7) == 0)
    }

    /// p1 at +0 s: 3 up 1 down (score 2)      p5 at +90,000 s: 10 up (score 10)
    /// p2 at +1 s: 1 up (score 1)             p6 at +3 s: 2 up (score 2)
    /// p3 at +2 s and p4 at +2 s: no votes    p7 at +4 s: 1 down (score -1)
    private func sample() throws -> Townhall {
        var townhall = Townhall.fresh()
        for (n, offset) in [0, 1_000, 2_000, 2_000, 90_000_000, 3_000, 4_000].enumerated() {
            try townhall.newPost("q\(n + 1)", by: People.voter(100 + n), at: start + Int64(offset))
        }
        try townhall.cast("p1", up: 3, down: 1)
        try townhall.cast("p2", up: 1)
        try townhall.cast("p5", up: 10)
        try townhall.cast("p6", up: 2)
        try townhall.cast("p7", down: 1)
        return townhall
    }

    @Test("top: score desc, then earlier first, then lower id")
    func top() throws {
        // p5 10 > p1 2 (t 0) > p6 2 (t 3 s) > p2 1 > p3 0 (t 2 s, id 3) > p4 0 (t 2 s, id 4) > p7 -1
        #expect(try sample().ranks(for: .employees).top == ["p5", "p1", "p6", "p2", "p3", "p4", "p7"])
    }

    @Test("hot: by sign(s)·log10(max(|s|,1)) + t/45000, exact ties newer id first")
    func hot() throws {
        // p5 1 + 2 = 3.0; p6 0.30103 + 3/45000 = 0.3010967; p1 0.30103 + 0 = 0.3010300;
        // p7 0 + 4/45000 = 0.0000889; p3 = p4 = 0 + 2/45000 = 0.0000444 (tie: p4 first); p2 0 + 1/45000
        #expect(try sample().ranks(for: .employees).hot == ["p5", "p6", "p1", "p7", "p4", "p3", "p2"])
    }

    @Test("best: Wilson bound desc, ties by top")
    func best() throws {
        // p5 0.8589 > p6 0.5491 > p1 0.4325 > p2 0.3784 > then bound 0 for p3, p4 (score 0) and p7 (score -1):
        // by top, p3 (id 3) and p4 (id 4) before p7
        #expect(try sample().ranks(for: .employees).best == ["p5", "p6", "p1", "p2", "p3", "p4", "p7"])
    }

    @Test("best: posts without up votes all have bound 0 and fall back to top")
    func bestWithoutUpVotes() throws {
        var townhall = Townhall.fresh()
        for n in 1...3 { try townhall.newPost("q\(n)", at: start + Int64(n)) }
        try townhall.cast("p1", down: 3)   // bound 0, score -3
        try townhall.cast("p2", down: 1)   // bound 0, score -1
        // p3: no votes, bound 0, score 0 → by top: p3 (0), p2 (-1), p1 (-3)
        #expect(townhall.ranks(for: .employees).best == ["p3", "p2", "p1"])
    }

    @Test("new: createdAt desc, ties higher id first")
    func new() throws {
        // +90,000 s p5; +4 s p7; +3 s p6; +2 s p3 and p4 (p4 first); +1 s p2; +0 s p1
        #expect(try sample().ranks(for: .employees).new == ["p5", "p7", "p6", "p4", "p3", "p2", "p1"])
    }

    @Test("ids order numerically: p10 comes after p9")
    func numericIDs() throws {
        var townhall = Townhall.fresh()
        for n in 1...11 { try townhall.newPost("q\(n)") }        // all at the same instant, score 0
        let ranks = townhall.ranks(for: .employees)
        #expect(ranks.top == (1...11).map(PostID.make))
        #expect(ranks.new == (1...11).reversed().map(PostID.make))
        #expect(PostID.precedes("p9", "p10"))
        #expect(!PostID.precedes("p10", "p9"))
    }

    @Test("a vote moves a post in the index")
    func voteMoves() throws {
        var townhall = try sample()
        try townhall.run(People.alice, .vote(post: "p7", value: 1))   // p7: 1 up 1 down, score 0
        try townhall.run(People.bob, .vote(post: "p7", value: 1))     // p7: 2 up 1 down, score 1
        // score 1 ties with p2 (t 1 s) but p7 is later (t 4 s)
        #expect(townhall.ranks(for: .employees).top == ["p5", "p1", "p6", "p2", "p7", "p3", "p4"])
    }

    @Test("depth cuts each ordering; hidden posts are skipped for employees without shortening the list")
    func depthAndVisibility() throws {
        var townhall = try sample()
        #expect(townhall.ranks(for: .employees, depth: 2) == Ranks(
            top: ["p5", "p1"], hot: ["p5", "p6"], best: ["p5", "p6"], new: ["p5", "p7"]))
        #expect(townhall.ranks(for: .staff, depth: 0) == Ranks())
        #expect(townhall.ranks(for: .staff, depth: -3) == Ranks())
        #expect(townhall.ranks(for: .staff, depth: 1000).top.count == 7)

        try townhall.run(People.mod, .moderate(post: "p5", status: .hidden, note: nil))
        #expect(townhall.ranks(for: .employees, depth: 2) == Ranks(
            top: ["p1", "p6"], hot: ["p6", "p1"], best: ["p6", "p1"], new: ["p7", "p6"]))
        #expect(townhall.ranks(for: .staff, depth: 2).top == ["p5", "p1"])

        // A status change changes visibility, not place.
        try townhall.run(People.mod, .moderate(post: "p5", status: .shortlisted, note: nil))
        #expect(townhall.ranks(for: .employees) == townhall.ranks(for: .staff))
        #expect(townhall.ranks(for: .employees).top.first == "p5")
    }

    @Test("the default depth is 100")
    func defaultDepth() throws {
        var townhall = Townhall.fresh()
        for n in 0..<105 { try townhall.newPost("q\(n)", at: start + Int64(n)) }
        let ranks = townhall.ranks(for: .employees)
        for ordering in Ordering.allCases { #expect(ranks[ordering].count == 100) }
        #expect(ranks.new.first == "p105")
    }
}
