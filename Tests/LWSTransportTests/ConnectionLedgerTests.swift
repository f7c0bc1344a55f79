import Testing
@testable import LWSTransport

@Suite("Connection ledger")
struct ConnectionLedgerTests {
    typealias Ledger = ConnectionLedger<Int>

    /// One connection's start as libwebsockets drives it: the filter, then its creation.
    func connect(_ ledger: inout Ledger, _ key: Int, from address: String = "10.0.0.1", second: Int64 = 0) -> Bool {
        guard ledger.admit(from: address, second: second) else { return false }
        return ledger.bind(key)
    }

    @Test("tens of thousands of connections from one address come and go and leave nothing counted")
    func manyInTurn() {
        var ledger = Ledger(maxOpen: 2000, maxNewPerSecond: 200)
        var refused: [Int] = []
        for index in 0..<50_000 {
            // Keys repeat, as the allocator reuses a freed connection's memory.
            let key = index % 7
            if !connect(&ledger, key, second: Int64(index / 150)) { refused.append(index) }
            ledger.set(key, index % 3 == 0 ? .websocket : .http)
            ledger.release(key)
        }
        #expect(refused.isEmpty)
        #expect(ledger.openCount("10.0.0.1") == 0)
        #expect(ledger.total == 0 && ledger.admittedTotal == 50_000 && ledger.releasedTotal == 50_000)
        #expect(ledger.maxPerAddress == 0)
        #expect(Ledger.State.allCases.allSatisfy { ledger.count($0) == 0 })
    }

    @Test("a release is counted once, however often the end is reported")
    func releaseOnce() {
        var ledger = Ledger(maxOpen: 2, maxNewPerSecond: 100)
        let opened = [connect(&ledger, 1), connect(&ledger, 2), connect(&ledger, 3)]
        #expect(opened == [true, true, false], "the third open connection is over the cap")
        ledger.release(1)
        ledger.release(1)
        #expect(ledger.openCount("10.0.0.1") == 1)
        let again = [connect(&ledger, 4), connect(&ledger, 5)]
        #expect(again == [true, false])
    }

    @Test("an admission that no connection claimed is given back at the next one")
    func unclaimedAdmission() {
        var ledger = Ledger(maxOpen: 1, maxNewPerSecond: 100)
        let first = ledger.admit(from: "10.0.0.1", second: 0)
        // That connection was never created (allocation failed): the next accept frees it.
        let second = connect(&ledger, 9)
        #expect(first && second)
        #expect(ledger.openCount("10.0.0.1") == 1 && ledger.total == 1)
        let stray = ledger.bind(10)
        #expect(!stray, "nothing is waiting to be claimed")
    }

    @Test("new connections a second are capped per address, per second")
    func newPerSecond() {
        var ledger = Ledger(maxOpen: 100, maxNewPerSecond: 3)
        let firstSecond = (0..<4).map { key -> Bool in
            let admitted = connect(&ledger, key, second: 5)
            if admitted { ledger.release(key) }
            return admitted
        }
        #expect(firstSecond == [true, true, true, false])
        let otherAddress = connect(&ledger, 10, from: "10.0.0.2", second: 5)
        let nextSecond = connect(&ledger, 11, second: 6)
        #expect(otherAddress, "another address has its own allowance")
        #expect(nextSecond, "the next second starts afresh")
    }

    @Test("states are counted as connections move through them")
    func states() {
        var ledger = Ledger(maxOpen: 10, maxNewPerSecond: 10)
        let opened = [connect(&ledger, 1), connect(&ledger, 2)]
        #expect(opened == [true, true] && ledger.count(.handshake) == 2)
        ledger.set(1, .websocket)
        ledger.set(2, .http)
        ledger.set(2, .closing)
        #expect(ledger.count(.handshake) == 0 && ledger.count(.websocket) == 1 && ledger.count(.closing) == 1)
        ledger.set(99, .http)
        #expect(ledger.count(.http) == 0, "an uncounted connection changes nothing")
        ledger.release(2)
        #expect(ledger.count(.closing) == 0 && ledger.total == 1)
    }

    @Test("a trusted proxy is not capped; the clients it names are")
    func proxy() {
        var ledger = Ledger(maxOpen: 2, maxNewPerSecond: 100)
        let proxied = (0..<5).map { key in ledger.admit(from: "10.9.9.9", exempt: true, second: 0) && ledger.bind(key) }
        #expect(proxied.allSatisfy { $0 })
        #expect(ledger.openCount("10.9.9.9") == 0 && ledger.maxPerAddress == 0)
        let named = (0..<3).map { key in ledger.attribute(key, to: "192.0.2.1", second: 0) }
        #expect(named == [true, true, false], "the third is over the client's cap")
        #expect(ledger.address(of: 2) == "10.9.9.9", "a refusal changes nothing")
        #expect(ledger.maxPerAddress == 2)
        // A keep-alive connection carries another client next, then the proxy's own request.
        let next = ledger.attribute(1, to: "192.0.2.2", second: 0)
        #expect(next && ledger.openCount("192.0.2.1") == 1 && ledger.openCount("192.0.2.2") == 1)
        let own = ledger.attribute(1, to: "10.9.9.9", second: 0)
        #expect(own && ledger.openCount("192.0.2.2") == 0 && ledger.maxPerAddress == 1)
        for key in 0..<5 { ledger.release(key) }
        #expect(ledger.total == 0 && ledger.maxPerAddress == 0 && ledger.openCount("192.0.2.1") == 0)
    }

    @Test("the largest per-address count follows adds and removes")
    func addressMax() {
        var counts = AddressCounts()
        for _ in 0..<3 { counts.add("a") }
        counts.add("b")
        #expect(counts.max == 3)
        counts.remove("a")
        #expect(counts.max == 2)
        counts.remove("a")
        counts.remove("a")
        #expect(counts.max == 1 && counts.count("a") == 0)
        counts.remove("b")
        counts.remove("b")
        #expect(counts.max == 0)
    }
}
