import Testing
import TownhallTransport
@testable import TownhallRelay

@Suite("Resume ring")
struct ResumeRingTests {
    func frame(_ size: Int) -> OutboundFrame { OutboundFrame(Array(repeating: 0x61, count: size), headroom: 0) }

    @Test("keeps the last `capacity` updates: older ones mean a fresh welcome")
    func capacity() throws {
        var ring = ResumeRing(capacity: 4)
        for seq in 1...10 { ring.append(frame(seq), seq: Int64(seq)) }
        #expect(try #require(ring.frames(after: 6)).map(\.count) == [7, 8, 9, 10])
        #expect(ring.frames(after: 5) == nil)
        #expect(ring.frames(after: 10)?.isEmpty == true)
        #expect(ring.frames(after: 11) == nil)
        #expect(ring.bytes == 7 + 8 + 9 + 10)
    }

    @Test("keeps at most `maxBytes` of payload, and always the newest update")
    func bytes() throws {
        var ring = ResumeRing(capacity: 1024, maxBytes: 100)
        for seq in 1...10 { ring.append(frame(30), seq: Int64(seq)) }
        #expect(ring.bytes == 90)
        #expect(try #require(ring.frames(after: 7)).count == 3)
        #expect(ring.frames(after: 6) == nil)
        ring.append(frame(500), seq: 11)
        #expect(ring.bytes == 500)
        #expect(try #require(ring.frames(after: 10)).map(\.count) == [500])
        #expect(ring.frames(after: 9) == nil)
        ring.append(frame(10), seq: 12)
        #expect(try #require(ring.frames(after: 11)).map(\.count) == [10])
    }
}
