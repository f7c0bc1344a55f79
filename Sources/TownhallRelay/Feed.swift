import TownhallCore
import TownhallProtocol

/// Per audience: the update sequence, the updates kept for resume (one ring per update
/// form, `UpdateForm.index`), the ranks last sent and the posts every client holds.
struct Feed {
    var seq: Int64 = 0
    var rings: [ResumeRing]
    var lastRanks = Ranks()
    /// Orderings a welcome since the last update showed differently from `lastRanks` (it
    /// shows state newer than its seq): the next update carries them even if they are
    /// back to `lastRanks` by then, so those clients do not keep the newer ids.
    var ranksAhead: Set<Ordering> = []
    /// Posts every client of this audience holds, however it came (the updates so far, or
    /// a welcome since the last one): those named in `lastRanks` and in every welcome
    /// since. Only these may go as counts; a post named in the ranks and not here goes
    /// whole, so no client holds an id in its ranks without the post.
    var held: Set<String> = []
    /// The shared part of a full welcome, for the epoch and state version it was made at.
    var welcome: (epoch: String, version: Int, seq: Int64, template: WelcomeTemplate)?

    /// A feed whose clients will hold `ranks` and their posts (every welcome carries them).
    init(resumeCapacity: Int, resumeBytes: Int, ranks: Ranks) {
        rings = UpdateForm.allCases.map { _ in ResumeRing(capacity: resumeCapacity, maxBytes: resumeBytes) }
        lastRanks = ranks
        held = ranks.ids
    }
}
