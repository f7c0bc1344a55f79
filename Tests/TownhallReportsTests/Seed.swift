import Foundation
import Testing
import TownhallCore
@testable import TownhallReports

/// Swift Testing also exports a `Comment`; the tests mean the townhall's.
typealias Comment = TownhallCore.Comment

/// The people of the seeded townhall, in four offices.
enum People {
    static let alice = Actor(id: "u-alice", name: "Alice Archer", office: "Dublin", role: .employee)
    static let bob = Actor(id: "u-bob", name: "Bob Brandt", office: "Berlin", role: .employee)
    static let carol = Actor(id: "u-carol", name: "Carol Cruz", office: "Austin", role: .employee)
    static let dan = Actor(id: "u-dan", name: "Dan Doyle", office: "Dublin", role: .employee)
    static let erin = Actor(id: "u-erin", name: "Erin Engel", office: "Berlin", role: .employee)
    /// Posts only anonymously (and votes), so the name must appear nowhere in a report.
    static let quentin = Actor(id: "u-quentin", name: "Quentin Quietly", office: "Remote", role: .employee)
    static let mod = Actor(id: "u-mod", name: "Mo Reyes", office: "Austin", role: .moderator)
    static let host = Actor(id: "u-host", name: "Hana Host", office: "Dublin", role: .host)
}

/// Times of the seeded townhall (ms since the epoch).
enum Clock {
    /// 2026-11-23T08:00:00Z, a Monday in ISO week 2026-W48.
    static let start: Int64 = 1_795_420_800_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
    /// When cycle 1 closes (carry-over off) and cycle 2 opens.
    static let secondCycle = start + 7 * day
    /// When cycle 2 closes (carry-over on) and cycle 3 opens.
    static let thirdCycle = start + 14 * day
}

/// The post texts, kept here so tests compare against exactly what was posted.
enum Texts {
    static let p1 = #"Can we, please, get "real" coffee?"#
    static let p2 = "Why was the Berlin office closed,\nand who decided?\n\"Softly\", it seems."
    static let p3 = "=SUM(A1)"
    static let p4 = "# Heading [link](http://x) <b>"
    static let p5 = "+1 for remote Fridays\r\n- and a list\n1. ordered"
    static let p6 = "Shortlist me, please"
    static let p7 = "This will be hidden"
    static let p8 = "@here what about parking?"
    static let p9 = "Open question nine"
    static let p10 = "Open question ten"
    static let p11 = "Carry me over"
    static let answer2 = "The lease ended.\nDetails on the intranet."
    static let owner2 = "Facilities, by 4 Dec"
    static let answer1 = "Yes, from Monday."
}

extension Townhall {
    /// Applies `command` as `actor` at `at`; the seed must never be refused.
    mutating func run(_ actor: Actor, at: Int64, _ command: Command) throws {
        _ = try apply(Request(actor: actor, at: at, command: command))
    }

