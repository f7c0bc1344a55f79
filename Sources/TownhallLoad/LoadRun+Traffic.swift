/// Connection life and the traffic: pacing, building and writing requests.
extension LoadRun {
    /// TCP (or TLS) is up: the upgrade request goes out first, and the upgrade gets the
    /// context's timeout to complete (lws closes the connection then).
    func connected(_ index: Int, _ wsi: OpaquePointer) {
        guard clients[index].state == .connecting else { return }
        clients[index].state = .upgrading
        clients[index].wsi = wsi
        clients[index].connectedNs = Monotonic.now()
        native?.handshakeTimeout(wsi, seconds: LoadNative.timeoutSeconds)
        enqueue(index, .upgrade)
    }

    /// A verified 101: a WebSocket. The connect time ends here, as it did at lws's
    /// `LWS_CALLBACK_CLIENT_ESTABLISHED`.
    func established(_ index: Int) {
        let now = Monotonic.now()
        clients[index].state = .open
        clients[index].establishedNs = now
        clients[index].inbox.removeAll(keepingCapacity: true)
        if index < measured {
            result.established += 1
            result.connect.record(now - clients[index].connectNs)
        }
        enqueue(index, .hello)
    }

    func failed(_ index: Int, reason: String) {
        let state = clients[index].state
        guard state == .connecting || state == .upgrading || state == .open else { return }
        if clients[index].droppedNs > 0 { return scheduleReconnect(index, reason: reason) }
        clients[index].state = .failed
        clients[index].wsi = nil
        guard index < measured else { return setupLost(index, reason: reason) }
        result.failed += 1
        result.failures.count(reason: reason)
        settle(index)
    }

    func closed(_ index: Int) {
        let state = clients[index].state
        switch state {
        case .failed, .closed, .waiting:
            clients[index].wsi = nil
            return
        case .connecting, .upgrading:
            // Closed before the upgrade completed: a failed connection, in the words
            // lws's ws client used: the server hung up ("read failed"), or the upgrade
            // timed out ("closed before established").
            let timedOut = Monotonic.now() >= clients[index].connectedNs + UInt64(LoadNative.timeoutSeconds) * 1_000_000_000 - 100_000_000
            return failed(index, reason: state == .upgrading && !timedOut ? "read failed" : "closed before established")
        case .open, .welcomed:
            break
        }
        clients[index].state = .closed
        clients[index].wsi = nil
        let byUs = clients[index].closedByUs
        guard index < measured else {
            if !byUs { setupLost(index, reason: "closed with \(clients[index].closeCode == 0 ? 1006 : clients[index].closeCode)") }
            return
        }
        if byUs { return }
        let code = clients[index].closeCode == 0 ? 1006 : clients[index].closeCode
        result.closed += 1
        result.closeCodes[String(code), default: 0] += 1
        if config.reconnect, !finished, clients[index].welcomeNs > 0 {
            return scheduleReconnect(index, reason: clients[index].droppedNs > 0 ? "closed with \(code) before the welcome" : nil)
        }
        if state != .welcomed { settle(index) }
    }

    /// Queues a request and asks for a writable callback if none is pending.
    func enqueue(_ index: Int, _ request: LoadRequest) {
        guard let wsi = clients[index].wsi else { return }
        let idle = !clients[index].hasPending
        clients[index].push(request)
        if idle { native?.wantWritable(wsi) }
    }

    /// Hands out this shard's share of the votes, announcements and comments that are due:
    /// credit builds up at the rate and every whole unit is one request, round-robin over
    /// the open clients of the role. After a stall at most a quarter second's worth is
    /// sent at once.
    func pace(_ now: UInt64) {
        let elapsed = Double(now &- lastPace) / 1e9
        lastPace = now
        if voteRate > 0, !postIDs.isEmpty {
            voteCredit = min(voteCredit + voteRate * elapsed, max(1, voteRate / 4))
            while voteCredit >= 1 {
                voteCredit -= 1
                castVote()
            }
        }
        if let host, config.announceRate > 0 {
            announceCredit = min(announceCredit + config.announceRate * elapsed, max(1, config.announceRate / 4))
            while announceCredit >= 1 {
                announceCredit -= 1
                if clients[host].state == .welcomed { enqueue(host, .announce) } else { result.skipped += 1 }
            }
        }
        if reactionRate > 0, !watchers.isEmpty {
            reactionCredit = min(reactionCredit + reactionRate * elapsed, max(1, reactionRate / 4))
            while reactionCredit >= 1 {
                reactionCredit -= 1
                if let index = nextOpen(watchers, turn: &watcherTurn) { enqueue(index, .react) } else { result.skipped += 1 }
            }
        }
        if commentRate > 0, !commenters.isEmpty {
            commentCredit = min(commentCredit + commentRate * elapsed, max(1, commentRate / 4))
            while commentCredit >= 1 {
                commentCredit -= 1
                if let index = nextOpen(commenters, turn: &commenterTurn) { enqueue(index, .comment) } else { result.skipped += 1 }
            }
        }
    }

