import Testing
@testable import LWSTransport
import TownhallTransport

@Suite("Idle pings and hang-ups")
struct IdleWheelTests {
    @Test("a quiet connection is pinged once at `ping` seconds and hung up on at `hangup`; one heard from is left alone")
    func quietAndHeard() {
        var wheel = IdleWheel(ping: 30, hangup: 60, now: 1_000)
        wheel.open(1, now: 1_000)
        wheel.open(2, now: 1_000)
        var actions: [IdleWheel.Action] = []
        for second in 1_001...1_029 {
            if second % 10 == 0 { wheel.heard(2, now: UInt64(second)) }
            actions += wheel.due(now: UInt64(second))
        }
        #expect(actions.isEmpty)
        actions = wheel.due(now: 1_030)
        #expect(actions == [.ping(1)])
        for second in 1_031...1_059 {
            if second % 10 == 0 { wheel.heard(2, now: UInt64(second)) }
            actions = wheel.due(now: UInt64(second))
            #expect(actions.isEmpty, "pinged once per quiet spell, at second \(second)")
        }
        #expect(wheel.due(now: 1_060) == [.hangUp(1)])
        #expect(wheel.count == 1)
        // Connection 2, last heard at 1,050, is pinged 30 s later.
        #expect(wheel.due(now: 1_079).isEmpty)
        #expect(wheel.due(now: 1_080) == [.ping(2)])
    }

    @Test("an answer to the ping starts a new quiet spell: pinged again, not hung up")
    func answered() {
        var wheel = IdleWheel(ping: 2, hangup: 5, now: 0)
        wheel.open(7, now: 0)
        #expect(wheel.due(now: 2) == [.ping(7)])
        wheel.heard(7, now: 3)
        #expect(wheel.due(now: 4).isEmpty)
        #expect(wheel.due(now: 5) == [.ping(7)])
        #expect(wheel.due(now: 7).isEmpty, "heard at 3: hung up on at 3 + 5")
        #expect(wheel.due(now: 8) == [.hangUp(7)])
    }

    @Test("with a spread, connections that went quiet together are pinged over `spread` seconds, and stay apart")
    func spread() {
        var wheel = IdleWheel(ping: 30, hangup: 60, spread: 15, now: 0)
        for id in 1...1_500 { wheel.open(UInt64(id), now: 0) }
        var pingedAt: [ConnectionID: UInt64] = [:]
        for second in 1...44 {
            for case .ping(let id) in wheel.due(now: UInt64(second)) {
                #expect(pingedAt[id] == nil, "one ping per quiet spell")
                pingedAt[id] = UInt64(second)
                wheel.heard(id, now: UInt64(second))  // the pong
            }
        }
        #expect(pingedAt.count == 1_500)
        #expect(pingedAt.allSatisfy { id, second in second == 30 + id % 15 })
        let perSecond = Dictionary(grouping: pingedAt.values, by: { $0 }).mapValues(\.count)
        #expect(perSecond.keys.sorted() == Array(30...44) && perSecond.values.allSatisfy { $0 == 100 })
        // Each answered at its ping: the next round keeps the same offsets.
        var second: [ConnectionID: UInt64] = [:]
        for now in 45...89 {
            for case .ping(let id) in wheel.due(now: UInt64(now)) { second[id] = UInt64(now) }
        }
        #expect(second.count == 1_500 && second.allSatisfy { id, at in at == pingedAt[id]! + 30 + id % 15 })
        #expect(wheel.pingAfter(7) == 37 && IdleWheel(ping: 2, hangup: 4, spread: 1, now: 0).pingAfter(7) == 2)
    }

    @Test("a closed connection is forgotten, whatever its slot; a late tick catches up on every second it missed")
    func closedAndLate() {
        var wheel = IdleWheel(ping: 3, hangup: 6, now: 0)
        for id in 1...1_000 { wheel.open(UInt64(id), now: UInt64(id % 3)) }
        for id in stride(from: 2, through: 1_000, by: 2) { wheel.closed(UInt64(id)) }
        #expect(wheel.count == 500)
        let actions = wheel.due(now: 100)
        #expect(Set(actions) == Set(stride(from: 1, through: 999, by: 2).map { IdleWheel.Action.hangUp(UInt64($0)) }))
        #expect(wheel.count == 0)
        #expect(wheel.due(now: 200).isEmpty)
    }
}
