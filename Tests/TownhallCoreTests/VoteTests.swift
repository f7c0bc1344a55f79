import Testing
@testable import TownhallCore

@Suite("Votes")
struct VoteTests {
    @Test("up, then down, then taken back: counts move exactly")
    func upDownBack() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.carol, .vote(post: "p1", value: 1))

        let up = try townhall.run(People.bob, .vote(post: "p1", value: 1))
        #expect(up.changes == [.counts("p1")])
        #expect(up.post.map { ($0.up, $0.down, $0.score) } ?? (0, 0, 0) == (2, 0, 2))
        #expect(townhall.votes(of: People.bob.id) == ["p1": 1])

        let down = try townhall.run(People.bob, .vote(post: "p1", value: -1))
        #expect(down.changes == [.counts("p1")])
        #expect(down.post.map { ($0.up, $0.down, $0.score) } ?? (0, 0, 0) == (1, 1, 0))
        #expect(townhall.votes(of: People.bob.id) == ["p1": -1])

        let back = try townhall.run(People.bob, .vote(post: "p1", value: 0))
        #expect(back.changes == [.counts("p1")])
        #expect(back.result == .vote(post: try #require(townhall.post("p1")), value: 0))
        #expect(townhall.post("p1").map { ($0.up, $0.down) } ?? (0, 0) == (1, 0))
        #expect(townhall.votes(of: People.bob.id).isEmpty)
        #expect(townhall.votes(of: People.carol.id) == ["p1": 1])
    }

    @Test("the same vote twice changes nothing", arguments: [1, -1, 0])
    func sameTwice(value: Int) throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.bob, .vote(post: "p1", value: value))
        let before = townhall
        let again = try townhall.run(People.bob, .vote(post: "p1", value: value))
        #expect(again.changes.isEmpty)
        #expect(again.result == .vote(post: try #require(townhall.post("p1")), value: value))
        #expect(townhall == before)
        #expect(townhall.post("p1")?.up == (value == 1 ? 1 : 0))
        #expect(townhall.post("p1")?.down == (value == -1 ? 1 : 0))
    }

    @Test("a value other than 1, -1 or 0 is a bad request", arguments: [2, -2, 100])
    func badValue(value: Int) throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        expectRefused(&townhall, People.bob, .vote(post: "p1", value: value), .badRequest)
    }

    @Test("voting on a missing post is not found")
    func missingPost() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        expectRefused(&townhall, People.bob, .vote(post: "p2", value: 1), .notFound, message: "no such post")
        expectRefused(&townhall, People.bob, .vote(post: "nonsense", value: 1), .notFound)
    }

    @Test("hidden and pending posts: not found for employees who cannot see them, conflict for those who can")
    func invisiblePosts() throws {
        var townhall = Townhall.fresh(review: true)
        try townhall.newPost(by: People.alice)                   // p1 pending
        try townhall.newPost(by: People.mod)                     // p2 open
        try townhall.run(People.mod, .moderate(post: "p2", status: .hidden, note: nil))
        expectRefused(&townhall, People.bob, .vote(post: "p1", value: 1), .notFound)
        expectRefused(&townhall, People.bob, .vote(post: "p2", value: 1), .notFound)
        expectRefused(&townhall, People.alice, .vote(post: "p1", value: 1), .conflict)  // her own pending post
        expectRefused(&townhall, People.mod, .vote(post: "p1", value: 1), .conflict)
        expectRefused(&townhall, People.host, .vote(post: "p2", value: -1), .conflict)
    }

    @Test("shortlisted, on-air, answered and dismissed posts can be voted on")
    func otherStatuses() throws {
        var townhall = Townhall.fresh()
        for (n, status) in [PostStatus.shortlisted, .onair, .answered, .dismissed].enumerated() {
            let post = try townhall.newPost("q\(n)")
            try townhall.run(People.mod, .moderate(post: post.id, status: status, note: nil))
            #expect(try townhall.run(People.bob, .vote(post: post.id, value: 1)).post?.up == 1)
        }
    }

    @Test("authors, anonymous ones too, can vote on their own posts")
    func ownPost() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost(anonymous: true)
        #expect(try townhall.run(People.alice, .vote(post: "p1", value: 1)).post?.score == 1)
    }

    @Test("votes(of:) reports only the current cycle, and voting on an old post is a conflict")
    func oldCycle() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.bob, .vote(post: "p1", value: 1))
        try townhall.run(People.host, at: start + 10, .closeCycle(carryOver: false))
        #expect(townhall.votes(of: People.bob.id).isEmpty)
        expectRefused(&townhall, People.bob, .vote(post: "p1", value: 0), .conflict,
                      message: "voting on this post has closed")
        #expect(townhall.post("p1")?.up == 1)
    }
}
