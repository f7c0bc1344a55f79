import Testing
@testable import TownhallCore

@Suite("Text limits")
struct TextLimitTests {
    private static var small: Limits {
        var limits = Limits()
        (limits.postText, limits.commentText, limits.announcementText) = (5, 4, 3)
        return limits
    }

    /// One command of each text-carrying kind, with `text`, and who may send it.
    private static func commands(_ text: String) -> [(Actor, Command)] {
        [
            (People.alice, .post(text: text, anonymous: false, key: nil)),
            (People.alice, .comment(text: text, post: nil)),
            (People.alice, .comment(text: text, post: "p1")),
            (People.host, .announce(text: text)),
        ]
    }

    private func seeded() throws -> Townhall {
        var townhall = Townhall.fresh(limits: Self.small)
        try townhall.newPost("seed")
        return townhall
    }

    @Test("empty and whitespace-only texts are invalid", arguments: ["", " ", "\n\t \r\n", "\u{00A0}\u{2003}"])
    func empty(text: String) throws {
        var townhall = try seeded()
        for (actor, command) in Self.commands(text) {
            expectRefused(&townhall, actor, command, .invalidText)
        }
        expectRefused(&townhall, People.alice, .post(text: text, anonymous: false, key: nil), .invalidText,
                      message: "post text must not be empty")
    }

    @Test("texts over the limit are too large, counted in scalars after trimming")
    func overLength() throws {
        var townhall = try seeded()
        expectRefused(&townhall, People.alice, .post(text: "123456", anonymous: false, key: nil), .tooLarge,
                      message: "post text must be at most 5 characters")
        expectRefused(&townhall, People.alice, .comment(text: "12345", post: nil), .tooLarge)
        expectRefused(&townhall, People.host, .announce(text: "1234"), .tooLarge)
        // "e" + combining acute is two scalars: 4 of them make 8 > 5.
        expectRefused(&townhall, People.alice, .post(text: String(repeating: "e\u{301}", count: 3), anonymous: false, key: nil), .tooLarge)
        // Exactly at the limit, with surrounding whitespace trimmed away, is accepted.
        #expect(try townhall.newPost("  12345 \n").text == "12345")
        #expect(try townhall.run(People.host, .announce(text: " 123 ")).changes.count == 1)
    }

    @Test("control characters other than newline, tab and return are invalid",
          arguments: ["a\u{0}b", "a\u{7}", "\u{1B}[", "x\u{7F}", "x\u{85}y"])
    func controls(text: String) throws {
        var townhall = try seeded()
        for (actor, command) in Self.commands(text) {
            expectRefused(&townhall, actor, command, .invalidText)
        }
    }

    @Test("newlines, tabs and returns inside the text are kept")
    func allowedWhitespace() throws {
        var townhall = Townhall.fresh()
        #expect(try townhall.newPost("\ta\tb\r\nc\n").text == "a\tb\r\nc")
    }
}
