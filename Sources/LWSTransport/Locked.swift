import Foundation

/// A value behind a pthread mutex (NSLock). Used instead of `Synchronization.Mutex`
/// where threads contend: ThreadSanitizer reports false races inside a contended
/// `Mutex` (its futex path is invisible to it), which would hide real ones.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
