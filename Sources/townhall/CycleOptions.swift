import ArgumentParser
import Foundation
import TownhallRelay

/// `serve`'s options for the weekly cycle: its time zone, post review and retention.
struct CycleOptions: ParsableArguments {
    @Option(help: "The company's time zone; a cycle is an ISO week there (e.g. Europe/Dublin).")
    var timezone = TimeZone.current.identifier
    @Flag(name: .customLong("review-posts"), help: "New posts wait for a moderator's approval.")
    var reviewPosts = false
    @Option(name: .customLong("retain-weeks"), help: "Erase cycles that ended more than this many weeks ago.")
    var retainWeeks: Int?
    @Option(name: .customLong("retain-seconds"), help: ArgumentHelp("Retention in seconds, for soak tests.", visibility: .hidden))
    var retainSeconds: Int?

    func validate() throws {
        guard TimeZone(identifier: timezone) != nil else { throw ValidationError("--timezone \(timezone) is not a known time zone") }
        if let retainWeeks, retainWeeks < 1 { throw ValidationError("--retain-weeks must be 1 or more") }
        if let retainSeconds, retainSeconds < 1 { throw ValidationError("--retain-seconds must be 1 or more") }
    }

    var timeZone: TimeZone { TimeZone(identifier: timezone) ?? .current }

    /// How long ended cycles are kept, in milliseconds (nil: for ever).
    var retainMillis: Int64? {
        retainSeconds.map { Int64($0) * 1000 } ?? retainWeeks.map { Int64($0) * RelayConfig.weekMillis }
    }
}
