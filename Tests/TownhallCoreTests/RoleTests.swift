import Testing
@testable import TownhallCore

@Suite("Roles")
struct RoleTests {
    @Test("employees cannot moderate, announce, run the townhall or close the cycle")
    func employees() throws {
        var townhall = Townhall.fresh()
        try townhall.newPost()
        for command in [
            Command.moderate(post: "p1", status: .hidden, note: nil), .announce(text: "hi"),
            .townhall(state: .live, title: nil, stream: nil), .closeCycle(carryOver: false),
        ] {
            expectRefused(&townhall, People.alice, command, .forbidden)
        }
    }

    @Test("moderators cannot announce, run the townhall or close the cycle")
    func moderators() {
        var townhall = Townhall.fresh()
        for command in [Command.announce(text: "hi"), .townhall(state: .live, title: nil, stream: nil), .closeCycle(carryOver: false)] {
            expectRefused(&townhall, People.mod, command, .forbidden)
        }
    }

    @Test("the role is checked before anything else")
    func roleFirst() {
        var townhall = Townhall.fresh()
        expectRefused(&townhall, People.bob, .moderate(post: "p99", status: .pending, note: "\u{0}"), .forbidden)
        expectRefused(&townhall, People.mod, .announce(text: "   "), .forbidden)
        expectRefused(&townhall, People.bob, .townhall(state: .live, title: nil, stream: "ftp://x"), .forbidden)
    }

    @Test("every role may post, vote and comment", arguments: [People.alice, People.mod, People.host])
    func everyone(actor: Actor) throws {
        var townhall = Townhall.fresh()
        try townhall.newPost(by: actor)
        try townhall.run(actor, .vote(post: "p1", value: -1))
        try townhall.run(actor, .comment(text: "c", post: "p1"))
        try townhall.run(actor, .comment(text: "live", post: nil))
        #expect(townhall.post("p1").map { ($0.down, $0.comments) } ?? (0, 0) == (1, 1))
    }
}
