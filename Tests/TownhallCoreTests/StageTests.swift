import Testing
@testable import TownhallCore

@Suite("Stage, comments and announcements")
struct StageTests {
    @Test("going live sets title and stream; repeating it changes nothing")
    func goLive() throws {
        var townhall = Townhall.fresh()
        let live = Command.townhall(state: .live, title: "  Q3 all-hands ", stream: "https://video.example.com/live/1")
        #expect(try townhall.run(People.host, live) == Outcome(result: .done, changes: [.stage]))
        #expect(townhall.stage == Stage(state: .live, title: "Q3 all-hands", stream: "https://video.example.com/live/1"))
        #expect(try townhall.run(People.host, live).changes.isEmpty)
        // Omitted fields stay; empty ones clear.
        try townhall.run(People.host, .townhall(state: .live, title: nil, stream: nil))
        #expect(townhall.stage.title == "Q3 all-hands")
        try townhall.run(People.host, .townhall(state: .live, title: "", stream: ""))
        #expect(townhall.stage == Stage(state: .live))
    }

    @Test("a stream must be an https URL without whitespace, within the limit", arguments: [
        "http://video.example.com", "https://", "video.example.com", "https://video.example.com/a b",
        "https://video.example.com/\n", "javascript:alert(1)", "https://x.example/" + String(repeating: "a", count: 30),
    ])
    func badStream(stream: String) {
        var limits = Limits()
        limits.stream = 40
        var townhall = Townhall.fresh(limits: limits)
        expectRefused(&townhall, People.host, .townhall(state: .live, title: nil, stream: stream), .badRequest)
    }

    @Test("a title is trimmed, limited and free of control characters")
    func title() {
        var limits = Limits()
        limits.title = 5
        var townhall = Townhall.fresh(limits: limits)
        expectRefused(&townhall, People.host, .townhall(state: .live, title: "123456", stream: nil), .tooLarge)
        expectRefused(&townhall, People.host, .townhall(state: .live, title: "a\u{1B}b", stream: nil), .invalidText)
        #expect(throws: Never.self) { try townhall.run(People.host, .townhall(state: .live, title: " 12345 ", stream: nil)) }
        #expect(townhall.stage.title == "12345")
    }

    @Test("ending the townhall moves the on-air post to answered")
    func end() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.host, .townhall(state: .live, title: "T", stream: nil))
        try townhall.run(People.host, .moderate(post: "p1", status: .onair, note: nil))
        let end = try townhall.run(People.host, .townhall(state: .ended, title: nil, stream: nil))
        #expect(end == Outcome(result: .done, changes: [.stage, .post("p1")]))
        #expect(townhall.stage == Stage(state: .ended, title: "T"))
        #expect(townhall.post("p1")?.status == .answered)
        #expect(try townhall.run(People.host, .townhall(state: .ended, title: nil, stream: nil)).changes.isEmpty)
    }

    @Test("comments on posts count on the post; live comments do not; both come back oldest first")
    func comments() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        let outcome = try townhall.run(People.bob, at: start + 1, .comment(text: " agreed ", post: "p1"))
        let first = Comment(id: "c1", post: "p1", text: "agreed", author: People.bob, createdAt: start + 1)
        #expect(outcome == Outcome(result: .comment(first), changes: [.comment(first), .counts("p1")]))
        try townhall.run(People.carol, at: start + 2, .comment(text: "me too", post: "p1"))
        #expect(townhall.post("p1")?.comments == 2)
        #expect(townhall.comments(on: "p1").map(\.id) == ["c1", "c2"])

        for n in 3...6 {
            let live = try townhall.run(People.alice, at: start + Int64(n), .comment(text: "hi \(n)", post: nil))
            #expect(live.changes.count == 1)
        }
        #expect(townhall.liveComments(last: 2).map(\.id) == ["c5", "c6"])
        #expect(townhall.liveComments(last: 100).map(\.id) == ["c3", "c4", "c5", "c6"])
        #expect(townhall.liveComments(last: 0).isEmpty)
        #expect(townhall.comments(on: "p2").isEmpty)
    }

    @Test("comments need a post the commenter can see, but old-cycle posts are fine")
    func commentTargets() throws {
        var townhall = Townhall.fresh(review: true)
        try townhall.newPost()                                   // p1 pending
        expectRefused(&townhall, People.bob, .comment(text: "x", post: "p1"), .notFound)
        expectRefused(&townhall, People.bob, .comment(text: "x", post: "p7"), .notFound)
        try townhall.run(People.alice, .comment(text: "own", post: "p1"))
        try townhall.run(People.mod, .comment(text: "staff", post: "p1"))
        try townhall.run(People.mod, .moderate(post: "p1", status: .open, note: nil))
        try townhall.run(People.host, at: start + 1, .closeCycle(carryOver: false))
        try townhall.run(People.bob, at: start + 2, .comment(text: "late", post: "p1"))
        #expect(townhall.post("p1")?.comments == 3)
    }

    @Test("announcements come newest first")
    func announcements() throws {
        var townhall = Townhall.fresh()
        for n in 1...3 {
            let outcome = try townhall.run(People.host, at: start + Int64(n), .announce(text: "news \(n)"))
            let expected = Announcement(id: "a\(n)", text: "news \(n)", createdAt: start + Int64(n))
            #expect(outcome == Outcome(result: .announcement(expected), changes: [.announcement(expected)]))
        }
        #expect(townhall.announcements(last: 2).map(\.id) == ["a3", "a2"])
        #expect(townhall.announcements(last: 10).map(\.id) == ["a3", "a2", "a1"])
    }
}
