import Foundation
import TownhallCore

/// What start-up found on disk: the newest snapshot, the records after it, and where
/// the journal goes on.
package struct Recovery: Sendable {
    package var snapshot: Townhall.Snapshot?
    package var snapshotInfo: SnapshotInfo?
    /// Records after the snapshot, oldest first.
    package var records: [Request]
    /// The sequence number the next record gets.
    package var nextSequence: Int64
    /// The segment appends continue in, and its good length (a torn tail is cut there).
    package var lastSegment: (start: Int64, path: String, goodLength: Int)?
    /// Bytes of a torn last record that start-up cut off.
    package var tornBytes: Int

    /// Refused start-up: damage in the middle of the journal, named exactly.
    package struct Damage: Error, CustomStringConvertible, Sendable {
        package var file: String
        package var offset: Int
        package var reason: String

        package var description: String {
            "\(reason) in \(file) at byte offset \(offset). Acknowledged changes may be behind it, so the "
                + "server will not start and drop them silently. To start from the last good point, "
                + "run `townhall repair --data <folder>` (it keeps the damaged bytes aside)."
        }
    }

    /// Reads the data folder. Throws `Damage` for anything but a torn tail.
    package static func load(_ folder: String) throws -> Recovery {
        var snapshot: Townhall.Snapshot?
        var info: SnapshotInfo?
        if let newest = JournalFiles.snapshots(in: folder).last {
            do {
                snapshot = try SnapshotFile.read(newest.path)
            } catch {
                throw Damage(file: newest.path, offset: 0, reason: "an unreadable snapshot")
            }
            let attributes = try? FileManager.default.attributesOfItem(atPath: newest.path)
            let written = (attributes?[.modificationDate] as? Date).map { Int64($0.timeIntervalSince1970 * 1000) } ?? 0
            info = SnapshotInfo(covered: newest.covered, writtenAt: written, bytes: attributes?[.size] as? Int ?? 0)
        }
        let covered = info?.covered ?? 0
        var records: [Request] = []
        var next: Int64 = covered
        var last: (Int64, String, Int)?
        var torn = 0
        let segments = JournalFiles.segments(in: folder)
        for (index, segment) in segments.enumerated() {
            let scan = SegmentScan.read(try JournalFiles.read(segment.path))
            let isLast = index == segments.count - 1
            if let corrupt = scan.corruptAt {
                throw Damage(file: segment.path, offset: corrupt, reason: "a damaged record")
            }
            if scan.tornTail && !isLast {
                throw Damage(file: segment.path, offset: scan.goodLength, reason: "a cut-off record before the last segment")
            }
            if segment.start > next {
                throw Damage(file: segment.path, offset: 0, reason: "missing records \(next)..<\(segment.start) before this segment")
            }
            for (position, request) in scan.records.enumerated() where segment.start + Int64(position) >= covered {
                records.append(request)
            }
            next = max(next, segment.start + Int64(scan.records.count))
            if isLast {
                last = (segment.start, segment.path, scan.goodLength)
                torn = scan.fileLength - scan.goodLength
            }
        }
        return Recovery(snapshot: snapshot, snapshotInfo: info, records: records, nextSequence: next, lastSegment: last, tornBytes: torn)
    }
}
