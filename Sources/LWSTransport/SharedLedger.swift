import Foundation

/// The one connection ledger of every service thread, behind a lock: the per-address
/// caps hold whichever thread an address's connections live on. Taken only at accepts,
/// state changes and closes, never per frame.
final class SharedLedger: Sendable {
    private let ledger: Locked<ConnectionLedger<OpaquePointer>>

    init(maxOpen: Int, maxNewPerSecond: Int) {
        ledger = Locked(ConnectionLedger(maxOpen: maxOpen, maxNewPerSecond: maxNewPerSecond))
    }

    func withLedger<T>(_ body: (inout ConnectionLedger<OpaquePointer>) -> T) -> T { ledger.withLock(body) }

    /// One thread's way in: its own slot for the admission between filter and create.
    func slot(_ slot: Int) -> LedgerSlot { LedgerSlot(shared: self, slot: slot) }
}

/// A service thread's view of the shared ledger; the methods are the ledger's.
struct LedgerSlot {
    let shared: SharedLedger
    let slot: Int

    func admit(from address: String, exempt: Bool = false, second: Int64) -> Bool {
        shared.withLedger { $0.admit(from: address, exempt: exempt, second: second, slot: slot) }
    }

    func bind(_ wsi: OpaquePointer) { shared.withLedger { _ = $0.bind(wsi, slot: slot) } }
    func abandonPending() { shared.withLedger { $0.abandonPending(slot: slot) } }
    func release(_ wsi: OpaquePointer) { shared.withLedger { $0.release(wsi) } }
    func set(_ wsi: OpaquePointer, _ state: ConnectionLedger<OpaquePointer>.State) { shared.withLedger { $0.set(wsi, state) } }

    func attribute(_ wsi: OpaquePointer, to address: String, second: Int64) -> Bool {
        shared.withLedger { $0.attribute(wsi, to: address, second: second) }
    }

    func address(of wsi: OpaquePointer) -> String? { shared.withLedger { $0.address(of: wsi) } }
    func peer(of wsi: OpaquePointer) -> String? { shared.withLedger { $0.peer(of: wsi) } }
    func openCount(_ address: String) -> Int { shared.withLedger { $0.openCount(address) } }
    func hasRoom(_ address: String, besides waiting: Int) -> Bool { shared.withLedger { $0.hasRoom(address, besides: waiting) } }
    func prune(second: Int64) { shared.withLedger { $0.prune(second: second) } }
}
