import Foundation

/// The two calls durability rests on, as a seam: tests put a failing disk behind it.
/// Both follow the C convention: -1 and `errno` on failure.
package struct FileOps: Sendable {
    package var write: @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
    package var sync: @Sendable (_ fd: Int32) -> Int32

    package init(
        write: @escaping @Sendable (Int32, UnsafeRawBufferPointer) -> Int,
        sync: @escaping @Sendable (Int32) -> Int32
    ) {
        self.write = write
        self.sync = sync
    }

    package static let system = FileOps(
        write: { fd, bytes in Foundation.write(fd, bytes.baseAddress, bytes.count) },
        sync: { fd in fsync(fd) }
    )

    /// Writes all of `bytes`, retrying short writes and EINTR.
    package func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(JournalError) {
        let failed: JournalError? = bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = write(fd, UnsafeRawBufferPointer(rebasing: raw[done...]))
                if written < 0 {
                    if errno == EINTR { continue }
                    return JournalError.system("write")
                }
                done += written
            }
            return nil
        }
        if let failed { throw failed }
    }

    /// fsync, as an error.
    package func syncOrThrow(_ fd: Int32) throws(JournalError) {
        guard sync(fd) == 0 else { throw JournalError.system("fsync") }
    }
}

extension JournalError {
    /// An error from the last failed system call, e.g. "fsync: Input/output error".
    package static func system(_ call: String) -> JournalError {
        JournalError("\(call): \(String(cString: strerror(errno)))")
    }
}
