import Foundation
import Testing
import TownhallCore
@testable import TownhallProtocol

@Suite("Encoding server objects")
struct EncodingTests {
    let author = Actor(id: "u1", name: "Ann", office: "Dublin", role: .employee)

    func json(_ value: some Encodable) throws -> [String: Any] {
        let bytes = FrameEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test("an anonymous post has a null author for every audience; notes only for staff")
    func anonymousPost() throws {
        let post = Post(id: "p1", cycle: 1, text: "t", author: author, anonymous: true, office: "Dublin", createdAt: 5, up: 3, down: 1, note: "n")
        for audience in Audience.allCases {
            let object = try json(WirePost(post, for: audience))
            #expect(object["author"] is NSNull)
            #expect(object["score"] as? Int == 2)
            #expect((object["note"] != nil) == (audience == .staff))
            #expect(!String(decoding: FrameEncoder().encode(WirePost(post, for: audience)), as: UTF8.self).contains("Ann"))
        }
    }

    @Test("ack echoes a string or integer id and carries its object")
    func ack() throws {
        let object = try json(Ack(id: .string("x1"), payload: .cycle(Cycle(id: 2, startedAt: 9))))
        #expect(object["type"] as? String == "ack")
        #expect(object["id"] as? String == "x1")
        #expect((object["cycle"] as? [String: Any])?["id"] as? Int == 2)
    }

    @Test("an update carries only the parts that changed")
    func sparseUpdate() throws {
        var update = Update(seq: 3)
        update.removed = ["p9"]
        let object = try json(update)
        #expect(Set(object.keys) == ["type", "seq", "removed"])
    }
}
