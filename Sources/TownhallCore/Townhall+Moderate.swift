/// The `moderate` command.
extension Townhall {
    /// Sets a post's status and, when given, its note. A non-nil note that is empty after
    /// trimming clears the note; a nil note leaves it as it was. Putting a post on air
    /// moves any other on-air post to `answered`, so at most one is on air.
    mutating func moderate(post id: String, status: PostStatus, note: String?, by actor: Actor) throws(CoreError) -> Outcome {
        try require(actor, in: [.moderator, .host], to: "moderate posts")
        guard status != .pending, status != .merged else {
            throw CoreError(.badRequest, "a post cannot be set to \(status.rawValue)\(status == .merged ? " (use merge)" : "")")
        }
        var cleanNote: String?
        if let note { cleanNote = try TextRules.cleanOptional(note, field: "note", limit: limits.note) }
        guard let number = number(of: id), !store[number - 1].isErased else { throw CoreError(.notFound, "no such post") }

        if store[number - 1].status == .merged {
            guard status == .open else { throw CoreError(.conflict, "a merged post can only be split off again, by setting it open") }
            let changes = unmerge(number: number)
            if note != nil { store[number - 1].note = cleanNote }
            return Outcome(result: .done, changes: changes)
        }
        var post = store[number - 1]
        let wasPending = post.status == .pending
        let wasPublic = !post.status.isHiddenFromEmployees
        let newNote = note == nil ? post.note : cleanNote
        if post.status == status && post.note == newNote {
            return Outcome(result: .done, changes: [])
        }
        post.status = status
        post.note = newNote
        store[number - 1] = post
        var changes: [Change] = [.post(id)]
        if wasPending, status != .pending { changes.append(.reviewed(id, approved: status != .hidden && status != .dismissed)) }
        if wasPublic && status.isHiddenFromEmployees { changes.append(.withdrawn(id)) }
        if syncAgenda(post) { changes.append(.agenda) }

        var onAir = stage.onAir
        if status == .onair {
            if let previous = onAir, previous != id, let other = self.number(of: previous),
               store[other - 1].status == .onair {
                store[other - 1].status = .answered
                changes.append(.post(previous))
                if syncAgenda(store[other - 1]) { changes.append(.agenda) }
            }
            onAir = id
        } else if onAir == id {
            onAir = nil
        }
        if onAir != stage.onAir {
            stage.onAir = onAir
            changes.append(.stage)
        }
        return Outcome(result: .done, changes: changes)
    }
}
