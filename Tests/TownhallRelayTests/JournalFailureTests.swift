import Foundation
import Synchronization
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallStore

@Suite("When the journal fails")
struct JournalFailureTests {
    @Test("read-only while the disk fails: unavailable for changes, reads still served, then the process is told to exit")
    func givesUp() async throws {
        let journal = FlakyJournal()
        let fatal = Mutex<String?>(nil)
        let harness = await Harness(journal: journal, onFatal: { reason in fatal.withLock { $0 = reason } })
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "kept", "id": 1])
        journal.failing = true
        harness.send(alice, ["type": "post", "text": "not kept", "id": 2])
        harness.send(alice, ["type": "vote", "post": "p1", "value": 1, "id": 3])
        harness.send(alice, ["type": "thread", "post": "p1", "id": 4])
        harness.send(alice, ["type": "ping", "id": 5])
        #expect(harness.reply(alice, id: 1)?["type"] as? String == "ack")
        #expect(harness.reply(alice, id: 2)?["code"] as? String == "unavailable")
        #expect(harness.reply(alice, id: 3)?["code"] as? String == "unavailable")
        #expect(harness.reply(alice, id: 4)?["type"] as? String == "ack", "reads go on")
        #expect(harness.reply(alice, id: 5)?["type"] as? String == "pong")
        let health = try #require(harness.relay.respond(to: HTTPRequest(path: "/healthz")))
        #expect(health.status == 503)
        #expect(String(decoding: health.body, as: UTF8.self).contains(#""state":"read-only""#))

        for _ in 0..<29 {
            harness.clock.advance(millis: 2_000)
            harness.tick()
        }
        #expect(journal.resets >= 10, "the disk is tried again every 2 s")
        #expect(fatal.withLock { $0 } == nil)
        harness.clock.advance(millis: 2_500)
        harness.tick()
        #expect(fatal.withLock { $0 } != nil, "after 60 s the process is told to exit")
    }

    @Test("when the disk works again, the durable state is reloaded and everyone reconnects")
    func recovers() async throws {
        let journal = FlakyJournal()
        let reloaded = Mutex(0)
        let durable = Townhall(startedAt: 1_800_000_000_000)
        let harness = await Harness(journal: journal, reload: {
            reloaded.withLock { $0 += 1 }
            return durable
        })
        let alice = await harness.signIn(Harness.alice)
        let epoch = harness.relay.epoch
        journal.failing = true
        harness.send(alice, ["type": "post", "text": "applied in memory, never durable", "id": 1])
        #expect(harness.reply(alice, id: 1)?["code"] as? String == "unavailable")
        #expect(harness.relay.core.posts(by: Harness.alice.id).count == 1)
        journal.failing = false
        harness.clock.advance(millis: 2_000)
        harness.tick()
        #expect(reloaded.withLock { $0 } == 1)
        #expect(harness.relay.core.posts(by: Harness.alice.id).isEmpty, "rolled back to the durable state")
        #expect(harness.transport.closed[alice] == .serviceRestart)
        #expect(harness.relay.epoch != epoch, "old resume points are refused")
        let again = await harness.signIn(Harness.alice)
        harness.send(again, ["type": "post", "text": "works again", "id": 2])
        #expect(harness.reply(again, id: 2)?["type"] as? String == "ack")
    }
}
