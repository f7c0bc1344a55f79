import Foundation
import TownhallCore

/// Everything a cycle export holds, as plain data: built once from the townhall, then
/// rendered as JSON, CSV or Markdown by pure functions, so the three formats can never
/// disagree and tests can check the numbers apart from the formatting.
///
/// It is the staff's view (hosts and moderators ask for exports): every post of the
/// cycle in any status. It still never holds the author of an anonymous post, nor any
/// user id: voters appear only as counts.
package struct CycleReport: Codable, Sendable, Equatable {
    package var cycle: ReportCycle
    /// When the report was made, ms since the Unix epoch (time comes from the caller so
    /// building a report stays deterministic).
    package var generatedAt: Int64
    package var totals: ReportTotals
    /// Participation by office name.
    package var offices: [String: OfficeActivity]
    /// The cycle's posts in `top` order (score desc, earlier first, then id).
    package var posts: [ReportPost]
    /// Live comments made while the cycle ran, oldest first.
    package var liveComments: [ReportComment]
    /// Shortlisted posts of this cycle that carried over to a later one (they now belong
    /// to it, votes and all), in `top` order as they stand now.
    package var carriedOver: [ReportPost]
    /// The cycle's polls, oldest first.
    package var polls: [ReportPoll]

    package init(
        cycle: ReportCycle, generatedAt: Int64, totals: ReportTotals, offices: [String: OfficeActivity],
        posts: [ReportPost], liveComments: [ReportComment], carriedOver: [ReportPost] = [], polls: [ReportPoll] = []
    ) {
        self.carriedOver = carriedOver
        self.polls = polls
        self.cycle = cycle
        self.generatedAt = generatedAt
        self.totals = totals
        self.offices = offices
        self.posts = posts
        self.liveComments = liveComments
    }

    /// The report of cycle `id`, with local dates in `timeZone`; nil when no such cycle was held.
    package init?(townhall: Townhall, cycle id: Int, timeZone: TimeZone, generatedAt: Int64) {
        guard let (cycle, endedAt) = townhall.cycleInfo(id) else { return nil }
        let posts = townhall.posts(inCycle: id)
        let threads = posts.map { townhall.comments(on: $0.id) }
        let ballots = townhall.votes(inCycle: id)

        var offices: [String: OfficeActivity] = [:]
        for post in posts { offices[post.office, default: OfficeActivity()].posts += 1 }
        var officeVoters: [String: Set<String>] = [:]
        for vote in ballots {
            offices[vote.ballot.office, default: OfficeActivity()].votes += 1
            officeVoters[vote.ballot.office, default: []].insert(vote.user)
        }
        for (office, voters) in officeVoters { offices[office, default: OfficeActivity()].voters = voters.count }
        for comment in threads.joined() { offices[comment.author.office, default: OfficeActivity()].comments += 1 }

        // One `top` order everywhere: the core's own, so a report ranks as the live pages did.
        let ranked = zip(posts, threads).sorted { Post.topOrder($0.0, $1.0) }
        let carried = townhall.history.filter { $0.id > id }.flatMap { later in
            townhall.posts(inCycle: later.id).filter { ($0.carriedFrom ?? .max) <= id }
        }.sorted(by: Post.topOrder)
        let live = townhall.allLiveComments.filter { comment in
            comment.createdAt >= cycle.startedAt && endedAt.map { comment.createdAt < $0 } ?? true
        }

        self.init(
            cycle: ReportCycle(
                id: id, startedAt: cycle.startedAt, endedAt: endedAt,
                week: ReportCalendar.week(cycle.startedAt, in: timeZone), timeZone: timeZone.identifier
            ),
            generatedAt: generatedAt,
            totals: ReportTotals(
                posts: posts.count, votes: ballots.count, voters: Set(ballots.map(\.user)).count,
                comments: threads.reduce(0) { $0 + $1.count },
                answered: posts.count { $0.status == .answered }
            ),
            offices: offices,
            posts: ranked.map { ReportPost($0.0, comments: $0.1) },
            liveComments: live.map(ReportComment.init),
            carriedOver: carried.map { ReportPost($0, comments: townhall.comments(on: $0.id)) },
            polls: townhall.polls(inCycle: id).reversed().map(ReportPoll.init)
        )
    }

    /// The zone the report's local dates are written in.
    package var timeZone: TimeZone { ReportCalendar.timeZone(cycle.timeZone) }
}
