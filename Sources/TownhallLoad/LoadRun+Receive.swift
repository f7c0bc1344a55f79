#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What arrives. lws hands over the bytes it read (RAW_RX); the upgrade response and the
/// frames are taken apart here. Whole frames are read in place, in lws's buffer; only a
/// frame cut off by the end of a read is copied, into the connection's `inbox`, until the
/// rest has come. Watchers never decode: they count, find `"seq":` and `"mark:` with
/// memmem, and read the numbers by hand; an update that is byte for byte one already
/// read (the server sends one encoding to a whole audience) is not read again.
extension LoadRun {
    /// Bytes from the socket. Returns -1 to have lws close the connection.
    func received(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        switch clients[index].state {
        case .upgrading: return upgradeResponse(index, bytes)
        case .open, .welcomed: return frames(index, bytes)
        default: return 0
        }
    }

    /// The response head, up to the blank line; whatever follows it is frame data.
    func upgradeResponse(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        if clients[index].inbox.isEmpty, let end = FrameScan.find(WebSocketWire.headEnd, in: bytes) {
            // The usual case: the whole head in one read.
            let head = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
            guard upgraded(index, head: head) else { return -1 }
            let rest = end + WebSocketWire.headEnd.count
            return rest < bytes.count ? frames(index, UnsafeRawBufferPointer(rebasing: bytes[rest...])) : 0
        }
        clients[index].inbox.appendBytes(bytes)
        var buffered: [UInt8] = []
        swap(&buffered, &clients[index].inbox)
        return buffered.withUnsafeBytes { all -> Int32 in
            guard let end = FrameScan.find(WebSocketWire.headEnd, in: all) else {
                if all.count > WebSocketWire.maxHead {
                    failed(index, reason: "HS: response head too long")
                    return -1
                }
                clients[index].inbox = Array(all)
                return 0
            }
            guard upgraded(index, head: UnsafeRawBufferPointer(rebasing: all[0..<end])) else { return -1 }
            let rest = end + WebSocketWire.headEnd.count
            return rest < all.count ? frames(index, UnsafeRawBufferPointer(rebasing: all[rest...])) : 0
        }
    }

    /// Checks the head; a good one makes the connection a WebSocket (`established`).
    func upgraded(_ index: Int, head: UnsafeRawBufferPointer) -> Bool {
        if let refusal = WebSocketWire.refusal(ofHead: head, accept: clients[index].accept) {
            failed(index, reason: refusal)
            return false
        }
        if let wsi = clients[index].wsi { native?.handshakeTimeout(wsi, seconds: 0) }
        established(index)
        return true
    }

    /// Frames: first the one begun in an earlier read, then every whole one in place;
    /// a cut-off tail waits in the inbox. While a cut-off frame's length is known, the
    /// socket's SO_RCVLOWAT is set to the bytes it still lacks, so the kernel wakes the
    /// loop once for the rest instead of once per piece the server wrote (lws servers
    /// write a frame in pieces of their send size, 1 to 4 kB unless set larger).
    func frames(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard !clients[index].closing else { return 0 }
        let (verdict, lacking) = takeFrames(index, bytes)
        let lowWater = clients[index].closing ? 1 : min(max(lacking, 1), 262_144)
        if lowWater != clients[index].lowWater, let wsi = clients[index].wsi, native?.setLowWater(wsi, bytes: lowWater) == true {
            clients[index].lowWater = lowWater
        }
        return verdict
    }

    /// Returns the callback's verdict and how many bytes the cut-off frame still lacks
    /// (1 when none is waiting or its header is not whole yet).
    private func takeFrames(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> (Int32, Int) {
        var offset = 0
        if !clients[index].inbox.isEmpty {
            var buffered: [UInt8] = []
            swap(&buffered, &clients[index].inbox)
            // Top up to a whole header, then to the whole frame, taking no byte beyond it.
            var frame: WebSocketWire.Header?
            while frame == nil {
                switch buffered.withUnsafeBytes({ WebSocketWire.header($0) }) {
                case .violation(let what):
                    return (protocolError(index, what), 1)
                case .incomplete(let needed):
                    let take = min(needed - buffered.count, bytes.count - offset)
                    buffered.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                    offset += take
                    if buffered.count < needed {
                        clients[index].inbox = buffered
                        return (0, 1)
                    }
                case .header(let header):
                    frame = header
                }
            }
            guard let frame else { return (0, 1) }
            let take = min(frame.frameLength - buffered.count, bytes.count - offset)
            if take > 0 {
                buffered.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                offset += take
            }
            if buffered.count < frame.frameLength {
                let lacking = frame.frameLength - buffered.count
                clients[index].inbox = buffered
                return (0, lacking)
            }
            let going = buffered.withUnsafeBytes { all in
                handleFrame(index, frame, UnsafeRawBufferPointer(rebasing: all[frame.headerLength..<frame.frameLength]))
            }
            // Keep a modest buffer for the next cut-off frame; give a big one back.
            if buffered.capacity > 65_536 { buffered = [] } else { buffered.removeAll(keepingCapacity: true) }
            if clients[index].inbox.isEmpty { clients[index].inbox = buffered }
            guard going else { return (clients[index].closing ? 0 : -1, 1) }
        }
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch WebSocketWire.header(rest) {
            case .violation(let what):
                return (protocolError(index, what), 1)
            case .incomplete:
                clients[index].inbox.appendBytes(rest)
                return (0, 1)
            case .header(let frame):
                guard frame.frameLength <= rest.count else {
                    clients[index].inbox.appendBytes(rest)
                    return (0, frame.frameLength - rest.count)
                }
                let payload = UnsafeRawBufferPointer(rebasing: rest[frame.headerLength..<frame.frameLength])
                guard handleFrame(index, frame, payload) else { return (clients[index].closing ? 0 : -1, 1) }
                offset += frame.frameLength
            }
        }
        return (0, 1)
    }

