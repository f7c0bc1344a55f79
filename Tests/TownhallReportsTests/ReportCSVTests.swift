import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

@Suite("Cycle report CSV")
struct ReportCSVTests {
    @Test("the CSV parses back (RFC 4180) into exactly the report's fields")
    func parsesBack() throws {
        let report = try seededReport()
        let csv = report.csv()
        let records = try CSVParser.parse(csv)
        #expect(records.first == [
            "id", "cycle", "week", "created_at", "office", "author", "status", "up", "down", "score",
            "voters", "comments", "answer", "answer_owner", "carried_from", "text",
        ])
        #expect(records.count == 1 + report.posts.count)
        #expect(records.dropFirst().map { $0[0] } == report.posts.map(\.id))
        #expect(records.allSatisfy { $0.count == 16 })

        let byID = Dictionary(uniqueKeysWithValues: records.dropFirst().map { ($0[0], $0) })
        #expect(byID["p2"] == [
            "p2", "1", "2026-W48", "2026-11-23T08:20:00+00:00", "Remote", "", "answered", "5", "0", "5",
            "5", "3", Texts.answer2, Texts.owner2, "", Texts.p2,
        ])
        #expect(byID["p1"] == [
            "p1", "1", "2026-W48", "2026-11-23T08:15:00+00:00", "Dublin", "Alice Archer", "answered", "4", "1", "3",
            "5", "1", Texts.answer1, "", "", Texts.p1,
        ])
        #expect(byID["p3"] == [
            "p3", "1", "2026-W48", "2026-11-23T08:30:00+00:00", "Berlin", "Bob Brandt", "open", "0", "2", "-2",
            "2", "1", "", "", "", "'" + Texts.p3,
        ])
        // The CR LF inside a post survives, as do the leading "+" (guarded) and "@" (guarded).
        #expect(byID["p5"]?[15] == "'" + Texts.p5)
        #expect(byID["p8"]?[15] == "'" + Texts.p8)
        #expect(byID["p4"]?[15] == Texts.p4)
        #expect(byID["p7"]?[6] == "hidden")

        let third = try CSVParser.parse(try seededReport(cycle: 3).csv())
        #expect(third.count == 2)
        #expect(third[1][14] == "2")
        #expect(third[1][2] == "2026-W50")
    }

    @Test("fields with commas, quotes, CR or LF are quoted with doubled quotes; lines end with CRLF")
    func quoting() throws {
        let csv = try seededReport().csv()
        #expect(csv.hasPrefix("id,cycle,week,created_at,office,author,status,up,down,score,voters,comments,answer,answer_owner,carried_from,text\r\n"))
        #expect(csv.hasSuffix("\r\n"))
        #expect(csv.contains(#","Can we, please, get ""real"" coffee?"\#r\#n"#))
        #expect(csv.contains("\"Why was the Berlin office closed,\nand who decided?\n\"\"Softly\"\", it seems.\"\r\n"))
        #expect(csv.contains(",\"Facilities, by 4 Dec\","))
        #expect(csv.contains(",2026-11-23T08:40:00+00:00,Austin,Carol Cruz,open,1,0,1,1,0,,,,# Heading [link](http://x) <b>\r\n"))

        #expect(CSVField.encode("plain") == "plain")
        #expect(CSVField.encode("") == "")
        #expect(CSVField.encode("a,b") == "\"a,b\"")
        #expect(CSVField.encode("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVField.encode("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVField.encode("lf\nhere") == "\"lf\nhere\"")
        #expect(CSVField.row(["a", "b"]) == "a,b\r\n")
    }

    @Test("formula guard: user text starting with = + - @ tab or CR gets an apostrophe inside quotes; numbers do not")
    func formulaGuard() throws {
        #expect(CSVField.encode("=SUM(A1)", untrusted: true) == "\"'=SUM(A1)\"")
        #expect(CSVField.encode("+1", untrusted: true) == "\"'+1\"")
        #expect(CSVField.encode("-1", untrusted: true) == "\"'-1\"")
        #expect(CSVField.encode("@cmd", untrusted: true) == "\"'@cmd\"")
        #expect(CSVField.encode("\tx", untrusted: true) == "\"'\tx\"")
        #expect(CSVField.encode("\rx", untrusted: true) == "\"'\rx\"")
        #expect(CSVField.encode(#"=HYPERLINK("http://e","x")"#, untrusted: true) == #""'=HYPERLINK(""http://e"",""x"")""#)
        #expect(CSVField.encode("a=1", untrusted: true) == "a=1")
        #expect(CSVField.encode("=1") == "=1") // our own columns are not guarded

        let csv = try seededReport().csv()
        #expect(csv.contains(",\"'=SUM(A1)\"\r\n"))
        #expect(!csv.contains(",=SUM"))
        #expect(csv.contains(",0,2,-2,2,1,")) // a negative score stays a number
    }

    @Test("office and author columns are guarded too")
    func guardedPeople() throws {
        let sneaky = Actor(id: "u-x", name: "=cmd|' /C calc'!A0", office: "@Ops", role: .employee)
        var townhall = Townhall(startedAt: Clock.start)
        try townhall.run(sneaky, at: Clock.start + 1, .post(text: "hello", anonymous: false, key: nil))
        let report = try #require(CycleReport(townhall: townhall, cycle: 1, timeZone: utc, generatedAt: 0))
        let row = try #require(try CSVParser.parse(report.csv()).last)
        #expect(row[4] == "'@Ops")
        #expect(row[5] == "'=cmd|' /C calc'!A0")
    }
}
