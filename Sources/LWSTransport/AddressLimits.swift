/// Per remote address: how many connections are open and how many arrived in the
/// current second, so one address cannot exhaust the server's sockets.
struct AddressLimits {
    let maxOpen: Int
    let maxNewPerSecond: Int
    private var open: [String: Int] = [:]
    private var arrivals: [String: (second: Int64, count: Int)] = [:]
    /// Socket → its address, to count the close.
    private var bySocket: [Int32: String] = [:]

    init(maxOpen: Int, maxNewPerSecond: Int) {
        self.maxOpen = maxOpen
        self.maxNewPerSecond = maxNewPerSecond
    }

    /// Admits a new socket from `address` at `second`, or refuses it (nothing counted).
    mutating func admit(_ socket: Int32, from address: String, second: Int64) -> Bool {
        let arrived = arrivals[address].map { $0.second == second ? $0.count : 0 } ?? 0
        guard open[address, default: 0] < maxOpen, arrived < maxNewPerSecond else { return false }
        arrivals[address] = (second, arrived + 1)
        open[address, default: 0] += 1
        bySocket[socket] = address
        return true
    }

    /// A counted socket closed.
    mutating func release(_ socket: Int32) {
        guard let address = bySocket.removeValue(forKey: socket) else { return }
        let remaining = open[address, default: 1] - 1
        open[address] = remaining > 0 ? remaining : nil
    }

    /// Forgets arrival counts of past seconds, so idle addresses cost nothing.
    mutating func prune(second: Int64) {
        arrivals = arrivals.filter { $0.value.second == second }
    }

    /// Open connections from `address`.
    func openCount(_ address: String) -> Int { open[address, default: 0] }
}
