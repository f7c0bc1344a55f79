import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallTransport

@Suite("Bad input: a clear error, no change, no harm to others")
struct BadInputTests {
    /// Alice misbehaves; Bob watches. Returns the staff view before and after.
    func misbehave(_ act: (Harness, ConnectionID) -> Void) async -> (harness: Harness, alice: ConnectionID, bob: ConnectionID, same: Bool) {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        harness.send(bob, ["type": "post", "text": "Bob's question", "id": 1])
        harness.tick()
        let before = await harness.view(Harness.host)
        act(harness, alice)
        harness.tick()
        let after = await harness.view(Harness.host)
        harness.send(bob, ["type": "ping", "id": 99])
        #expect(harness.reply(bob, id: 99)?["type"] as? String == "pong")
        #expect(harness.messages(bob, type: "error").isEmpty)
        #expect(harness.transport.closed[bob] == nil)
        let same = canonical(before["posts"]) == canonical(after["posts"])
            && canonical(before["comments"]) == canonical(after["comments"])
        return (harness, alice, bob, same)
    }

    @Test("refused requests get their error code and change nothing", arguments: [
        (#"{"type":"post","text":"x""#, "bad_request"),
        (#"[1,2,3]"#, "bad_request"),
        (#"{"text":"no type","id":1}"#, "bad_request"),
        (#"{"type":"shout","id":1}"#, "bad_request"),
        (#"{"type":"post","text":"","id":1}"#, "invalid_text"),
        (#"{"type":"post","text":"   \n ","id":1}"#, "invalid_text"),
        (#"{"type":"post","text":42,"id":1}"#, "bad_request"),
        (#"{"type":"vote","post":"p404","value":1,"id":1}"#, "not_found"),
        (#"{"type":"vote","post":"p1","value":2,"id":1}"#, "bad_request"),
        (#"{"type":"vote","post":"p1","value":"1","id":1}"#, "bad_request"),
        (#"{"type":"comment","post":"p404","text":"hi","id":1}"#, "not_found"),
        (#"{"type":"thread","post":"p404","id":1}"#, "not_found"),
        (#"{"type":"post","text":"x","id":{"nested":true}}"#, "bad_request"),
    ])
    func refused(frame: String, code: String) async throws {
        let run = await misbehave { harness, alice in harness.sendRaw(alice, Array(frame.utf8)) }
        let error = try #require(run.harness.messages(run.alice, type: "error").first)
        #expect(error["code"] as? String == code)
        #expect(!(error["message"] as? String ?? "").isEmpty)
        #expect(run.same)
        #expect(run.harness.transport.closed[run.alice] == nil, "the connection stays open")
    }

    @Test("over-long text is too_large", arguments: [("post", 1000), ("comment", 500)])
    func tooLong(type: String, limit: Int) async throws {
        let run = await misbehave { harness, alice in
            harness.send(alice, ["type": type, "text": String(repeating: "é", count: limit + 1), "id": 1])
        }
        #expect(run.harness.reply(run.alice, id: 1)?["code"] as? String == "too_large")
        #expect(run.same)
    }

    @Test("invalid UTF-8 closes with 1007")
    func invalidUTF8() async {
        let run = await misbehave { harness, alice in harness.sendRaw(alice, [0x7B, 0xFF, 0xFE, 0x7D]) }
        #expect(run.harness.transport.closed[run.alice] == .invalidUTF8)
        #expect(run.same)
    }

    @Test("a message over 16 KiB closes with 1009")
    func oversized() async {
        let run = await misbehave { harness, alice in
            harness.send(alice, ["type": "post", "text": String(repeating: "a", count: 17 * 1024), "id": 1])
        }
        #expect(run.harness.transport.closed[run.alice] == .tooLarge)
        #expect(run.same)
    }

    @Test("rate limits: the sixth post in a minute is refused; a minute later it works")
    func rateLimited() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        for index in 1...6 { harness.send(alice, ["type": "post", "text": "Post \(index)", "id": index]) }
        harness.tick()
        #expect(harness.reply(alice, id: 5)?["type"] as? String == "ack")
        #expect(harness.reply(alice, id: 6)?["code"] as? String == "rate_limited")
        #expect(harness.relay.core.posts(by: Harness.alice.id).count == 5)
        harness.clock.advance(millis: 60_001)
        harness.send(alice, ["type": "post", "text": "Post 7", "id": 7])
        harness.tick()
        #expect(harness.reply(alice, id: 7)?["type"] as? String == "ack")
    }

    @Test("twenty-one votes in a second: the last is rate_limited")
    func voteRate() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        for index in 1...5 {
            harness.send(bob, ["type": "post", "text": "Q\(index)", "id": index])
        }
        harness.tick()
        for index in 0..<21 {
            harness.send(alice, ["type": "vote", "post": "p\(index % 5 + 1)", "value": index % 2 == 0 ? 1 : -1, "id": 100 + index])
        }
        harness.tick()
        #expect(harness.reply(alice, id: 119)?["type"] as? String == "ack")
        #expect(harness.reply(alice, id: 120)?["code"] as? String == "rate_limited")
    }

    @Test("a client that keeps earning errors is closed with 4008")
    func abuse() async {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        for _ in 0..<40 { harness.sendRaw(alice, Array("nope".utf8)) }
        #expect(harness.transport.closed[alice] == .policy)
        #expect(harness.messages(alice, type: "error").count == RelayConfig().strikeLimit)
    }
}
