import TownhallCore
import TownhallProtocol
import TownhallTransport

/// One WebSocket connection as the relay sees it: a small state machine from "waiting
/// for hello" to "ready", plus what abuse control needs.
package struct Session: Sendable {
    package enum Phase: Sendable {
        /// Connected; the first message must be `hello` within the hello timeout.
        case awaitingHello
        /// `hello` arrived; its token is being checked off the service thread.
        case authenticating
        /// Signed in: receives updates of its audience.
        case ready(Actor)
        /// Being closed; everything it sends is ignored.
        case closing
    }

    package let id: ConnectionID
    package let peer: String
    /// Monotonic ms when the connection opened.
    package let openedAt: Int64
    package var phase: Phase = .awaitingHello
    /// When the token stops being valid (seconds since the epoch); a fresh `token` moves it.
    package var expires: Double = .infinity
    /// Signed in with a room screen's read-only token: requests that change anything are refused.
    package var readOnly = false
    /// How this client takes updates (ranks, changed posts), as its hello asked.
    package var form: UpdateForm = .full
    /// Frames that arrived while the token was being checked, handled after `welcome`.
    package var early: [[UInt8]] = []
    /// Monotonic ms of the last `rate_limited` for dropped reactions (at most one a second).
    package var reactionRefusedAt: Int64 = .min / 2
    /// Monotonic ms of recent error replies, for the abuse close (4008).
    package var strikes: [Int64] = []

    package init(id: ConnectionID, peer: String, openedAt: Int64) {
        self.id = id
        self.peer = peer
        self.openedAt = openedAt
    }

    /// The signed-in user, once ready.
    package var actor: Actor? {
        if case .ready(let actor) = phase { actor } else { nil }
    }
}