    /// A townhall with three cycles:
    /// 1. (closed, carry-over off) ten posts p1–p10 from four offices, one anonymous (p2 by
    ///    Quentin), 17 votes from 6 people, five comments on posts, live comments before,
    ///    during and at the end of the week, one hidden post, one shortlisted, two answered;
    /// 2. (closed, carry-over on) p11, shortlisted, so it moved on;
    /// 3. (current) p11, carried from cycle 2.
    static func seeded() throws -> Townhall {
        let (s, m, h) = (Clock.start, Clock.minute, Clock.hour)
        var townhall = Townhall(startedAt: s)
        try townhall.run(People.dan, at: s - 1000, .comment(text: "Before the week", post: nil)) // c1, excluded

        let posts: [(Actor, Int64, String, Bool)] = [
            (People.alice, s + 15 * m, Texts.p1, false),
            (People.quentin, s + 20 * m, Texts.p2, true),
            (People.bob, s + 30 * m, Texts.p3, false),
            (People.carol, s + 40 * m, Texts.p4, false),
            (People.dan, s + 40 * m, Texts.p5, false),
            (People.erin, s + 50 * m, Texts.p6, false),
            (People.alice, s + 60 * m, Texts.p7, false),
            (People.bob, s + 70 * m, Texts.p8, false),
            (People.erin, s + 80 * m, Texts.p9, false),
            (People.carol, s + 90 * m, Texts.p10, false),
        ]
        for (actor, at, text, anonymous) in posts {
            try townhall.run(actor, at: at, .post(text: text, anonymous: anonymous, key: nil))
        }

        let votes: [(Actor, String, Int)] = [
            (People.bob, "p1", 1), (People.carol, "p1", 1), (People.dan, "p1", 1), (People.erin, "p1", -1),
            (People.quentin, "p1", 1),
            (People.alice, "p2", 1), (People.bob, "p2", 1), (People.carol, "p2", 1), (People.dan, "p2", 1),
            (People.erin, "p2", 1),
            (People.alice, "p3", 1), (People.alice, "p3", -1), (People.carol, "p3", -1),
            (People.bob, "p4", 1), (People.erin, "p4", 1), (People.erin, "p4", 0),
            (People.alice, "p5", 1),
            (People.carol, "p6", 1), (People.dan, "p6", 1),
            (People.bob, "p7", 1),
        ]
        for (actor, post, value) in votes {
            try townhall.run(actor, at: s + 2 * h, .vote(post: post, value: value))
        }

        try townhall.run(People.carol, at: s + 3 * h, .comment(text: "Decaf too, please", post: "p1"))           // c2
        try townhall.run(People.alice, at: s + 3 * h + m, .comment(text: #"Thanks, "finally""#, post: "p2"))   // c3
        try townhall.run(People.bob, at: s + 3 * h + 2 * m, .comment(text: "Agreed.\nSecond line", post: "p2")) // c4
        try townhall.run(People.mod, at: s + 3 * h + 3 * m, .comment(text: "Formula? =1+1", post: "p3"))       // c5
        try townhall.run(People.erin, at: s + 4 * h, .comment(text: "Live: hello, Dublin!", post: nil))        // c6
        try townhall.run(People.host, at: s + 5 * h, .comment(text: "We'll follow up", post: "p2"))            // c7

        try townhall.run(People.mod, at: s + 6 * h, .moderate(post: "p7", status: .hidden, note: "off topic"))
        try townhall.run(People.host, at: s + 6 * h, .moderate(post: "p6", status: .shortlisted, note: nil))
        try townhall.run(People.host, at: s + 3 * Clock.day, .answer(post: "p2", text: Texts.answer2, owner: Texts.owner2))
        try townhall.run(People.host, at: s + 3 * Clock.day + m, .answer(post: "p1", text: Texts.answer1, owner: nil))

        try townhall.run(People.host, at: Clock.secondCycle, .closeCycle(carryOver: false))
        try townhall.run(People.alice, at: Clock.secondCycle, .comment(text: "Cycle two already", post: nil)) // c8
        try townhall.run(People.alice, at: Clock.secondCycle + h, .post(text: Texts.p11, anonymous: false, key: nil))
        try townhall.run(People.dan, at: Clock.secondCycle + 2 * h, .vote(post: "p11", value: 1))
        try townhall.run(People.host, at: Clock.secondCycle + 3 * h, .moderate(post: "p11", status: .shortlisted, note: nil))
        try townhall.run(People.host, at: Clock.thirdCycle, .closeCycle(carryOver: true))
        return townhall
    }
}

/// UTC, the zone of most tests.
let utc = TimeZone(identifier: "UTC")!

/// The report of cycle `id` of the seeded townhall.
func seededReport(cycle id: Int = 1, timeZone: TimeZone = utc) throws -> CycleReport {
    try #require(CycleReport(townhall: try Townhall.seeded(), cycle: id, timeZone: timeZone, generatedAt: Clock.thirdCycle + 1))
}

/// `bytes` as UTF-8 text.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
