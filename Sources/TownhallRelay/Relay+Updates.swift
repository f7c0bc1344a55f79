import TownhallCore
import TownhallProtocol
import TownhallStore
import TownhallTransport

extension Relay {
    /// Hands accepted work to the journal. Acks and updates wait for its answer.
    /// Work that changed nothing goes through too, so acks never overtake each other.
    func commit(_ batch: Batch) {
        guard !batch.isEmpty else { return }
        let executor = executor
        journal.append(batch.records) { result in
            executor.execute { self.committed(batch, result) }
        }
    }

    /// The journal answered for a batch: release its acks, or refuse them all and stop
    /// taking changes.
    func committed(_ batch: Batch, _ result: Result<Void, JournalError>) {
        switch result {
        case .success:
            // A real write worked: a failure streak, if any, is over.
            disk.failedAt = nil
            let now = clock.monotonicNanos()
            for pending in batch.acks where sessions[pending.connection] != nil {
                send(pending.ack, to: pending.connection)
                metrics.ackLatency.recordNanoseconds(Int64(now &- pending.receivedAt))
            }
            announced += batch.changes
            if !batch.changes.isEmpty { stateVersion += 1 }
            notifyReviewed(batch.changes)
            notifyMerged(batch.changes)
            indexSimilar(batch.changes)
            if batch.records.contains(where: \.erases) { disk.snapshotSoon = true }
        case .failure(let error):
            if disk.failed(now: clock.monotonicMillis) {
                logger.critical("journal.failed", metadata: ["error": "\(error.message)"])
                rollBack()
            }
            for pending in batch.acks where sessions[pending.connection] != nil {
                reject(pending.connection, ErrorReply(id: pending.ack.id, code: .unavailable, message: "the server could not save this change"))
            }
        }
    }

    /// Builds at most one update per audience from everything announced since the last
    /// one, encodes it once, and queues the same bytes on every member. The next update
    /// waits, carrying more, while the last one has not reached more than a few members
    /// (1%, at least 16), for as long as that takes (the server is behind: sending more
    /// would only queue without end); and while it is still queued on more than a few
    /// (their readers are behind), up to `maxCoalesceMillis`, so a handful of slow
    /// readers never slows the rest.
    func publishUpdates(now: Int64) {
        if let transport {
            let few = max(16, sessions.count / 100)
            if transport.unreached > few || (transport.backlogged > few && now - lastPublishAt < config.maxCoalesceMillis) {
                if !announced.isEmpty { metrics.updatesDeferred.increment() }
                return
            }
        }
        let presence = sessions.presenceDue(now: now, interval: config.presenceIntervalMillis)
        guard !announced.isEmpty || presence != nil || !reactions.isEmpty else { return }
        metrics.coalescingWindow.record(min(now - lastPublishAt, 60_000))
        lastPublishAt = now
        let headroom = transport?.frameHeadroom ?? 0
        for audience in Audience.allCases {
            var next = update(for: audience, seq: feeds[audience.rawValue].seq + 1)
            if let presence { next.full.presence = presence }
            if !reactions.isEmpty { next.full.reactions = reactions }
            guard !next.full.isEmpty else { continue }
            var feed = feeds[audience.rawValue]
            feed.seq = next.full.seq
            // Each form someone takes is encoded once, and only where it differs from one
            // already encoded. A form nobody takes keeps the full update in its ring: that
            // is a correct update in every form, for a client that resumes in it later.
            var frames: [Int: OutboundFrame] = [:]
            for form in UpdateForm.allCases {
                let members = sessions.members(of: audience, form)
                let effective = members.isEmpty ? UpdateForm.full : next.effective(form)
                let frame = frames[effective.index] ?? OutboundFrame(encoder.encode(next.update(in: effective)), headroom: headroom)
                frames[effective.index] = frame
                feed.rings[form.index].append(frame, seq: next.full.seq)
                send(frame, to: members)
            }
            feeds[audience.rawValue] = feed
            metrics.updatesBuilt.increment()
        }
        announced = []
        reactions = [:]
    }

