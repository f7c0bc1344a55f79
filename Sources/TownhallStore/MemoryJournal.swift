import Synchronization
import TownhallCore

/// A journal that keeps records in memory only, for tests and throwaway servers.
package final class MemoryJournal: Journal {
    private let stored = Mutex<[Request]>([])

    package init() {}

    package func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        stored.withLock { $0.append(contentsOf: records) }
        completion(.success(()))
    }

    package func snapshot(_ state: Townhall, completion: @escaping @Sendable (Result<SnapshotInfo, JournalError>) -> Void) {
        let count = stored.withLock { Int64($0.count) }
        completion(.success(SnapshotInfo(covered: count, writtenAt: 0, bytes: 0)))
    }

    package func reset(completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        completion(.success(()))
    }

    package var status: JournalStatus {
        let count = stored.withLock { Int64($0.count) }
        return JournalStatus(kind: "memory", failure: nil, appended: count, durable: count, lastSnapshot: nil)
    }

    package func close() {}

    /// Everything appended, oldest first.
    package var records: [Request] { stored.withLock { $0 } }
}
