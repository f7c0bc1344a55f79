import Foundation

/// Sockets that arrived faster than their address's rate of new connections allows,
/// held in order and handed to libwebsockets as the rate allows, instead of being reset:
/// at 10:00 a whole office joins through one NAT address.
///
/// Bounded in all (each waits on a descriptor) and in time; past either a socket is
/// closed, which the pages' jittered backoff retries. The queue owns every descriptor it
/// holds until it hands it on or closes it, each exactly once.
struct JoinQueue {
    private struct Waiting {
        let fd: Int32
        let since: UInt64
    }

    /// Waiting sockets per address, oldest first, and the addresses in arrival order.
    private var lines: [String: [Waiting]] = [:]
    private var order: [String] = []
    private(set) var count = 0
    let maxWaiting: Int
    let maxWaitNanos: UInt64
    /// Sockets closed unadmitted because they waited too long.
    private(set) var expired = 0

    init(maxWaiting: Int, maxWaitSeconds: Double) {
        self.maxWaiting = maxWaiting
        maxWaitNanos = UInt64(maxWaitSeconds * 1e9)
    }

    var hasRoom: Bool { count < maxWaiting }

    /// Sockets from `address` waiting now.
    func waiting(from address: String) -> Int { lines[address]?.count ?? 0 }

    /// Holds `fd` (the queue's own descriptor) behind the others from `address`.
    mutating func hold(_ fd: Int32, from address: String, now: UInt64) {
        precondition(hasRoom, "hold only with room")
        if lines[address] == nil { order.append(address) }
        lines[address, default: []].append(Waiting(fd: fd, since: now))
        count += 1
    }

    /// Offers each address's oldest sockets to `admit`, in order, until it says no for
    /// that address; closes those that waited past the bound. `admit` takes the
    /// descriptor over when it says yes.
    mutating func release(now: UInt64, admit: (String, Int32) -> Bool) {
        guard count > 0 else { return }
        var remaining: [String] = []
        for address in order {
            guard var line = lines[address] else { continue }
            var taken = 0
            for waiting in line {
                if now &- waiting.since > maxWaitNanos {
                    close(waiting.fd)
                    expired += 1
                } else if !admit(address, waiting.fd) {
                    break
                }
                taken += 1
            }
            line.removeFirst(taken)
            count -= taken
            if line.isEmpty {
                lines[address] = nil
            } else {
                lines[address] = line
                remaining.append(address)
            }
        }
        order = remaining
    }

    /// Closes everything still waiting (the server is stopping).
    mutating func closeAll() {
        for line in lines.values { for waiting in line { close(waiting.fd) } }
        lines = [:]
        order = []
        count = 0
    }
}
