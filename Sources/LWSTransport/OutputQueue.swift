import TownhallTransport

/// One connection's pending frames in two lanes, replies before updates, bounded in
/// bytes and in count together: a peer that stops reading costs at most this much
/// memory before it is closed with 4009.
///
/// Replies overtake updates that wait, so an ack or a welcome never queues behind a
/// fan-out; the order within each lane is kept. A resume's missed updates travel as
/// replies, so they still come before the live updates queued after them.
struct OutputQueue {
    private var replies = FrameLine()
    private var updates = FrameLine()
    private(set) var bytes = 0
    let maxBytes: Int
    let maxFrames: Int

    init(maxBytes: Int, maxFrames: Int) {
        self.maxBytes = maxBytes
        self.maxFrames = maxFrames
    }

    var isEmpty: Bool { replies.isEmpty && updates.isEmpty }
    var count: Int { replies.count + updates.count }
    /// Updates not yet written (what the fan-out's backlog counts).
    var hasUpdates: Bool { !updates.isEmpty }
    /// Slots held, sent ones included (what compaction keeps in check).
    var storageCount: Int { replies.storageCount + updates.storageCount }

    /// Adds a frame to its lane; false when that would pass a bound (the caller then
    /// drops the peer). An empty queue takes any one frame: a large update is not a
    /// slow reader.
    mutating func push(_ frame: OutboundFrame, update: Bool = false) -> Bool {
        guard isEmpty || (count < maxFrames && bytes + frame.count <= maxBytes) else { return false }
        if update { updates.append(frame) } else { replies.append(frame) }
        bytes += frame.count
        return true
    }

    /// The next frame to write: the oldest reply, else the oldest update.
    mutating func pop() -> OutboundFrame? {
        guard let frame = replies.pop() ?? updates.pop() else { return nil }
        bytes -= frame.count
        return frame
    }

    /// Frees everything queued.
    mutating func drop() {
        replies = FrameLine()
        updates = FrameLine()
        bytes = 0
    }
}

/// A first-in first-out line of frames: an array read from a moving head, compacted
/// once half of it is spent, so neither end costs more than O(1) amortized.
private struct FrameLine {
    private var frames: [OutboundFrame] = []
    private var head = 0

    var isEmpty: Bool { head == frames.count }
    var count: Int { frames.count - head }
    var storageCount: Int { frames.count }

    mutating func append(_ frame: OutboundFrame) { frames.append(frame) }

    mutating func pop() -> OutboundFrame? {
        guard head < frames.count else { return nil }
        let frame = frames[head]
        head += 1
        if head == frames.count {
            frames.removeAll(keepingCapacity: frames.capacity <= 16)
            head = 0
        } else if head >= 64, head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
        return frame
    }
}