    /// A message piece from lws's ws client (wss:// only): lws hands over at most
    /// `rx_buffer_size` at a time, and a sender may fragment; a whole one is read in place.
    func received(_ index: Int, _ piece: UnsafeRawBufferPointer, first: Bool, final: Bool) {
        if first && final && !clients[index].fragmented { return message(index, piece) }
        if first { clients[index].partial.removeAll(keepingCapacity: true) }
        clients[index].fragmented = true
        guard clients[index].partial.count + piece.count <= WebSocketWire.maxMessage else {
            clients[index].partial = []
            note("a message over 16 MiB was dropped")
            return
        }
        clients[index].partial.appendBytes(piece)
        if final { deliverReassembled(index) }
    }

    /// The fragments put together are one message: hand it over, keep the buffer for the
    /// next one unless it grew past 256 KiB.
    private func deliverReassembled(_ index: Int) {
        clients[index].fragmented = false
        var whole: [UInt8] = []
        swap(&whole, &clients[index].partial)
        whole.withUnsafeBytes { message(index, $0) }
        if whole.capacity > 262_144 { whole = [] } else { whole.removeAll(keepingCapacity: true) }
        clients[index].partial = whole
    }

    /// One frame. False: read no further (a close came, or the server broke the protocol).
    func handleFrame(_ index: Int, _ frame: WebSocketWire.Header, _ payload: UnsafeRawBufferPointer) -> Bool {
        guard !clients[index].closing else { return false }
        switch frame.opcode {
        case WebSocketWire.Opcode.text, WebSocketWire.Opcode.binary:
            if clients[index].fragmented {
                _ = protocolError(index, "a new message inside a fragmented one")
                return false
            }
            if frame.fin { message(index, payload); return true }
            clients[index].fragmented = true
            clients[index].partial.removeAll(keepingCapacity: true)
            clients[index].partial.appendBytes(payload)
        case WebSocketWire.Opcode.continuation:
            guard clients[index].fragmented else {
                _ = protocolError(index, "a continuation frame without a message")
                return false
            }
            guard clients[index].partial.count + payload.count <= WebSocketWire.maxMessage else {
                _ = protocolError(index, "a message over 16 MiB")
                return false
            }
            clients[index].partial.appendBytes(payload)
            if frame.fin { deliverReassembled(index) }
        case WebSocketWire.Opcode.ping:
            reply(index, .pong(Array(payload)))
        case WebSocketWire.Opcode.close:
            // As lws's WS_PEER_INITIATED_CLOSE was: the code, or 1005 for none. Answered
            // with the same code, then the socket is closed.
            let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
            clients[index].closeCode = code.map(Int.init) ?? 1005
            clients[index].closing = true
            reply(index, .closeReply(code))
            return false
        default:
            // Pongs: nothing to do.
            break
        }
        return true
    }

    /// A control frame's answer, ahead of whatever requests are queued.
    func reply(_ index: Int, _ request: LoadRequest) {
        guard let wsi = clients[index].wsi else { return }
        let idle = !clients[index].hasPending
        clients[index].pushFront(request)
        if idle { native?.wantWritable(wsi) }
    }

    /// The server broke RFC 6455: noted, answered with close 1002 and counted as a
    /// close with that code (lws's ws client closed such a connection too).
    func protocolError(_ index: Int, _ what: String) -> Int32 {
        note("protocol error from the server: \(what)")
        clients[index].closeCode = 1002
        clients[index].closing = true
        reply(index, .closeReply(1002))
        return 0
    }

    func message(_ index: Int, _ frame: UnsafeRawBufferPointer) {
        let role = clients[index].role
        guard index < measured else { return setupMessage(index, frame) }
        let slot = role.rawValue
        totalFrames[slot] &+= 1
        totalBytes[slot] &+= UInt64(frame.count)
        if phase == .traffic {
            trafficFrames[slot] &+= 1
            trafficBytes[slot] &+= UInt64(frame.count)
        }
        switch clients[index].state {
        case .open:
            if FrameScan.contains(FrameScan.welcomeType, in: frame) {
                welcomed(index, frame)
            } else if FrameScan.contains(FrameScan.errorType, in: frame) {
                // A refused hello: the close (4001) that follows is counted as a close.
                let reason = "hello refused: \(FrameScan.errorCode(frame))"
                result.failed += 1
                result.failures[reason, default: 0] += 1
                settle(index)
            }
        case .welcomed:
            if FrameScan.isUpdate(frame) {
                update(index, frame)
            } else if role != .watcher {
                answer(index, frame)
            }
        default:
            break
        }
    }

