import Foundation
import Synchronization
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay
import TownhallStore
import TownhallTransport

@Suite("Reads: archive pages off the thread, read allowances, exports off the thread")
struct ReadsTests {
    /// A week of `count` posts with distinct scores, closed, so week 1 is in the archive.
    func closedWeek(_ harness: Harness, posts count: Int) async -> (alice: ConnectionID, host: ConnectionID) {
        let host = await harness.signIn(Harness.host)
        let alice = await harness.signIn(Harness.alice)
        for index in 0..<count {
            harness.send(host, ["type": "post", "text": "Question \(index)", "id": index])
        }
        harness.tick()
        harness.send(host, ["type": "cycle", "action": "close", "carryOver": false, "id": 9_999])
        harness.tick()
        return (alice, host)
    }

    @Test("a week comes in pages in top order; next says where the following page starts, null on the last")
    func pages() async throws {
        var config = RelayConfig()
        config.rateLimits = .unlimited
        let harness = await Harness(config: config)
        let (alice, _) = await closedWeek(harness, posts: 7)
        var seen: [String] = []
        var after = 0
        var requests = 0
        while true {
            requests += 1
            harness.send(alice, ["type": "archive", "cycle": 1, "after": after, "limit": 3, "id": 100 + requests])
            await harness.idle()
            let page = try #require(harness.reply(alice, id: 100 + requests))
            let ids = try #require(page["posts"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(ids.count <= 3)
            seen += ids
            guard let next = page["next"] as? Int else {
                #expect(page["next"] is NSNull, "the last page says next: null")
                break
            }
            #expect(next == after + ids.count)
            after = next
        }
        #expect(requests == 3)
        let whole = harness.relay.core.posts(inCycle: 1).sorted(by: Post.topOrder).map(\.id)
        #expect(seen == whole && seen.count == 7)
        harness.send(alice, ["type": "archive", "cycle": 1, "limit": 0, "id": 200])
        #expect(harness.reply(alice, id: 200)?["code"] as? String == "bad_request")
        harness.send(alice, ["type": "archive", "cycle": 1, "after": -1, "id": 201])
        #expect(harness.reply(alice, id: 201)?["code"] as? String == "bad_request")
    }

    @Test("reads draw on an allowance: a flood of thread reads is refused with rate_limited, others unharmed")
    func readAllowance() async throws {
        let harness = await Harness()
        let alice = await harness.signIn(Harness.alice)
        let bob = await harness.signIn(Harness.bob)
        harness.send(alice, ["type": "post", "text": "A question", "id": 1])
        harness.tick()
        for index in 0..<25 { harness.send(alice, ["type": "thread", "post": "p1", "id": 10 + index]) }
        let codes = (0..<25).map { harness.reply(alice, id: 10 + $0)?["code"] as? String }
        #expect(codes.prefix(20).allSatisfy { $0 == nil }, "the first 20 in a second are served")
        #expect(codes.suffix(5).allSatisfy { $0 == "rate_limited" })
        for index in 0..<21 { harness.send(alice, ["type": "ping", "id": 50 + index]) }
        #expect(harness.reply(alice, id: 69)?["type"] as? String == "pong")
        #expect(harness.reply(alice, id: 70)?["code"] as? String == "rate_limited")
        harness.send(bob, ["type": "thread", "post": "p1", "id": 1])
        #expect(harness.reply(bob, id: 1)?["type"] as? String == "ack", "the allowance is per user")
        harness.clock.advance(millis: 1_000)
        harness.send(alice, ["type": "thread", "post": "p1", "id": 99])
        #expect(harness.reply(alice, id: 99)?["type"] as? String == "ack", "a second later it is back")
    }

    @Test("an export is checked at once and built off the thread; refusals change nothing")
    func export() async throws {
        let harness = await Harness()
        _ = await closedWeek(harness, posts: 2)
        let replies = Mutex<[HTTPResponse]>([])
        func ask(_ authorization: String?, _ query: String) {
            let request = HTTPRequest(path: "/api/export", query: query, authorization: authorization)
            let handled = harness.executor.onService {
                harness.relay.respond(to: request) { response in replies.withLock { $0.append(response) } }
            }
            #expect(handled)
        }
        let hostToken = await harness.token(Harness.host)
        let aliceToken = await harness.token(Harness.alice)
        ask(nil, "cycle=1")
        ask("Bearer \(aliceToken)", "cycle=1")
        ask("Bearer \(hostToken)", "cycle=77")
        #expect(replies.withLock { $0.map(\.status) } == [401, 403, 404], "refusals are answered at once")
        ask("Bearer \(hostToken)", "cycle=1&format=csv")
        await harness.idle()
        let csv = try #require(replies.withLock { $0.last })
        #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv"))
        #expect(String(decoding: csv.body, as: UTF8.self).contains("Question 1"))
    }
}
