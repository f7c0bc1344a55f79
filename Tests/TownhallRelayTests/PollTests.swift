import Testing
import TownhallCore
import TownhallStore
@testable import TownhallRelay

@Suite("Live polls (PROTOCOL.md §9)")
struct PollTests {
    nonisolated(unsafe) static let open: [String: Any] = ["type": "poll", "action": "open", "question": "Lunch on Friday?", "options": ["Pizza", "Sushi", "Tacos"], "id": 1]

    @Test("the host opens a poll; answers set choices like votes, counts reach every page; a welcome has polls and myAnswers")
    func answers() async throws {
        let journal = MemoryJournal()
        let harness = await Harness(journal: journal)
        let host = await harness.signIn(Harness.host)
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        harness.send(host, Self.open)
        harness.tick()
        let poll = try #require(harness.reply(host, id: 1)?["poll"] as? [String: Any])
        let id = try #require(poll["id"] as? String)
        #expect(poll["state"] as? String == "open" && poll["multi"] as? Bool == false && poll["voters"] as? Int == 0)
        #expect((poll["options"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Pizza", "Sushi", "Tacos"])
        let opened = try #require(harness.messages(alice, type: "update").last?["polls"] as? [[String: Any]])
        #expect(opened.first?["id"] as? String == id)

        harness.send(alice, ["type": "answer", "poll": id, "choices": [1], "id": 2])
        harness.send(bob, ["type": "answer", "poll": id, "choices": [1], "id": 3])
        harness.send(bob, ["type": "answer", "poll": id, "choices": [2], "id": 4])
        harness.tick()
        #expect(harness.reply(alice, id: 2)?["choices"] as? [Int] == [1])
        #expect(harness.reply(bob, id: 4)?["choices"] as? [Int] == [2])
        let counted = try #require((harness.messages(host, type: "update").last?["polls"] as? [[String: Any]])?.first)
        #expect((counted["options"] as? [[String: Any]])?.map { $0["votes"] as? Int } == [0, 1, 1])
        #expect(counted["voters"] as? Int == 2)

        let records = journal.records.count
        harness.send(alice, ["type": "answer", "poll": id, "choices": [1], "id": 5])
        harness.tick()
        #expect(harness.reply(alice, id: 5)?["type"] as? String == "ack")
        #expect(journal.records.count == records, "the same answer twice changes nothing")

        let welcome = await harness.view(Harness.alice)
        #expect(welcome["myAnswers"] as? [String: [Int]] == [id: [1]])
        #expect((welcome["polls"] as? [[String: Any]])?.first?["id"] as? String == id)

        harness.send(alice, ["type": "answer", "poll": id, "choices": [], "id": 6])
        harness.tick()
        let taken = try #require((harness.messages(host, type: "update").last?["polls"] as? [[String: Any]])?.first)
        #expect(taken["voters"] as? Int == 1)
        #expect(await harness.view(Harness.alice)["myAnswers"] as? [String: [Int]] == [:])
    }

