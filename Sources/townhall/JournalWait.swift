import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import TownhallCore
import TownhallStore

/// Waits for an asynchronous journal call, for the command line's one-shot work.
enum JournalWait {
    static func run(_ call: (@escaping @Sendable (Result<Void, JournalError>) -> Void) -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<Void, JournalError>?>(nil)
        call { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        if case .failure(let error)? = result.withLock({ $0 }) { throw ValidationError("the journal failed: \(error.message)") }
    }
}

extension JournalWait {
    /// Writes a snapshot of `state` and waits for it.
    static func snapshot(_ state: Townhall, to journal: some Journal) throws {
        try run { done in journal.snapshot(state) { done($0.map { _ in () }) } }
    }

    /// Appends one record and waits until it is durable.
    static func append(_ request: Request, to journal: some Journal) throws {
        try run { done in journal.append([request]) { done($0) } }
    }
}

/// Milliseconds since the Unix epoch, now.
func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