    /// The next voter flips its value on its next post (1 ↔ -1), so every vote changes
    /// something and reaches every watcher in the next update.
    func castVote() {
        guard let index = nextOpen(voters, turn: &voterTurn) else {
            result.skipped += 1
            return
        }
        if clients[index].votes.count != postIDs.count { clients[index].votes = [Int8](repeating: 0, count: postIDs.count) }
        let post = clients[index].nextPost % postIDs.count
        clients[index].nextPost = post + 1
        let value: Int8 = clients[index].votes[post] == 1 ? -1 : 1
        clients[index].votes[post] = value
        enqueue(index, .vote(post: post, value: value))
    }

    /// A fresh masking key for each client frame.
    func mask() -> UInt32 { UInt32(truncatingIfNeeded: random.next()) }

    func nextOpen(_ group: [Int], turn: inout Int) -> Int? {
        for _ in 0..<group.count {
            let index = group[turn % group.count]
            turn &+= 1
            if clients[index].state == .welcomed { return index }
        }
        return nil
    }

    /// One frame per writable callback; asks again while more are queued. The frame is
    /// built now, so its time stamps (the marker's, the ack latency's start) are when it
    /// was handed to the socket.
    func writable(_ index: Int, _ wsi: OpaquePointer) -> Int32 {
        guard let request = clients[index].pop(), let native else { return 0 }
        switch request {
        case .upgrade:
            let key = WebSocketWire.key(using: &random)
            clients[index].accept = WebSocketWire.accept(key: key)
            guard native.writeRaw(wsi, upgradeRequest.request(key: key)) else { return -1 }
            if clients[index].hasPending { native.wantWritable(wsi) }
            return 0
        case .close:
            clients[index].closedByUs = true
            native.close(wsi, code: 1000, mask: mask())
            return -1
        case .closeReply(let code):
            native.close(wsi, code: code, mask: mask())
            return -1
        case .pong(let payload):
            guard native.writeFrame(wsi, opcode: WebSocketWire.Opcode.pong, payload, mask: mask()) else { return -1 }
            if clients[index].hasPending { native.wantWritable(wsi) }
            return 0
        default:
            break
        }
        let now = Monotonic.now()
        builder.reset()
        var kind: RequestKind?
        let id = clients[index].nextID
        switch request {
        case .hello:
            // Like the pages (unless --ranks full, --post-updates full): updates carry only
            // the orderings that moved, and a voted post's counts instead of the post.
            builder.raw(#"{"type":"hello","#)
            if config.rankChanges { builder.raw(#""ranks":"changes","#) }
            if config.postCounts { builder.raw(#""posts":"counts","#) }
            builder.raw(#""token":"#)
            builder.string(clients[index].token)
            if let epoch = clients[index].epoch, clients[index].lastSeq >= 0 {
                builder.raw(#","resume":{"epoch":"#)
                builder.raw(epoch)
                builder.raw(#","seq":"#)
                builder.number(clients[index].lastSeq)
                builder.raw("}")
            }
            builder.raw("}")
        case .vote(let post, let value):
            kind = .vote
            builder.raw(#"{"type":"vote","id":"#)
            builder.number(id)
            builder.raw(postRefs[post])
            builder.raw(#","value":"#)
            builder.number(Int(value))
            builder.raw("}")
        case .announce:
            kind = .announce
            builder.raw(#"{"type":"announce","id":"#)
            builder.number(id)
            builder.raw(#","text":"mark:"#)
            builder.number(now)
            builder.raw(#""}"#)
        case .comment:
            kind = .comment
            builder.raw(#"{"type":"comment","id":"#)
            builder.number(id)
            builder.raw(#","text":"load comment "#)
            builder.number(config.shard)
            builder.raw("-")
            builder.number(index)
            builder.raw("-")
            builder.number(id)
            builder.raw(#""}"#)
        case .post:
            kind = .post
            builder.raw(#"{"type":"post","id":"#)
            builder.number(id)
            builder.raw(#","text":"Load test question "#)
            builder.number(index - measured)
            builder.raw(#": how does the relay hold up under load? ("#)
            builder.number(now)
            builder.raw(#")"}"#)
        case .react:
            builder.raw(#"{"type":"react","emoji":"\#u{1F44F}"}"#)
        case .upgrade, .close, .closeReply, .pong:
            return -1
        }
        guard native.writeFrame(wsi, opcode: WebSocketWire.Opcode.text, builder.bytes, mask: mask()) else { return -1 }
        if let kind {
            clients[index].nextID = id + 1
            clients[index].inflight[id] = (now, kind)
            if index < measured {
                requests[kind.rawValue].sent += 1
                if kind == .announce { result.markerSentNs.append(now) }
            }
        } else if case .react = request {
            if clients[index].reactedNs == 0 { clients[index].reactedNs = now }
            if index < measured { result.reactionsSent += 1 }
        } else {
            clients[index].helloNs = now
        }
        if clients[index].hasPending { native.wantWritable(wsi) }
        return 0
    }
}
