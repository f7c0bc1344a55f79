import Foundation
import TownhallCore

/// What reading one journal segment found.
package struct SegmentScan: Sendable {
    /// The records, in order.
    package var records: [Request]
    /// Bytes up to the end of the last good record.
    package var goodLength: Int
    /// Set when the bytes after `goodLength` are not a torn tail but damage with good
    /// records after it: the offset of the first bad byte.
    package var corruptAt: Int?
    /// The file's size.
    package var fileLength: Int

    /// True when the segment ends in a partly written record (cut off at start-up).
    package var tornTail: Bool { corruptAt == nil && goodLength < fileLength }

    /// Reads a segment. A record that does not decode is a torn tail when nothing good
    /// follows it anywhere in the file, and damage in the middle when something does.
    package static func read(_ bytes: [UInt8]) -> SegmentScan {
        var records: [Request] = []
        var offset = 0
        while offset < bytes.count {
            guard let (payload, next) = RecordFrame.decode(bytes, at: offset),
                  let request = try? JournalRecord.decode(bytes[payload])
            else { break }
            records.append(request)
            offset = next
        }
        var corruptAt: Int?
        if offset < bytes.count {
            var probe = offset + 1
            while probe < bytes.count {
                if bytes[probe] == RecordFrame.marker, RecordFrame.decode(bytes, at: probe) != nil {
                    corruptAt = offset
                    break
                }
                probe += 1
            }
        }
        return SegmentScan(records: records, goodLength: offset, corruptAt: corruptAt, fileLength: bytes.count)
    }
}
