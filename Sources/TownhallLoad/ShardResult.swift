/// Sent, answered and refused requests of one kind.
package struct RequestFigures: Codable, Sendable, Equatable {
    package var sent = 0
    package var acked = 0
    /// Error replies by code (`rate_limited`, `conflict`, …).
    package var errors: [String: Int] = [:]
    /// Written but neither acked nor refused by the end of the drain.
    package var unanswered = 0

    mutating func merge(_ other: RequestFigures) {
        sent += other.sent
        acked += other.acked
        unanswered += other.unanswered
        for (code, count) in other.errors { errors[code, default: 0] += count }
    }

    package var errorCount: Int { errors.values.reduce(0, +) }
}

extension Dictionary where Key == String, Value == Int {
    /// Counts one more `reason`; past 20 distinct reasons, new ones count as "other", so
    /// a flood of odd messages cannot grow the report without end.
    mutating func count(reason: String) {
        let key = self[reason] != nil || count < 20 ? reason : "other"
        self[key, default: 0] += 1
    }
}

/// Frames and bytes received, per role.
package struct Received: Codable, Sendable, Equatable {
    package var frames: [String: UInt64] = [:]
    package var bytes: [String: UInt64] = [:]

    mutating func merge(_ other: Received) {
        for (role, count) in other.frames { frames[role, default: 0] += count }
        for (role, count) in other.bytes { bytes[role, default: 0] += count }
    }
}

/// Everything one shard process measured, as it hands it to the parent (one JSON line),
/// or as a single process merges it with itself. Everything here merges exactly: counts
/// add, histograms add bucket by bucket, times take their minimum or maximum, and each
/// client's welcome time and marker count travel as they are, so the losses can be
/// computed against the host's full list of markers (which only shard 0 has).
package struct ShardResult: Codable, Sendable {
    package var shard = 0
    package var eventLoop = "none"
    /// Why this shard could not run (no server, refused tokens, no posts); nil if it ran.
    package var failure: String?
    /// The loop ended before the drain did (SIGINT).
    package var interrupted = false
    /// Connections planned in this shard, per role.
    package var planned: [String: Int] = [:]
    package var attempted = 0
    package var established = 0
    package var welcomed = 0
    /// Connections that never became WebSocket connections, and why (lws's words).
    package var failed = 0
    package var failures: [String: Int] = [:]
    /// Connections the server closed during the run (not ours at the end), by close code;
    /// 1006: the socket ended without a close frame.
    package var closed = 0
    package var closeCodes: [String: Int] = [:]
    package var firstConnectNs: UInt64?
    package var lastWelcomeNs: UInt64?
    package var connect = Histogram()
    package var welcome = Histogram()
    package var delivery = Histogram()
    package var ack = Histogram()
    /// When each marker announcement was written (the host's shard only).
    package var markerSentNs: [UInt64] = []
    /// Per welcomed client, in the same order: welcome time and markers received that
    /// were sent after it.
    package var clientWelcomeNs: [UInt64] = []
    package var clientMarkers: [Int] = []
    package var duplicateMarkers = 0
    /// Updates a client never got (seq gaps), clients that had any, and updates whose seq
    /// did not go up.
    package var missedUpdates: Int64 = 0
    package var clientsWithGaps = 0
    package var outOfOrder = 0
    package var requests: [String: RequestFigures] = [:]
    /// Votes, announcements or comments due when no client of that role was open to send them.
    package var skipped = 0
    package var traffic = Received()
    package var total = Received()
    package var trafficStartNs: UInt64 = 0
    package var trafficEndNs: UInt64 = 0
    /// The load generator's own cost: CPU seconds (user + system) of this process in the
    /// traffic phase and over the whole run, and how late its 5 ms pacing timer fired in
    /// the traffic phase. A busy generator delays what it reads, so these say how far its
    /// latencies can be trusted.
    package var cpuTrafficSeconds = 0.0
    package var cpuRunSeconds = 0.0
    package var timerLag = Histogram()
    /// `--reconnect`: welcomed connections the server closed or lost, those welcomed
    /// again (by a recovered or a fresh welcome), the time from loss to the new welcome,
    /// failed tries meanwhile by reason, and the first loss and last return.
    package var dropped = 0
    package var back = 0
    package var recovered = 0
    package var backAfter = Histogram()
    package var retryFailures: [String: Int] = [:]
    package var firstDropNs: UInt64?
    package var lastBackNs: UInt64?
    /// `--reaction-rate`: reactions written; those counted in the updates the host got
    /// (the host's shard only); the time from a reaction to the next update carrying
    /// reactions at its sender.
    package var reactionsSent = 0
    package var reactionsCounted = 0
    package var reactionDelivery = Histogram()
    package var notes: [String] = []

    package init() {}
}
