import Foundation
import Testing
import TownhallCore
@testable import TownhallStore
import TownhallTestSupport

@Suite("Journal record format")
struct JournalRecordTests {
    static let ann = Actor(id: "u1", name: "Ann", office: "Dublin", role: .employee)

    /// One of every command, with optional fields both present and absent.
    static let every: [Command] = [
        .post(text: "Why?", anonymous: true, key: "k1"), .post(text: "No key", anonymous: false, key: nil),
        .vote(post: "p1", value: -1), .comment(text: "live", post: nil), .comment(text: "on p1", post: "p1"),
        .moderate(post: "p1", status: .shortlisted, note: "good one"), .moderate(post: "p2", status: .hidden, note: nil),
        .announce(text: "Hello / all"), .townhall(state: .live, title: "Q4", stream: "https://x.example/s"),
        .townhall(state: .ended, title: nil, stream: nil), .closeCycle(carryOver: false), .agenda(posts: ["p3", "p1"]),
        .answer(post: "p1", text: "Yes", owner: "HR"), .purge(before: 1_700_000_000_123), .forget(user: "u9"),
        .configure(reviewPosts: true),
    ]

    @Test("every command survives the round trip, and the same request is always the same bytes")
    func roundTrip() throws {
        for (index, command) in Self.every.enumerated() {
            let request = Request(actor: Self.ann, at: 1_800_000_000_000 + Int64(index), command: command)
            let bytes = JournalRecord.encode(request)
            #expect(try JournalRecord.decode(bytes) == request)
            #expect(JournalRecord.encode(request) == bytes)
            #expect(String(decoding: bytes, as: UTF8.self).contains(#""v":2"#))
        }
    }

    @Test("the bytes are those JSONSerialization wrote before (sorted keys, slashes unescaped), tricky text included")
    func sameBytesAsBefore() throws {
        let tricky = "quote \" slash / back \\ tab \t nl \n cr \r bell \u{07} é 😀 \u{2028}"
        let commands = Self.every + [.post(text: tricky, anonymous: false, key: tricky), .answer(post: "p1", text: tricky, owner: nil)]
        for command in commands {
            let request = Request(actor: Actor(id: "u\"1", name: tricky, office: "Dublin/HQ", role: .host), at: -5, command: command)
            let bytes = JournalRecord.encode(request)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            let before = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(bytes == Array(before), "\(String(decoding: bytes, as: UTF8.self))\n\(String(decoding: before, as: UTF8.self))")
        }
    }

    @Test("version 1 records, as the first releases wrote them, still read")
    func versionOne() throws {
        let v1 = [
            #"{"actor":{"id":"u1","name":"Ann","office":"Dublin","role":"employee"},"at":1800000000000,"command":{"post":{"text":"Why?","anonymous":true,"key":"k1"}}}"#,
            #"{"at":1800000000001,"command":{"vote":{"post":"p1","value":-1}},"actor":{"office":"Dublin","role":"employee","name":"Ann","id":"u1"}}"#,
            #"{"actor":{"id":"h","name":"H","office":"HQ","role":"host"},"at":5,"command":{"closeCycle":{"carryOver":true}}}"#,
            #"{"actor":{"id":"h","name":"H","office":"HQ","role":"host"},"at":6,"command":{"townhall":{"state":"live"}}}"#,
        ]
        let host = Actor(id: "h", name: "H", office: "HQ", role: .host)
        let expected = [
            Request(actor: Self.ann, at: 1_800_000_000_000, command: .post(text: "Why?", anonymous: true, key: "k1")),
            Request(actor: Self.ann, at: 1_800_000_000_001, command: .vote(post: "p1", value: -1)),
            Request(actor: host, at: 5, command: .closeCycle(carryOver: true)),
            Request(actor: host, at: 6, command: .townhall(state: .live, title: nil, stream: nil)),
        ]
        for (text, request) in zip(v1, expected) {
            #expect(try JournalRecord.decode(Array(text.utf8)) == request)
        }
    }

    @Test("unknown versions, commands and ill-typed fields are refused, never guessed", arguments: [
        #"{"v":3,"actor":{"id":"u1","name":"A","office":"D","role":"employee"},"at":1,"type":"vote","post":"p1","value":1}"#,
        #"{"v":2,"actor":{"id":"u1","name":"A","office":"D","role":"employee"},"at":1,"type":"teleport"}"#,
        #"{"v":2,"actor":{"id":"u1","name":"A","office":"D","role":"employee"},"at":1,"type":"vote","post":"p1","value":true}"#,
        #"{"v":2,"actor":{"id":"u1","name":"A","office":"D","role":"chief"},"at":1,"type":"vote","post":"p1","value":1}"#,
        #"{"v":2,"actor":{"id":"u1","name":"A","office":"D","role":"employee"},"at":1,"type":"post","text":"x","anonymous":1}"#,
        #"[1,2]"#,
    ])
    func refused(text: String) {
        #expect(throws: JournalRecord.Unreadable.self) { try JournalRecord.decode(Array(text.utf8)) }
    }
}
