import ArgumentParser
import Dispatch
import Synchronization
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
