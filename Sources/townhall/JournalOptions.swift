import ArgumentParser
import TownhallStore

/// `serve`'s options for the journal and snapshots.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("snapshot-every"), help: "How often to snapshot the state when it changed: 90s, 5m, 1h.")
    var snapshotEvery: TTL = TTL(argument: "5m")!
    @Option(name: .customLong("journal-sync"), help: "group (one fsync per batch) or per-record (one per change; slower, for comparison).")
    var journalSync = "group"
    @Option(name: .customLong("journal-sync-gap"), help: "In group mode, the least milliseconds between two fsyncs' starts under load (0: none).")
    var journalSyncGap = DiskJournal.defaultSyncGapMillis
    @Option(name: .customLong("journal-give-up"), help: "After a journal failure, how long to serve read-only and retry before exiting non-zero.")
    var journalGiveUp: TTL = TTL(argument: "60s")!

    func validate() throws {
        guard DiskJournal.SyncMode(rawValue: journalSync) != nil else { throw ValidationError("--journal-sync must be group or per-record") }
        guard (0...100).contains(journalSyncGap) else { throw ValidationError("--journal-sync-gap must be 0 to 100 milliseconds") }
    }

    var syncMode: DiskJournal.SyncMode { DiskJournal.SyncMode(rawValue: journalSync) ?? .group }
}
