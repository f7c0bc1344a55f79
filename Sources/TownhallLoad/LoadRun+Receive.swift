#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What arrives. Watchers never decode: they count, find `"seq":` and `"mark:` with
/// memmem, and read the numbers by hand; an update that is byte for byte one already
/// read (the server sends one encoding to a whole audience) is not read again.
extension LoadRun {
    /// A message may come in pieces (lws hands over at most `rx_buffer_size` at a time,
    /// and a sender may fragment); a whole one is read in place, without a copy.
    func received(_ index: Int, _ piece: UnsafeRawBufferPointer, first: Bool, final: Bool) {
        if first && final && clients[index].partial.isEmpty { return message(index, piece) }
        if first { clients[index].partial.removeAll(keepingCapacity: true) }
        guard clients[index].partial.count + piece.count <= 16 << 20 else {
            clients[index].partial = []
            note("a message over 16 MiB was dropped")
            return
        }
        clients[index].partial.append(contentsOf: piece)
        guard final else { return }
        let whole = clients[index].partial
        // Keep a modest buffer for the next one; give a big one back.
        if whole.count > 262_144 { clients[index].partial = [] } else { clients[index].partial.removeAll(keepingCapacity: true) }
        whole.withUnsafeBytes { message(index, $0) }
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
                reply(index, frame)
            }
        default:
            break
        }
    }

    func welcomed(_ index: Int, _ frame: UnsafeRawBufferPointer) {
        let now = Monotonic.now()
        clients[index].state = .welcomed
        clients[index].welcomeNs = now
        result.welcomed += 1
        if clients[index].helloNs > 0 { result.welcome.record(now - clients[index].helloNs) }
        result.lastWelcomeNs = max(result.lastWelcomeNs ?? 0, now)
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
        let (seq, markers) = readUpdate(frame)
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

    /// seq and markers of an update, from the cache when the same bytes were read before.
    func readUpdate(_ frame: UnsafeRawBufferPointer) -> (Int64?, [UInt64]) {
        guard let base = frame.baseAddress else { return (nil, []) }
        for entry in updateCache where entry.bytes.count == frame.count {
            let same = entry.bytes.withUnsafeBytes { cached in cached.baseAddress.map { memcmp($0, base, frame.count) == 0 } ?? false }
            if same { return (entry.seq, entry.markers) }
        }
        let seq = FrameScan.seq(frame)
        let markers = FrameScan.markers(frame)
        updateCache.insert((Array(frame), seq, markers), at: 0)
        if updateCache.count > 4 { updateCache.removeLast() }
        return (seq, markers)
    }

    /// An ack or error for one of our requests (voters, commenters, the host).
    func reply(_ index: Int, _ frame: UnsafeRawBufferPointer) {
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
