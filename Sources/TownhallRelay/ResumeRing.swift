import TownhallTransport

/// The last updates sent to one audience, so a client that drops and reconnects soon
/// gets exactly what it missed (PROTOCOL.md §5, Resume).
package struct ResumeRing {
    private var frames: [OutboundFrame?]
    /// The seq of the newest frame kept; 0 before any.
    package private(set) var newest: Int64 = 0
    private var kept = 0

    package init(capacity: Int) {
        frames = Array(repeating: nil, count: max(capacity, 1))
    }

    /// Keeps the frame of update `seq`, which must be `newest + 1`.
    package mutating func append(_ frame: OutboundFrame, seq: Int64) {
        precondition(seq == newest + 1, "updates are kept in seq order")
        frames[Int(seq % Int64(frames.count))] = frame
        newest = seq
        kept = min(kept + 1, frames.count)
    }

    /// The updates after `seq`, oldest first; nil when some of them are no longer kept
    /// (or `seq` is from the future), so the client needs a full welcome.
    package func frames(after seq: Int64) -> [OutboundFrame]? {
        guard seq >= 0, seq <= newest, newest - seq <= Int64(kept) else { return nil }
        var result: [OutboundFrame] = []
        var next = seq + 1
        while next <= newest {
            guard let frame = frames[Int(next % Int64(frames.count))] else { return nil }
            result.append(frame)
            next += 1
        }
        return result
    }
}
