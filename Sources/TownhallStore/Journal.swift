import TownhallCore

/// Why a journal could not keep a batch.
package struct JournalError: Error, Sendable, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

/// The one step every accepted change passes before it is acknowledged
/// (PROTOCOL.md §3: an `ack` means durable).
///
/// The relay appends a tick's batch and acknowledges it only from `completion`.
/// Today's `MemoryJournal` completes at once; a disk journal completes from its writer
/// thread after the fsync that covers the batch, without the relay changing.
package protocol Journal: AnyObject {
    /// Appends records in order. `completion` is called exactly once per call, in call
    /// order, possibly on another thread; the caller hops back to its own thread.
    func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void)

    /// Every record kept so far, oldest first, for replay at start-up.
    func records() throws(JournalError) -> [Request]
}
