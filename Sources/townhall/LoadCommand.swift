import ArgumentParser
import TownhallLoad

/// `townhall load`: a load generator on libwebsockets' client side. Watchers, voters,
/// commenters and one host against a server; it prints delivery and ack latency, losses
/// and throughput (docs/load.md says what each figure means).
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Simulate a townhall's audience against a server and measure it."
    )

    @Option(help: "The server's WebSocket endpoint (subprotocol townhall.v1).") var url = "ws://127.0.0.1:8080/ws"
    @Option(help: "The server's data folder; its secret signs the simulated users' tokens.") var data = "./data"
    @Option(help: "Connections in all: watchers, voters, commenters and the host.") var connections = 1000
    @Option(help: "Connections that vote.") var voters = 200
    @Option(name: .customLong("vote-rate"), help: "Votes per second over all voters.") var voteRate = 2000.0
    @Option(help: "Connections that send live comments.") var commenters = 0
    @Option(name: .customLong("comment-rate"), help: "Live comments per second over all commenters.") var commentRate = 10.0
    @Option(name: .customLong("reaction-rate"), help: "Live reactions per second over all watchers (never acked; the server allows 5 a second per user).") var reactionRate = 0.0
    @Option(name: .customLong("announce-rate"), help: "Host announcements (latency markers) per second.") var announceRate = 5.0
    @Option(help: "New connections per second (0: all at once).") var ramp = 2000.0
    @Option(help: "Seconds of traffic after every connection is welcomed.") var duration = 30.0
    @Option(help: "Seconds to hold every connection with no traffic before the traffic phase.") var idle = 0.0
    @Option(help: "Seconds after the traffic phase to wait for late frames.") var drain = 5.0
    @Option(help: "Source addresses for client sockets, round-robin: ranges like 127.0.0.2-127.0.0.254, commas, or none (default: that range for a loopback server, else none).")
    var sources: String?
    @Option(help: "Processes to spread the connections over (default: one per 9000).") var processes: Int?
    @Option(help: "Posts the voters vote on (made if fewer are visible).") var posts = 20
    @Flag(help: "Reconnect connections the server closes or loses, with the pages' full-jitter backoff, resuming where each left off (to measure a restart).")
    var reconnect = false
    @Option(help: "How the connections take ranks in updates: changes (as the pages do) or full.") var ranks = "changes"
    @Option(help: "How the connections take changed posts in updates: counts (as the pages do) or full.") var postUpdates = "counts"
    @Flag(help: "Print the report as one JSON object.") var json = false
    @Option(help: ArgumentHelp("This process's shard (set by the parent process).", visibility: .hidden)) var shard: Int?
    @Option(help: ArgumentHelp("How many shards there are (set by the parent process).", visibility: .hidden)) var shards: Int?

    func config() throws -> LoadConfig {
        do {
            return try LoadConfig(
                url: url, data: data, connections: connections, voters: voters, voteRate: voteRate, commenters: commenters,
                commentRate: commentRate, announceRate: announceRate, ramp: ramp, duration: duration, idle: idle, drain: drain,
                sources: sources, processes: processes, posts: posts, reconnect: reconnect, rankChanges: ranks == "changes", postCounts: postUpdates == "counts", reactionRate: reactionRate, json: json, shard: shard, shards: shards
            )
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        guard ["changes", "full"].contains(ranks) else { throw ValidationError("--ranks must be changes or full") }
        guard ["counts", "full"].contains(postUpdates) else { throw ValidationError("--post-updates must be counts or full") }
        _ = try config()
    }

    func run() async throws {
        let code = await LoadMain.run(try config(), arguments: Array(CommandLine.arguments.dropFirst()))
        if code != 0 { throw ExitCode(code) }
    }
}
