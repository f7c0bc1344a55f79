import Testing
import TownhallCore
@testable import TownhallRelay

@Suite("Read-only sessions (paired room screens)")
struct ReadOnlyTests {
    static let screen = Actor(id: "screen-1", name: "Room 4", office: "Dublin", role: .employee)

    @Test("a read-only token is welcomed and reads, and every change it asks for is refused with forbidden")
    func refusesChanges() async throws {
        let harness = await Harness()
        let bob = await harness.signIn(Harness.bob)
        harness.send(bob, ["type": "post", "text": "Question", "id": 1])
        harness.tick()
        let connection = harness.open()
        harness.send(connection, ["type": "hello", "token": await harness.token(Self.screen, readOnly: true)])
        await harness.settle(connection)
        #expect(!harness.messages(connection, type: "welcome").isEmpty)
        let changes: [[String: Any]] = [
            ["type": "post", "text": "From the screen", "id": 2], ["type": "vote", "post": "p1", "value": 1, "id": 3],
            ["type": "comment", "text": "hi", "id": 4],
        ]
        for change in changes { harness.send(connection, change) }
        harness.send(connection, ["type": "thread", "post": "p1", "id": 5])
        harness.tick()
        for id in 2...4 {
            let reply = try #require(harness.reply(connection, id: id))
            #expect(reply["code"] as? String == "forbidden")
            #expect((reply["message"] as? String)?.contains("read-only") == true)
        }
        #expect(harness.reply(connection, id: 5)?["type"] as? String == "ack")
        #expect(harness.relay.core.post("p1")?.score == 0)
    }

    @Test("a read-only session cannot be turned into a writing one by a fresh token")
    func refreshKeepsReadOnly() async throws {
        let harness = await Harness()
        let connection = harness.open()
        harness.send(connection, ["type": "hello", "token": await harness.token(Self.screen, readOnly: true)])
        await harness.settle(connection)
        harness.send(connection, ["type": "token", "token": await harness.token(Self.screen), "id": 9])
        await harness.settle(connection)
        for _ in 0..<200 where harness.reply(connection, id: 9) == nil {
            _ = harness.executor.drain()
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(harness.reply(connection, id: 9)?["code"] as? String == "unauthorized")
        harness.send(connection, ["type": "post", "text": "Now?", "id": 10])
        #expect(harness.reply(connection, id: 10)?["code"] as? String == "forbidden")
    }
}
