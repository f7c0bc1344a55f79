import Foundation
import Synchronization
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallStore
import TownhallTransport

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
        let metrics = try #require(harness.relay.respond(to: HTTPRequest(path: "/metrics")))
        #expect(String(decoding: metrics.body, as: UTF8.self).split(separator: "\n").contains("townhall_journal_writable 0.0"))

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

    @Test("a failed write rolls the state back to the durable one at once; when the disk works again, changes flow")
    func recovers() async throws {
        let journal = FlakyJournal()
        let reloaded = Mutex(0)
        let durable = Townhall(startedAt: 1_800_000_000_000)
        let fatal = Mutex<String?>(nil)
        var config = RelayConfig()
        config.journalGiveUpMillis = 10_000
        let harness = await Harness(config: config, journal: journal, reload: {
            reloaded.withLock { $0 += 1 }
            return durable
        }, onFatal: { reason in fatal.withLock { $0 = reason } })
        let alice = await harness.signIn(Harness.alice)
        let epoch = harness.relay.epoch
        journal.failing = true
        harness.send(alice, ["type": "post", "text": "applied in memory, never durable", "id": 1])
        #expect(harness.reply(alice, id: 1)?["code"] as? String == "unavailable")
        await harness.idle()
        #expect(reloaded.withLock { $0 } == 1)
        #expect(harness.relay.core.posts(by: Harness.alice.id).isEmpty, "nobody can read what was never saved")
        journal.failing = false
        harness.clock.advance(millis: 2_000)
        harness.tick()
        #expect(harness.relay.acceptingChanges)
        #expect(harness.transport.closed[alice] == nil, "clients keep their connections")
        #expect(harness.relay.epoch == epoch, "and their resume points")

        // The disk fails again before any write got through: the give-up clock was not
        // reset by the retry, so a flapping disk still ends in exit after 10 s.
        journal.failing = true
        harness.send(alice, ["type": "post", "text": "again", "id": 2])
        #expect(harness.reply(alice, id: 2)?["code"] as? String == "unavailable")
        await harness.idle()
        for _ in 0..<5 {
            harness.clock.advance(millis: 2_000)
            harness.tick()
        }
        #expect(fatal.withLock { $0 } != nil)

        // Had a write succeeded in between, the streak would have ended: a new failure
        // starts a new give-up clock.
        let steady = FlakyJournal()
        let stillRunning = Mutex<String?>(nil)
        let other = await Harness(config: config, journal: steady, reload: { durable },
                                  onFatal: { reason in stillRunning.withLock { $0 = reason } })
        let bob = await other.signIn(Harness.bob)
        steady.failing = true
        other.send(bob, ["type": "post", "text": "lost", "id": 3])
        await other.idle()
        steady.failing = false
        other.clock.advance(millis: 8_000)
        other.tick()
        other.send(bob, ["type": "post", "text": "saved", "id": 4])
        #expect(other.reply(bob, id: 4)?["type"] as? String == "ack")
        steady.failing = true
        other.send(bob, ["type": "post", "text": "lost again", "id": 5])
        await other.idle()
        for _ in 0..<4 {
            other.clock.advance(millis: 2_000)
            other.tick()
        }
        #expect(stillRunning.withLock { $0 } == nil, "8 s into a new streak, not 16 s into the old one")
    }
}
