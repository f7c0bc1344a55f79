import TownhallTransport

/// When each connection is next due for a look (the hello timeout, then its token's
/// expiry), kept in 100 ms slots, so a tick touches only what is due and never walks every
/// session. A connection has at most one deadline; it is dropped when the connection
/// signs in again, leaves or goes, so nothing stays behind for a closed connection.
struct Deadlines {
    private var due: [ConnectionID: Int64] = [:]
    private var buckets: [Int64: Set<ConnectionID>] = [:]
    /// Every slot up to this one has been swept.
    private var swept: Int64?
    /// A slot's length in ms: the relay's tick.
    private let slot: Int64 = 100

    var count: Int { due.count }

    /// Looks at `connection` again at `millis` (monotonic), replacing an earlier deadline.
    mutating func schedule(_ connection: ConnectionID, at millis: Int64) {
        cancel(connection)
        // Rounded up: nothing is due before its time; a time already swept past comes
        // up in the next slot.
        var slotIndex = (millis + slot - 1).floorDiv(slot)
        if let swept { slotIndex = Swift.max(slotIndex, swept + 1) }
        due[connection] = slotIndex
        buckets[slotIndex, default: []].insert(connection)
    }

    mutating func cancel(_ connection: ConnectionID) {
        guard let slotIndex = due.removeValue(forKey: connection) else { return }
        buckets[slotIndex]?.remove(connection)
        if buckets[slotIndex]?.isEmpty == true { buckets[slotIndex] = nil }
    }

    /// Takes the connections whose deadline has come by `now` (monotonic ms).
    mutating func take(now: Int64) -> [ConnectionID] {
        let current = now.floorDiv(slot)
        let from = swept.map { $0 + 1 } ?? (buckets.keys.min() ?? current)
        swept = current
        guard from <= current, !buckets.isEmpty else { return [] }
        var slots: [Int64]
        if current - from < Int64(buckets.count) {
            slots = Array(from...current)
        } else {
            // A long gap (a stalled or stepped clock): look at the buckets, not the slots.
            slots = buckets.keys.filter { $0 <= current }
        }
        slots.sort()
        var taken: [ConnectionID] = []
        for index in slots {
            guard let bucket = buckets.removeValue(forKey: index) else { continue }
            for connection in bucket { due[connection] = nil }
            taken += bucket.sorted()
        }
        return taken
    }
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
