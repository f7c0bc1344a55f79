import Foundation

/// Why a run could not be set up or could not run at all (bad options, no server).
package struct LoadError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Where the load goes: a `ws://` (or `wss://`) URL, split the way libwebsockets wants it.
package struct LoadTarget: Sendable, Equatable {
    package var secure: Bool
    package var host: String
    package var port: Int
    package var path: String

    package init(url: String) throws(LoadError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["ws", "wss"].contains(scheme),
              let host = parts.host, !host.isEmpty
        else { throw LoadError("--url must be ws://HOST[:PORT]/PATH (or wss://), got \(url)") }
        secure = scheme == "wss"
        self.host = host
        port = parts.port ?? (secure ? 443 : 80)
        guard (1...65535).contains(port) else { throw LoadError("--url has port \(port), not 1 to 65535") }
        path = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        if let query = parts.percentEncodedQuery { path += "?" + query }
    }

    /// The Host header, with the port unless it is the scheme's own.
    var hostHeader: String { port == (secure ? 443 : 80) ? host : "\(host):\(port)" }

    /// Loopback servers get the 127.0.0.2–254 source addresses by default: the server caps
    /// connections per address, and loopback has all of 127/8 to spread them over.
    var isLoopback: Bool { host == "localhost" || host.hasPrefix("127.") }
}

/// The `--sources` list: addresses client sockets are bound to, round-robin.
package enum SourceAddresses {
    /// `none`, or a comma-separated list of IPv4 addresses and ranges
    /// (`127.0.0.2-127.0.0.254`, or `127.0.0.2-254` for the last octet).
    package static func parse(_ text: String) throws(LoadError) -> [String] {
        if text == "none" || text.isEmpty { return [] }
        var out: [String] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let ends = item.split(separator: "-", maxSplits: 1).map(String.init)
            guard let first = ipv4(ends[0]) else { throw LoadError("--sources: \(ends[0]) is not an IPv4 address") }
            var last = first
            if ends.count == 2 {
                if let full = ipv4(ends[1]) {
                    last = full
                } else if let octet = UInt32(ends[1]), octet <= 255 {
                    last = (first & 0xFFFF_FF00) | octet
                } else {
                    throw LoadError("--sources: \(ends[1]) is not an IPv4 address or a last octet")
                }
            }
            guard last >= first, last - first < 65_536, out.count + Int(last - first) < 65_536 else {
                throw LoadError("--sources: \(item) is empty or longer than 65536 addresses")
            }
            for value in first...last { out.append(dotted(value)) }
        }
        return out
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func dotted(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
    }
}

/// Everything a run needs, already checked. One per process; a shard child gets the same
/// options as its parent plus its own `shard` number.
package struct LoadConfig: Sendable {
    package var url: String
    package var target: LoadTarget
    package var data: String
    package var connections: Int
    package var voters: Int
    package var voteRate: Double
    package var commenters: Int
    package var commentRate: Double
    package var announceRate: Double
    package var ramp: Double
    package var duration: Double
    package var idle: Double
    package var drain: Double
    package var sources: [String]
    package var processes: Int
    package var posts: Int
    /// Connections the server closes come back (backoff, then `hello` with `resume`).
    package var reconnect: Bool
    /// Hellos ask for `"ranks":"changes"` (only the orderings that moved).
    package var rankChanges: Bool
    /// Hellos ask for `"posts":"counts"` (a voted post's counts, not the whole post).
    package var postCounts: Bool
    /// Live reactions a second, sent by the watchers in turn (PROTOCOL.md §9).
    package var reactionRate: Double
    package var json: Bool
    package var shard: Int
    package var shards: Int

    package init(
        url: String, data: String, connections: Int, voters: Int, voteRate: Double, commenters: Int, commentRate: Double,
        announceRate: Double, ramp: Double, duration: Double, idle: Double, drain: Double, sources: String?,
        processes: Int?, posts: Int, reconnect: Bool = false, rankChanges: Bool = true, postCounts: Bool = true, reactionRate: Double = 0, json: Bool, shard: Int?, shards: Int?
    ) throws(LoadError) {
        self.url = url
        target = try LoadTarget(url: url)
        self.data = data
        guard connections >= 1 else { throw LoadError("--connections must be at least 1") }
        guard voters >= 0, commenters >= 0 else { throw LoadError("--voters and --commenters cannot be negative") }
        guard voters + commenters + 1 <= connections else {
            throw LoadError("--connections (\(connections)) must hold the voters (\(voters)), the commenters (\(commenters)) and the host (1)")
        }
        for (flag, value) in [("--vote-rate", voteRate), ("--comment-rate", commentRate), ("--announce-rate", announceRate),
                              ("--ramp", ramp), ("--idle", idle), ("--drain", drain), ("--reaction-rate", reactionRate)]
        where !(value >= 0 && value.isFinite) {
            throw LoadError("\(flag) must be a number from 0 up")
        }
        guard duration > 0, duration.isFinite else { throw LoadError("--duration must be more than 0 seconds") }
        guard (1...100).contains(posts) else { throw LoadError("--posts must be 1 to 100 (the ranks carry the top 100)") }
        self.connections = connections
        self.voters = voters
        self.voteRate = voteRate
        self.commenters = commenters
        self.commentRate = commentRate
        self.announceRate = announceRate
        self.ramp = ramp
        self.duration = duration
        self.idle = idle
        self.drain = drain
        self.posts = posts
        self.reconnect = reconnect
        self.rankChanges = rankChanges
        self.postCounts = postCounts
        self.reactionRate = reactionRate
        self.json = json
        self.sources = try SourceAddresses.parse(sources ?? (target.isLoopback ? "127.0.0.2-127.0.0.254" : "none"))
        let wanted = processes ?? (connections + 8_999) / 9_000
        guard (1...64).contains(wanted), wanted <= connections else {
            throw LoadError("--processes must be 1 to 64 and at most --connections")
        }
        self.processes = wanted
        self.shards = shards ?? 1
        self.shard = shard ?? 0
        guard (1...64).contains(self.shards), (0..<self.shards).contains(self.shard) else {
            throw LoadError("--shard must be below --shards (1 to 64)")
        }
    }

    /// What the options allow but the server will refuse, said before the run.
    package var warnings: [String] {
        var out: [String] = []
        if voters > 0, voteRate / Double(voters) > 20 {
            out.append("--vote-rate \(voteRate) over \(voters) voters is \(voteRate / Double(voters)) votes/s each; the server allows 20 a second per user")
        }
        if commenters > 0, commentRate / Double(commenters) > 0.5 {
            out.append("--comment-rate \(commentRate) over \(commenters) commenters is over the server's 30 comments a minute per user")
        }
        let watchers = connections - voters - commenters - 1
        if reactionRate > 0, watchers == 0 || reactionRate / Double(max(watchers, 1)) > 5 {
            out.append("--reaction-rate \(reactionRate) over \(watchers) watchers is over the server's 5 reactions a second per user")
        }
        if !sources.isEmpty, connections > sources.count * 2000 {
            out.append("\(connections) connections over \(sources.count) source addresses is over the server's default 2000 open per address")
        }
        return out
    }
}

