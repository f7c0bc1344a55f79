import Foundation

/// The names of the journal's files in the data folder: segments are named by the
/// sequence number of their first record, snapshots by the number of records they cover.
package enum JournalFiles {
    package static func segmentName(_ start: Int64) -> String { String(format: "journal-%016lld.log", start) }
    package static func snapshotName(_ covered: Int64) -> String { String(format: "snapshot-%016lld.json", covered) }

    /// Segments as (first record's sequence number, path), oldest first.
    package static func segments(in folder: String) -> [(start: Int64, path: String)] {
        numbered(in: folder, prefix: "journal-", suffix: ".log")
    }

    /// Snapshots as (records covered, path), oldest first.
    package static func snapshots(in folder: String) -> [(covered: Int64, path: String)] {
        numbered(in: folder, prefix: "snapshot-", suffix: ".json").map { ($0.start, $0.path) }
    }

    private static func numbered(in folder: String, prefix: String, suffix: String) -> [(start: Int64, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name -> (Int64, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix),
                  let number = Int64(name.dropFirst(prefix.count).dropLast(suffix.count))
            else { return nil }
            return (number, folder + "/" + name)
        }.sorted { $0.0 < $1.0 }
    }

    /// fsyncs a folder, so a create, rename or delete in it is durable.
    package static func syncFolder(_ folder: String, ops: FileOps) throws(JournalError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw JournalError.system("open \(folder)") }
        defer { close(fd) }
        try ops.syncOrThrow(fd)
    }

    /// The whole content of a file.
    package static func read(_ path: String) throws(JournalError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalError("cannot read \(path)")
        }
        return [UInt8](data)
    }
}
