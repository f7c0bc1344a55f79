import Testing
@testable import TownhallCore

@Suite("The weekly loop: agenda, answers, carry-over, review, retention, forget")
struct WeeklyCycleTests {
    let dana = Actor(id: "u-dana", name: "Dana", office: "Berlin", role: .employee)

    @Test("votes are tallied per voter's office; taking one back undoes the right office")
    func supportByOffice() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        try townhall.run(People.alice, .vote(post: "p1", value: 1))
        try townhall.run(People.bob, .vote(post: "p1", value: -1))
        try townhall.run(dana, .vote(post: "p1", value: 1))
        #expect(townhall.post("p1")?.support == ["Dublin": Support(up: 1), "Berlin": Support(up: 1, down: 1)])
        // Dana moves office; her vote still counts (and is undone) where she cast it.
        let moved = Actor(id: dana.id, name: dana.name, office: "Austin", role: .employee)
        try townhall.run(moved, .vote(post: "p1", value: -1))
        #expect(townhall.post("p1")?.support["Berlin"] == Support(up: 0, down: 2))
        try townhall.run(moved, .vote(post: "p1", value: 0))
        #expect(townhall.post("p1")?.support == ["Dublin": Support(up: 1), "Berlin": Support(down: 1)])
        #expect(townhall.votes(inCycle: 1).count == 2)
    }

    @Test("shortlisting builds the agenda; the host reorders it; answering or dismissing takes posts off")
    func agenda() throws {
        var townhall = Townhall.fresh()
        for text in ["a", "b", "c"] { try townhall.newPost(text) }
        for id in ["p1", "p2", "p3"] { try townhall.run(People.host, .moderate(post: id, status: .shortlisted, note: nil)) }
        #expect(townhall.agenda == ["p1", "p2", "p3"])
        let outcome = try townhall.run(People.mod, .agenda(posts: ["p3", "p1"]))
        #expect(outcome.changes == [.agenda])
        #expect(townhall.agenda == ["p3", "p1", "p2"])
        try townhall.run(People.host, .moderate(post: "p3", status: .onair, note: nil))
        #expect(townhall.agenda == ["p3", "p1", "p2"], "on air stays on the agenda")
        try townhall.run(People.host, .moderate(post: "p1", status: .onair, note: nil))
        #expect(townhall.post("p3")?.status == .answered)
        #expect(townhall.agenda == ["p1", "p2"])
        try townhall.run(People.host, .moderate(post: "p2", status: .dismissed, note: nil))
        #expect(townhall.agenda == ["p1"])
        expectRefused(&townhall, People.alice, .agenda(posts: ["p1"]), .forbidden)
        expectRefused(&townhall, People.host, .agenda(posts: ["p2"]), .conflict)
        expectRefused(&townhall, People.host, .agenda(posts: ["p1", "p1"]), .badRequest)
    }

    @Test("an answer with its owner marks the post answered and takes it off the air")
    func answer() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost("When do we get the new laptops?")
        try townhall.run(People.host, .moderate(post: "p1", status: .onair, note: nil))
        let outcome = try townhall.run(People.host, at: start + 5, .answer(post: "p1", text: " Orders go out in January. ", owner: "IT will report back by 12 Dec"))
        let post = try #require(townhall.post("p1"))
        #expect(post.status == .answered)
        #expect(post.answer == Answer(text: "Orders go out in January.", owner: "IT will report back by 12 Dec", at: start + 5))
        #expect(townhall.stage.onAir == nil)
        #expect(outcome.changes.contains(.stage))
        expectRefused(&townhall, People.alice, .answer(post: "p1", text: "x", owner: nil), .forbidden)
        expectRefused(&townhall, People.host, .answer(post: "p1", text: "  ", owner: nil), .invalidText)
        expectRefused(&townhall, People.host, .answer(post: "p9", text: "x", owner: nil), .notFound)
    }

    @Test("closing the week carries unanswered shortlisted posts over with their votes and agenda order")
    func carryOver() throws {
        var townhall = Townhall.fresh()
        for text in ["keep", "answered", "open"] { try townhall.newPost(text) }
        try townhall.run(People.bob, .vote(post: "p1", value: 1))
        try townhall.run(People.host, .moderate(post: "p1", status: .shortlisted, note: nil))
        try townhall.run(People.host, .moderate(post: "p2", status: .shortlisted, note: nil))
        try townhall.run(People.host, .answer(post: "p2", text: "done", owner: nil))
        let outcome = try townhall.run(People.host, at: start + 100, .closeCycle(carryOver: true))
        #expect(outcome.changes == [.cycle, .post("p1")])
        let carried = try #require(townhall.post("p1"))
        #expect(carried.cycle == 2 && carried.carriedFrom == 1 && carried.up == 1)
        #expect(townhall.post("p2")?.cycle == 1 && townhall.post("p3")?.cycle == 1)
        #expect(townhall.ranks(for: .employees).top == ["p1"])
        #expect(townhall.agenda == ["p1"])
        #expect(townhall.votes(of: People.bob.id) == ["p1": 1], "carried votes stay the voter's")
        try townhall.run(People.carol, .vote(post: "p1", value: 1))
        #expect(townhall.post("p1")?.up == 2, "votes stay open on a carried post")
        #expect(townhall.history.map(\.id) == [1, 2])
        #expect(townhall.cycleInfo(1)?.endedAt == start + 100)

        var without = Townhall.fresh()
        try without.newPost("keep")
        try without.run(People.host, .moderate(post: "p1", status: .shortlisted, note: nil))
        try without.run(People.host, .closeCycle(carryOver: false))
        #expect(without.post("p1")?.cycle == 1 && without.agenda.isEmpty)
    }

    @Test("review mode: approving or declining a pending post tells its author")
    func review() throws {
        var townhall = Townhall.fresh(review: true)
        try townhall.newPost("first")
        try townhall.newPost("second")
        #expect(townhall.post("p1")?.status == .pending)
        let approved = try townhall.run(People.mod, .moderate(post: "p1", status: .open, note: nil))
        #expect(approved.changes.contains(.reviewed("p1", approved: true)))
        let declined = try townhall.run(People.mod, .moderate(post: "p2", status: .hidden, note: "Please raise this with your manager"))
        #expect(declined.changes.contains(.reviewed("p2", approved: false)))
        let again = try townhall.run(People.mod, .moderate(post: "p1", status: .shortlisted, note: nil))
        #expect(!again.changes.contains { if case .reviewed = $0 { true } else { false } })
        let off = try townhall.run(Townhall.system, .configure(reviewPosts: false))
        #expect(off.changes == [.configured] && !townhall.reviewPosts)
        try townhall.newPost("third")
        #expect(townhall.post("p3")?.status == .open)
    }

    @Test("retention erases whole ended cycles: posts, their comments and votes, old live comments")
    func purge() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost("old", by: People.alice, anonymous: true, key: "k")
        try townhall.run(People.bob, .vote(post: "p1", value: 1))
        try townhall.run(People.bob, at: start + 1, .comment(text: "old comment", post: "p1"))
        try townhall.run(People.bob, at: start + 2, .comment(text: "old live", post: nil))
        try townhall.run(People.host, at: start + 1_000, .closeCycle(carryOver: false))
        try townhall.newPost("new", by: People.alice, at: start + 2_000)
        let outcome = try townhall.run(Townhall.system, .purge(before: start + 1_000))
        #expect(outcome.result == .erased(posts: 1, comments: 2, votes: 1))
        #expect(townhall.post("p1")?.isErased == true && townhall.post("p1")?.text == "")
        #expect(townhall.posts(inCycle: 1).isEmpty && townhall.comments(on: "p1").isEmpty)
        #expect(townhall.liveComments(last: 10).isEmpty && townhall.votes(inCycle: 1).isEmpty)
        #expect(townhall.post("p2")?.text == "new")
        try townhall.newPost("again", by: People.alice, at: start + 3_000, key: "k")
        #expect(townhall.post("p3")?.text == "again", "an erased post's retry key is gone too")
        let nothing = try townhall.run(Townhall.system, .purge(before: start + 1_000))
        #expect(nothing.changes.isEmpty)
        expectRefused(&townhall, People.mod, .purge(before: start + 5_000), .forbidden)
    }

    @Test("retention of only live comments and announcements is a change, and announcement ids never repeat")
    func purgeLiveOnly() throws {
        var townhall = Townhall.fresh()
        try townhall.run(People.bob, at: start + 1, .comment(text: "old live", post: nil))
        try townhall.run(People.host, at: start + 2, .announce(text: "first"))
        let second = try townhall.run(People.host, at: start + 3, .announce(text: "second"))
        try townhall.run(People.host, at: start + 5_000, .announce(text: "third"))
        let outcome = try townhall.run(Townhall.system, .purge(before: start + 2))
        #expect(outcome.changes == [.commentRemoved("c1"), .announcementRemoved("a1")],
                "no post was old enough, yet the purge changed something: it must be journaled and announced")
        #expect(outcome.result == .erased(posts: 0, comments: 1, votes: 0))
        #expect(townhall.announcements(last: 10).map(\.id) == ["a3", "a2"])
        let fourth = try townhall.run(People.host, at: start + 6_000, .announce(text: "fourth"))
        guard case .announcement(let made) = fourth.result, case .announcement(let kept) = second.result else {
            Issue.record("announce acks carry the announcement")
            return
        }
        #expect(made.id == "a4" && kept.id == "a2", "a purge never makes an id come round again")
        // Across a snapshot, and from an old snapshot that did not keep the count.
        var loaded = Townhall(snapshot: townhall.snapshot)
        #expect(loaded == townhall)
        var old = townhall.snapshot
        old.announcementCount = nil
        var fromOld = Townhall(snapshot: old)
        let afterLoad = try loaded.run(People.host, at: start + 7_000, .announce(text: "fifth"))
        let afterOld = try fromOld.run(People.host, at: start + 7_000, .announce(text: "fifth"))
        #expect(afterLoad.result == afterOld.result)
        #expect(afterLoad.changes == [.announcement(Announcement(id: "a5", text: "fifth", createdAt: start + 7_000))])
    }

    @Test("forget erases one person's posts, comments and votes, and every count follows")
    func forget() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost("Alice asks", by: People.alice)
        try townhall.newPost("Bob asks", by: People.bob)
        try townhall.run(People.alice, .vote(post: "p2", value: 1))
        try townhall.run(People.carol, .vote(post: "p2", value: 1))
        try townhall.run(People.alice, .comment(text: "Alice comments", post: "p2"))
        try townhall.run(People.carol, .comment(text: "Carol comments", post: "p1"))
        try townhall.run(People.alice, .comment(text: "Alice live", post: nil))
        let outcome = try townhall.run(People.host, .forget(user: People.alice.id))
        #expect(outcome.result == .erased(posts: 1, comments: 3, votes: 1))
        #expect(townhall.post("p1")?.isErased == true)
        let bobs = try #require(townhall.post("p2"))
        #expect(bobs.up == 1 && bobs.comments == 0 && bobs.support == ["Austin": Support(up: 1)])
        #expect(townhall.comments(on: "p2").isEmpty && townhall.liveComments(last: 9).isEmpty)
        #expect(townhall.votes(of: People.alice.id).isEmpty && townhall.posts(by: People.alice.id).isEmpty)
        #expect(townhall.ranks(for: .staff).top == ["p2"])
        expectRefused(&townhall, People.alice, .forget(user: People.bob.id), .forbidden)
        var loaded = Townhall(snapshot: townhall.snapshot)
        #expect(loaded == townhall)
        try loaded.newPost("after", by: People.bob)
        #expect(loaded.post("p3") != nil)
    }
}
