import Logging
import ServiceLifecycle
import TownhallCore
import TownhallStore

/// The journal's writer and the snapshotter. Shut down last: once the loop has ended
/// (the relay's state is then the caller's to read), the final state is snapshotted,
/// so the next start replays nothing, and the writer flushes and stops.
struct JournalService: Service {
    let journal: DiskJournal
    /// The state to snapshot at shutdown, or nil when it must not be (read-only after a
    /// failed write: memory was rolled back to the disk, which already has it).
    let finalState: @Sendable () -> Townhall?
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        if let state = finalState() {
            let result = await withCheckedContinuation { done in journal.snapshot(state) { done.resume(returning: $0) } }
            if case .failure(let error) = result { logger.error("snapshot.failed", metadata: ["error": "\(error.message)"]) }
        }
        journal.close()
    }
}
