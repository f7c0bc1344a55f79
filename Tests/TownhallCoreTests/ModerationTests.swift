import Testing
@testable import TownhallCore

@Suite("Moderation")
struct ModerationTests {
    @Test("moderators and hosts set statuses and notes", arguments: [People.mod, People.host])
    func setsStatus(staff: Actor) throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        let outcome = try townhall.run(staff, .moderate(post: "p1", status: .shortlisted, note: " for Q&A "))
        #expect(outcome == Outcome(result: .done, changes: [.post("p1"), .agenda]))
        #expect(townhall.post("p1")?.status == .shortlisted)
        #expect(townhall.agenda == ["p1"], "shortlisting puts the post on the agenda")
        #expect(townhall.post("p1")?.note == "for Q&A")
    }

    @Test("the same status and note again changes nothing")
    func noOp() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.mod, .moderate(post: "p1", status: .dismissed, note: "dup"))
        let before = townhall
        #expect(try townhall.run(People.mod, .moderate(post: "p1", status: .dismissed, note: "dup")) ==
                Outcome(result: .done, changes: []))
        #expect(try townhall.run(People.mod, .moderate(post: "p1", status: .dismissed, note: nil)).changes.isEmpty)
        #expect(townhall == before)
        #expect(try townhall.run(People.mod, .moderate(post: "p1", status: .open, note: nil)).changes == [.post("p1")])
    }

    @Test("a nil note keeps the note; an empty one clears it; a new one replaces it")
    func notes() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.mod, .moderate(post: "p1", status: .open, note: "first"))
        try townhall.run(People.mod, .moderate(post: "p1", status: .shortlisted, note: nil))
        #expect(townhall.post("p1")?.note == "first")
        try townhall.run(People.mod, .moderate(post: "p1", status: .shortlisted, note: "second"))
        #expect(townhall.post("p1")?.note == "second")
        #expect(try townhall.run(People.mod, .moderate(post: "p1", status: .shortlisted, note: "  ")).changes == [.post("p1")])
        #expect(townhall.post("p1")?.note == nil)
    }

    @Test("pending cannot be set, a missing post is not found, a long note is too large")
    func refusals() throws {
        var limits = Limits()
        limits.note = 5
        var townhall = Townhall.fresh(limits: limits)
        try townhall.newPost()
        expectRefused(&townhall, People.mod, .moderate(post: "p1", status: .pending, note: nil), .badRequest)
        expectRefused(&townhall, People.mod, .moderate(post: "p9", status: .open, note: nil), .notFound)
        expectRefused(&townhall, People.mod, .moderate(post: "p1", status: .hidden, note: "123456"), .tooLarge)
        expectRefused(&townhall, People.mod, .moderate(post: "p1", status: .hidden, note: "a\u{7}"), .invalidText)
    }

    @Test("at most one post is on air: a new one moves the old one to answered")
    func onAirExclusive() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost("one")
        try townhall.newPost("two")
        let first = try townhall.run(People.host, .moderate(post: "p1", status: .onair, note: nil))
        #expect(first.changes == [.post("p1"), .stage])
        #expect(townhall.stage.onAir == "p1")

        let second = try townhall.run(People.mod, .moderate(post: "p2", status: .onair, note: nil))
        #expect(second.changes == [.post("p2"), .post("p1"), .stage])
        #expect(townhall.stage.onAir == "p2")
        #expect(townhall.post("p1")?.status == .answered)
        #expect(townhall.post("p2")?.status == .onair)

        // A new note on the on-air post changes only the post.
        #expect(try townhall.run(People.mod, .moderate(post: "p2", status: .onair, note: "now")).changes == [.post("p2")])

        let off = try townhall.run(People.mod, .moderate(post: "p2", status: .answered, note: nil))
        #expect(off.changes == [.post("p2"), .stage])
        #expect(townhall.stage.onAir == nil)
    }

    @Test("employees see neither pending nor hidden posts, except their own pending ones; staff see all")
    func visibility() throws {
        var townhall = Townhall.fresh(review: true)
        let pending = try townhall.newPost("mine", by: People.alice)            // p1 pending
        try townhall.newPost("staff", by: People.mod)                            // p2 open
        try townhall.run(People.mod, .moderate(post: "p2", status: .hidden, note: nil))
        let hidden = try #require(townhall.post("p2"))

        #expect(townhall.canSee(pending, People.alice))
        #expect(!townhall.canSee(pending, People.bob))
        #expect(townhall.canSee(pending, People.mod) && townhall.canSee(pending, People.host))
        #expect(!townhall.canSee(hidden, People.alice) && !townhall.canSee(hidden, People.bob))
        #expect(townhall.canSee(hidden, People.mod) && townhall.canSee(hidden, People.host))

        #expect(townhall.ranks(for: .employees) == Ranks())
        #expect(townhall.ranks(for: .staff).top == ["p1", "p2"])

        try townhall.run(People.mod, .moderate(post: "p1", status: .open, note: nil))
        #expect(townhall.ranks(for: .employees).top == ["p1"])
        #expect(townhall.canSee(try #require(townhall.post("p1")), People.bob))
    }

    @Test("moderation works on old-cycle posts too")
    func oldCycle() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.host, at: start + 1, .closeCycle(carryOver: false))
        try townhall.run(People.mod, .moderate(post: "p1", status: .answered, note: nil))
        #expect(townhall.post("p1")?.status == .answered)
    }
}
