import Foundation
import Testing
@testable import TownhallCore
import TownhallTestSupport

@Suite("Snapshots")
struct SnapshotTests {
    /// A townhall after `count` random requests.
    func played(_ count: Int, seed: UInt64, review: Bool = false) -> Townhall {
        var townhall = Townhall.fresh(review: review)
        for request in RandomScript.make(count: count, seed: seed) { _ = try? townhall.apply(request) }
        return townhall
    }

    @Test("a snapshot, through JSON and back, rebuilds an equal townhall", arguments: [(500, UInt64(1)), (3_000, UInt64(9))])
    func roundTrip(count: Int, seed: UInt64) throws {
        let original = played(count, seed: seed, review: true)
        let bytes = try JSONEncoder().encode(original.snapshot)
        let loaded = Townhall(snapshot: try JSONDecoder().decode(Townhall.Snapshot.self, from: bytes))
        #expect(loaded == original)
        #expect(Observed(loaded) == Observed(original))
        for audience in Audience.allCases {
            #expect(loaded.ranks(for: audience, depth: .max) == original.ranks(for: audience, depth: .max))
        }
    }

    @Test("a loaded townhall goes on exactly like the original")
    func continues() {
        var original = played(1_000, seed: 3)
        var loaded = Townhall(snapshot: original.snapshot)
        for request in RandomScript.make(count: 1_000, seed: 4) {
            let a = Result { () throws(CoreError) in try original.apply(request) }
            let b = Result { () throws(CoreError) in try loaded.apply(request) }
            #expect(a == b)
        }
        #expect(loaded == original)
    }
}
