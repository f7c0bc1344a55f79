import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay

@Suite("Signing in")
struct HelloTests {
    @Test("a good token gets a full welcome")
    func welcome() async throws {
        let harness = await Harness()
        let connection = await harness.signIn(Harness.alice)
        let welcome = try #require(harness.messages(connection, type: "welcome").first)
        let user = try #require(welcome["user"] as? [String: Any])
        #expect(user["id"] as? String == "u-alice")
        #expect(user["role"] as? String == "employee")
        #expect(welcome["epoch"] as? String == harness.relay.epoch)
        #expect(welcome["seq"] as? Int == 0)
        #expect(welcome["recovered"] as? Bool == false)
        #expect((welcome["cycle"] as? [String: Any])?["id"] as? Int == 1)
        #expect((welcome["townhall"] as? [String: Any])?["state"] as? String == "ended")
        #expect(welcome["ranks"] as? [String: [String]] == ["top": [], "hot": [], "best": [], "new": []])
        #expect((welcome["presence"] as? [String: Any])?["total"] as? Int == 1)
        for key in ["posts", "myVotes", "comments", "announcements"] { #expect(welcome[key] != nil, "\(key)") }
    }

    @Test("full welcomes at one seq share their encoding; each carries its own user, votes and pending posts")
    func sharedWelcome() async throws {
        let harness = await Harness(review: true)
        let host = await harness.signIn(Harness.host)
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "Waiting for review", "id": 1])
        harness.send(host, ["type": "post", "text": "Open at once", "id": 2])
        harness.tick()
        harness.send(alice, ["type": "vote", "post": "p2", "value": 1, "id": 3])
        harness.tick()
        let built = harness.relay.feeds[Audience.employees.rawValue].welcome?.seq
        let again = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        #expect(harness.relay.feeds[Audience.employees.rawValue].welcome?.seq != built, "a later seq makes a new template")
        let mine = try #require(harness.messages(again, type: "welcome").first)
        let theirs = try #require(harness.messages(bob, type: "welcome").first)
        let ids = { (welcome: [String: Any]) in (welcome["posts"] as? [[String: Any]])?.compactMap { $0["id"] as? String } }
        #expect(ids(mine) == ["p2", "p1"], "her own pending post too")
        #expect(ids(theirs) == ["p2"])
        #expect(mine["myVotes"] as? [String: Int] == ["p2": 1] && (theirs["myVotes"] as? [String: Int])?.isEmpty == true)
        #expect((mine["user"] as? [String: Any])?["id"] as? String == "u-alice")
        #expect((theirs["user"] as? [String: Any])?["id"] as? String == "u-bob")
        for key in ["epoch", "seq", "cycle", "townhall", "ranks", "comments", "announcements", "presence", "recovered", "type"] {
            #expect(canonical(mine[key]) == canonical(theirs[key]), "\(key) is shared")
            #expect(mine[key] != nil, "\(key) is there")
        }
        #expect(mine["ranks"] as? [String: [String]] == ["top": ["p2"], "hot": ["p2"], "best": ["p2"], "new": ["p2"]])
    }

    @Test("a bad, expired or missing token is refused with 4001")
    func badTokens() async throws {
        let harness = await Harness()
        let good = await harness.token(Harness.alice)
        let expired = await harness.token(Harness.alice, ttl: -60)
        let tampered = String(good.dropLast(2)) + (good.hasSuffix("AA") ? "BB" : "AA")
        for token in ["garbage", expired, tampered, ""] {
            let connection = harness.open()
            harness.send(connection, ["type": "hello", "token": token, "id": 9])
            await harness.settle(connection)
            #expect(harness.transport.closed[connection] == .unauthorized)
            let error = try #require(harness.messages(connection, type: "error").first)
            #expect(error["code"] as? String == "unauthorized")
            #expect(error["id"] as? Int == 9)
            #expect(harness.messages(connection, type: "welcome").isEmpty)
        }
    }

    @Test("anything but hello first closes with 4001")
    func notHelloFirst() async {
        let harness = await Harness()
        let connection = harness.open()
        harness.send(connection, ["type": "ping"])
        #expect(harness.transport.closed[connection] == .unauthorized)
    }

    @Test("no hello within 10 s closes with 4001")
    func helloTimeout() async {
        let harness = await Harness()
        let connection = harness.open()
        harness.clock.advance(millis: 9_900)
        harness.tick()
        #expect(harness.transport.closed[connection] == nil)
        harness.clock.advance(millis: 200)
        harness.tick()
        #expect(harness.transport.closed[connection] == .unauthorized)
    }

    @Test("requests sent before the welcome are handled after it, in order")
    func pipelined() async throws {
        let harness = await Harness()
        let connection = harness.open()
        harness.send(connection, ["type": "hello", "token": await harness.token(Harness.alice)])
        harness.send(connection, ["type": "ping", "id": 1])
        harness.send(connection, ["type": "post", "text": "early bird", "id": 2])
        await harness.settle(connection)
        harness.tick()
        let types = harness.transport.messages(connection).compactMap { $0["type"] as? String }
        #expect(types.first == "welcome")
        #expect(harness.reply(connection, id: 1)?["type"] as? String == "pong")
        #expect(harness.reply(connection, id: 2)?["type"] as? String == "ack")
    }
}
