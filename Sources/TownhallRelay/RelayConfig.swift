import Foundation

/// The relay's knobs. Defaults follow PROTOCOL.md.
package struct RelayConfig: Sendable {
    /// How often updates go out (PROTOCOL.md §5: default 100 ms).
    package var tickMilliseconds = 100
    /// Largest accepted message (PROTOCOL.md §3: 16 KiB; larger closes with 1009).
    package var maxFrameBytes = 16 * 1024
    /// Time allowed between connecting and `hello` (PROTOCOL.md §4: 10 s).
    package var helloTimeoutMillis: Int64 = 10_000
    /// How many ids each ordering carries (PROTOCOL.md §5: top 100).
    package var rankDepth = 100
    /// Live comments and announcements a `welcome` carries.
    package var welcomeComments = 50
    package var welcomeAnnouncements = 20
    /// Updates kept per audience for `resume` (at 10 a second, about 100 s of outage).
    package var resumeCapacity = 1024
    /// And at most this many payload bytes per audience and update form, so a vote
    /// storm's updates (the staff's carry every office's support) do not pile up.
    package var resumeBytes = 1 << 20
    /// Presence goes out at most this often (PROTOCOL.md §5: once a second).
    package var presenceIntervalMillis: Int64 = 1000
    /// While the last update is still queued on many connections (their readers are
    /// behind), the next one waits, carrying more changes, for at most this long.
    package var maxCoalesceMillis: Int64 = 1000
    /// Error replies within `strikeWindowMillis` that get a connection closed with 4008.
    package var strikeLimit = 30
    package var strikeWindowMillis: Int64 = 60_000
    /// Connections one user may have open at once (tabs, devices); more is refused with 4008.
    package var maxConnectionsPerUser = 20
    /// Frames a connection may send while its token is being checked.
    package var earlyFrameLimit = 32
    /// A snapshot is taken this often when something changed (and on graceful shutdown).
    package var snapshotIntervalMillis: Int64 = 5 * 60_000
    /// After a journal failure: how often to try the disk again, and how long before
    /// giving up (the process then exits non-zero so a supervisor restarts it).
    package var journalRetryMillis: Int64 = 2_000
    package var journalGiveUpMillis: Int64 = 60_000
    /// The company's time zone: a cycle is an ISO week there (Monday 00:00 to Monday 00:00).
    package var timeZone = TimeZone(identifier: "UTC")!
    /// Weekly cycles roll over by themselves at the week's end.
    package var weeklyRollover = true
    /// Cycles that ended longer ago than this many weeks are erased (nil keeps everything).
    package var retainWeeks: Int? {
        get { retainMillis.map { Int($0 / Self.weekMillis) } }
        set { retainMillis = newValue.map { Int64($0) * Self.weekMillis } }
    }
    /// The same in milliseconds (the soak test erases within minutes).
    package var retainMillis: Int64?
    package static let weekMillis: Int64 = 7 * 24 * 3_600_000
    package var rateLimits = RateLimits()

    package init() {}
}
