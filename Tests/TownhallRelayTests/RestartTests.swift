import Foundation
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallStore

@Suite("The weekly loop survives restarts: nothing reverts")
struct RestartTests {
    static func utc(_ text: String) -> Int64 { WeeklyLoopTests.utc(text) }

    /// Waits (bounded) until the disk journal has answered everything, running its
    /// completions as the service thread would.
    func settle(_ harness: Harness, _ journal: DiskJournal) async {
        for _ in 0..<2000 {
            // Settled before the tick (so every completion of what is durable was queued
            // and the tick ran it) and after it (so the tick started nothing new).
            let before = settled(harness, journal)
            harness.tick()
            if before && settled(harness, journal) { return }
            try? await Task.sleep(for: .milliseconds(2))
        }
        Issue.record("the journal did not settle")
    }

    func settled(_ harness: Harness, _ journal: DiskJournal) -> Bool {
        let status = journal.status
        return status.durable == status.appended && !harness.relay.snapshotInFlight && harness.relay.backgroundInFlight == 0
    }

    /// Reads the folder back as a restarted server would.
    func restart(_ folder: String) throws -> Townhall {
        try Recovery.load(folder).rebuild(startedAt: 0).townhall
    }

    @Test("review, agenda, answers, DST rollover with carry-over, forget and retention, each checked after a restart")
    func weeklyLoop() async throws {
        let folder = NSTemporaryDirectory() + "townhall-restart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let journal = try DiskJournal(folder: folder, recovery: try Recovery.load(folder))
        var config = RelayConfig()
        config.timeZone = TimeZone(identifier: "Europe/Dublin")!
        let saturday = Self.utc("2026-10-24T11:00:00Z")
        let harness = await Harness(config: config, journal: journal, startedAt: saturday, review: true)
        harness.clock.set(millis: saturday)
        // A fresh folder starts with a snapshot of the empty state (as `serve` does).
        journal.snapshot(harness.relay.core) { _ in }
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        let host = await harness.signIn(Harness.host)

        for (index, text) in ["Standing desks?", "Remote Fridays?", "Better coffee?"].enumerated() {
            harness.send(alice, ["type": "post", "text": text, "key": "k\(index)", "id": index])
        }
        await settle(harness, journal)
        for id in ["p1", "p2", "p3"] { harness.send(host, ["type": "moderate", "post": id, "status": "open"]) }
        harness.send(bob, ["type": "vote", "post": "p2", "value": 1])
        harness.send(bob, ["type": "comment", "post": "p1", "text": "Yes please"])
        for id in ["p1", "p2", "p3"] { harness.send(host, ["type": "moderate", "post": id, "status": "shortlisted"]) }
        harness.send(host, ["type": "agenda", "posts": ["p3", "p1"]])
        harness.send(host, ["type": "answer", "post": "p3", "text": "New machine on Monday.", "owner": "Facilities"])
        await settle(harness, journal)
        #expect(try restart(folder) == harness.relay.core, "after review, votes, agenda and answers")
        #expect(harness.relay.core.agenda == ["p1", "p2"])
        #expect(harness.messages(alice, type: "review").count == 3)

        // Sunday night in Dublin, then Monday 00:00 GMT (summer time ended on Sunday).
        harness.clock.set(millis: Self.utc("2026-10-25T23:30:00Z"))
        harness.tick()
        #expect(harness.relay.core.cycle.id == 1)
        harness.clock.set(millis: Self.utc("2026-10-26T00:00:05Z"))
        await settle(harness, journal)
        #expect(harness.relay.core.cycle.id == 2)
        let afterRollover = try restart(folder)
        #expect(afterRollover == harness.relay.core, "after the rollover")
        #expect(afterRollover.posts(inCycle: 2).map(\.id) == ["p1", "p2"], "unanswered shortlisted posts carried over")
        #expect(afterRollover.post("p2")?.up == 1 && afterRollover.post("p3")?.answer?.owner == "Facilities")

        harness.send(host, ["type": "forget", "sub": Harness.bob.id, "id": 50])
        await settle(harness, journal)
        let afterForget = try restart(folder)
        #expect(afterForget == harness.relay.core, "after forget")
        #expect(afterForget.post("p2")?.up == 0 && afterForget.comments(on: "p1").isEmpty)
        let onDisk = try JournalFiles.segments(in: folder).map { String(decoding: try JournalFiles.read($0.path), as: UTF8.self) }
        #expect(!onDisk.joined().contains("Yes please"), "the snapshot after forget dropped the journal holding Bob's words")
        _ = bob

        // Two weeks on, with retention of one week: the first week is erased, on disk too.
        var retaining = config
        retaining.retainWeeks = 1
        let reopened = try DiskJournal(folder: folder, recovery: try Recovery.load(folder))
        journal.close()
        let later = await Harness(config: retaining, journal: reopened, startedAt: saturday)
        later.relay.core = try restart(folder)
        later.clock.set(millis: Self.utc("2026-11-09T12:00:00Z"))
        await settle(later, reopened)
        reopened.close()
        let final = try restart(folder)
        #expect(final == later.relay.core, "after retention")
        #expect(final.post("p3")?.isErased == true, "week 1's answered post is gone")
        #expect(final.cycle.id == 3, "one rollover brings a server that was away to the current week")
        let files = try JournalFiles.segments(in: folder).map { String(decoding: try JournalFiles.read($0.path), as: UTF8.self) }
            + JournalFiles.snapshots(in: folder).map { String(decoding: try JournalFiles.read($0.path), as: UTF8.self) }
        #expect(!files.joined().contains("Better coffee"), "retention reached the disk")
    }
}