    func welcomed(_ index: Int, _ frame: UnsafeRawBufferPointer) {
        let now = Monotonic.now()
        clients[index].state = .welcomed
        if config.reconnect { clients[index].epoch = FrameScan.epoch(frame) }
        if clients[index].droppedNs > 0 {
            // Back after a loss: its first welcome stays the one the figures count from.
            result.back += 1
            if FrameScan.contains(FrameScan.recovered, in: frame) { result.recovered += 1 }
            result.backAfter.record(now - clients[index].droppedNs)
            result.lastBackNs = max(result.lastBackNs ?? 0, now)
            clients[index].droppedNs = 0
        } else {
            clients[index].welcomeNs = now
            result.welcomed += 1
            if clients[index].helloNs > 0 { result.welcome.record(now - clients[index].helloNs) }
            result.lastWelcomeNs = max(result.lastWelcomeNs ?? 0, now)
        }
        if let seq = FrameScan.seq(frame) {
            clients[index].lastSeq = seq
        } else {
            note("a welcome without seq")
        }
        if clients[index].role == .voter {
            var votes = [Int8](repeating: 0, count: postIDs.count)
            for (id, value) in FrameScan.myVotes(frame) {
                if let post = postIndex[id] { votes[post] = Int8(clamping: value) }
            }
            clients[index].votes = votes
            clients[index].nextPost = postIDs.isEmpty ? 0 : index % postIDs.count
        }
        settle(index)
    }

    func update(_ index: Int, _ frame: UnsafeRawBufferPointer) {
        let (seq, markers, reactions) = readUpdate(frame)
        if let reactions {
            if index == host { result.reactionsCounted += reactions }
            let sent = clients[index].reactedNs
            if sent > 0, index < measured {
                let now = Monotonic.now()
                result.reactionDelivery.record(now > sent ? now - sent : 0)
                clients[index].reactedNs = 0
            }
        }
        if let seq {
            let last = clients[index].lastSeq
            if last >= 0 && seq != last + 1 {
                if seq > last + 1 {
                    result.missedUpdates += seq - last - 1
                    if !clients[index].hadGap {
                        clients[index].hadGap = true
                        result.clientsWithGaps += 1
                    }
                } else {
                    result.outOfOrder += 1
                }
            }
            if seq > last { clients[index].lastSeq = seq }
        }
        guard !markers.isEmpty else { return }
        let now = Monotonic.now()
        for marker in markers {
            guard marker > clients[index].lastMarker else {
                result.duplicateMarkers += 1
                continue
            }
            clients[index].lastMarker = marker
            if marker > clients[index].welcomeNs { clients[index].markers += 1 }
            result.delivery.record(now > marker ? now - marker : 0)
        }
    }

    /// seq, markers and the reactions counted in an update, from the cache when the same
    /// bytes were read before.
    func readUpdate(_ frame: UnsafeRawBufferPointer) -> (Int64?, [UInt64], Int?) {
        guard let base = frame.baseAddress else { return (nil, [], nil) }
        for entry in updateCache where entry.bytes.count == frame.count {
            let same = entry.bytes.withUnsafeBytes { cached in cached.baseAddress.map { memcmp($0, base, frame.count) == 0 } ?? false }
            if same { return (entry.seq, entry.markers, entry.reactions) }
        }
        let seq = FrameScan.seq(frame)
        let markers = FrameScan.markers(frame)
        let reactions = FrameScan.reactions(frame)
        updateCache.insert((Array(frame), seq, markers, reactions), at: 0)
        if updateCache.count > 4 { updateCache.removeLast() }
        return (seq, markers, reactions)
    }

    /// An ack or error for one of our requests (voters, commenters, the host).
    func answer(_ index: Int, _ frame: UnsafeRawBufferPointer) {
        let ack = FrameScan.contains(FrameScan.ackType, in: frame)
        guard ack || FrameScan.contains(FrameScan.errorType, in: frame) else { return }
        guard let id = FrameScan.requestID(frame), let (sent, kind) = clients[index].inflight.removeValue(forKey: Int(id)) else {
            if !ack { note("an error without a known id: \(FrameScan.errorCode(frame))") }
            return
        }
        if ack {
            requests[kind.rawValue].acked += 1
            let now = Monotonic.now()
            result.ack.record(now > sent ? now - sent : 0)
        } else {
            requests[kind.rawValue].errors[FrameScan.errorCode(frame), default: 0] += 1
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends raw bytes with one copy (a typed buffer takes the contiguous path).
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
}
