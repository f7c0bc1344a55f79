import Testing
import TownhallCore
@testable import TownhallRelay

@Suite("Resume after a dropped connection")
struct ResumeTests {
    @Test("a known epoch and seq get a recovered welcome and exactly the missed updates, in order")
    func recovered() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        harness.send(bob, ["type": "post", "text": "One", "id": 1])
        harness.tick()
        let seen = try #require(harness.messages(alice, type: "update").last?["seq"] as? Int)
        harness.drop(alice)
        harness.send(bob, ["type": "post", "text": "Two", "id": 2])
        harness.tick()
        harness.send(bob, ["type": "vote", "post": "p1", "value": 1, "id": 3])
        harness.tick()
        let again = await harness.signIn(Harness.alice, resume: ["epoch": harness.relay.epoch, "seq": seen])
        let frames = harness.transport.messages(again)
        let welcome = try #require(frames.first)
        #expect(welcome["type"] as? String == "welcome")
        #expect(welcome["recovered"] as? Bool == true)
        #expect(welcome["seq"] as? Int == seen)
        let missed = frames.dropFirst().filter { $0["type"] as? String == "update" }
        #expect(missed.compactMap { $0["seq"] as? Int } == [seen + 1, seen + 2])
        let texts = missed.flatMap { ($0["posts"] as? [[String: Any]]) ?? [] }.compactMap { $0["text"] as? String }
        #expect(texts.contains("Two"))
    }

    @Test("another epoch, or a seq no longer kept, gets a full welcome")
    func fullWelcome() async throws {
        var config = RelayConfig()
        config.resumeCapacity = 2
        let harness = await Harness(config: config)
        let bob = await harness.signIn(Harness.bob)
        for index in 1...4 {
            harness.send(bob, ["type": "post", "text": "Q\(index)", "id": index])
            harness.tick()
        }
        for resume in [["epoch": "old-run", "seq": 4], ["epoch": harness.relay.epoch, "seq": 1]] as [[String: Any]] {
            let connection = await harness.signIn(Harness.alice, resume: resume)
            let welcome = try #require(harness.messages(connection, type: "welcome").first)
            #expect(welcome["recovered"] as? Bool == false)
            #expect((welcome["posts"] as? [Any])?.count == 4)
            #expect(welcome["seq"] as? Int == 4)
        }
    }
}
