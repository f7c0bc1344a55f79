import CLibWebSockets
import Foundation
import Synchronization
import TownhallRelay

/// Work handed to the service thread from elsewhere: queued under a lock, then
/// `lws_cancel_service` wakes the loop, which drains the queue.
package final class ServiceQueue: ServiceExecutor, @unchecked Sendable {
    private let pending = Mutex<[@Sendable () -> Void]>([])
    /// Written once before the service thread starts; read-only afterwards.
    nonisolated(unsafe) var context: OpaquePointer?
    nonisolated(unsafe) var serviceThread: pthread_t?

    package init() {}

    package func execute(_ work: @escaping @Sendable () -> Void) {
        if let serviceThread, pthread_equal(serviceThread, pthread_self()) != 0 {
            return work()
        }
        pending.withLock { $0.append(work) }
        if let context { lws_cancel_service(context) }
    }

    /// Runs what was queued; on the service thread only.
    func drain() {
        let work = pending.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
        for item in work { item() }
    }
}
