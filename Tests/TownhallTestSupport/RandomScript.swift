import TownhallCore

/// A random but reproducible stream of requests touching every command, shared by the
/// core's tests and the store's (which replay it from a real journal on disk).
package enum RandomScript {
    /// The first request's time (ms since the epoch).
    package static let start: Int64 = 1_700_000_000_000

    package static func make(count: Int, seed: UInt64) -> [Request] {
        var random = SeededRandom(seed: seed)
        let offices = ["Dublin", "Berlin", "Austin"]
        let users: [Actor] = (0..<25).map { (n: Int) -> Actor in
            let role: Role = n == 0 ? .host : n < 3 ? .moderator : .employee
            return Actor(id: "r\(n)", name: "R\(n)", office: offices[n % 3], role: role)
        }
        var at = start
        var posts = 0
        var requests: [Request] = []
        for _ in 0..<count {
            let steps: [Int64] = [0, 0, 1, 250, 1_000, 60_000]
            at += steps.randomElement(using: &random) ?? 0
            var actor = users.randomElement(using: &random) ?? users[0]
            // Mostly recent posts, so most votes land in the current cycle.
            let target = PostID.make(Int.random(in: max(posts - 120, 1)...max(posts, 1), using: &random))
            var command: Command
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<20:
                posts += 1
                let keyed = Int.random(in: 0..<4, using: &random) == 0
                let key = keyed ? "k\(Int.random(in: 0..<20, using: &random))" : nil
                command = .post(text: "q\(posts)", anonymous: Bool.random(using: &random), key: key)
            case 20..<85:
                command = .vote(post: target, value: Int.random(in: -1...1, using: &random))
            case 85..<90:
                let status = PostStatus.allCases.randomElement(using: &random) ?? .open
                command = .moderate(post: target, status: status, note: nil)
            case 90..<91:
                command = .answer(post: target, text: "we will", owner: Bool.random(using: &random) ? "HR" : nil)
            case 91..<92:
                command = .agenda(posts: [target])
            case 92..<93:
                command = Int.random(in: 0..<8, using: &random) == 0
                    ? .forget(user: users.randomElement(using: &random)?.id ?? "r5")
                    : .moderate(post: target, status: .shortlisted, note: nil)
            case 93..<97:
                command = .comment(text: "c", post: Bool.random(using: &random) ? target : nil)
            case 97..<99:
                command = .townhall(state: Bool.random(using: &random) ? .live : .ended, title: "T", stream: nil)
            default:
                command = .announce(text: "a")
            }
            // The host closes the cycle every 1,000 requests.
            if requests.count % 1_000 == 999 { (actor, command) = (users[0], .closeCycle(carryOver: requests.count % 2_000 == 999)) }
            requests.append(Request(actor: actor, at: at, command: command))
        }
        return requests
    }
}
