import Testing
@testable import TownhallCore
import TownhallTestSupport

@Suite("Replay")
struct ReplayTests {
    /// Applies every request, keeping the outcomes and refusals in order.
    private func play(_ requests: [Request], review: Bool) -> (Townhall, [Result<Outcome, CoreError>]) {
        var townhall = Townhall.fresh(review: review)
        var results: [Result<Outcome, CoreError>] = []
        for request in requests {
            do throws(CoreError) { results.append(.success(try townhall.apply(request))) } catch {
                results.append(.failure(error))
            }
        }
        return (townhall, results)
    }

    @Test("replaying the same requests gives the same posts, ids, ranks and outcomes", arguments: [false, true])
    func deterministic(review: Bool) {
        let requests = RandomScript.make(count: 3_000, seed: 42)
        let (first, firstResults) = play(requests, review: review)
        let (second, secondResults) = play(requests, review: review)
        #expect(first == second)
        #expect(firstResults == secondResults)
        #expect(Observed(first) == Observed(second))
        for audience in Audience.allCases {
            #expect(first.ranks(for: audience, depth: Int.max) == second.ranks(for: audience, depth: Int.max))
        }
        #expect(first.cycle.id > 1)
        #expect(first.post("p1") != nil)
    }

    @Test("replaying only the accepted, changing requests rebuilds the same state")
    func journalReplay() {
        let requests = RandomScript.make(count: 2_000, seed: 7)
        let (original, results) = play(requests, review: true)
        // The journal keeps what was accepted and changed something.
        let journal = zip(requests, results).compactMap { request, result in
            (try? result.get()).flatMap { $0.changes.isEmpty ? nil : request }
        }
        let (rebuilt, _) = play(journal, review: true)
        #expect(rebuilt == original)
        #expect(Observed(rebuilt) == Observed(original))
    }
}
