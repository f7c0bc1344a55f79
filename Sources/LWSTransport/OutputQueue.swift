import TownhallTransport

/// One connection's pending frames, bounded in bytes and in count: a peer that stops
/// reading costs at most this much memory before it is closed with 4009.
struct OutputQueue {
    private var frames: [OutboundFrame] = []
    private var head = 0
    private(set) var bytes = 0
    let maxBytes: Int
    let maxFrames: Int

    init(maxBytes: Int, maxFrames: Int) {
        self.maxBytes = maxBytes
        self.maxFrames = maxFrames
    }

    var isEmpty: Bool { head == frames.count }
    var count: Int { frames.count - head }
    /// Slots held, sent ones included (what compaction keeps in check).
    var storageCount: Int { frames.count }

    /// Adds a frame; false when that would pass a bound (the caller then drops the peer).
    /// An empty queue takes any one frame: a large update is not a slow reader.
    mutating func push(_ frame: OutboundFrame) -> Bool {
        guard isEmpty || (count < maxFrames && bytes + frame.count <= maxBytes) else { return false }
        frames.append(frame)
        bytes += frame.count
        return true
    }

    mutating func pop() -> OutboundFrame? {
        guard head < frames.count else { return nil }
        let frame = frames[head]
        head += 1
        bytes -= frame.count
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
        return frame
    }

    /// Frees everything queued.
    mutating func drop() {
        frames = []
        head = 0
        bytes = 0
    }
}
