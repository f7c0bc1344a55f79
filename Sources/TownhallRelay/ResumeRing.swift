import TownhallTransport

/// The last updates sent to one audience in one form, so a client that drops and
/// reconnects soon gets exactly what it missed (PROTOCOL.md §5, Resume): at most
/// `capacity` of them, and at most `maxBytes` of their payloads, so a storm of large
/// updates (the staff's carry every office's support) does not hold memory for long.
/// A client whose updates are no longer kept gets a fresh welcome instead.
package struct ResumeRing {
    private var frames: [OutboundFrame?]
    /// The seq of the newest frame kept; 0 before any.
    package private(set) var newest: Int64 = 0
    private var kept = 0
    private let maxBytes: Int
    /// The payload bytes of the frames kept.
    package private(set) var bytes = 0

    package init(capacity: Int, maxBytes: Int = .max) {
        frames = Array(repeating: nil, count: max(capacity, 1))
        self.maxBytes = maxBytes
    }

    /// Keeps the frame of update `seq`, which must be `newest + 1`, and lets the oldest
    /// go while over the byte budget (the newest always stays).
    package mutating func append(_ frame: OutboundFrame, seq: Int64) {
        precondition(seq == newest + 1, "updates are kept in seq order")
        if kept == frames.count { evictOldest() }
        frames[slot(seq)] = frame
        newest = seq
        kept += 1
        bytes += frame.count
        while bytes > maxBytes, kept > 1 { evictOldest() }
    }

    private mutating func evictOldest() {
        let oldest = slot(newest - Int64(kept) + 1)
        bytes -= frames[oldest]?.count ?? 0
        frames[oldest] = nil
        kept -= 1
    }

    private func slot(_ seq: Int64) -> Int { Int(seq % Int64(frames.count)) }

    /// The updates after `seq`, oldest first; nil when some of them are no longer kept
    /// (or `seq` is from the future), so the client needs a full welcome.
    package func frames(after seq: Int64) -> [OutboundFrame]? {
        guard seq >= 0, seq <= newest, newest - seq <= Int64(kept) else { return nil }
        var result: [OutboundFrame] = []
        var next = seq + 1
        while next <= newest {
            guard let frame = frames[slot(next)] else { return nil }
            result.append(frame)
            next += 1
        }
        return result
    }
}
