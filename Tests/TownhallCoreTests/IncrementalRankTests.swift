import Foundation
import Testing
@testable import TownhallCore
import TownhallTestSupport

@Suite("Incremental rankings")
struct IncrementalRankTests {
    /// PROTOCOL.md §7 computed from scratch: filter, score, full sort.
    private func expected(_ townhall: Townhall, _ audience: Audience, _ ordering: Ordering, posts: Int) -> [String] {
        let start = townhall.cycle.startedAt
        let visible = (0..<posts).compactMap { townhall.post(PostID.make($0 + 1)) }.filter {
            !$0.isErased && $0.cycle == townhall.cycle.id && (audience == .staff || ($0.status != .pending && $0.status != .hidden))
        }
        func hot(_ p: Post) -> Double {
            let s = p.score
            return Double(s.signum()) * log10(Double(max(abs(s), 1))) + Double(p.createdAt - start) / 1000 / 45_000
        }
        func wilson(_ p: Post) -> Double {
            let n = Double(p.up + p.down)
            if n == 0 { return 0 }
            let z = 1.281551565545, phat = Double(p.up) / n
            return (phat + z * z / (2 * n) - z * sqrt((phat * (1 - phat) + z * z / (4 * n)) / n)) / (1 + z * z / n)
        }
        func top(_ a: Post, _ b: Post) -> Bool {
            if a.score != b.score { return a.score > b.score }
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            return PostID.precedes(a.id, b.id)
        }
        let sorted: [Post]
        switch ordering {
        case .top: sorted = visible.sorted(by: top)
        case .hot:
            sorted = visible.sorted { a, b in
                let (x, y) = (hot(a), hot(b))
                return x != y ? x > y : PostID.precedes(b.id, a.id)
            }
        case .best:
            sorted = visible.sorted { a, b in
                let (x, y) = (wilson(a), wilson(b))
                return abs(x - y) > 1e-12 ? x > y : top(a, b)
            }
        case .new:
            sorted = visible.sorted { a, b in
                a.createdAt != b.createdAt ? a.createdAt > b.createdAt : PostID.precedes(b.id, a.id)
            }
        }
        return sorted.map(\.id)
    }

    @Test("after thousands of random requests each index equals a full sort", arguments: [1 as UInt64, 2, 3])
    func matchesFullSort(seed: UInt64) {
        var townhall = Townhall.fresh(review: seed == 2)
        var posts = 0
        var checks = 0
        for (n, request) in RandomScript.make(count: 4_000, seed: seed).enumerated() {
            if case let .success(outcome) = Result(catching: { () throws(CoreError) in try townhall.apply(request) }),
               case .post = outcome.result, !outcome.changes.isEmpty {
                posts += 1
            }
            guard n % 40 == 39 else { continue }
            for audience in Audience.allCases {
                let full = townhall.ranks(for: audience, depth: Int.max)
                let top100 = townhall.ranks(for: audience)
                for ordering in Ordering.allCases {
                    let want = expected(townhall, audience, ordering, posts: posts)
                    #expect(full[ordering] == want, "\(ordering) for \(audience) after \(n + 1) requests")
                    #expect(top100[ordering] == Array(want.prefix(100)))
                    checks += 1
                }
            }
        }
        #expect(checks == 4_000 / 40 * 8)
        #expect(posts > 500)
    }
}
