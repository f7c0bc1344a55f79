import Testing
@testable import TownhallCore

/// Swift Testing also exports a `Comment`; the tests mean the townhall's.
typealias Comment = TownhallCore.Comment

/// The people the tests act as.
enum People {
    static let alice = Actor(id: "u-alice", name: "Alice", office: "Dublin", role: .employee)
    static let bob = Actor(id: "u-bob", name: "Bob", office: "Berlin", role: .employee)
    static let carol = Actor(id: "u-carol", name: "Carol", office: "Austin", role: .employee)
    static let mod = Actor(id: "u-mod", name: "Mo", office: "Dublin", role: .moderator)
    static let host = Actor(id: "u-host", name: "Hana", office: "Dublin", role: .host)
    static let everyone = [alice, bob, carol, mod, host]

    /// The `n`th of many anonymous-looking voters, for posts that need lots of votes.
    static func voter(_ n: Int) -> Actor {
        Actor(id: "voter-\(n)", name: "Voter \(n)", office: "Remote", role: .employee)
    }
}

/// The first cycle's start in every test (ms since the epoch).
let start: Int64 = 1_700_000_000_000

extension Townhall {
    /// A fresh townhall starting at `start`.
    static func fresh(limits: Limits = Limits(), review: Bool = false) -> Townhall {
        Townhall(limits: limits, reviewPosts: review, startedAt: start)
    }

    /// Applies `command` as `actor` at `at`.
    @discardableResult
    mutating func run(_ actor: Actor, at: Int64 = start, _ command: Command) throws(CoreError) -> Outcome {
        try apply(Request(actor: actor, at: at, command: command))
    }

    /// Posts `text` and returns the new post.
    @discardableResult
    mutating func newPost(_ text: String = "a question", by actor: Actor = People.alice,
                          at: Int64 = start, anonymous: Bool = false, key: String? = nil) throws -> Post {
        try #require(run(actor, at: at, .post(text: text, anonymous: anonymous, key: key)).post)
    }

    /// Gives post `id` `up` up votes and `down` down votes from fresh voters.
    mutating func cast(_ id: String, up: Int = 0, down: Int = 0) throws {
        for n in 0..<(up + down) {
            try run(People.voter(n), .vote(post: id, value: n < up ? 1 : -1))
        }
    }
}

extension Outcome {
    /// The post an ack carries for `post` and `vote` requests.
    var post: Post? {
        switch result {
        case let .post(post), let .vote(post, _): post
        default: nil
        }
    }
}

/// Everything the relay can read from a townhall, to prove a refused request changed nothing.
struct Observed: Equatable {
    var cycle: Cycle
    var stage: Stage
    var posts: [Post?]
    var ranks: [Ranks]
    var votes: [[String: Int]]
    var own: [[Post]]
    var threads: [[Comment]]
    var live: [Comment]
    var announcements: [Announcement]

    init(_ townhall: Townhall) {
        let ids = (1...40).map(PostID.make)
        cycle = townhall.cycle
        stage = townhall.stage
        posts = ids.map(townhall.post)
        ranks = Audience.allCases.map { townhall.ranks(for: $0) }
        votes = People.everyone.map { townhall.votes(of: $0.id) }
        own = People.everyone.map { townhall.posts(by: $0.id) }
        threads = ids.map(townhall.comments(on:))
        live = townhall.liveComments(last: 1000)
        announcements = townhall.announcements(last: 1000)
    }
}

/// Applies a request that must be refused with `code`, and checks that nothing changed.
func expectRefused(
    _ townhall: inout Townhall, _ actor: Actor, at: Int64 = start, _ command: Command, _ code: CoreError.Code,
    message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    let before = townhall
    let observed = Observed(townhall)
    do {
        let outcome = try townhall.run(actor, at: at, command)
        Issue.record("expected \(code), got \(outcome)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        if let message { #expect(error.message == message, sourceLocation: sourceLocation) }
    }
    #expect(townhall == before, sourceLocation: sourceLocation)
    #expect(Observed(townhall) == observed, sourceLocation: sourceLocation)
}
