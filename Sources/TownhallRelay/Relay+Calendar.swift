import Foundation
import TownhallCore
import TownhallProtocol

extension Relay {
    /// Once a second: roll the weekly cycle over at the week's end in the company's time
    /// zone; once a minute: erase cycles past the retention period. Both go through the journal as
    /// the system's own requests, like anyone's.
    func tendCalendar(now: Int64) {
        guard disk.acceptingChanges, now - calendar.lastCheck >= 1000 else { return }
        calendar.lastCheck = now
        let wall = clock.wallMillis()
        if config.weeklyRollover, wall >= Self.weekEnd(after: core.cycle.startedAt, in: config.timeZone) {
            logger.notice("cycle.rollover", metadata: ["cycle": "\(core.cycle.id)"])
            applySystem(.closeCycle(carryOver: true), at: wall)
        }
        if let retain = config.retainMillis, !calendar.purgeInFlight, now - calendar.lastRetentionCheck >= 60_000 {
            calendar.lastRetentionCheck = now
            let cutoff = wall - retain
            // The scan of every post and ballot runs on a copy; only its plan comes back.
            let state = core
            calendar.purgeInFlight = true
            offLoop({ state.purgePlan(before: cutoff) }) { plan in
                self.calendar.purgeInFlight = false
                guard self.disk.acceptingChanges, !self.disk.rebuilding else { return }
                self.applySystem(.purge(before: cutoff), at: self.clock.wallMillis(), plan: plan)
            }
        }
    }

    /// Applies a request of the server's own; like a user's, it is journaled before its
    /// effects are announced.
    func applySystem(_ command: Command, at wall: Int64, plan: PurgePlan? = nil) {
        let request = Request(actor: Townhall.system, at: wall, command: command)
        guard let outcome = try? core.apply(request, plan: plan), !outcome.changes.isEmpty else { return }
        var batch = Batch()
        batch.records = [request]
        batch.changes = outcome.changes
        commit(batch)
    }

    /// The end (next Monday 00:00 local) of the ISO week containing `millis`.
    static func weekEnd(after millis: Int64, in timeZone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        guard let week = calendar.dateInterval(of: .weekOfYear, for: date) else { return .max }
        return Int64(week.end.timeIntervalSince1970 * 1000)
    }

    /// Tells the authors of reviewed posts whether they were approved, on every
    /// connection they have open.
    func notifyReviewed(_ changes: [Change]) {
        for case let .reviewed(id, approved) in changes {
            guard let post = core.post(id) else { continue }
            let notice = ReviewNotice(post: WirePost(post, for: .employees), approved: approved, reason: approved ? nil : post.note)
            for connection in sessions.connections(of: post.author.id) {
                send(notice, to: connection)
            }
        }
    }
}

extension Relay {
    /// Tells the author of a merged post where their question went (and that it is back,
    /// when the merge is undone): their post, and the one it joined.
    func notifyMerged(_ changes: [Change]) {
        for case let .merged(id, target) in changes {
            guard let post = core.post(id), !post.isErased else { continue }
            let notice = MergeNotice(post: WirePost(post, for: .employees), into: target.flatMap(core.post).map { WirePost($0, for: .employees) })
            for connection in sessions.connections(of: post.author.id) {
                send(notice, to: connection)
            }
        }
    }
}

extension Request {
    /// Whether this request erases content (the disk must forget it too).
    var erases: Bool {
        switch command {
        case .purge, .forget: true
        default: false
        }
    }
}
