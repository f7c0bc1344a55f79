import Foundation
import TownhallCore

/// Where the newest snapshot stands, for `/healthz`.
package struct SnapshotInfo: Sendable, Equatable {
    /// How many journal records it covers.
    package var covered: Int64
    /// When it was written (ms since the epoch).
    package var writtenAt: Int64
    package var bytes: Int

    package init(covered: Int64, writtenAt: Int64, bytes: Int) {
        self.covered = covered
        self.writtenAt = writtenAt
        self.bytes = bytes
    }
}

/// Writing and reading one snapshot file: the state as JSON, written to a temporary
/// file, fsynced, renamed into place, and the folder fsynced.
package enum SnapshotFile {
    package static func write(_ state: Townhall.Snapshot, covering covered: Int64, in folder: String, ops: FileOps) throws(JournalError) -> SnapshotInfo {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(state))
        } catch {
            throw JournalError("cannot encode the snapshot")
        }
        let path = folder + "/" + JournalFiles.snapshotName(covered)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw JournalError.system("open \(temporary)") }
        do {
            try ops.writeAll(fd, bytes)
            try ops.syncOrThrow(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw JournalError.system("rename \(temporary)") }
        try JournalFiles.syncFolder(folder, ops: ops)
        return SnapshotInfo(covered: covered, writtenAt: Int64(Date().timeIntervalSince1970 * 1000), bytes: bytes.count)
    }

    package static func read(_ path: String) throws(JournalError) -> Townhall.Snapshot {
        let bytes = try JournalFiles.read(path)
        do {
            return try JSONDecoder().decode(Townhall.Snapshot.self, from: Data(bytes))
        } catch {
            throw JournalError("\(path) is not a readable snapshot")
        }
    }
}
