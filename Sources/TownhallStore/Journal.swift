import TownhallCore

/// Why a journal could not keep a batch.
package struct JournalError: Error, Sendable, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

/// How the journal stands, for `/healthz` and `/metrics`.
package struct JournalStatus: Sendable, Equatable {
    /// "disk" or "memory".
    package var kind: String
    /// Why it stopped taking records, while it is failed.
    package var failure: String?
    /// Records handed to it, and records known to be on disk.
    package var appended: Int64
    package var durable: Int64
    package var lastSnapshot: SnapshotInfo?

    package init(kind: String, failure: String?, appended: Int64, durable: Int64, lastSnapshot: SnapshotInfo?) {
        self.kind = kind
        self.failure = failure
        self.appended = appended
        self.durable = durable
        self.lastSnapshot = lastSnapshot
    }
}

/// The one step every accepted change passes before it is acknowledged
/// (PROTOCOL.md §3: an `ack` means durable). The relay acknowledges a change only from
/// `append`'s completion.
package protocol Journal: AnyObject, Sendable {
    /// Appends records in order. `completion` is called exactly once per call, in call
    /// order, possibly on another thread; the caller hops back to its own thread.
    func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void)

    /// Persists `state`, which must reflect every record appended so far; start-up then
    /// loads it and replays only what came after. The caller hands over a copy of its
    /// value; whatever grows with the state (building the snapshot, encoding, writing)
    /// happens off the caller's thread. Completes on any thread.
    func snapshot(_ state: Townhall, completion: @escaping @Sendable (Result<SnapshotInfo, JournalError>) -> Void)

    /// After a failure: cuts the journal back to its last durable record and tries the
    /// disk again. Success means appends work again (from the durable point).
    func reset(completion: @escaping @Sendable (Result<Void, JournalError>) -> Void)

    var status: JournalStatus { get }

    /// Writes what is pending and stops.
    func close()
}
