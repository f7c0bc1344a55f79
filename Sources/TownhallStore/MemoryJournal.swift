import Synchronization
import TownhallCore

/// A journal that keeps records in memory only: the seam is real, the disk comes with
/// the durability work. Safe to use from any thread.
package final class MemoryJournal: Journal, Sendable {
    private let stored = Mutex<[Request]>([])

    package init() {}

    package func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        stored.withLock { $0.append(contentsOf: records) }
        completion(.success(()))
    }

    package func records() throws(JournalError) -> [Request] {
        stored.withLock { $0 }
    }
}
