/// The posts and ballots a retention purge erases (see `Townhall.purgePlan(before:)`):
/// found by a scan of a copy of the state off the service thread, applied on it.
package struct PurgePlan: Sendable, Equatable {
    package var cutoff: Int64
    /// Numbers of the posts to erase, ascending.
    package var posts: [Int]
    /// User id → numbers of those posts they voted on.
    package var votes: [String: [Int]]
}
