import TownhallCore
import TownhallProtocol
import TownhallTransport

/// A reply held back until the journal says the change behind it is durable.
package struct PendingAck: Sendable {
    var connection: ConnectionID
    var ack: Ack
    /// Monotonic ns when the request arrived, for the ack latency histogram.
    var receivedAt: UInt64
}

/// Accepted work on its way to the journal: the records, the acks they release and the
/// changes the next update announces. A request that changed nothing still sends its
/// ack this way, so acks keep the order the requests came in.
package struct Batch: Sendable {
    var records: [Request] = []
    var acks: [PendingAck] = []
    var changes: [Change] = []

    var isEmpty: Bool { records.isEmpty && acks.isEmpty && changes.isEmpty }
}

/// Per audience: the update sequence, the updates kept for resume (as sent to clients
/// that take full ranks, and to those that take changes), the ranks last sent.
struct Feed {
    var seq: Int64 = 0
    var ring: ResumeRing
    var changesRing: ResumeRing
    var lastRanks = Ranks()
    /// Orderings a welcome since the last update showed differently from `lastRanks` (it
    /// shows state newer than its seq): the next update carries them even if they are
    /// back to `lastRanks` by then, so those clients do not keep the newer ids.
    var ranksAhead: Set<Ordering> = []
    /// The shared part of a full welcome, for the epoch and state version it was made at.
    var welcome: (epoch: String, version: Int, seq: Int64, template: WelcomeTemplate)?
}