/// What a simulated connection does.
package enum LoadRole: Int, Sendable, Codable, CaseIterable {
    case watcher, voter, commenter, host
    /// Setup connections: one reads the posts, the authors make them. Not in the figures.
    case setup, author

    static let measured: [LoadRole] = [.watcher, .voter, .commenter, .host]

    var name: String {
        switch self {
        case .watcher: "watcher"
        case .voter: "voter"
        case .commenter: "commenter"
        case .host: "host"
        case .setup: "setup"
        case .author: "author"
        }
    }
}

/// Who is who. Connections are numbered globally 0..<N; shard `s` of `P` takes every
/// P-th one starting at `s`, so roles and source addresses spread evenly over shards.
/// Number 0 is the host (so only shard 0 has it), then the voters, then the commenters;
/// the rest watch.
package struct LoadPlan: Sendable {
    package let config: LoadConfig

    static let offices = [
        "Dublin", "London", "Paris", "Berlin", "Madrid", "Lisbon", "Rome", "Amsterdam", "Brussels", "Vienna",
        "Prague", "Warsaw", "Stockholm", "Oslo", "Copenhagen", "Helsinki", "Zurich", "Milan", "Barcelona", "Munich",
    ]

    package init(config: LoadConfig) { self.config = config }

    func role(of global: Int) -> LoadRole {
        if global == 0 { return .host }
        if global <= config.voters { return .voter }
        if global <= config.voters + config.commenters { return .commenter }
        return .watcher
    }

    /// This shard's connections, by global number.
    var globals: [Int] { Array(stride(from: config.shard, to: config.connections, by: config.shards)) }

    func count(of role: LoadRole, inShard shard: Int? = nil) -> Int {
        let numbers = shard.map { Array(stride(from: $0, to: config.connections, by: config.shards)) } ?? Array(0..<config.connections)
        return numbers.filter { self.role(of: $0) == role }.count
    }

    /// The user behind a connection (`load-<shard>-<i>`, the host `load-host`).
    func user(global: Int, local: Int) -> (sub: String, name: String, office: String, role: LoadRole) {
        let role = role(of: global)
        let office = Self.offices[global % Self.offices.count]
        if role == .host { return ("load-host", "Load Host", office, role) }
        return ("load-\(config.shard)-\(local)", "Load \(config.shard)-\(local)", office, role)
    }

    /// The source address for a global connection number (nil: let the kernel choose).
    func source(global: Int) -> Int? { config.sources.isEmpty ? nil : global % config.sources.count }

    /// This shard's share of a total rate.
    func share(_ total: Double, of role: LoadRole) -> Double {
        let all = count(of: role)
        guard all > 0 else { return 0 }
        return total * Double(count(of: role, inShard: config.shard)) / Double(all)
    }
}
