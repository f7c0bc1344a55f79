/// Whether the live townhall is running.
package enum LiveState: String, Codable, Sendable {
    case live, ended
}

/// The live meeting: its state, title, video stream and the post being answered now.
package struct Stage: Codable, Sendable, Equatable {
    package var state: LiveState
    package var title: String?
    /// An https URL of the company's video stream or player.
    package var stream: String?
    /// The post whose status is `onair`, if any (at most one).
    package var onAir: String?

    package init(state: LiveState = .ended, title: String? = nil, stream: String? = nil, onAir: String? = nil) {
        self.state = state
        self.title = title
        self.stream = stream
        self.onAir = onAir
    }
}

/// A weekly cycle: posts belong to the cycle they were made in.
package struct Cycle: Codable, Sendable, Equatable {
    package var id: Int
    /// Milliseconds since the Unix epoch.
    package var startedAt: Int64

    package init(id: Int, startedAt: Int64) {
        self.id = id
        self.startedAt = startedAt
    }
}
