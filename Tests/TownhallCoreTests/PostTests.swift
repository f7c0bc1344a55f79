import Testing
@testable import TownhallCore

@Suite("Posts")
struct PostTests {
    @Test("new posts get sequential ids, the current cycle, the author's office and trimmed text")
    func createsPosts() throws {
        var townhall = Townhall.fresh()
        let outcome = try townhall.run(People.alice, at: start + 5, .post(text: "  Why?\n", anonymous: true, key: nil))
        let first = try #require(outcome.post)
        #expect(outcome.changes == [.post("p1")])
        #expect(first.id == "p1")
        #expect(first.cycle == 1)
        #expect(first.text == "Why?")
        #expect(first.author == People.alice)
        #expect(first.anonymous)
        #expect(first.office == "Dublin")
        #expect(first.createdAt == start + 5)
        #expect((first.up, first.down, first.comments, first.score) == (0, 0, 0, 0))
        #expect(first.status == .open)
        let second = try townhall.newPost("Second", by: People.bob)
        #expect(second.id == "p2")
        #expect(townhall.post("p2") == second)
        #expect(townhall.post("p3") == nil)
        #expect(townhall.post("p02") == nil)
        #expect(townhall.post("p0") == nil)
        #expect(townhall.post("x1") == nil)
    }

    @Test("a retry with the same key by the same author returns the first post and changes nothing")
    func keyIsIdempotent() throws {
        var townhall = Townhall.fresh()
        let first = try townhall.newPost("Once", key: "k1")
        let before = townhall
        let retry = try townhall.run(People.alice, at: start + 99, .post(text: "Once", anonymous: false, key: "k1"))
        #expect(retry == Outcome(result: .post(first), changes: []))
        #expect(townhall == before)
        #expect(townhall.posts(by: People.alice.id) == [first])

        // Another author may use the same key; the same author may use another key.
        #expect(try townhall.newPost("Once", by: People.bob, key: "k1").id == "p2")
        #expect(try townhall.newPost("Once", key: "k2").id == "p3")
    }

    @Test("a retry key holds across cycles, and a retry returns the post as it is now")
    func keyAcrossCycles() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost("Old", key: "k")
        try townhall.run(People.bob, .vote(post: "p1", value: 1))
        try townhall.run(People.host, at: start + 1, .closeCycle(carryOver: false))
        let retry = try townhall.run(People.alice, at: start + 2, .post(text: "Old", anonymous: false, key: "k"))
        #expect(retry.changes.isEmpty)
        #expect(retry.post?.id == "p1")
        #expect(retry.post?.up == 1)
        #expect(retry.post?.cycle == 1)
    }

    @Test("a key longer than the limit is a bad request")
    func keyTooLong() throws {
        var limits = Limits()
        limits.key = 4
        var townhall = Townhall.fresh(limits: limits)
        try townhall.newPost(key: "abcd")
        expectRefused(&townhall, People.alice, .post(text: "x", anonymous: false, key: "abcde"), .badRequest)
    }

    @Test("under review, employees' posts start pending and staff posts start open")
    func reviewMode() throws {
        var townhall = Townhall.fresh(review: true)
        #expect(try townhall.newPost(by: People.alice).status == .pending)
        #expect(try townhall.newPost(by: People.mod).status == .open)
        #expect(try townhall.newPost(by: People.host).status == .open)
        townhall.reviewPosts = false
        #expect(try townhall.newPost(by: People.bob).status == .open)
    }

    @Test("posts(by:) lists the user's current-cycle posts, oldest first, whatever their status")
    func ownPosts() throws {
        var townhall = Townhall.fresh(review: true)
        try townhall.newPost("one")
        try townhall.newPost("other", by: People.bob)
        try townhall.newPost("two", at: start + 1)
        #expect(townhall.posts(by: People.alice.id).map(\.id) == ["p1", "p3"])
        #expect(townhall.posts(by: People.alice.id).allSatisfy { $0.status == .pending })
        #expect(townhall.posts(by: "nobody").isEmpty)
    }
}
