import Foundation

/// Compares JSON values whatever their key order.
func canonical(_ value: Any?) -> String {
    guard let value, JSONSerialization.isValidJSONObject([value]) else { return "nil" }
    let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "nil"
}
import Synchronization
import TownhallProtocol
@testable import TownhallRelay
import TownhallCore
import TownhallStore
import TownhallTransport

/// A transport double: records every frame and close per connection, in order.
final class MemoryTransport: Transport {
    var frameHeadroom: Int { 4 }
    private(set) var sent: [ConnectionID: [OutboundFrame]] = [:]
    private(set) var closed: [ConnectionID: CloseCode] = [:]
    /// What the transport reports as its readers' and its own backlog; a test sets them.
    var backlogged = 0
    var unreached = 0

    func send(_ frame: OutboundFrame, to connection: ConnectionID) {
        guard closed[connection] == nil else { return }
        sent[connection, default: []].append(frame)
    }

    func close(_ connection: ConnectionID, code: CloseCode, reason: String) {
        closed[connection] = code
    }

    /// Every frame sent to `connection`, decoded as JSON objects.
    func messages(_ connection: ConnectionID) -> [[String: Any]] {
        (sent[connection] ?? []).map { frame in
            (try? JSONSerialization.jsonObject(with: Data(frame.payload))) as? [String: Any] ?? [:]
        }
    }

    /// Forgets what was sent so far, so a test can look at what comes next.
    func clear(_ connection: ConnectionID) { sent[connection] = [] }
}

/// Collects work from other threads; the test drains it on its own thread, which
/// plays the service thread. Like the real executor, work submitted from the service
/// thread runs inline.
///
/// Guarded by an `NSLock` (a pthread mutex) rather than `Mutex`: token checks and
/// off-thread work hand work in here from other threads all the time, and when a
/// `Mutex` is contended on Linux its hand-over goes through a futex that
/// ThreadSanitizer does not see, so it reported this queue as a race now and then.
final class QueueExecutor: ServiceExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [@Sendable () -> Void] = []
    private var serviceThread: pthread_t?

    func execute(_ work: @escaping @Sendable () -> Void) {
        let inline = lock.withLock { () -> Bool in
            if let thread = serviceThread, pthread_equal(thread, pthread_self()) != 0 { return true }
            pending.append(work)
            return false
        }
        if inline { work() }
    }

    /// Runs `body` as the service thread.
    func onService<T>(_ body: () -> T) -> T {
        lock.withLock { serviceThread = pthread_self() }
        defer { lock.withLock { serviceThread = nil } }
        return body()
    }

    /// Runs what is queued; returns how many items ran.
    @discardableResult
    func drain() -> Int {
        let work = lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
        onService { for item in work { item() } }
        return work.count
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    /// Starts at the real time: token expiry is checked against real time by jwt-kit.
    private let now = Mutex<Int64>(Int64(Date().timeIntervalSince1970 * 1000))

    func advance(millis: Int64) { now.withLock { $0 += millis } }

    func set(millis: Int64) { now.withLock { $0 = millis } }

    var millis: Int64 { now.withLock { $0 } }

    var relayClock: RelayClock {
        RelayClock(
            wallMillis: { self.now.withLock { $0 } },
            monotonicNanos: { UInt64(self.now.withLock { $0 }) * 1_000_000 }
        )
    }
}

/// A journal that answers only when the test says so: shows that acks wait for it.
final class HeldJournal: Journal, @unchecked Sendable {
    private(set) var kept: [Request] = []
    private var waiting: [@Sendable (Result<Void, JournalError>) -> Void] = []

    func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        kept += records
        waiting.append(completion)
    }

    func snapshot(_ state: Townhall, completion: @escaping @Sendable (Result<SnapshotInfo, JournalError>) -> Void) {
        completion(.success(SnapshotInfo(covered: Int64(kept.count), writtenAt: 0, bytes: 0)))
    }

    func reset(completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        completion(.failure(JournalError("still failing")))
    }

    var status: JournalStatus {
        JournalStatus(kind: "held", failure: nil, appended: Int64(kept.count), durable: 0, lastSnapshot: nil)
    }

    func close() {}

    /// Answers every waiting append with `result`, in order.
    func release(_ result: Result<Void, JournalError> = .success(())) {
        let answering = waiting
        waiting = []
        for completion in answering { completion(result) }
    }
}

/// A memory journal whose disk can be made to fail, and mended.
final class FlakyJournal: Journal, @unchecked Sendable {
    var failing = false
    private(set) var kept: [Request] = []
    private(set) var resets = 0
    private(set) var snapshots = 0

    func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        if failing { return completion(.failure(JournalError("fsync: Input/output error"))) }
        kept += records
        completion(.success(()))
    }

    func snapshot(_ state: Townhall, completion: @escaping @Sendable (Result<SnapshotInfo, JournalError>) -> Void) {
        snapshots += 1
        completion(.success(SnapshotInfo(covered: Int64(kept.count), writtenAt: 0, bytes: 0)))
    }

    func reset(completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        resets += 1
        completion(failing ? .failure(JournalError("still failing")) : .success(()))
    }

    var status: JournalStatus {
        JournalStatus(kind: "flaky", failure: failing ? "fsync: Input/output error" : nil,
                      appended: Int64(kept.count), durable: Int64(kept.count), lastSnapshot: nil)
    }

    func close() {}
}
