/// The allowance of each kind of request, per user.
package struct RateLimits: Sendable {
    package var posts = RateLimiter.Rule.posts
    package var comments = RateLimiter.Rule.comments
    package var votes = RateLimiter.Rule.votes
    package var reads = RateLimiter.Rule.reads
    package var pings = RateLimiter.Rule.pings
    package var tokens = RateLimiter.Rule.tokens
    package var reactions = RateLimiter.Rule.reactions

    package init() {}

    /// No limits at all, for fuzzing and load tests.
    package static var unlimited: RateLimits {
        var limits = RateLimits()
        for keyPath in [\RateLimits.posts, \.comments, \.votes, \.reads, \.pings, \.tokens, \.reactions] {
            limits[keyPath: keyPath].limit = .max
        }
        return limits
    }
}

/// Per-user limits (PROTOCOL.md §8): a sliding window of the times of accepted requests.
/// Each window keeps at most `limit` times, so memory per user is small and fixed.
package struct RateLimiter: Sendable {
    /// What is being limited, with its allowance.
    package struct Rule: Sendable, Hashable {
        package var limit: Int
        package var windowMillis: Int64
        /// What is counted, plural, for the error message.
        package var noun: String

        package init(limit: Int, windowMillis: Int64, noun: String) {
            self.limit = limit
            self.windowMillis = windowMillis
            self.noun = noun
        }

        package static let posts = Rule(limit: 5, windowMillis: 60_000, noun: "posts")
        package static let comments = Rule(limit: 30, windowMillis: 60_000, noun: "comments")
        package static let votes = Rule(limit: 20, windowMillis: 1_000, noun: "votes")
        /// Reads that walk the state (`thread`, `archive` pages).
        package static let reads = Rule(limit: 20, windowMillis: 1_000, noun: "reads")
        package static let pings = Rule(limit: 20, windowMillis: 1_000, noun: "pings")
        /// Token refreshes (each is a signature check off the thread).
        package static let tokens = Rule(limit: 10, windowMillis: 60_000, noun: "token refreshes")
        /// Live reactions (§9): over this they are dropped, not refused.
        package static let reactions = Rule(limit: 5, windowMillis: 1_000, noun: "reactions")

        /// Plain words for the `rate_limited` error.
        package var message: String {
            let window = switch windowMillis {
            case 1_000: "a second"
            case 60_000: "a minute"
            default: "per \(windowMillis) ms"
            }
            return "slow down: at most \(limit) \(noun) \(window)"
        }
    }

    private var windows: [Rule: [String: [Int64]]] = [:]

    package init() {}

    /// Whether `user` may do one more thing under `rule` at `now` (monotonic ms).
    package func allows(_ user: String, _ rule: Rule, now: Int64) -> Bool {
        guard let times = windows[rule]?[user] else { return true }
        return times.count(where: { now - $0 < rule.windowMillis }) < rule.limit
    }

    /// Records one accepted request.
    package mutating func record(_ user: String, _ rule: Rule, now: Int64) {
        var times = windows[rule, default: [:]][user, default: []]
        times.removeAll { now - $0 >= rule.windowMillis }
        times.append(now)
        if times.count > rule.limit { times.removeFirst(times.count - rule.limit) }
        windows[rule, default: [:]][user] = times
    }

    /// Drops windows that have fully expired, so idle users cost nothing.
    package mutating func prune(now: Int64) {
        for (rule, users) in windows {
            windows[rule] = users.filter { _, times in times.contains { now - $0 < rule.windowMillis } }
        }
    }
}
