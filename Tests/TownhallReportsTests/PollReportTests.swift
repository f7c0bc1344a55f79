import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

@Suite("Polls appear in their week's exports")
struct PollReportTests {
    static let host = Actor(id: "h", name: "Host", office: "HQ", role: .host)

    @Test("JSON and Markdown carry each poll's counts and voters, never who chose what; the next week's report has none")
    func polls() throws {
        var townhall = Townhall(startedAt: 0)
        func run(_ actor: Actor, _ command: Command, at: Int64 = 1_000) throws { _ = try townhall.apply(Request(actor: actor, at: at, command: command)) }
        try run(Self.host, .openPoll(question: "Office snacks?", options: ["Fruit", "Nuts", "Both"], multi: false))
        for (index, choice) in [0, 2, 2].enumerated() {
            try run(Actor(id: "secret-\(index)", name: "Person \(index)", office: "Dublin", role: .employee), .answerPoll(poll: "q1", choices: [choice]))
        }
        try run(Self.host, .closeCycle(carryOver: false), at: 2_000)
        let report = try #require(CycleReport(townhall: townhall, cycle: 1, timeZone: .gmt, generatedAt: 3_000))
        #expect(report.polls.map { $0.options.map(\.votes) } == [[1, 0, 2]])
        #expect(report.polls.first?.state == "closed" && report.polls.first?.voters == 3 && report.polls.first?.closedAt == 2_000)
        let json = String(decoding: report.json(), as: UTF8.self)
        #expect(json.contains(#""question":"Office snacks?""#) && !json.contains("secret-") && !json.contains("Person "))
        let markdown = report.markdown()
        #expect(markdown.contains("## Polls\n\n**Office snacks?** (3 people)\n\n- Fruit: 1 (33%)\n- Nuts: 0 (0%)\n- Both: 2 (67%)\n"))
        #expect(try #require(CycleReport(townhall: townhall, cycle: 2, timeZone: .gmt, generatedAt: 3_000)).polls.isEmpty)
    }
}
