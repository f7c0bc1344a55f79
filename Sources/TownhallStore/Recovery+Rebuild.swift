import TownhallCore

extension Recovery {
    /// The state this recovery describes: the snapshot (or an empty townhall whose first
    /// cycle starts at `startedAt`) with the journal's records replayed on top.
    /// `refused` counts records the core turned down on replay, which should be none.
    ///
    /// A new data folder gets a snapshot at once (see `Serve`), so the first cycle's
    /// start, which the hot ordering counts from, survives restarts.
    package func rebuild(startedAt: Int64, limits: Limits = Limits()) -> (townhall: Townhall, refused: Int) {
        var townhall = snapshot.map { Townhall(snapshot: $0, limits: limits) }
            ?? Townhall(limits: limits, startedAt: records.first?.at ?? startedAt)
        var refused = 0
        for record in records {
            do throws(CoreError) { _ = try townhall.apply(record) } catch { refused += 1 }
        }
        return (townhall, refused)
    }
}
