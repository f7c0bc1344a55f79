import TownhallStore

/// The body of `/healthz`: whether changes are accepted, and how the journal stands.
struct Health: Encodable {
    struct JournalState: Encodable {
        /// "ok" or "read-only".
        var state: String
        var kind: String
        var error: String?
        var appended: Int64
        var durable: Int64
    }

    struct LastSnapshot: Encodable {
        var records: Int64
        var writtenAt: Int64?
        var bytes: Int
    }

    var status: String
    var epoch: String
    var connections: Int
    var cycle: Int
    var journal: JournalState
    var lastSnapshot: LastSnapshot?
}

extension Relay {
    var health: Health {
        let journal = journal.status
        let state = disk.acceptingChanges ? "ok" : "read-only"
        return Health(
            status: state, epoch: epoch, connections: sessions.count, cycle: core.cycle.id,
            journal: .init(state: state, kind: journal.kind, error: journal.failure, appended: journal.appended, durable: journal.durable),
            lastSnapshot: journal.lastSnapshot.map { .init(records: $0.covered, writtenAt: $0.writtenAt == 0 ? nil : $0.writtenAt, bytes: $0.bytes) }
        )
    }
}
