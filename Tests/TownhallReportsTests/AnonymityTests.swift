import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

/// PROTOCOL.md §6: no export carries the author of an anonymous post, in any form.
@Suite("Cycle report anonymity")
struct AnonymityTests {
    @Test("the anonymous author appears in no output, while the post does", arguments: [1, 2, 3])
    func neverNamed(cycle: Int) throws {
        let report = try seededReport(cycle: cycle)
        let outputs = ["json": text(report.json()), "csv": report.csv(), "markdown": report.markdown()]
        for (format, output) in outputs {
            for secret in ["Quentin", "Quietly", "u-quentin", "quentin"] {
                #expect(!output.contains(secret), "\(format) of cycle \(cycle) names the anonymous author (\(secret))")
            }
            // No user ids at all: voters are counts, authors are names.
            #expect(!output.contains("u-"), "\(format) of cycle \(cycle) carries a user id")
        }
        guard cycle == 1 else { return }
        #expect(outputs["json"]!.contains(#"Why was the Berlin office closed,\nand who decided?"#))
        #expect(outputs["csv"]!.contains("Why was the Berlin office closed,\nand who decided?"))
        #expect(outputs["markdown"]!.contains("> Why was the Berlin office closed,\n> and who decided?"))
    }

    @Test("the typed report holds no trace of the author either")
    func typedReport() throws {
        let report = try seededReport()
        let post = try #require(report.posts.first { $0.id == "p2" })
        #expect(post.author == nil)
        #expect(post.office == "Remote")
        #expect(post.text == Texts.p2)
        var dump = ""
        Swift.dump(report, to: &dump)
        #expect(!dump.contains("Quentin"))
        #expect(!dump.contains("u-quentin"))
    }
}
