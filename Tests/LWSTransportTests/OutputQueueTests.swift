import Testing
import TownhallTransport
@testable import LWSTransport

@Suite("Bounded output queue")
struct OutputQueueTests {
    func frame(_ size: Int) -> OutboundFrame { OutboundFrame(Array(repeating: 65, count: size), headroom: 16) }

    @Test("frames come out in order and the byte count follows")
    func order() {
        var queue = OutputQueue(maxBytes: 1000, maxFrames: 10)
        let frames = (1...5).map { frame($0 * 10) }
        for item in frames {
            let pushed = queue.push(item)
            #expect(pushed)
        }
        #expect(queue.bytes == 150)
        for item in frames { #expect(queue.pop() === item) }
        #expect(queue.isEmpty && queue.bytes == 0)
        #expect(queue.pop() == nil)
    }

    @Test("past the byte or frame bound a push is refused and nothing is added")
    func bounds() {
        var bytes = OutputQueue(maxBytes: 100, maxFrames: 10)
        let first = bytes.push(frame(60)), second = bytes.push(frame(41))
        #expect(first && !second)
        #expect(bytes.count == 1 && bytes.bytes == 60)
        var count = OutputQueue(maxBytes: 10_000, maxFrames: 3)
        let pushed = (0..<4).map { _ in count.push(frame(1)) }
        #expect(pushed == [true, true, true, false])
        count.drop()
        #expect(count.isEmpty && count.bytes == 0)
        var large = OutputQueue(maxBytes: 100, maxFrames: 10)
        let alone = large.push(frame(500)), behind = large.push(frame(1))
        #expect(alone && !behind, "an empty queue takes one frame of any size")
    }

    @Test("a long-lived queue stays compact while frames flow through")
    func flow() {
        var queue = OutputQueue(maxBytes: 1 << 20, maxFrames: 1000)
        var bloated: [Int] = []
        for round in 0..<1000 {
            let pushed = queue.push(frame(round % 7 + 1))
            #expect(pushed)
            if round % 3 != 0 { _ = queue.pop() }
            // Sent frames are dropped once there are 64 of them and they are half the
            // storage: never more dead slots than that, though 666 frames go through.
            let dead = queue.storageCount - queue.count
            if dead > max(63, queue.count) { bloated.append(round) }
        }
        #expect(bloated.isEmpty, "rounds with too many sent frames kept: \(bloated.prefix(5))")
        var drained = 0
        while queue.pop() != nil { drained += 1 }
        #expect(drained == 334)
        #expect(queue.bytes == 0)
    }
}

@Suite("Output queue lanes")
struct OutputQueueLaneTests {
    func frame(_ size: Int) -> OutboundFrame { OutboundFrame(Array(repeating: 65, count: size), headroom: 16) }

    @Test("replies overtake waiting updates; each lane keeps its order; the bounds count both")
    func lanes() {
        var queue = OutputQueue(maxBytes: 10_000, maxFrames: 5)
        let updates = (1...3).map { frame($0) }, replies = (1...2).map { frame(10 * $0) }
        let pushed = updates.map { queue.push($0, update: true) } + replies.map { queue.push($0) }
        #expect(pushed == [true, true, true, true, true])
        #expect(queue.hasUpdates && queue.count == 5)
        let sixth = queue.push(frame(1))
        #expect(!sixth, "five frames in all is the bound")
        var order: [OutboundFrame] = []
        while let next = queue.pop() { order.append(next) }
        #expect(order.count == 5)
        for (got, expected) in zip(order, replies + updates) { #expect(got === expected) }
        #expect(!queue.hasUpdates && queue.bytes == 0)
    }
}
