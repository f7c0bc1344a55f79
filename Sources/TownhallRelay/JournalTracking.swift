import TownhallProtocol
import TownhallTransport

/// What the relay knows of its journal, beside the journal's own status: whether
/// changes are taken, the failure streak and its retries, the snapshot cycle, and the
/// rebuild of the state after a failed write.
struct JournalTracking {
    /// False from a failed write until the disk takes writes again (reads go on).
    var acceptingChanges = true
    /// When the current failure streak began (monotonic ms); a real write ends it.
    var failedAt: Int64?
    var lastRetry: Int64 = 0
    var resetInFlight = false
    var snapshotInFlight = false
    var lastSnapshotAt: Int64
    /// Records the newest snapshot covers: none is due until more were appended.
    var lastSnapshotCovered: Int64
    /// A retention purge or privacy request ran: snapshot now, so the disk forgets too.
    var snapshotSoon = false
    /// The state is being rebuilt from disk after a failed write: reads wait or are
    /// refused, so nobody sees a change that was never saved.
    var rebuilding = false
    /// Sign-ins whose token checked out during a rebuild; welcomed once it is done.
    var welcomesAfterRebuild: [(connection: ConnectionID, identity: Identity, resume: ResumePoint?, helloID: JSONValue?)] = []

    init(lastSnapshotAt: Int64, lastSnapshotCovered: Int64) {
        self.lastSnapshotAt = lastSnapshotAt
        self.lastSnapshotCovered = lastSnapshotCovered
    }

    /// Whether a snapshot should start now: something new since the last, none running,
    /// and either its interval passed or erased content must leave the disk.
    func snapshotDue(now: Int64, appended: Int64, interval: Int64) -> Bool {
        acceptingChanges && !snapshotInFlight && appended > lastSnapshotCovered
            && (snapshotSoon || now - lastSnapshotAt >= interval)
    }

    /// Whether the disk should be tried again now, after a failure.
    func retryDue(now: Int64, interval: Int64) -> Bool {
        !acceptingChanges && failedAt != nil && !resetInFlight && !rebuilding && now - lastRetry >= interval
    }

    /// A write failed: stop taking changes. True when this starts the read-only spell (the
    /// state must then be rolled back); the failure streak keeps its first moment.
    mutating func failed(now: Int64) -> Bool {
        guard acceptingChanges else { return false }
        acceptingChanges = false
        failedAt = failedAt ?? now
        lastRetry = now
        return true
    }
}
