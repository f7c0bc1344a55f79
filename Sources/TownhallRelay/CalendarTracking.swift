/// When the weekly rollover and retention were last looked at (monotonic ms), and
/// whether a retention scan is running off the service thread.
struct CalendarTracking {
    var lastCheck: Int64 = .min / 2
    var lastRetentionCheck: Int64 = .min / 2
    /// A retention purge's scan is running off the thread: no second one meanwhile.
    var purgeInFlight = false
}
