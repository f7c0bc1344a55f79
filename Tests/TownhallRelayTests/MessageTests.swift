import Foundation
import Testing
import TownhallCore
import TownhallProtocol
import TownhallStore
@testable import TownhallRelay
import TownhallTransport

@Suite("Every message type")
struct MessageTests {
    @Test("post, vote, comment, thread, ping: acked with their objects")
    func employeeMessages() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "  Can we have standing desks?  ", "id": 1])
        harness.send(alice, ["type": "vote", "post": "p1", "value": 1, "id": 2])
        harness.send(alice, ["type": "comment", "post": "p1", "text": "Yes please", "id": "c"])
        harness.send(alice, ["type": "comment", "text": "Hello from Dublin", "id": 4])
        harness.send(alice, ["type": "ping", "id": 5])
        #expect(harness.reply(alice, id: 5)?["type"] as? String == "pong")
        harness.tick()

        let post = try #require(harness.reply(alice, id: 1)?["post"] as? [String: Any])
        #expect(post["id"] as? String == "p1")
        #expect(post["text"] as? String == "Can we have standing desks?")
        #expect(post["status"] as? String == "open")
        #expect((post["author"] as? [String: Any])?["name"] as? String == "Alice Smith")
        #expect(post["note"] == nil, "notes are for staff")
        let vote = try #require(harness.reply(alice, id: 2))
        #expect(vote["value"] as? Int == 1)
        #expect((vote["post"] as? [String: Any])?["up"] as? Int == 1)
        let comment = try #require(harness.transport.messages(alice).first { $0["id"] as? String == "c" })
        #expect((comment["comment"] as? [String: Any])?["post"] as? String == "p1")
        let live = try #require(harness.reply(alice, id: 4)?["comment"] as? [String: Any])
        #expect(live["post"] is NSNull)

        harness.send(alice, ["type": "thread", "post": "p1", "id": 6])
        let thread = try #require(harness.reply(alice, id: 6))
        #expect((thread["comments"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Yes please"])
        #expect((thread["post"] as? [String: Any])?["comments"] as? Int == 1)
    }

    @Test("an ack and the update wait for the journal; a failed journal acks nothing and turns read-only")
    func ackMeansDurable() async throws {
        let journal = HeldJournal()
        let harness = await Harness(journal: journal)
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        harness.tick()
        harness.transport.clear(bob)
        harness.send(alice, ["type": "post", "text": "Kept?", "id": 1])
        harness.tick()
        #expect(harness.reply(alice, id: 1) == nil)
        #expect(harness.messages(bob, type: "update").isEmpty)
        #expect(journal.kept.count == 1)
        harness.executor.onService { journal.release() }
        harness.tick()
        #expect(harness.reply(alice, id: 1)?["type"] as? String == "ack")
        #expect(harness.messages(bob, type: "update").count == 1)

        harness.send(alice, ["type": "post", "text": "Lost", "id": 2])
        harness.executor.onService { journal.release(.failure(JournalError("disk full"))) }
        #expect(harness.reply(alice, id: 2)?["code"] as? String == "unavailable")
        harness.send(alice, ["type": "vote", "post": "p1", "value": 1, "id": 3])
        #expect(harness.reply(alice, id: 3)?["code"] as? String == "unavailable")
        #expect(harness.relay.respond(to: HTTPRequest(path: "/healthz"))?.status == 503)
    }

    @Test("host: moderate, announce, townhall, cycle")
    func hostMessages() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let host = await harness.signIn(Harness.host)
        harness.send(alice, ["type": "post", "text": "First", "id": 1])
        harness.send(alice, ["type": "post", "text": "Second", "id": 2])
        harness.tick()
        harness.send(host, ["type": "moderate", "post": "p1", "status": "onair", "note": "asked", "id": 10])
        harness.send(host, ["type": "announce", "text": "Townhall at 5", "id": 11])
        harness.send(host, ["type": "townhall", "state": "live", "title": "Week 48", "stream": "https://video.example.com/live", "id": 12])
        harness.send(host, ["type": "townhall", "state": "live", "stream": "http://insecure.example.com", "id": 13])
        harness.tick()
        #expect(harness.reply(host, id: 10)?["type"] as? String == "ack")
        #expect((harness.reply(host, id: 11)?["announcement"] as? [String: Any])?["text"] as? String == "Townhall at 5")
        #expect(harness.reply(host, id: 12)?["type"] as? String == "ack")
        #expect(harness.reply(host, id: 13)?["code"] as? String == "bad_request")

        let update = try #require(harness.messages(alice, type: "update").last)
        let townhall = try #require(update["townhall"] as? [String: Any])
        #expect(townhall["state"] as? String == "live")
        #expect(townhall["onAir"] as? String == "p1")
        #expect(townhall["stream"] as? String == "https://video.example.com/live")
        #expect((update["announcements"] as? [[String: Any]])?.first?["text"] as? String == "Townhall at 5")
        let hostPost = try #require((harness.messages(host, type: "update").last?["posts"] as? [[String: Any]])?.first)
        #expect(hostPost["note"] as? String == "asked", "staff see notes")
        let employeePost = try #require((update["posts"] as? [[String: Any]])?.first)
        #expect(employeePost["note"] == nil)

        harness.send(host, ["type": "cycle", "action": "close", "id": 14])
        harness.tick()
        #expect((harness.reply(host, id: 14)?["cycle"] as? [String: Any])?["id"] as? Int == 2)
        let closed = try #require(harness.messages(alice, type: "update").last)
        #expect((closed["cycle"] as? [String: Any])?["id"] as? Int == 2)
        #expect((closed["ranks"] as? [String: [String]])?["top"] == [])
    }

    @Test("the same vote twice changes nothing; a retried post key makes no second post")
    func idempotent() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "Once", "key": "k1", "id": 1])
        harness.send(alice, ["type": "post", "text": "Once", "key": "k1", "id": 2])
        harness.send(alice, ["type": "vote", "post": "p1", "value": -1, "id": 3])
        harness.send(alice, ["type": "vote", "post": "p1", "value": -1, "id": 4])
        harness.tick()
        #expect((harness.reply(alice, id: 2)?["post"] as? [String: Any])?["id"] as? String == "p1")
        #expect((harness.reply(alice, id: 4)?["post"] as? [String: Any])?["down"] as? Int == 1)
        let view = await harness.view(Harness.bob)
        #expect((view["posts"] as? [[String: Any]])?.count == 1)
    }
}
