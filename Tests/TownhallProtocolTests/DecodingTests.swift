import Testing
import TownhallCore
@testable import TownhallProtocol

@Suite("Decoding client frames")
struct DecodingTests {
    func decode(_ text: String) throws(ProtocolError) -> ClientFrame {
        try ClientFrame.decode(Array(text.utf8))
    }

    @Test("each message type decodes to its command")
    func types() throws {
        #expect(try decode(#"{"type":"hello","token":"t","resume":{"epoch":"e","seq":4}}"#).message
            == .hello(token: "t", resume: ResumePoint(epoch: "e", seq: 4)))
        #expect(try decode(#"{"type":"hello","token":"t","ranks":"changes"}"#).message
            == .hello(token: "t", resume: nil, form: UpdateForm(ranks: .changes)))
        #expect(try decode(#"{"type":"hello","token":"t","ranks":"full"}"#).message == .hello(token: "t", resume: nil, form: .full))
        #expect(try decode(#"{"type":"hello","token":"t","ranks":"changes","posts":"counts"}"#).message
            == .hello(token: "t", resume: nil, form: UpdateForm(ranks: .changes, posts: .counts)))
        #expect(try decode(#"{"type":"post","text":"hi","anonymous":true,"key":"k","id":"a"}"#)
            == ClientFrame(id: .string("a"), message: .command(.post(text: "hi", anonymous: true, key: "k"))))
        #expect(try decode(#"{"type":"vote","post":"p1","value":-1,"id":7}"#)
            == ClientFrame(id: .int(7), message: .command(.vote(post: "p1", value: -1))))
        #expect(try decode(#"{"type":"comment","text":"c"}"#).message == .command(.comment(text: "c", post: nil)))
        #expect(try decode(#"{"type":"moderate","post":"p2","status":"onair"}"#).message
            == .command(.moderate(post: "p2", status: .onair, note: nil)))
        #expect(try decode(#"{"type":"announce","text":"a"}"#).message == .command(.announce(text: "a")))
        #expect(try decode(#"{"type":"townhall","state":"live","title":"T","stream":"https://x"}"#).message
            == .command(.townhall(state: .live, title: "T", stream: "https://x")))
        #expect(try decode(#"{"type":"cycle","action":"close"}"#).message == .command(.closeCycle(carryOver: true)))
        #expect(try decode(#"{"type":"thread","post":"p1"}"#).message == .thread(post: "p1"))
        #expect(try decode(#"{"type":"ping"}"#).message == .ping)
        #expect(try decode(#"{"type":"react","emoji":"❤"}"#).message == .react(.heart))
        #expect(try decode(#"{"type":"react","emoji":"👍"}"#).message == .react(.thumbsUp))
    }

    @Test("refusals are bad_request with the request id and a message naming the field", arguments: [
        (#"{"type":"vote","post":"p1","value":true,"id":3}"#, "'value'"),
        (#"{"type":"vote","post":"p1","value":1.5,"id":3}"#, "'value'"),
        (#"{"type":"post","id":3}"#, "'text'"),
        (#"{"type":"post","text":"x","anonymous":"yes","id":3}"#, "'anonymous'"),
        (#"{"type":"moderate","post":"p1","status":"deleted","id":3}"#, "'status'"),
        (#"{"type":"cycle","action":"open","id":3}"#, "'action'"),
        (#"{"type":"hello","token":"t","resume":{"epoch":1},"id":3}"#, "'resume'"),
        (#"{"type":"hello","token":"t","ranks":"moves","id":3}"#, "'ranks'"),
        (#"{"type":"hello","token":"t","posts":"deltas","id":3}"#, "'posts'"),
        (#"{"type":"react","emoji":"🍕","id":3}"#, "'emoji'"),
        (#"{"type":"dance","id":3}"#, "unknown"),
    ])
    func refused(text: String, mentions: String) {
        #expect {
            try decode(text)
        } throws: { error in
            guard let error = error as? ProtocolError else { return false }
            return error.code == .badRequest && error.id == .int(3) && error.message.contains(mentions)
        }
    }

    @Test("not JSON, not an object, or an ill-typed id")
    func malformed() {
        for text in ["{", "[]", "42", #"{"type":"ping","id":1.5}"#, #"{"type":"ping","id":null}"#] {
            #expect(throws: ProtocolError.self) { try decode(text) }
        }
    }
}
