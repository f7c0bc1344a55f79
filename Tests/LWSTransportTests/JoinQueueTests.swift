import Foundation
import Testing
@testable import LWSTransport

@Suite("Join queue")
struct JoinQueueTests {
    /// A real descriptor to hold (one end of a pipe; the other is closed at once).
    func descriptor() -> Int32 {
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0)
        Glibc.close(ends[1])
        return ends[0]
    }

    func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) != -1 }

    @Test("sockets go on in arrival order per address as admission allows; the rest keep their place")
    func order() {
        var queue = JoinQueue(maxWaiting: 10, maxWaitSeconds: 5)
        let a = (0..<4).map { _ in descriptor() }, b = (0..<2).map { _ in descriptor() }
        for fd in a { queue.hold(fd, from: "10.0.0.1", now: 0) }
        for fd in b { queue.hold(fd, from: "10.0.0.2", now: 0) }
        var admitted: [Int32] = []
        var allowance = ["10.0.0.1": 2, "10.0.0.2": 5]
        queue.release(now: 1_000) { address, fd in
            guard allowance[address, default: 0] > 0 else { return false }
            allowance[address]! -= 1
            admitted.append(fd)
            return true
        }
        #expect(admitted == Array(a.prefix(2)) + b)
        #expect(queue.count == 2 && queue.waiting(from: "10.0.0.1") == 2 && queue.waiting(from: "10.0.0.2") == 0)
        queue.release(now: 2_000) { _, fd in admitted.append(fd); return true }
        #expect(admitted == Array(a.prefix(2)) + b + Array(a.suffix(2)))
        #expect(queue.count == 0)
        for fd in admitted { Glibc.close(fd) }
    }

    @Test("past the wait bound a socket is closed, once, and counted; closeAll closes the rest")
    func bounds() {
        var queue = JoinQueue(maxWaiting: 3, maxWaitSeconds: 1)
        let old = descriptor(), young = descriptor(), last = descriptor()
        queue.hold(old, from: "10.0.0.1", now: 0)
        queue.hold(young, from: "10.0.0.1", now: 900_000_000)
        queue.hold(last, from: "10.0.0.9", now: 900_000_000)
        #expect(!queue.hasRoom)
        queue.release(now: 1_500_000_000) { _, _ in false }
        #expect(!isOpen(old) && queue.expired == 1)
        #expect(isOpen(young) && isOpen(last) && queue.count == 2)
        queue.closeAll()
        #expect(!isOpen(young) && !isOpen(last) && queue.count == 0 && queue.hasRoom)
    }
}
