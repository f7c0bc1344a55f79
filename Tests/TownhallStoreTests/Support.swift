import Foundation
import Synchronization
import TownhallCore
@testable import TownhallStore

/// A fresh, empty folder under the temporary directory.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "townhall-store-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let author = Actor(id: "u1", name: "Ann", office: "Dublin", role: .employee)

/// The `n`th test request: a post with a recognisable text.
func request(_ n: Int) -> Request {
    Request(actor: author, at: 1_800_000_000_000 + Int64(n), command: .post(text: "question \(n)", anonymous: false, key: "k\(n)"))
}

/// A disk whose fsync can be made to fail, counting the fsyncs it was asked for.
final class FlakyDisk: Sendable {
    let syncs = Atomic<Int>(0)
    let failing = Atomic<Bool>(false)
    let errorNumber: Int32

    init(error: Int32 = EIO) { errorNumber = error }

    var ops: FileOps {
        FileOps(
            write: { fd, bytes in
                if self.failing.load(ordering: .relaxed), self.errorNumber == ENOSPC {
                    errno = ENOSPC
                    return -1
                }
                return Foundation.write(fd, bytes.baseAddress, bytes.count)
            },
            sync: { fd in
                self.syncs.add(1, ordering: .relaxed)
                if self.failing.load(ordering: .relaxed) {
                    errno = self.errorNumber
                    return -1
                }
                return fsync(fd)
            }
        )
    }
}

/// A disk whose fsync can be held at a gate, to see what queues behind one fsync.
final class GatedDisk: Sendable {
    let syncs = Atomic<Int>(0)
    private let state = Mutex((closed: false, held: false))

    func closeGate() { state.withLock { $0.closed = true } }
    func openGate() { state.withLock { $0.closed = false } }

    /// Waits (bounded) until an fsync is waiting at the closed gate.
    func waitUntilHeld() {
        let deadline = Date().addingTimeInterval(10)
        while !state.withLock({ $0.held }), Date() < deadline { usleep(500) }
    }

    var ops: FileOps {
        FileOps(
            write: FileOps.system.write,
            sync: { fd in
                self.syncs.add(1, ordering: .relaxed)
                while self.state.withLock({ state in
                    state.held = state.closed
                    return state.closed
                }) { usleep(500) }
                return fsync(fd)
            }
        )
    }
}

/// A disk that notes when each fsync was asked for (monotonic nanoseconds).
final class ClockedDisk: Sendable {
    private let starts = Mutex<[UInt64]>([])

    var syncStarts: [UInt64] { starts.withLock { $0 } }

    var ops: FileOps {
        FileOps(
            write: FileOps.system.write,
            sync: { fd in
                self.starts.withLock { $0.append(DispatchTime.now().uptimeNanoseconds) }
                return fsync(fd)
            }
        )
    }
}

/// Collects completion results from any thread, in the order they arrive.
final class Outcomes: Sendable {
    private let results = Mutex<[(Int, Result<Void, JournalError>)]>([])

    func record(_ index: Int) -> @Sendable (Result<Void, JournalError>) -> Void {
        { result in self.results.withLock { $0.append((index, result)) } }
    }

    var all: [(Int, Result<Void, JournalError>)] { results.withLock { $0 } }

    /// Waits (bounded) until `count` results are in.
    func wait(for count: Int) {
        let deadline = Date().addingTimeInterval(10)
        while all.count < count, Date() < deadline { usleep(1000) }
    }
}

/// Opens a journal on `folder` as start-up would.
func openJournal(_ folder: String, ops: FileOps = .system, mode: DiskJournal.SyncMode = .group,
                 syncGapMillis: Double = DiskJournal.defaultSyncGapMillis) throws -> (DiskJournal, Recovery) {
    let recovery = try Recovery.load(folder)
    return (try DiskJournal(folder: folder, recovery: recovery, ops: ops, mode: mode, syncGapMillis: syncGapMillis), recovery)
}
