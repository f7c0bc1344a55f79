import Testing
@testable import TownhallRelay

@Suite("Deadlines and incremental presence")
struct DeadlinesTests {
    @Test("a deadline comes up once, at its slot, never before; cancelled or replaced ones never")
    func slots() {
        var deadlines = Deadlines()
        deadlines.schedule(1, at: 10_050)
        deadlines.schedule(2, at: 10_100)
        deadlines.schedule(3, at: 12_000)
        deadlines.schedule(4, at: 10_000)
        deadlines.cancel(4)
        deadlines.schedule(3, at: 11_000)
        #expect(deadlines.take(now: 10_000).isEmpty)
        #expect(deadlines.take(now: 10_099).isEmpty)
        #expect(deadlines.take(now: 10_100) == [1, 2])
        #expect(deadlines.take(now: 10_900).isEmpty)
        #expect(deadlines.take(now: 11_000) == [3])
        #expect(deadlines.count == 0)
        deadlines.schedule(5, at: 5_000)
        #expect(deadlines.take(now: 11_100) == [5], "a time already passed comes up in the next slot")
    }

    @Test("after a long gap every overdue deadline comes up, in order, and later ones wait")
    func longGap() {
        var deadlines = Deadlines()
        #expect(deadlines.take(now: 0).isEmpty)
        for connection in 1...1000 { deadlines.schedule(UInt64(connection), at: Int64(connection) * 3_600_000) }
        let taken = deadlines.take(now: 500 * 3_600_000)
        #expect(taken == (1...500).map { UInt64($0) })
        #expect(deadlines.count == 500)
    }

    @Test("presence counts users, not tabs, per office, and its version moves only when the counts do")
    func presence() {
        var presence = Presence()
        presence.join(user: "a", office: "Dublin")
        let afterFirst = presence.version
        presence.join(user: "a", office: "Dublin")
        #expect(presence.version == afterFirst, "a second tab changes nothing")
        presence.join(user: "b", office: "Berlin")
        presence.join(user: "c", office: "Dublin")
        #expect(presence.snapshot.total == 3 && presence.snapshot.offices == ["Dublin": 2, "Berlin": 1])
        presence.leave(user: "a")
        #expect(presence.snapshot.offices["Dublin"] == 2)
        presence.leave(user: "a")
        presence.leave(user: "b")
        #expect(presence.snapshot.total == 1 && presence.snapshot.offices == ["Dublin": 1])
        presence.leave(user: "c")
        #expect(presence.snapshot.total == 0 && presence.snapshot.offices.isEmpty)
    }
}
