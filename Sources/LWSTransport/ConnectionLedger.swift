/// Every admitted socket, counted once from its admission to its end and keyed by the
/// connection itself (never by a descriptor number, which the kernel reuses and which
/// libwebsockets has already closed by `LWS_CALLBACK_WSI_DESTROY` on plain sockets).
///
/// The order of libwebsockets 4.1.6 (lib/roles/listen/ops-listen.c, lib/core-net/adopt.c,
/// lib/core-net/close.c): `FILTER_NETWORK_CONNECTION` on the listener, then, in the same
/// call, `WSI_CREATE` for the new connection; every connection that got its `WSI_CREATE`
/// ends in `__lws_close_free_wsi_final`, which sends `WSI_DESTROY` once. So `admit` counts
/// at the filter, `bind` hands that count to the connection at its creation, and `release`
/// gives it back at its destruction. An admission no connection claimed (allocation
/// failed between the two) is given back at the next admission.
///
/// One ledger serves every service thread (behind `SharedLedger`'s lock), so the caps
/// are per address whichever thread holds its connections; each thread has its own
/// `slot` for the admission between its filter and its `WSI_CREATE`.
struct ConnectionLedger<Key: Hashable> {
    /// Where an admitted connection is in its life, for `/metrics`.
    enum State: String, CaseIterable, Sendable {
        /// Accepted; TLS or the first request's headers are still on their way.
        case handshake
        /// Plain HTTP requests (static files, health, metrics, exports).
        case http
        /// An upgraded WebSocket.
        case websocket
        /// A close was decided; the socket is going.
        case closing
    }

    /// One counted connection: the address it counts against, and its state.
    private struct Entry {
        /// The socket's own peer.
        let peer: String
        /// Whom it counts as: the peer, or the client a trusted proxy named.
        var address: String
        var state: State
        /// Exempt from the per-address caps: a trusted proxy, until a request says
        /// whom it carries.
        var exempt: Bool
    }

    let maxOpen: Int
    let maxNewPerSecond: Int
    private var entries: [Key: Entry] = [:]
    private var pending: [Int: (address: String, exempt: Bool)] = [:]
    private var open = AddressCounts()
    private var arrivals: [String: (second: Int64, count: Int)] = [:]
    private var states = [State: Int]()
    /// Connections counted and given back since start, for `/metrics`.
    private(set) var admittedTotal = 0
    private(set) var releasedTotal = 0

    init(maxOpen: Int, maxNewPerSecond: Int) {
        self.maxOpen = maxOpen
        self.maxNewPerSecond = maxNewPerSecond
    }

    /// A socket from `address` was accepted: counts it, or refuses it (nothing counted).
    /// `exempt` admits a trusted proxy past the per-address caps.
    mutating func admit(from address: String, exempt: Bool = false, second: Int64, slot: Int = 0) -> Bool {
        abandonPending(slot: slot)
        guard exempt || allows(address, second: second) else { return false }
        take(address, exempt: exempt, second: second)
        admittedTotal += 1
        pending[slot] = (address, exempt)
        return true
    }

    /// The connection just created for the last admission takes its count over. False
    /// for a connection that no admission is waiting for (a listener, a client).
    @discardableResult
    mutating func bind(_ key: Key, slot: Int = 0) -> Bool {
        guard let admission = pending[slot], entries[key] == nil else { return false }
        pending[slot] = nil
        entries[key] = Entry(peer: admission.address, address: admission.address, state: .handshake, exempt: admission.exempt)
        states[.handshake, default: 0] += 1
        return true
    }

    /// The last admission will not be claimed (libwebsockets refused to adopt its socket
    /// and closed it, or allocation failed before its connection was created): give it back.
    mutating func abandonPending(slot: Int = 0) {
        guard let stale = pending.removeValue(forKey: slot) else { return }
        give(stale.address, exempt: stale.exempt)
        releasedTotal += 1
    }

