import Foundation
import Testing
import TownhallCore
@testable import TownhallProtocol

@Suite("Frames that write their own JSON")
struct WireJSONTests {
    static let ann = Actor(id: "u1", name: "Ann \"the\" / Ü", office: "Dublin", role: .employee)

    static func posts() -> [Post] {
        var plain = Post(id: "p1", cycle: 3, text: "Why \\ not?\n😀", author: ann, anonymous: false, office: "Dublin", createdAt: 5, up: 3, down: 1)
        plain.support = ["Dublin": Support(up: 2, down: 1), "Austin": Support(up: 1)]
        var anonymous = Post(id: "p2", cycle: 3, text: "t", author: ann, anonymous: true, office: "Berlin", createdAt: 6,
                             comments: 4, status: .answered, note: "a note")
        anonymous.answer = Answer(text: "Yes", owner: "HR", at: 9)
        anonymous.carriedFrom = 2
        var unowned = Post(id: "p3", cycle: 3, text: "", author: ann, anonymous: false, office: "X", createdAt: 7, status: .onair)
        unowned.answer = Answer(text: "Soon", owner: nil, at: 10)
        return [plain, anonymous, unowned]
    }

    /// Both encodings, read back, as canonical JSON text.
    func both(_ message: some Encodable) throws -> (written: String, foundation: String) {
        let encoder = FrameEncoder()
        func canonical(_ bytes: [UInt8]) throws -> String {
            let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        return (try canonical(encoder.encode(message)), try canonical(encoder.encodeWithFoundation(message)))
    }

    @Test("posts, counts, comments, announcements, stage, presence, ranks, cycles: the same JSON as their Encodable form, for both audiences")
    func objects() throws {
        for post in Self.posts() {
            for audience in Audience.allCases {
                var update = Update(seq: 1)
                update.posts = [WirePost(post, for: audience)]
                let (written, foundation) = try both(update)
                #expect(written == foundation)
                var counted = Update(seq: 2)
                counted.counts = [post.id: WireCounts(post, for: audience), "p10": WireCounts(post, for: audience)]
                let counts = try both(counted)
                #expect(counts.written == counts.foundation)
                let ack = try both(Ack(id: .int(7), payload: .vote(WirePost(post, for: audience), value: -1)))
                #expect(ack.written == ack.foundation)
                let created = try both(Ack(id: .string("k"), payload: .post(WirePost(post, for: audience))))
                #expect(created.written == created.foundation)
            }
        }
        var update = Update(seq: 42)
        update.comments = [WireComment(Comment(id: "c1", post: nil, text: "hi", author: Self.ann, createdAt: 3)),
                           WireComment(Comment(id: "c2", post: "p1", text: "yo", author: Self.ann, createdAt: 4))]
        update.announcements = [Announcement(id: "a1", text: "mark:123", createdAt: 8)]
        update.townhall = WireStage(Stage(state: .live, title: "Q4", stream: nil, onAir: "p3"))
        update.cycle = Cycle(id: 4, startedAt: 11)
        update.presence = WirePresence(total: 3, offices: ["Dublin": 2, "Austin": 1])
        var ranks = Ranks()
        ranks.top = ["p1", "p2"]
        ranks.new = ["p2", "p1"]
        update.ranks = WireRanks(ranks)
        update.removed = ["p9"]
        update.agenda = ["p1"]
        update.removedComments = ["c0"]
        update.removedAnnouncements = ["a0"]
        let full = try both(update)
        #expect(full.written == full.foundation)
        for message in [Ack(id: .int(1), payload: .none), Ack(id: .string("x"), payload: .cycle(Cycle(id: 2, startedAt: 9))),
                        Ack(id: .int(2), payload: .announcement(Announcement(id: "a2", text: "t", createdAt: 1))),
                        Ack(id: .int(3), payload: .comment(WireComment(Comment(id: "c3", post: nil, text: "c", author: Self.ann, createdAt: 2))))] {
            let pair = try both(message)
            #expect(pair.written == pair.foundation)
        }
        for message in [ErrorReply(id: .int(5), code: .rateLimited, message: "slow \"down\""), ErrorReply(id: nil, code: .unauthorized, message: "m")] {
            let pair = try both(message)
            #expect(pair.written == pair.foundation)
        }
        for message in [Pong(id: .string("p")), Pong(id: nil)] {
            let pair = try both(message)
            #expect(pair.written == pair.foundation)
        }
    }
}