    @Test("refusals: employees cannot open, bad choices and malformed polls are bad_request, unknown not_found, closed conflict")
    func refusals() async throws {
        let harness = await Harness()
        let host = await harness.signIn(Harness.host)
        let alice = await harness.signIn(Harness.alice)
        harness.send(alice, Self.open)
        harness.tick()
        #expect(harness.reply(alice, id: 1)?["code"] as? String == "forbidden")
        harness.send(host, ["type": "poll", "action": "open", "question": "One?", "options": ["only"], "id": 2])
        harness.send(host, ["type": "poll", "action": "open", "question": " ", "options": ["a", "b"], "id": 3])
        harness.send(host, ["type": "poll", "action": "open", "question": "Eleven?", "options": (0...10).map(String.init), "id": 4])
        harness.send(host, ["type": "poll", "action": "spin", "id": 5])
        harness.send(host, Self.open)
        harness.tick()
        #expect(harness.reply(host, id: 2)?["code"] as? String == "bad_request")
        #expect(harness.reply(host, id: 3)?["code"] as? String == "invalid_text")
        #expect(harness.reply(host, id: 4)?["code"] as? String == "bad_request")
        #expect(harness.reply(host, id: 5)?["code"] as? String == "bad_request")
        let id = try #require((harness.reply(host, id: 1)?["poll"] as? [String: Any])?["id"] as? String)
        for (n, choices) in [(10, [3]), (11, [0, 0]), (12, [0, 1]), (13, [-1])] as [(Int, [Int])] {
            harness.send(alice, ["type": "answer", "poll": id, "choices": choices, "id": n])
        }
        harness.send(alice, ["type": "answer", "poll": "q99", "choices": [0], "id": 14])
        harness.tick()
        for n in 10...13 { #expect(harness.reply(alice, id: n)?["code"] as? String == "bad_request", "request \(n)") }
        #expect(harness.reply(alice, id: 14)?["code"] as? String == "not_found")

        harness.send(host, ["type": "poll", "action": "close", "poll": id, "id": 20])
        harness.send(host, ["type": "poll", "action": "close", "poll": id, "id": 21])
        harness.send(alice, ["type": "answer", "poll": id, "choices": [0], "id": 22])
        harness.tick()
        #expect((harness.reply(host, id: 20)?["poll"] as? [String: Any])?["state"] as? String == "closed")
        #expect(harness.reply(host, id: 21)?["type"] as? String == "ack", "closing a closed poll is acked")
        #expect(harness.reply(alice, id: 22)?["code"] as? String == "conflict")
    }

    @Test("one poll open at a time, multiple choice counts each option, and closing the week closes its poll")
    func oneAtATime() async throws {
        let harness = await Harness()
        let host = await harness.signIn(Harness.host)
        let alice = await harness.signIn(Harness.alice)
        harness.send(host, Self.open)
        harness.send(host, ["type": "poll", "action": "open", "question": "Which topics?", "options": ["Pay", "Office", "Tools"], "multi": true, "id": 2])
        harness.tick()
        let first = try #require((harness.reply(host, id: 1)?["poll"] as? [String: Any])?["id"] as? String)
        let second = try #require((harness.reply(host, id: 2)?["poll"] as? [String: Any])?["id"] as? String)
        let polls = try #require(await harness.view(Harness.alice)["polls"] as? [[String: Any]])
        #expect(polls.map { $0["id"] as? String } == [second, first], "newest first")
        #expect(polls.map { $0["state"] as? String } == ["open", "closed"])
        harness.send(alice, ["type": "answer", "poll": second, "choices": [2, 0], "id": 3])
        harness.tick()
        #expect(harness.reply(alice, id: 3)?["choices"] as? [Int] == [0, 2], "choices come back in ascending order")
        harness.send(host, ["type": "cycle", "action": "close", "id": 4])
        harness.tick()
        let closed = try #require(harness.relay.core.poll(second))
        #expect(closed.state == .closed && closed.votes == [1, 0, 1])
        let nextWeek = await harness.view(Harness.alice)
        #expect((nextWeek["polls"] as? [[String: Any]])?.isEmpty == true, "a new week starts with no polls")
    }

    @Test("polls and answers are journaled: replaying the records rebuilds the same polls")
    func journaled() async throws {
        let journal = MemoryJournal()
        let harness = await Harness(journal: journal)
        let host = await harness.signIn(Harness.host)
        let alice = await harness.signIn(Harness.alice)
        harness.send(host, Self.open)
        harness.tick()
        let id = try #require((harness.reply(host, id: 1)?["poll"] as? [String: Any])?["id"] as? String)
        harness.send(alice, ["type": "answer", "poll": id, "choices": [2], "id": 2])
        harness.send(host, ["type": "poll", "action": "close", "poll": id, "id": 3])
        harness.tick()
        var replayed = Townhall(startedAt: 1_800_000_000_000)
        for record in journal.records {
            let decoded = try JournalRecord.decode(JournalRecord.encode(record))
            #expect(decoded == record)
            _ = try replayed.apply(decoded)
        }
        #expect(replayed.poll(id) == harness.relay.core.poll(id))
        #expect(replayed.poll(id)?.votes == [0, 0, 1] && replayed.poll(id)?.state == .closed)
        #expect(replayed.answers(of: Harness.alice.id) == [id: [2]])
        #expect(Townhall(snapshot: replayed.snapshot) == replayed, "and a snapshot keeps them")
    }
}
