import CLibWebSockets
import Foundation
import TownhallTransport

/// Work handed to the service thread from elsewhere: queued under a lock, then
/// `lws_cancel_service` wakes the loop, which drains the queue.
///
/// The context pointer lives under the same lock as the queue and is taken away (`close`)
/// before the context is destroyed, so a late journal completion or token check can
/// never wake a freed context: after `close` its work is dropped, since the loop that
/// would run it has ended.
package final class ServiceQueue: ServiceExecutor, Sendable {
    private struct State {
        var work: [@Sendable () -> Void] = []
        var context: ContextHandle?
        var serviceThread: pthread_t?
        var closed = false
    }

    private let state = Locked(State())

    package init() {}

    package func execute(_ work: @escaping @Sendable () -> Void) {
        let inline = state.withLock { state -> Bool in
            if let thread = state.serviceThread, pthread_equal(thread, pthread_self()) != 0 { return true }
            guard !state.closed else { return false }
            state.work.append(work)
            // One wake per batch: work already waiting has its wake on the way, and
            // `drain` takes everything. Under the lock: `close` cannot free the context
            // while this wakes it.
            if state.work.count == 1, let context = state.context { lws_cancel_service(context.pointer) }
            return false
        }
        if inline { work() }
    }

    /// Called on the service thread once the context exists, before the loop runs.
    func open(_ context: OpaquePointer) {
        state.withLock { state in
            state.context = ContextHandle(pointer: context)
            state.serviceThread = pthread_self()
        }
        drain()
    }

    /// Called on the service thread before the context is destroyed; afterwards
    /// nothing reaches the context and new work is dropped.
    func close() {
        state.withLock { state in
            state.context = nil
            state.closed = true
            state.work.removeAll()
        }
    }

    /// Runs what was queued; on the service thread only.
    func drain() {
        let work = state.withLock { state in
            defer { state.work.removeAll() }
            return state.work
        }
        for item in work { item() }
    }
}

/// The context, as the one thing other threads may do with it: `lws_cancel_service`,
/// which libwebsockets makes safe from any thread (it writes to the loop's wake pipe).
private struct ContextHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
