import Foundation
import Testing
@testable import TownhallStore

@Suite("Record framing and segment scans")
struct RecordFrameTests {
    @Test("CRC-32 matches the standard check value")
    func crc() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    /// A segment of `count` encoded requests, with each record's start offset.
    func segment(_ count: Int) throws -> (bytes: [UInt8], starts: [Int]) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        for n in 0..<count {
            starts.append(bytes.count)
            bytes += RecordFrame.encode(JournalRecord.encode(request(n)))
        }
        return (bytes, starts)
    }

    @Test("a clean segment reads back every record")
    func clean() throws {
        let (bytes, _) = try segment(5)
        let scan = SegmentScan.read(bytes)
        #expect(scan.records == (0..<5).map(request))
        #expect(scan.goodLength == bytes.count && !scan.tornTail && scan.corruptAt == nil)
    }

    @Test("a last record cut anywhere is a torn tail: the records before it survive")
    func torn() throws {
        let (bytes, starts) = try segment(4)
        for cut in [starts[3] + 1, starts[3] + 5, starts[3] + 9, bytes.count - 1] {
            let scan = SegmentScan.read(Array(bytes[..<cut]))
            #expect(scan.records == (0..<3).map(request), "cut at \(cut)")
            #expect(scan.tornTail && scan.corruptAt == nil && scan.goodLength == starts[3])
        }
        let garbage = SegmentScan.read(bytes + [0xA7, 0xFF, 0xFF])
        #expect(garbage.tornTail && garbage.records.count == 4)
    }

    @Test("damage with good records after it is corruption, at the damaged record's offset")
    func corrupt() throws {
        let (bytes, starts) = try segment(5)
        for position in [starts[1], starts[1] + 2, starts[1] + 6, starts[2] - 1] {
            var damaged = bytes
            damaged[position] ^= 0x5A
            let scan = SegmentScan.read(damaged)
            #expect(scan.corruptAt == starts[1], "byte \(position)")
            #expect(scan.records == [request(0)])
        }
    }
}
