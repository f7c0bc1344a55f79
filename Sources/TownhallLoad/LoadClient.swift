/// A request waiting for its turn to be written. Frames are built at the moment they are
/// written, so a marker carries the time it actually left and an ack's latency starts there.
enum LoadRequest: Sendable {
    /// The HTTP/1.1 upgrade request, first thing on a connected socket.
    case upgrade
    case hello
    case vote(post: Int, value: Int8)
    case announce
    case comment
    case post
    /// A live reaction: no id, no ack; its count comes back in an update.
    case react
    /// Close with 1000 once everything before it is written (setup connections).
    case close
    /// Answers to the server's control frames; they go to the front of the queue.
    case pong([UInt8])
    /// Answers the server's close frame (echoing its code, nil: none) and closes.
    case closeReply(UInt16?)
}

/// What a request with an id was, for its ack or error.
enum RequestKind: Int, Sendable, Codable, CaseIterable {
    case vote, announce, comment, post

    var name: String {
        switch self {
        case .vote: "votes"
        case .announce: "announcements"
        case .comment: "comments"
        case .post: "posts"
        }
    }
}

/// One simulated connection. Plain values only; kept in one array owned by `LoadRun` and
/// touched on the loop thread only. libwebsockets knows a connection by its index (its
/// opaque user data), never by a Swift object.
struct LoadClient {
    /// `connecting`: TCP (and TLS) under way; `upgrading`: connected, the upgrade
    /// request sent or queued, no verified 101 yet; `open`: a WebSocket, not welcomed yet.
    enum State: Equatable {
        case waiting, connecting, upgrading, open, welcomed, closed, failed
    }

    let role: LoadRole
    let token: String
    /// Index into the source addresses, or nil.
    let source: Int?
    var state = State.waiting
    var wsi: OpaquePointer?
    var connectNs: UInt64 = 0
    /// TCP up (RAW_CONNECTED), verified 101.
    var connectedNs: UInt64 = 0
    var establishedNs: UInt64 = 0
    /// What the server must answer in `Sec-WebSocket-Accept` (set with the request).
    var accept = ""
    var helloNs: UInt64 = 0
    var welcomeNs: UInt64 = 0
    /// The last update's seq (from the welcome on); -1 before the welcome.
    var lastSeq: Int64 = -1
    /// The newest marker seen, to tell a repeat from a new one.
    var lastMarker: UInt64 = 0
    /// Markers received that were sent after this client's welcome.
    var markers = 0
    var hadGap = false
    /// When this client's oldest reaction not yet seen counted in an update was written (0: none).
    var reactedNs: UInt64 = 0
    var closedByUs = false
    /// The close code the server sent (0: none yet).
    var closeCode = 0
    /// Welcomed, failed or closed: no longer holding up the end of the ramp.
    var settled = false
    var pending: [LoadRequest] = []
    var pendingHead = 0
    /// Requests written and not yet answered: id → (written at, kind).
    var inflight: [Int: (UInt64, RequestKind)] = [:]
    var nextID = 1
    /// A voter's current value on each of the run's posts (1, -1, 0).
    var votes: [Int8] = []
    var nextPost = 0
    /// Bytes of a frame (or of the response head) cut off by the end of a read, kept
    /// until the rest arrives. Whole frames are read where lws put them.
    var inbox: [UInt8] = []
    /// A fragmented message being put together, and whether one is under way.
    var partial: [UInt8] = []
    var fragmented = false
    /// The socket's SO_RCVLOWAT as last set (1: the kernel's default).
    var lowWater = 1
    /// The server's close frame came, or it broke the protocol: read nothing more.
    var closing = false
    /// `--reconnect`: the welcome's epoch (JSON string bytes, quotes included), when the
    /// server closed or lost the connection, when to try again, and tries since.
    var epoch: [UInt8]?
    var droppedNs: UInt64 = 0
    var retryNs: UInt64 = 0
    var attempt = 0

    init(role: LoadRole, token: String, source: Int?) {
        self.role = role
        self.token = token
        self.source = source
    }

    var hasPending: Bool { pendingHead < pending.count }

    /// Forgets the lost socket's traffic before connecting again; returns the requests
    /// that were written and will never be answered.
    mutating func resetForReconnect() -> [RequestKind] {
        let lost = inflight.values.map(\.1)
        inflight = [:]
        pending.removeAll(keepingCapacity: true)
        pendingHead = 0
        inbox.removeAll(keepingCapacity: true)
        partial.removeAll(keepingCapacity: true)
        fragmented = false
        closing = false
        closedByUs = false
        closeCode = 0
        lowWater = 1
        wsi = nil
        return lost
    }

    /// The pages' reconnect delay (Web/js/connection.js `backoffDelay`): from 0.25 s up
    /// to a ceiling of 2 s that doubles per try to 30 s, uniformly ("full jitter").
    static func backoffNs(attempt: Int, unit: Double) -> UInt64 {
        let ceiling = min(30.0, 2.0 * Double(1 << min(attempt, 4)))
        return UInt64((0.25 + unit * (ceiling - 0.25)) * 1e9)
    }

    mutating func push(_ request: LoadRequest) {
        pending.append(request)
    }

    /// Control frames go ahead of queued requests (whole frames never interleave).
    mutating func pushFront(_ request: LoadRequest) {
        if pendingHead > 0 {
            pendingHead -= 1
            pending[pendingHead] = request
        } else {
            pending.insert(request, at: 0)
        }
    }

    mutating func pop() -> LoadRequest? {
        guard pendingHead < pending.count else { return nil }
        let request = pending[pendingHead]
        pendingHead += 1
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        return request
    }
}
