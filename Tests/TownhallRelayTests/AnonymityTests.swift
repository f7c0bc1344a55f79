import Foundation
import Testing
import TownhallCore
@testable import TownhallRelay

@Suite("Anonymous posts never carry their author")
struct AnonymityTests {
    @Test("no frame to any audience names the author of an anonymous post")
    func nowhere() async throws {
        let harness = await Harness()
        let author = Actor(id: "u-secret-7781", name: "Quentin Quietly", office: "Dublin", role: .employee)
        let writer = await harness.signIn(author)
        let others = [await harness.signIn(Harness.bob), await harness.signIn(Harness.host), await harness.signIn(Harness.mod)]
        harness.send(writer, ["type": "post", "text": "My manager ignores safety reports", "anonymous": true, "id": 1])
        harness.tick()
        let host = others[1]
        harness.send(host, ["type": "moderate", "post": "p1", "status": "onair", "id": 2])
        harness.send(others[0], ["type": "vote", "post": "p1", "value": 1, "id": 3])
        harness.send(others[0], ["type": "thread", "post": "p1", "id": 4])
        harness.tick()
        let ack = try #require(harness.reply(writer, id: 1)?["post"] as? [String: Any])
        #expect(ack["author"] is NSNull)
        let late = await harness.signIn(Harness.alice)
        for connection in [writer, late] + others {
            for frame in harness.transport.sent[connection] ?? [] {
                // The author's own welcome names the author to themselves; nothing else may.
                if connection == writer, frame === harness.transport.sent[writer]?.first { continue }
                let text = String(decoding: frame.payload, as: UTF8.self)
                #expect(!text.contains("Quentin"), "frame to \(connection): \(text.prefix(80))")
                #expect(!text.contains("u-secret-7781"))
            }
        }
    }
}