    /// What changed for one audience: posts it may see, ids it may no longer see, new
    /// comments and announcements, the stage, the cycle, and ranks when they moved; those
    /// ranks as changes (only the orderings that moved); and which changed posts may go
    /// as counts.
    func update(for audience: Audience, seq: Int64) -> AudienceUpdate {
        var update = Update(seq: seq)
        var postIDs: [String] = []
        var seen = Set<String>()
        // Posts with a change other than their counts: these always go whole.
        var whole = Set<String>()
        var comments: [WireComment] = []
        var announcements: [Announcement] = []
        var rankable = false
        // Posts this audience had and must drop; other changed posts it cannot see
        // (a new pending post) are simply not mentioned.
        var withdrawn = Set<String>()
        var pollIDs: [String] = []
        var pollSeen = Set<String>()
        var merged: [String: String] = [:]
        for change in announced {
            switch change {
            case .post(let id):
                rankable = true
                whole.insert(id)
                if seen.insert(id).inserted { postIDs.append(id) }
            case .counts(let id):
                rankable = true
                if seen.insert(id).inserted { postIDs.append(id) }
            case .comment(let comment):
                if let postID = comment.post {
                    guard let post = core.post(postID), core.audience(audience, sees: post) else { continue }
                }
                comments.append(WireComment(comment))
            case .announcement(let announcement):
                announcements.append(announcement)
            case .stage:
                update.townhall = WireStage(core.stage)
            case .cycle:
                rankable = true
                update.cycle = core.cycle
            case .agenda:
                if audience == .staff { update.agenda = core.agenda }
            case .commentRemoved(let id):
                update.removedComments = (update.removedComments ?? []) + [id]
            case .announcementRemoved(let id):
                update.removedAnnouncements = (update.removedAnnouncements ?? []) + [id]
            case .withdrawn(let id):
                if audience == .employees { withdrawn.insert(id) }
            case .erased(let id):
                withdrawn.insert(id)
            case .poll(let id):
                if pollSeen.insert(id).inserted { pollIDs.append(id) }
            case .merged(let id, let target):
                // Only the staff see a merged post itself; everyone may follow where it went.
                merged[id] = target
            case .reviewed, .configured:
                break
            }
        }
        // What every client holds before this update; a new cycle drops it all.
        let held = update.cycle == nil ? feeds[audience.rawValue].held : []
        var rankChanges: WireRanks?
        if rankable || !feeds[audience.rawValue].ranksAhead.isEmpty {
            let ranks = core.ranks(for: audience, depth: config.rankDepth)
            let last = feeds[audience.rawValue].lastRanks
            let moved = feeds[audience.rawValue].ranksAhead.union(Ordering.allCases.filter { ranks[$0] != last[$0] })
            feeds[audience.rawValue].ranksAhead = []
            if !moved.isEmpty {
                feeds[audience.rawValue].lastRanks = ranks
                update.ranks = WireRanks(ranks)
                rankChanges = WireRanks(ranks, only: moved)
                // A post that enters the ranks goes whole, changed or not (it moved up as
                // another left), so every client holds every post its ranks name.
                for id in Ordering.allCases.flatMap({ ranks[$0] }) where !held.contains(id) && seen.insert(id).inserted {
                    postIDs.append(id)
                }
                feeds[audience.rawValue].held = ranks.ids
            }
        }
        var posts: [WirePost] = []
        var counts: [String: WireCounts] = [:]
        var removed: [String] = []
        for id in postIDs {
            guard let post = core.post(id) else { continue }
            if core.audience(audience, sees: post) {
                posts.append(WirePost(post, for: audience))
                if !whole.contains(id), held.contains(id) { counts[id] = WireCounts(post, for: audience) }
            } else if withdrawn.contains(id) {
                removed.append(id)
            }
        }
        update.posts = posts.isEmpty ? nil : posts
        update.removed = removed.isEmpty ? nil : removed
        update.comments = comments.isEmpty ? nil : comments
        update.announcements = announcements.isEmpty ? nil : announcements.reversed()
        let polls = pollIDs.compactMap { core.poll($0) }.map(WirePoll.init)
        update.polls = polls.isEmpty ? nil : polls
        update.merged = merged.isEmpty ? nil : merged
        return AudienceUpdate(full: update, rankChanges: rankChanges, counts: counts)
    }
}
