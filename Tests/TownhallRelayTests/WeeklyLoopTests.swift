import Foundation
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallTransport

@Suite("The weekly loop over the wire")
struct WeeklyLoopTests {
    /// Milliseconds of an ISO 8601 UTC time.
    static func utc(_ text: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000)
    }

    @Test("the week rolls over at Monday 00:00 in the company's zone, across a daylight-saving change")
    func rolloverAcrossDST() async throws {
        var config = RelayConfig()
        config.timeZone = TimeZone(identifier: "Europe/Dublin")!
        // Saturday 24 Oct 2026, noon in Dublin (IST, UTC+1). Summer time ends Sunday 25 Oct,
        // so the week ends Monday 26 Oct 00:00 GMT = 00:00 UTC, not 23:00 UTC.
        let saturday = Self.utc("2026-10-24T11:00:00Z")
        let harness = await Harness(config: config, startedAt: saturday)
        harness.clock.set(millis: saturday)
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, ["type": "post", "text": "Before the weekend", "id": 1])
        harness.clock.set(millis: Self.utc("2026-10-25T23:30:00Z"))
        harness.tick()
        #expect(harness.relay.core.cycle.id == 1, "23:30 UTC on Sunday is still Sunday 23:30 in Dublin")
        harness.clock.set(millis: Self.utc("2026-10-26T00:00:01Z"))
        harness.tick()
        #expect(harness.relay.core.cycle.id == 2)
        #expect(harness.relay.core.cycle.startedAt == Self.utc("2026-10-26T00:00:01Z"))
        let update = try #require(harness.messages(alice, type: "update").last)
        #expect((update["cycle"] as? [String: Any])?["id"] as? Int == 2)
        #expect((update["ranks"] as? [String: [String]])?["top"] == [])
        // The next week is an ordinary 168 hours: Monday 2 Nov 00:00 GMT.
        harness.clock.set(millis: Self.utc("2026-11-01T23:59:59Z"))
        harness.tick()
        #expect(harness.relay.core.cycle.id == 2)
        harness.clock.set(millis: Self.utc("2026-11-02T00:00:00Z"))
        harness.tick()
        #expect(harness.relay.core.cycle.id == 3)
    }

    @Test("the agenda reaches staff only; answers and carried posts reach everyone; the archive lists a past week")
    func agendaAnswersArchive() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let host = await harness.signIn(Harness.host)
        for index in 1...3 { harness.send(alice, ["type": "post", "text": "Q\(index)", "id": index]) }
        for id in ["p1", "p2", "p3"] { harness.send(host, ["type": "moderate", "post": id, "status": "shortlisted"]) }
        harness.send(host, ["type": "agenda", "posts": ["p3", "p2"], "id": 10])
        harness.tick()
        #expect(harness.reply(host, id: 10)?["type"] as? String == "ack")
        #expect(harness.messages(host, type: "update").last?["agenda"] as? [String] == ["p3", "p2", "p1"])
        #expect(harness.messages(alice, type: "update").allSatisfy { $0["agenda"] == nil })
        let welcome = await harness.view(Harness.mod)
        #expect(welcome["agenda"] as? [String] == ["p3", "p2", "p1"])

        harness.send(host, ["type": "answer", "post": "p3", "text": "Yes, from March.", "owner": "Facilities, by 1 Feb", "id": 11])
        harness.send(alice, ["type": "answer", "post": "p2", "text": "I decide", "id": 12])
        harness.tick()
        let answered = try #require(harness.reply(host, id: 11)?["post"] as? [String: Any])
        #expect(answered["status"] as? String == "answered")
        #expect((answered["answer"] as? [String: Any])?["owner"] as? String == "Facilities, by 1 Feb")
        #expect(harness.reply(alice, id: 12)?["code"] as? String == "forbidden")
        let seen = try #require((harness.messages(alice, type: "update").last?["posts"] as? [[String: Any]])?.first { $0["id"] as? String == "p3" })
        #expect((seen["answer"] as? [String: Any])?["text"] as? String == "Yes, from March.")

        harness.send(host, ["type": "cycle", "action": "close", "id": 13])
        harness.tick()
        let carried = try #require(harness.messages(alice, type: "update").last?["posts"] as? [[String: Any]])
        #expect(Set(carried.compactMap { $0["id"] as? String }) == ["p1", "p2"])
        #expect(carried.allSatisfy { $0["cycle"] as? Int == 2 && $0["carriedFrom"] as? Int == 1 })

        harness.send(alice, ["type": "archive", "cycle": 1, "id": 14])
        await harness.idle()
        let archive = try #require(harness.reply(alice, id: 14))
        #expect((archive["posts"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["p3"])
        harness.send(alice, ["type": "archive", "cycle": 9, "id": 15])
        #expect(harness.reply(alice, id: 15)?["code"] as? String == "not_found")
    }

    @Test("review mode: the author is told when a pending post is approved or declined, with the reason")
    func reviewNotices() async throws {
        let harness = await Harness(review: true)
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        let mod = await harness.signIn(Harness.mod)
        harness.send(alice, ["type": "post", "text": "Pending one", "id": 1])
        harness.send(alice, ["type": "post", "text": "Pending two", "id": 2])
        harness.tick()
        #expect((harness.reply(alice, id: 1)?["post"] as? [String: Any])?["status"] as? String == "pending")
        #expect(harness.messages(bob, type: "update").allSatisfy { ($0["posts"] as? [Any]) == nil })
        #expect(harness.messages(alice, type: "update").allSatisfy { $0["removed"] == nil },
                "a post employees never saw is not announced as removed (not even to its author)")
        harness.send(mod, ["type": "moderate", "post": "p1", "status": "open"])
        harness.send(mod, ["type": "moderate", "post": "p2", "status": "hidden", "note": "Duplicate of an earlier post"])
        harness.tick()
        let notices = harness.messages(alice, type: "review")
        #expect(notices.count == 2)
        #expect(notices.first?["approved"] as? Bool == true)
        #expect(notices.last?["approved"] as? Bool == false)
        #expect(notices.last?["reason"] as? String == "Duplicate of an earlier post")
        #expect(harness.messages(bob, type: "review").isEmpty)
        #expect((harness.messages(bob, type: "update").last?["posts"] as? [[String: Any]])?.first?["id"] as? String == "p1")
    }

    /// A relay keeping one week, started on Monday 2 November 2026, with Alice and a host
    /// signed in.
    func retaining() async -> (Harness, FlakyJournal, alice: ConnectionID, host: ConnectionID) {
        var config = RelayConfig()
        config.retainWeeks = 1
        config.weeklyRollover = false
        let journal = FlakyJournal()
        let harness = await Harness(config: config, journal: journal, startedAt: Self.utc("2026-11-02T09:00:00Z"))
        harness.clock.set(millis: Self.utc("2026-11-02T09:00:00Z"))
        return (harness, journal, await harness.signIn(Harness.alice), await harness.signIn(Harness.host))
    }

    @Test("retention erases old weeks and the relay snapshots at once so the disk forgets")
    func retention() async throws {
        let (harness, journal, alice, host) = await retaining()
        harness.send(alice, ["type": "post", "text": "Old news", "id": 1])
        harness.clock.set(millis: Self.utc("2026-11-09T09:00:00Z"))
        harness.send(host, ["type": "cycle", "action": "close", "carryOver": false, "id": 2])
        harness.tick()
        // That tick's retention scan runs off the thread: let it come back (finding
        // nothing) before the clock moves, or the next one is skipped while it runs.
        await harness.idle()
        #expect(harness.relay.core.post("p1")?.text == "Old news", "ended a moment ago: kept")
        harness.clock.set(millis: Self.utc("2026-11-16T09:00:01Z"))
        harness.tick()
        await harness.idle()
        harness.tick()
        #expect(harness.relay.core.post("p1")?.isErased == true)
        #expect(journal.kept.last?.command == .purge(before: Self.utc("2026-11-09T09:00:01Z")))
        #expect(journal.snapshots > 0, "a snapshot follows the purge")
    }

    @Test("retention that erases only live comments and announcements is journaled, announced and snapshotted")
    func retentionOfLiveOnly() async throws {
        let (harness, journal, alice, host) = await retaining()
        harness.send(alice, ["type": "comment", "text": "Old live comment", "id": 1])
        harness.send(host, ["type": "announce", "text": "Old announcement", "id": 2])
        harness.tick()
        await harness.idle()
        // Eight days on, within the same (never closed) cycle: no post is old enough.
        harness.clock.set(millis: Self.utc("2026-11-10T09:00:01Z"))
        harness.send(host, ["type": "announce", "text": "New announcement", "id": 3])
        harness.tick()
        await harness.idle()
        harness.tick()
        #expect(journal.kept.last?.command == .purge(before: Self.utc("2026-11-03T09:00:01Z")))
        #expect(journal.snapshots > 0, "the disk forgets at once")
        let updates = harness.messages(alice, type: "update")
        #expect(updates.contains { ($0["removedComments"] as? [String]) == ["c1"] })
        #expect(updates.contains { ($0["removedAnnouncements"] as? [String]) == ["a1"] })
        let view = await harness.view(Harness.bob)
        #expect((view["announcements"] as? [[String: Any]])?.map { $0["id"] as? String } == ["a2"])
        #expect((view["comments"] as? [[String: Any]])?.isEmpty == true)
        harness.send(host, ["type": "announce", "text": "Newest", "id": 4])
        harness.tick()
        let ack = harness.reply(host, id: 4)
        #expect((ack?["announcement"] as? [String: Any])?["id"] as? String == "a3", "never a1 again")
    }

    @Test("a host can forget a person over the wire; everyone's view follows")
    func forget() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        let host = await harness.signIn(Harness.host)
        harness.send(alice, ["type": "post", "text": "Mine", "id": 1])
        harness.send(bob, ["type": "post", "text": "Bob's", "id": 1])
        harness.send(alice, ["type": "vote", "post": "p2", "value": 1, "id": 2])
        harness.send(alice, ["type": "comment", "post": "p2", "text": "agree", "id": 3])
        harness.tick()
        harness.send(host, ["type": "forget", "sub": Harness.alice.id, "id": 4])
        harness.send(bob, ["type": "forget", "sub": Harness.alice.id, "id": 5])
        harness.tick()
        let erased = try #require(harness.reply(host, id: 4)?["erased"] as? [String: Int])
        #expect(erased == ["posts": 1, "comments": 1, "votes": 1])
        #expect(harness.reply(bob, id: 5)?["code"] as? String == "forbidden")
        let update = try #require(harness.messages(bob, type: "update").last)
        #expect((update["removed"] as? [String])?.contains("p1") == true)
        #expect(update["removedComments"] as? [String] == ["c1"])
        #expect((update["posts"] as? [[String: Any]])?.first { $0["id"] as? String == "p2" }?["up"] as? Int == 0)
        let staff = try #require(harness.messages(host, type: "update").last)
        #expect((staff["removed"] as? [String])?.contains("p1") == true, "staff drop an erased post too")
        #expect((staff["posts"] as? [[String: Any]] ?? []).allSatisfy { $0["id"] as? String != "p1" })
    }
}