    /// Moves a proxy's connection to the client it says it carries now (a keep-alive
    /// connection may carry several in turn); naming the proxy itself makes it exempt
    /// again. False, with nothing changed, when that client is over its caps.
    mutating func attribute(_ key: Key, to address: String, second: Int64) -> Bool {
        guard var entry = entries[key] else { return false }
        let exempt = address == entry.peer
        if entry.address == address { return true }
        guard exempt || allows(address, second: second) else { return false }
        give(entry.address, exempt: entry.exempt)
        take(address, exempt: exempt, second: second)
        entry.address = address
        entry.exempt = exempt
        entries[key] = entry
        return true
    }

    /// The state a connection moved to; nothing for one that is not counted.
    mutating func set(_ key: Key, _ state: State) {
        guard var entry = entries[key], entry.state != state else { return }
        states[entry.state, default: 0] -= 1
        states[state, default: 0] += 1
        entry.state = state
        entries[key] = entry
    }

    /// The connection is gone: its count is given back, exactly once.
    mutating func release(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        states[entry.state, default: 0] -= 1
        give(entry.address, exempt: entry.exempt)
        releasedTotal += 1
    }

    /// The address a connection counts against.
    func address(of key: Key) -> String? { entries[key]?.address }
    /// The socket's own peer address.
    func peer(of key: Key) -> String? { entries[key]?.peer }

    /// Forgets arrival counts of past seconds, so idle addresses cost nothing.
    mutating func prune(second: Int64) {
        arrivals = arrivals.filter { $0.value.second == second }
    }

    /// Whether `address` may open one more connection on top of `waiting` held for it:
    /// the open cap, without the rate of new ones.
    func hasRoom(_ address: String, besides waiting: Int) -> Bool { open.count(address) + waiting < maxOpen }

    /// Open connections from `address` (proxies' own connections included).
    func openCount(_ address: String) -> Int { open.count(address) }
    /// Counted connections in `state`.
    func count(_ state: State) -> Int { states[state, default: 0] }
    /// Counted connections: admitted and not yet given back.
    var total: Int { admittedTotal - releasedTotal }
    /// The largest number of connections one address holds that the caps apply to.
    var maxPerAddress: Int { open.max }

    private func allows(_ address: String, second: Int64) -> Bool {
        open.count(address) < maxOpen && arrived(address, second: second) < maxNewPerSecond
    }

    /// New connections from `address` in `second`.
    private func arrived(_ address: String, second: Int64) -> Int {
        arrivals[address].map { $0.second == second ? $0.count : 0 } ?? 0
    }

    /// Counts one more open (and, this second, new) connection against `address`.
    private mutating func take(_ address: String, exempt: Bool, second: Int64) {
        guard !exempt else { return }
        arrivals[address] = (second, arrived(address, second: second) + 1)
        open.add(address)
    }

    private mutating func give(_ address: String, exempt: Bool) {
        if !exempt { open.remove(address) }
    }
}

/// Open connections per address, with the largest count kept in O(1) per change (a
/// scrape of `/metrics` must not walk every address).
struct AddressCounts {
    private var counts: [String: Int] = [:]
    /// How many addresses hold each count.
    private var holders: [Int: Int] = [:]
    private(set) var max = 0

    func count(_ address: String) -> Int { counts[address, default: 0] }

    mutating func add(_ address: String) {
        let next = counts[address, default: 0] + 1
        move(from: next - 1, to: next)
        counts[address] = next
        if next > max { max = next }
    }

    mutating func remove(_ address: String) {
        guard let current = counts[address] else { return }
        move(from: current, to: current - 1)
        counts[address] = current > 1 ? current - 1 : nil
        // Only the one address at the top moved down by one: the new top is one lower.
        if current == max, holders[current, default: 0] == 0 { max = current - 1 }
    }

    private mutating func move(from old: Int, to new: Int) {
        if old > 0 {
            let left = holders[old, default: 0] - 1
            holders[old] = left > 0 ? left : nil
        }
        if new > 0 { holders[new, default: 0] += 1 }
    }
}
