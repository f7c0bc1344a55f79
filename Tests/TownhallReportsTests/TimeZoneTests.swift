import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

@Suite("Cycle report dates")
struct TimeZoneTests {
    static let dublin = TimeZone(identifier: "Europe/Dublin")!

    /// A cycle that starts at 00:30 Irish Summer Time on Monday 19 October 2026 (still
    /// Sunday in UTC) and runs over the end of summer time, 01:00 UTC on 25 October.
    static func dstWeek() throws -> Townhall {
        var townhall = Townhall(startedAt: 1_792_366_200_000) // 2026-10-18T23:30:00Z
        let times: [Int64] = [
            1_792_843_200_000, // 2026-10-24T12:00:00Z = 13:00 IST
            1_792_888_200_000, // 2026-10-25T00:30:00Z = 01:30 IST, half an hour before the change
            1_792_891_800_000, // 2026-10-25T01:30:00Z = 01:30 GMT, half an hour after it
            1_792_929_600_000, // 2026-10-25T12:00:00Z = 12:00 GMT
        ]
        for (n, at) in times.enumerated() {
            try townhall.run(People.alice, at: at, .post(text: "post \(n + 1)", anonymous: false, key: nil))
        }
        return townhall
    }

    @Test("DST week in Dublin: the local week label and offsets +01:00 before the change, +00:00 after")
    func dublinDST() throws {
        let report = try #require(CycleReport(townhall: try Self.dstWeek(), cycle: 1, timeZone: Self.dublin, generatedAt: 0))
        #expect(report.cycle.week == "2026-W43")
        #expect(report.cycle.timeZone == "Europe/Dublin")
        let rows = try CSVParser.parse(report.csv()).dropFirst()
        #expect(rows.map { $0[0] } == ["p1", "p2", "p3", "p4"])
        #expect(rows.map { $0[3] } == [
            "2026-10-24T13:00:00+01:00",
            "2026-10-25T01:30:00+01:00",
            "2026-10-25T01:30:00+00:00",
            "2026-10-25T12:00:00+00:00",
        ])
        #expect(rows.allSatisfy { $0[2] == "2026-W43" })
        #expect(report.markdown().hasPrefix("# Townhall — week 2026-W43 (19–25 Oct 2026)\n"))

        // The same cycle read in UTC began on Sunday, so in the week before.
        let inUTC = try #require(CycleReport(townhall: try Self.dstWeek(), cycle: 1, timeZone: utc, generatedAt: 0))
        #expect(inUTC.cycle.week == "2026-W42")
        #expect(inUTC.markdown().hasPrefix("# Townhall — week 2026-W42 (12–18 Oct 2026)\n"))
        #expect(try CSVParser.parse(inUTC.csv())[1][3] == "2026-10-24T12:00:00+00:00")
    }

    @Test("week labels and spans across months and years; offsets of other zones")
    func calendar() {
        let nov30: Int64 = 1_796_032_800_000 // 2026-11-30T10:00:00Z
        #expect(ReportCalendar.week(nov30, in: utc) == "2026-W49")
        #expect(ReportCalendar.weekSpan(nov30, in: utc) == "30 Nov – 6 Dec 2026")
        let dec31: Int64 = 1_798_711_200_000 // 2026-12-31T10:00:00Z, Thursday of 2026-W53
        #expect(ReportCalendar.week(dec31, in: utc) == "2026-W53")
        #expect(ReportCalendar.weekSpan(dec31, in: utc) == "28 Dec 2026 – 3 Jan 2027")
        #expect(ReportCalendar.weekSpan(Clock.start, in: utc) == "23–29 Nov 2026")

        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        #expect(ReportCalendar.timestamp(Clock.start + 15 * Clock.minute, in: kolkata) == "2026-11-23T13:45:00+05:30")
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(ReportCalendar.timestamp(Clock.start, in: newYork) == "2026-11-23T03:00:00-05:00")
        #expect(ReportCalendar.timestamp(Clock.start + 999, in: utc) == "2026-11-23T08:00:00+00:00")
        #expect(ReportCalendar.timestamp(-1, in: utc) == "1969-12-31T23:59:59+00:00")
        #expect(ReportCalendar.timeZone("No/Such_Zone").secondsFromGMT() == 0)
    }
}
