import Dispatch

extension Relay {
    /// Runs `compute` off the service thread, on a copy of whatever it captured (the
    /// state is a value), and hands the result back to `deliver` on the service thread.
    /// Anything that grows with the state (an archive page, an export, a purge's scan, a
    /// rebuild from disk) goes this way, so no socket waits for it.
    func offLoop<Value: Sendable>(_ compute: @escaping @Sendable () -> Value, then deliver: @escaping @Sendable (Value) -> Void) {
        backgroundInFlight += 1
        let executor = executor
        DispatchQueue.global(qos: .userInitiated).async {
            let value = compute()
            executor.execute {
                self.backgroundInFlight -= 1
                deliver(value)
            }
        }
    }
}
