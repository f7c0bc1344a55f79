/// The host's commands for the live meeting: `announce` and `townhall`.
extension Townhall {
    /// Publishes an announcement to everyone.
    mutating func announce(text: String, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "announce")
        let clean = try TextRules.clean(text, field: "announcement text", limit: limits.announcementText)
        announcementCount += 1
        let announcement = Announcement(id: "a\(announcementCount)", text: clean, createdAt: at)
        bulletins.append(announcement)
        return Outcome(result: .announcement(announcement), changes: [.announcement(announcement)])
    }

    /// Starts or ends the live meeting. A given title or stream replaces the stage's (an
    /// empty one clears it), in either state; ending moves the on-air post to `answered`.
    mutating func townhall(state: LiveState, title: String?, stream: String?, by actor: Actor) throws(CoreError) -> Outcome {
        try require(actor, in: [.host], to: "run the townhall")
        var next = stage
        next.state = state
        if let title { next.title = try TextRules.cleanOptional(title, field: "title", limit: limits.title) }
        if let stream { next.stream = try streamURL(stream) }

        var changes: [Change] = []
        if state == .ended, let onAir = stage.onAir {
            if let number = number(of: onAir), store[number - 1].status == .onair {
                store[number - 1].status = .answered
                changes.append(.post(onAir))
                if syncAgenda(store[number - 1]) { changes.append(.agenda) }
            }
            next.onAir = nil
        }
        if next != stage {
            stage = next
            changes.insert(.stage, at: 0)
        }
        return Outcome(result: .done, changes: changes)
    }

    /// An https URL with a host part, no whitespace or control characters, within the
    /// limit; nil for an empty string (clear the stream).
    private func streamURL(_ stream: String) throws(CoreError) -> String? {
        if stream.isEmpty { return nil }
        let scalars = stream.unicodeScalars
        let scheme = "https://"
        guard scalars.count <= limits.stream else {
            throw CoreError(.badRequest, "stream must be at most \(limits.stream) characters")
        }
        guard stream.lowercased().hasPrefix(scheme), scalars.count > scheme.unicodeScalars.count,
              !scalars.contains(where: { $0.properties.isWhitespace || TextRules.isForbidden($0) }) else {
            throw CoreError(.badRequest, "stream must be an https URL without spaces")
        }
        return stream
    }
}
