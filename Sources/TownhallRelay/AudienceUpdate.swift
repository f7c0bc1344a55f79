import TownhallProtocol

/// One audience's next update, from which each form is made (docs/PROTOCOL-NOTES.md):
/// PROTOCOL.md §5's full update, the orderings that moved, and the changed posts that
/// clients may take as counts.
struct AudienceUpdate {
    var full: Update
    /// Only the orderings that moved; nil when none did.
    var rankChanges: WireRanks?
    /// Posts in `full.posts` whose only change is their counts, and which every client holds.
    var counts: [String: WireCounts] = [:]

    /// `form`, with full wherever this update is the same in both ways: the form whose
    /// bytes a client of `form` gets, so equal updates are encoded once.
    func effective(_ form: UpdateForm) -> UpdateForm {
        let ranksDiffer = rankChanges.map { !$0.isComplete } ?? false
        return UpdateForm(ranks: ranksDiffer ? form.ranks : .full, posts: counts.isEmpty ? .full : form.posts)
    }

    /// The update as a client of `form` takes it.
    func update(in form: UpdateForm) -> Update {
        var update = full
        if form.ranks == .changes, let rankChanges { update.ranks = rankChanges }
        if form.posts == .counts, !counts.isEmpty {
            let whole = (full.posts ?? []).filter { counts[$0.id] == nil }
            update.posts = whole.isEmpty ? nil : whole
            update.counts = counts
        }
        return update
    }
}
