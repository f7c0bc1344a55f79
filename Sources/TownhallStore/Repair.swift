import Foundation

/// `townhall repair`: brings a damaged data folder back to its last good point. The
/// damaged bytes are moved aside, never deleted, so nothing is lost silently.
package enum Repair {
    /// What repair did, in plain words, one line each.
    package static func run(_ folder: String, now: Date = Date()) throws -> [String] {
        var report: [String] = []
        let aside = folder + "/damaged-" + String(Int(now.timeIntervalSince1970))
        func moveAside(_ path: String) throws {
            try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: path, toPath: aside + "/" + (path as NSString).lastPathComponent)
        }
        // An unreadable newest snapshot goes aside; an older one (if kept) takes over.
        while let newest = JournalFiles.snapshots(in: folder).last, (try? SnapshotFile.read(newest.path)) == nil {
            try moveAside(newest.path)
            report.append("moved the unreadable snapshot \((newest.path as NSString).lastPathComponent) to \(aside)")
        }
        let covered = JournalFiles.snapshots(in: folder).last?.covered ?? 0
        var next = covered
        var cut = false
        for segment in JournalFiles.segments(in: folder) {
            if cut || segment.start > next {
                if !cut { report.append("records \(next)..<\(segment.start) are missing; later segments set aside") }
                cut = true
                try moveAside(segment.path)
                report.append("moved \((segment.path as NSString).lastPathComponent) to \(aside)")
                continue
            }
            let bytes = try JournalFiles.read(segment.path)
            let scan = SegmentScan.read(bytes)
            next = max(next, segment.start + Int64(scan.records.count))
            guard scan.goodLength < bytes.count else { continue }
            try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
            let name = (segment.path as NSString).lastPathComponent
            try Data(bytes[scan.goodLength...]).write(to: URL(fileURLWithPath: aside + "/" + name + ".tail"))
            guard truncate(segment.path, off_t(scan.goodLength)) == 0 else { throw JournalError.system("truncate \(segment.path)") }
            report.append("cut \(name) at byte \(scan.goodLength) after \(scan.records.count) good records; "
                + "the \(bytes.count - scan.goodLength) bytes after it are in \(aside)/\(name).tail")
            cut = true
        }
        try JournalFiles.syncFolder(folder, ops: .system)
        if report.isEmpty { report.append("nothing to repair: the journal reads cleanly (\(next) records)") }
        return report
    }
}
