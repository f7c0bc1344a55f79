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

    /// The whole content of a file (plain reads: Foundation's `contents(atPath:)` leaks a
    /// buffer per call in this toolchain, which AddressSanitizer reports).
    package static func read(_ path: String) throws(JournalError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw JournalError.system("open \(path)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw JournalError.system("read \(path)") }
            if count == 0 { return bytes }
            bytes += chunk.prefix(count)
        }
    }
}
