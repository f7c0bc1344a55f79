import TownhallCore

/// The part of a full `welcome` that is the same for every member of an audience at one
/// `seq` (cycle, stage, ranked posts, ranks, live comments, announcements, presence),
/// encoded once. Each user's welcome is these bytes with their own parts spliced in
/// (`user`, `myVotes`, their own posts that are not ranked), so a whole company
/// reconnecting after a restart costs a copy each, not an encode of everything each.
/// The frame is still one `welcome` object of PROTOCOL.md §5; only its keys' order differs.
package struct WelcomeTemplate: Sendable {
    /// `"posts":[` and the shared posts.
    private let head: [UInt8]
    /// `]`, then every other shared field and the closing brace.
    private let tail: [UInt8]
    /// The posts already in `head`: a user's own post among them is not written twice.
    package let postIDs: Set<String>

    /// The fields every member shares; `posts` and the per-user fields are left out.
    private struct Shared: Encodable {
        var agenda: [String]?
        var announcements: [Announcement]
        var comments: [WireComment]
        var cycle: Cycle
        var epoch: String
        var polls: [WirePoll]
        var presence: WirePresence
        var ranks: WireRanks
        var recovered = false
        var seq: Int64
        var townhall: WireStage
        var type = "welcome"
    }

    /// What is the user's own.
    private struct Own: Encodable {
        var myAnswers: [String: [Int]]
        var myVotes: [String: Int]
        var user: WireUser
    }

    package init(
        encoder: FrameEncoder, epoch: String, seq: Int64, cycle: Cycle, townhall: WireStage, posts: [WirePost],
        ranks: WireRanks, comments: [WireComment], announcements: [Announcement], presence: WirePresence, agenda: [String]?,
        polls: [WirePoll] = []
    ) {
        let shared = Shared(
            agenda: agenda, announcements: announcements, comments: comments, cycle: cycle, epoch: epoch,
            polls: polls, presence: presence, ranks: ranks, seq: seq, townhall: townhall
        )
        head = Array(#""posts":["#.utf8) + Self.inner(encoder.encode(posts))
        tail = Array("],".utf8) + encoder.encode(shared).dropFirst()
        postIDs = Set(posts.map(\.post.id))
    }

    /// One user's welcome: `{` their fields, the shared posts and their own, the rest `}`.
    package func welcome(
        encoder: FrameEncoder, user: WireUser, myVotes: [String: Int], ownPosts: [WirePost], myAnswers: [String: [Int]] = [:]
    ) -> [UInt8] {
        let own = encoder.encode(Own(myAnswers: myAnswers, myVotes: myVotes, user: user))
        let extra = ownPosts.isEmpty ? [] : Self.inner(encoder.encode(ownPosts))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(own.count + head.count + extra.count + tail.count + 2)
        bytes += own.dropLast()
        bytes.append(UInt8(ascii: ","))
        bytes += head
        if !extra.isEmpty {
            if !postIDs.isEmpty { bytes.append(UInt8(ascii: ",")) }
            bytes += extra
        }
        bytes += tail
        return bytes
    }

    /// An encoded array without its brackets.
    private static func inner(_ array: [UInt8]) -> ArraySlice<UInt8> { array.dropFirst().dropLast() }
}
