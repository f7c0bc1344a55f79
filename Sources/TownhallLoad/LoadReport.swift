import Foundation

/// A latency figure as reported: milliseconds, nil without samples.
package struct Latency: Codable, Sendable, Equatable {
    package var samples: UInt64
    package var p50Ms: Double?
    package var p99Ms: Double?
    package var p999Ms: Double?
    package var maxMs: Double?
    package var meanMs: Double?

    init(_ histogram: Histogram) {
        samples = histogram.count
        func ms(_ value: UInt64?) -> Double? { value.map { Double($0) / 1e6 } }
        p50Ms = ms(histogram.percentile(0.5))
        p99Ms = ms(histogram.percentile(0.99))
        p999Ms = ms(histogram.percentile(0.999))
        maxMs = histogram.count > 0 ? Double(histogram.max) / 1e6 : nil
        meanMs = histogram.mean.map { $0 / 1e6 }
    }
}

/// Frames and bytes of one role: over the traffic phase (also per second) and the run.
package struct RoleTraffic: Codable, Sendable, Equatable {
    package var connections: Int
    package var frames: UInt64
    package var bytes: UInt64
    package var framesPerSecond: Double
    package var bytesPerSecond: Double
    package var runFrames: UInt64
    package var runBytes: UInt64
}

/// The merged figures of a run, as printed (text, or one JSON object with `--json`).
package struct LoadReport: Codable, Sendable {
    package struct Plan: Codable, Sendable {
        package var url: String
        package var connections: Int
        package var host: Int
        package var voters: Int
        package var commenters: Int
        package var watchers: Int
        package var voteRate: Double
        package var commentRate: Double
        package var announceRate: Double
        package var ramp: Double
        package var duration: Double
        package var idle: Double
        package var drain: Double
        package var posts: Int
        package var sources: Int
        package var processes: Int
    }

    package struct Connections: Codable, Sendable {
        package var attempted: Int
        package var established: Int
        package var welcomed: Int
        package var notWelcomed: Int
        package var failed: Int
        package var failures: [String: Int]
        package var closed: Int
        package var closeCodes: [String: Int]
    }

    package struct Markers: Codable, Sendable {
        package var sent: Int
        package var acked: Int
        /// Client × marker pairs where the marker was sent after the client's welcome.
        package var expected: Int
        package var received: Int
        package var missed: Int
        package var clientsMissing: Int
        package var duplicates: Int
    }

    /// `--reconnect`: connections the server closed or lost after their welcome, those
    /// welcomed again (recovered or fresh), those still out at the end, the time from loss
    /// to the new welcome, the span from the first loss to the last return, and failed tries.
    package struct Reconnects: Codable, Sendable {
        package var dropped: Int
        package var back: Int
        package var recovered: Int
        package var fresh: Int
        package var stillOut: Int
        package var backAfter: Latency
        package var allBackSeconds: Double?
        package var retryFailures: [String: Int]
    }

    package struct Updates: Codable, Sendable {
        package var missed: Int64
        package var clientsWithGaps: Int
        package var outOfOrder: Int
    }

    /// One line per shard process, to see that each did its part.
    package struct Shard: Codable, Sendable {
        package var shard: Int
        package var eventLoop: String
        package var welcomed: Int
        package var markersReceived: Int
        package var cpuTrafficSeconds: Double
        package var failure: String?
    }

    /// The load generator's own cost (all shards): CPU seconds in the traffic phase and
    /// as cores (CPU seconds over its length), over the whole run, and its timer's lateness.
    package struct Generator: Codable, Sendable {
        package var cpuTrafficSeconds: Double
        package var coresInTraffic: Double
        package var cpuRunSeconds: Double
        package var timerLag: Latency
    }

    /// `--reaction-rate`: written, counted in the host's updates, and from a reaction to
    /// the next update with counts at its sender.
    package struct Reactions: Codable, Sendable {
        package var sent: Int
        package var counted: Int
        package var delivery: Latency
    }

    package var plan: Plan
    package var shards: [Shard]
    package var generator: Generator
    package var eventLoop: String
    package var failures: [String]
    package var interrupted: Bool
    package var connections: Connections
    /// From the first connect to the last welcome, over every shard.
    package var allWelcomedSeconds: Double?
    package var connect: Latency
    package var welcome: Latency
    package var delivery: Latency
    package var ack: Latency
    package var markers: Markers
    package var updates: Updates
    package var reconnects: Reconnects?
    package var reactions: Reactions?
    package var requests: [String: RequestFigures]
    package var skipped: Int
    package var trafficSeconds: Double
    package var received: [String: RoleTraffic]
    package var notes: [String]

    /// `failures`: shards that could not run, with why.
    package init(config: LoadConfig, shards: [ShardResult], failures: [String]) {
        let plan = LoadPlan(config: config)
        self.plan = Plan(
            url: config.url, connections: config.connections, host: 1, voters: config.voters, commenters: config.commenters,
            watchers: plan.count(of: .watcher), voteRate: config.voteRate, commentRate: config.commentRate,
            announceRate: config.announceRate, ramp: config.ramp, duration: config.duration, idle: config.idle,
            drain: config.drain, posts: config.posts, sources: config.sources.count, processes: config.processes
        )
        let loops = Set(shards.map(\.eventLoop))
        eventLoop = loops.count == 1 ? loops.first ?? "none" : loops.sorted().joined(separator: "+")
        self.failures = failures + shards.compactMap { shard in shard.failure.map { "shard \(shard.shard): \($0)" } }
        interrupted = shards.contains { $0.interrupted }

        var connect = Histogram(), welcome = Histogram(), delivery = Histogram(), ack = Histogram(), lag = Histogram(), back = Histogram()
        var retryFailures: [String: Int] = [:]
        var failureReasons: [String: Int] = [:], closeCodes: [String: Int] = [:]
        var requests: [String: RequestFigures] = [:]
        var traffic = Received(), total = Received()
        var markerTimes: [UInt64] = []
        var notes: [String] = []
        for shard in shards {
            connect.merge(shard.connect)
            welcome.merge(shard.welcome)
            delivery.merge(shard.delivery)
            ack.merge(shard.ack)
            lag.merge(shard.timerLag)
            back.merge(shard.backAfter)
            for (reason, count) in shard.retryFailures { retryFailures[reason, default: 0] += count }
            for (reason, count) in shard.failures { failureReasons[reason, default: 0] += count }
            for (code, count) in shard.closeCodes { closeCodes[code, default: 0] += count }
            for (kind, figures) in shard.requests { requests[kind, default: RequestFigures()].merge(figures) }
            traffic.merge(shard.traffic)
            total.merge(shard.total)
            markerTimes += shard.markerSentNs
            for note in shard.notes where !notes.contains(note) { notes.append(note) }
        }
        let welcomed = shards.reduce(0) { $0 + $1.welcomed }
        let failed = shards.reduce(0) { $0 + $1.failed }
        connections = Connections(
            attempted: shards.reduce(0) { $0 + $1.attempted }, established: shards.reduce(0) { $0 + $1.established },
            welcomed: welcomed, notWelcomed: config.connections - welcomed, failed: failed, failures: failureReasons,
            closed: shards.reduce(0) { $0 + $1.closed }, closeCodes: closeCodes
        )
        let firstConnect = shards.compactMap(\.firstConnectNs).min()
        let lastWelcome = shards.compactMap(\.lastWelcomeNs).max()
        if let firstConnect, let lastWelcome, lastWelcome >= firstConnect {
            allWelcomedSeconds = Double(lastWelcome - firstConnect) / 1e9
        }
        self.connect = Latency(connect)
        self.welcome = Latency(welcome)
        self.delivery = Latency(delivery)
        self.ack = Latency(ack)

        // Losses against the host's list: a client should have seen every marker written
        // after its welcome arrived (the server made its session before that).
        markerTimes.sort()
        var expected = 0, received = 0, missed = 0, clientsMissing = 0
        for shard in shards {
            for (welcomeNs, got) in zip(shard.clientWelcomeNs, shard.clientMarkers) {
                let due = markerTimes.count - Self.countAtOrBelow(welcomeNs, in: markerTimes)
                expected += due
                received += got
                if got < due {
                    missed += due - got
                    clientsMissing += 1
                }
            }
        }
        markers = Markers(
            sent: markerTimes.count, acked: requests["announcements"]?.acked ?? 0, expected: expected, received: received,
            missed: missed, clientsMissing: clientsMissing, duplicates: shards.reduce(0) { $0 + $1.duplicateMarkers }
        )
        updates = Updates(
            missed: shards.reduce(0) { $0 + $1.missedUpdates }, clientsWithGaps: shards.reduce(0) { $0 + $1.clientsWithGaps },
            outOfOrder: shards.reduce(0) { $0 + $1.outOfOrder }
        )
        if config.reconnect {
            let dropped = shards.reduce(0) { $0 + $1.dropped }, returned = shards.reduce(0) { $0 + $1.back }
            let recovered = shards.reduce(0) { $0 + $1.recovered }
            let firstDrop = shards.compactMap(\.firstDropNs).min(), lastBack = shards.compactMap(\.lastBackNs).max()
            reconnects = Reconnects(
                dropped: dropped, back: returned, recovered: recovered, fresh: returned - recovered, stillOut: dropped - returned,
                backAfter: Latency(back),
                allBackSeconds: dropped > 0 && dropped == returned ? firstDrop.flatMap { first in lastBack.map { Double($0 - first) / 1e9 } } : nil,
                retryFailures: retryFailures
            )
        }
        if config.reactionRate > 0 {
            var delivery = Histogram()
            for shard in shards { delivery.merge(shard.reactionDelivery) }
            reactions = Reactions(
                sent: shards.reduce(0) { $0 + $1.reactionsSent }, counted: shards.reduce(0) { $0 + $1.reactionsCounted },
                delivery: Latency(delivery)
            )
        }
        self.requests = requests
        skipped = shards.reduce(0) { $0 + $1.skipped }

        // The traffic phase is the same window in every shard (one start time from the parent).
        let windows = shards.filter { $0.trafficStartNs > 0 && $0.trafficEndNs > $0.trafficStartNs }
        trafficSeconds = windows.map { Double($0.trafficEndNs - $0.trafficStartNs) / 1e9 }.max() ?? 0
        var roles: [String: RoleTraffic] = [:]
        var sum = RoleTraffic(connections: 0, frames: 0, bytes: 0, framesPerSecond: 0, bytesPerSecond: 0, runFrames: 0, runBytes: 0)
        for role in LoadRole.measured {
            let frames = traffic.frames[role.name] ?? 0
            let bytes = traffic.bytes[role.name] ?? 0
            let seconds = trafficSeconds
            let entry = RoleTraffic(
                connections: plan.count(of: role), frames: frames, bytes: bytes,
                framesPerSecond: seconds > 0 ? Double(frames) / seconds : 0, bytesPerSecond: seconds > 0 ? Double(bytes) / seconds : 0,
                runFrames: total.frames[role.name] ?? 0, runBytes: total.bytes[role.name] ?? 0
            )
            roles[role.name] = entry
            sum.connections += entry.connections
            sum.frames += entry.frames
            sum.bytes += entry.bytes
            sum.framesPerSecond += entry.framesPerSecond
            sum.bytesPerSecond += entry.bytesPerSecond
            sum.runFrames += entry.runFrames
            sum.runBytes += entry.runBytes
        }
        roles["total"] = sum
        self.received = roles
        self.notes = notes
        self.shards = shards.sorted { $0.shard < $1.shard }.map {
            Shard(shard: $0.shard, eventLoop: $0.eventLoop, welcomed: $0.welcomed, markersReceived: $0.clientMarkers.reduce(0, +),
                  cpuTrafficSeconds: $0.cpuTrafficSeconds, failure: $0.failure)
        }
        let cpuTraffic = shards.reduce(0) { $0 + $1.cpuTrafficSeconds }
        generator = Generator(
            cpuTrafficSeconds: cpuTraffic, coresInTraffic: trafficSeconds > 0 ? cpuTraffic / trafficSeconds : 0,
            cpuRunSeconds: shards.reduce(0) { $0 + $1.cpuRunSeconds }, timerLag: Latency(lag)
        )
    }

    static func countAtOrBelow(_ value: UInt64, in sorted: [UInt64]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Completed: something was welcomed, no shard failed, nobody interrupted it.
    package var ran: Bool { failures.isEmpty && connections.welcomed > 0 && !interrupted }

    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every figure on its own line.
    package func text() -> String {
        var lines: [String] = []
        let p = plan
        lines.append("townhall load \(p.url): \(p.connections) connections (\(p.host) host, \(p.voters) voters, \(p.commenters) commenters, \(p.watchers) watchers) in \(p.processes) process\(p.processes == 1 ? "" : "es"), event loop \(eventLoop), \(p.sources) source addresses")
        let votes = p.voters > 0 ? "\(Self.number(p.voteRate))/s" : "none"
        let comments = p.commenters > 0 ? "\(Self.number(p.commentRate))/s" : "none"
        lines.append("planned votes \(votes), announcements \(Self.number(p.announceRate))/s, comments \(comments), ramp \(p.ramp > 0 ? "\(Self.number(p.ramp))/s" : "all at once"), idle \(Self.number(p.idle)) s, traffic \(Self.number(p.duration)) s, drain \(Self.number(p.drain)) s, \(p.posts) posts")
        for failure in failures { lines.append("could not run: \(failure)") }
        if !failures.isEmpty && connections.attempted == 0 { return lines.joined(separator: "\n") }
        if interrupted { lines.append("interrupted: the figures cover the run up to the interruption") }
        let c = connections
        lines.append("connections attempted \(c.attempted) established \(c.established) welcomed \(c.welcomed) not welcomed \(c.notWelcomed)")
        lines.append("connections failed \(c.failed)" + Self.counts(c.failures))
        lines.append("connections closed by the server \(c.closed)" + Self.counts(c.closeCodes, label: "code "))
        lines.append("all welcomed in " + (allWelcomedSeconds.map { String(format: "%.2f s", $0) } ?? "-") + " from the first connect")
        lines.append("connect " + Self.latency(connect, extended: false))
        lines.append("welcome " + Self.latency(welcome, extended: false))
        lines.append("delivery " + Self.latency(delivery, extended: true))
        lines.append("ack " + Self.latency(ack, extended: true))
        let m = markers
        lines.append("markers sent \(m.sent) acked \(m.acked)")
        lines.append("markers received \(m.received) of \(m.expected) expected, missed \(m.missed) in \(m.clientsMissing) clients, repeated \(m.duplicates)")
        lines.append("update seq gaps: \(updates.missed) updates missed in \(updates.clientsWithGaps) clients, \(updates.outOfOrder) out of order")
        if let r = reconnects {
            lines.append("reconnects: \(r.dropped) lost, \(r.back) back (\(r.recovered) recovered, \(r.fresh) fresh welcome), \(r.stillOut) still out; all back " + (r.allBackSeconds.map { String(format: "%.2f s", $0) } ?? "-") + " after the first loss")
            lines.append("back after loss " + Self.latency(r.backAfter, extended: false))
            lines.append("failed tries while reconnecting \(r.retryFailures.values.reduce(0, +))" + Self.counts(r.retryFailures))
        }
        for kind in RequestKind.allCases where kind != .post {
            let figures = requests[kind.name] ?? RequestFigures()
            lines.append("\(kind.name) sent \(figures.sent) acked \(figures.acked) errors \(figures.errorCount)" + Self.counts(figures.errors) + " unanswered \(figures.unanswered)")
        }
        if let r = reactions {
            lines.append("reactions sent \(r.sent) counted in the host's updates \(r.counted)")
            lines.append("reaction to counts " + Self.latency(r.delivery, extended: true))
        }
        if skipped > 0 { lines.append("requests due with no open client to send them: \(skipped)") }
        lines.append(String(format: "traffic phase %.2f s", trafficSeconds))
        for role in LoadRole.measured.map(\.name) + ["total"] {
            guard let r = received[role] else { continue }
            lines.append("received \(role) (\(r.connections)) \(Self.number(r.framesPerSecond)) frames/s \(Self.bytes(r.bytesPerSecond))/s (\(r.frames) frames, \(Self.bytes(Double(r.bytes))) in the traffic phase; \(r.runFrames) frames, \(Self.bytes(Double(r.runBytes))) in the whole run)")
        }
        let g = generator
        lines.append(String(format: "load generator cpu %.2f cores in the traffic phase (%.1f s user+system), %.1f s in the whole run", g.coresInTraffic, g.cpuTrafficSeconds, g.cpuRunSeconds))
        lines.append("load generator timer lag " + Self.latency(g.timerLag, extended: false))
        for note in notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func latency(_ value: Latency, extended: Bool) -> String {
        guard value.samples > 0 else { return "- (0 samples)" }
        func ms(_ v: Double?) -> String { v.map { $0 < 10 ? String(format: "%.2f ms", $0) : String(format: "%.1f ms", $0) } ?? "-" }
        var text = "p50 \(ms(value.p50Ms)) p99 \(ms(value.p99Ms))"
        if extended { text += " p99.9 \(ms(value.p999Ms))" }
        return text + " max \(ms(value.maxMs)) (\(value.samples) samples)"
    }

    static func counts(_ values: [String: Int], label: String = "") -> String {
        guard !values.isEmpty else { return "" }
        return " (" + values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\(label)\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.1f", value)
    }

    /// Decimal units: kB = 1000 bytes.
    static func bytes(_ value: Double) -> String {
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
        return String(format: "%.0f B", value)
    }
}
