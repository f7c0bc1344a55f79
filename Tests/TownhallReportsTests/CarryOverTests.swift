import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

@Suite("Posts carried to the next week stay in their first week's report")
struct CarryOverTests {
    @Test("week 2's report lists p11, which carried over to week 3 with its vote; week 1 (carry-over off) lists none")
    func carried() throws {
        let second = try seededReport(cycle: 2)
        #expect(second.carriedOver.map(\.id) == ["p11"])
        #expect(second.carriedOver.first?.up == 1)
        #expect(second.posts.allSatisfy { $0.id != "p11" }, "it belongs to week 3 now")
        #expect(second.markdown().contains("Shortlisted, carried to next week\n\n1. "))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(second.json())) as? [String: Any])
        #expect((json["carriedOver"] as? [[String: Any]])?.first?["id"] as? String == "p11")
        #expect(try seededReport(cycle: 1).carriedOver.isEmpty)
        #expect(try seededReport(cycle: 3).carriedOver.isEmpty)
    }
}
