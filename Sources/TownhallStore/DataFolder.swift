import Foundation

/// The server's data folder: where the token secret (and, later, the journal and
/// snapshots) live. Created on first use.
package struct DataFolder: Sendable {
    package var path: String

    /// Refused with a message naming the path and the cause.
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package var description: String
    }

    package init(path: String) throws(Failure) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure(description: "\(path) exists and is not a folder") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Failure(description: "cannot create the data folder \(path): \(error.localizedDescription)")
            }
        }
    }

    /// The server's own token-signing secret: 32 random bytes, hex in `secret.key`,
    /// mode 0600, made on first use. Two processes racing to make it agree via O_EXCL.
    package func secret() throws(Failure) -> [UInt8] {
        let file = (path as NSString).appendingPathComponent("secret.key")
        if let existing = try readSecret(file) { return existing }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST, let existing = try readSecret(file) { return existing }
            throw Failure(description: "cannot create \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let text = Array((bytes.map { String(format: "%02x", $0) }.joined() + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write \(file): \(String(cString: strerror(errno)))")
        }
        return bytes
    }

    private func readSecret(_ file: String) throws(Failure) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let hex = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16) else { break }
            bytes.append(byte)
            index = next
        }
        guard bytes.count >= 32, bytes.count * 2 == hex.count else {
            throw Failure(description: "\(file) is not a valid secret (want 64 or more hex digits); remove it to make a new one")
        }
        return bytes
    }
}

/// An exclusive hold on a data folder: one server (or one offline command that writes)
/// at a time. Released when the process ends, however it ends.
package final class FolderLock: Sendable {
    private let fd: Int32

    fileprivate init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

extension DataFolder {
    /// Takes the folder's lock, or says who has it.
    package func lock() throws(Failure) -> FolderLock {
        let file = (path as NSString).appendingPathComponent("lock")
        let fd = open(file, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot open \(file): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Failure(description: "another townhall process is using \(path) (a running server holds it)")
        }
        return FolderLock(fd: fd)
    }
}
