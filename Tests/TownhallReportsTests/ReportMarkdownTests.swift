import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

@Suite("Cycle report Markdown")
struct ReportMarkdownTests {
    /// The lines of the section titled `title` (up to the next `## `).
    func section(_ title: String, in markdown: String) -> [String] {
        let lines = markdown.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "## " + title) else { return [] }
        let rest = lines[(start + 1)...]
        return Array(rest.prefix { !$0.hasPrefix("## ") })
    }

    @Test("title, totals and the office table")
    func headline() throws {
        let markdown = try seededReport().markdown()
        let lines = markdown.components(separatedBy: "\n")
        #expect(lines[0] == "# Townhall — week 2026-W48 (23–29 Nov 2026)")
        #expect(lines[2] == "10 questions from 4 offices, 17 votes from 6 people, 5 comments, 2 answered.")
        #expect(section("Office participation", in: markdown) == [
            "",
            "| Office | Posts | Voters | Comments |",
            "| --- | ---: | ---: | ---: |",
            "| Berlin | 4 | 2 | 1 |",
            "| Dublin | 3 | 2 | 2 |",
            "| Austin | 2 | 1 | 2 |",
            "| Remote | 1 | 1 | 0 |",
            "",
        ])
    }

    @Test("the totals line groups thousands and agrees in number")
    func totalsLine() {
        func report(_ totals: ReportTotals, offices: Int) -> CycleReport {
            CycleReport(
                cycle: ReportCycle(id: 9, startedAt: Clock.start, endedAt: nil, week: "2026-W48", timeZone: "UTC"),
                generatedAt: 0, totals: totals,
                offices: Dictionary(uniqueKeysWithValues: (0..<offices).map { ("Office \($0)", OfficeActivity(posts: 1)) }),
                posts: [], liveComments: []
            )
        }
        let big = report(ReportTotals(posts: 42, votes: 1284, voters: 310, comments: 1_000_000, answered: 5), offices: 7)
        #expect(big.summaryLine == "42 questions from 7 offices, 1,284 votes from 310 people, 1,000,000 comments, 5 answered.")
        let one = report(ReportTotals(posts: 1, votes: 1, voters: 1, comments: 1, answered: 0), offices: 1)
        #expect(one.summaryLine == "1 question from 1 office, 1 vote from 1 person, 1 comment, 0 answered.")
        #expect(CycleReport.grouped(999) == "999")
        #expect(CycleReport.grouped(-1234) == "-1,234")
        let empty = report(ReportTotals(posts: 0, votes: 0, voters: 0, comments: 0, answered: 0), offices: 0).markdown()
        #expect(empty.contains("No answers this week.\n"))
        #expect(empty.contains("Nothing shortlisted.\n"))
        #expect(empty.contains("No open questions.\n"))
    }

    @Test("answered: the question quoted line by line, the written answer, the owner")
    func answered() throws {
        let markdown = try seededReport().markdown()
        #expect(section("Answered", in: markdown) == [
            "",
            "> Why was the Berlin office closed,",
            "> and who decided?",
            "> \"Softly\", it seems.",
            ">",
            "> — Anonymous, Remote · score +5 · 5 votes",
            "",
            "The lease ended.  ",
            "Details on the intranet.",
            "",
            "**Owner:** Facilities, by 4 Dec",
            "",
            "> Can we, please, get \"real\" coffee?",
            ">",
            "> — Alice Archer, Dublin · score +3 · 5 votes",
            "",
            "Yes, from Monday.",
            "",
        ])
    }

    @Test("shortlisted and the top five open posts, escaped; hidden posts stay out")
    func lists() throws {
        let markdown = try seededReport().markdown()
        #expect(section("Shortlisted, carried to next week", in: markdown) == [
            "",
            "1. Shortlist me, please  ",
            "   *Erin Engel, Berlin · score +2 · 2 votes*",
            "",
        ])
        #expect(section("Top unanswered", in: markdown) == [
            "",
            ##"1. \# Heading \[link\](http://x) \<b\>  "##,
            "   *Carol Cruz, Austin · score +1 · 1 vote*",
            #"2. \+1 for remote Fridays  "#,
            #"   \- and a list  "#,
            #"   1\. ordered  "#,
            "   *Dan Doyle, Dublin · score +1 · 1 vote*",
            "3. @here what about parking?  ",
            "   *Bob Brandt, Berlin · score 0 · 0 votes*",
            "4. Open question nine  ",
            "   *Erin Engel, Berlin · score 0 · 0 votes*",
            "5. Open question ten  ",
            "   *Carol Cruz, Austin · score 0 · 0 votes*",
            "",
        ])
        #expect(!markdown.contains(Texts.p7))
        #expect(!markdown.contains("SUM(A1)")) // sixth open post by score: not in the top five
    }

    @Test("user text cannot add headings, links, HTML, emphasis, code, tables or lists")
    func escaping() throws {
        let markdown = try seededReport().markdown()
        #expect(!markdown.contains("<b>"))
        #expect(!markdown.contains("[link]("))
        #expect(!markdown.contains("\n# Heading"))
        #expect(markdown.components(separatedBy: "\n").filter { $0.hasPrefix("#") }.count == 5) // the title and the four sections

        #expect(MarkdownText.lines(#"a\b `c` *d* _e_ [f] <g> #h |i| ~j~"#)
            == [##"a\\b \`c\` \*d\* \_e\_ \[f\] \<g\> \#h \|i\| \~j\~"##])
        #expect(MarkdownText.lines("# h\n## h2\n- item\n+ item\n* item\n> quote\n12. ordered\n3) ordered\n===\n---")
            == [##"\# h"##, ##"\#\# h2"##, #"\- item"#, #"\+ item"#, #"\* item"#, #"\> quote"#,
                #"12\. ordered"#, #"3\) ordered"#, #"\==="#, #"\---"#])
        #expect(MarkdownText.lines("    indented code\n\t- tabbed item") == ["indented code", #"\- tabbed item"#])
        #expect(MarkdownText.lines("2026 was good. 3.5 too") == ["2026 was good. 3.5 too"])
        #expect(MarkdownText.lines("<script>alert(1)</script>") == [#"\<script\>alert(1)\</script\>"#])
        #expect(MarkdownText.lines("![img](http://x/y.png)") == [#"!\[img\](http://x/y.png)"#])
        #expect(MarkdownText.quote("one\r\n\r\n# two\rthree") == "> one\n>\n> \\# two\n> three")
        #expect(MarkdownText.cell("a|b\nc") == #"a\|b c"#)
    }

    @Test("an office name cannot break the table")
    func officeCell() throws {
        let odd = Actor(id: "u-odd", name: "Odd | One", office: "HQ | <i>x</i>", role: .employee)
        var townhall = Townhall(startedAt: Clock.start)
        try townhall.run(odd, at: Clock.start + 1, .post(text: "hi", anonymous: false, key: nil))
        let markdown = try #require(CycleReport(townhall: townhall, cycle: 1, timeZone: utc, generatedAt: 0)).markdown()
        #expect(markdown.contains(#"| HQ \| \<i\>x\</i\> | 1 | 0 | 0 |"#))
        #expect(markdown.contains(#"*Odd \| One, HQ \| \<i\>x\</i\> · score 0 · 0 votes*"#))
    }
}
