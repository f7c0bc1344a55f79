/// The six reactions of PROTOCOL.md §9, by their emoji as sent on the wire.
package enum Reaction: String, Sendable, CaseIterable, Hashable {
    case thumbsUp = "\u{1F44D}"
    case clap = "\u{1F44F}"
    case heart = "\u{2764}\u{FE0F}"
    case laugh = "\u{1F602}"
    case wow = "\u{1F62E}"
    case thinking = "\u{1F914}"

    /// A client's emoji: the heart without its variation selector is the same heart.
    package init?(emoji: String) {
        if emoji == "\u{2764}" {
            self = .heart
        } else {
            self.init(rawValue: emoji)
        }
    }
}
