/// Token checks off the service thread (jwt-kit's key sets are actors), as one owned
/// piece of work instead of a loose task per hello: checks queue here, run concurrently,
/// and at shutdown the queue stops taking new ones and the ones in flight finish before
/// the loop they report to is gone.
package final class TokenChecks: Sendable {
    private struct Check: Sendable {
        var token: String
        var finish: @Sendable (Result<Identity, AuthError>) -> Void
    }

    private let checks: AsyncStream<Check>
    private let intake: AsyncStream<Check>.Continuation
    private let done: Task<Void, Never>

    package init(authenticator: Authenticator) {
        (checks, intake) = AsyncStream.makeStream(of: Check.self)
        let checks = checks
        done = Task {
            await withDiscardingTaskGroup { group in
                for await check in checks {
                    group.addTask { check.finish(await authenticator.verify(check.token)) }
                }
            }
        }
    }

    /// Checks `token`; `finish` runs on some other thread with the result. After `close`
    /// (the stream is finished) the check is refused at once.
    package func submit(_ token: String, finish: @escaping @Sendable (Result<Identity, AuthError>) -> Void) {
        guard case .enqueued = intake.yield(Check(token: token, finish: finish)) else {
            return finish(.failure(AuthError("the server is shutting down")))
        }
    }

    /// A relay that goes away without `close` (tests) ends the task with it.
    deinit { intake.finish() }

    /// Takes no new checks and waits for those in flight.
    package func close() async {
        intake.finish()
        await done.value
    }
}
