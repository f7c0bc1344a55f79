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
