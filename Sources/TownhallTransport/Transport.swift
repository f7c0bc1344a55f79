// The seam between the hub and whatever carries its bytes: what a transport offers the
// relay, what it reports back, and the frames between them. Its own module, so a
// transport links neither the hub nor its sign-in, journal or reports.
import Foundation
import TownhallProtocol

/// A connection's number, unique for the life of the process.
package typealias ConnectionID = UInt64

/// Bytes ready to go out as one text frame, encoded once and shared by every connection
/// it is queued on. `headroom` bytes in front of the payload are the transport's to use
/// (libwebsockets writes the frame header there), so fan-out copies nothing.
///
/// Sendable because it is handed to one service thread at a time: a frame for another
/// thread is a `copy`, so no two threads ever write into the same buffer.
package final class OutboundFrame: @unchecked Sendable {
    package let headroom: Int
    /// `headroom` spare bytes, then the payload.
    package var storage: [UInt8]
    /// What kind of WebSocket frame it goes as.
    package var kind = Kind.text

    package enum Kind: Sendable {
        case text
        /// Only the transport's echo endpoint sends these.
        case binary
        /// A control frame the transport sends to a quiet connection.
        case ping
    }

    package init(_ payload: [UInt8], headroom: Int) {
        self.headroom = headroom
        var storage = [UInt8](repeating: 0, count: headroom)
        storage.reserveCapacity(headroom + payload.count)
        storage.append(contentsOf: payload)
        self.storage = storage
    }

    /// The frame's payload size in bytes.
    package var count: Int { storage.count - headroom }

    /// The payload, for tests and logs of sizes.
    package var payload: ArraySlice<UInt8> { storage[headroom...] }

    /// Another frame with the same bytes, for another service thread to write.
    package func copy() -> OutboundFrame {
        let copy = OutboundFrame(storage: storage, headroom: headroom)
        copy.kind = kind
        return copy
    }

    private init(storage: [UInt8], headroom: Int) {
        self.headroom = headroom
        self.storage = storage
    }
}

/// What the relay needs from the network: queue a frame, close a connection. Called on
/// the service thread only.
package protocol Transport: AnyObject {
    /// Spare bytes the transport wants in front of every frame's payload.
    var frameHeadroom: Int { get }
    /// Queues a reply (welcome, ack, error, a resume's missed updates) for a connection;
    /// a connection that cannot keep up is closed with 4009 by the transport, which then
    /// reports `.tooSlow`. Replies go out before updates queued earlier.
    func send(_ frame: OutboundFrame, to connection: ConnectionID)
    /// Queues one update for every member, behind each member's replies.
    func broadcast(_ frame: OutboundFrame, to members: Set<ConnectionID>)
    /// Connections with updates queued on them, not yet written (their readers are
    /// behind): when that is more than a few, the next update should wait a little.
    var backlogged: Int { get }
    /// Connections the fan-outs under way have not reached yet (the server is behind):
    /// the next update waits until they are done, carrying more.
    var unreached: Int { get }
    /// Sends what is already queued, then closes with `code`.
    func close(_ connection: ConnectionID, code: CloseCode, reason: String)
}

extension Transport {
    package func broadcast(_ frame: OutboundFrame, to members: Set<ConnectionID>) {
        for member in members { send(frame, to: member) }
    }

    package var backlogged: Int { 0 }

    package var unreached: Int { 0 }
}

/// Runs work on the service thread. The only way in from other threads (token checks,
/// the journal writer). Runs `work` inline when already on the service thread.
package protocol ServiceExecutor: Sendable {
    func execute(_ work: @escaping @Sendable () -> Void)
}

/// Why a connection ended.
package enum CloseCause: Sendable {
    /// The peer closed or the socket failed.
    case peer
    /// The relay asked for the close.
    case server
    /// Its output queue overflowed (closed with 4009).
    case tooSlow
}

/// A plain HTTP request, as far as the relay cares.
package struct HTTPRequest: Sendable {
    package var method: String
    package var path: String
    package var query: String
    /// The `Authorization` header, if any.
    package var authorization: String?
    /// The `Cookie` header, if any (sign-in's session).
    package var cookie: String?

    package init(method: String = "GET", path: String, query: String = "", authorization: String? = nil, cookie: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
        self.cookie = cookie
    }

    /// One query parameter, percent-decoded (`+` is a space).
    package func parameter(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    /// One cookie's value.
    package func cookie(_ name: String) -> String? {
        for part in (cookie ?? "").split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name { return String(pair[1]) }
        }
        return nil
    }
}

/// A complete HTTP response with a small body.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var contentType: String
    package var body: [UInt8]
    /// More headers (`Location`, `Set-Cookie`), names in lower case.
    package var headers: [(name: String, value: String)] = []

    package init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}

/// Dynamic HTTP paths served by something beside the relay (sign-in's `/auth/…`).
package protocol HTTPRoutes: Sendable {
    func handles(_ path: String) -> Bool
    /// Runs off the service thread.
    func respond(to request: HTTPRequest) async -> HTTPResponse
}

/// What the transport reports to its owner, on the service thread.
package protocol TransportHandler: AnyObject {
    /// A WebSocket connection was accepted. `peer` is the remote address.
    func connectionOpened(_ connection: ConnectionID, peer: String)
    /// One complete text message arrived (already checked for size and UTF-8 by a real
    /// transport; the relay checks again so any transport gets the same rules).
    func received(_ bytes: [UInt8], from connection: ConnectionID)
    /// The connection is gone; nothing more may be sent to it.
    func connectionClosed(_ connection: ConnectionID, cause: CloseCause)
    /// The periodic tick (every `tickMilliseconds`).
    func tick()
    /// Answers a dynamic HTTP path by calling `reply` once, at once or later on the
    /// service thread (an export is built off it); false lets the transport serve a
    /// static file instead.
    func respond(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool
    /// Whether `respond` answers this path (not a static file). Called from any service
    /// thread: it reads nothing but the path.
    func isDynamic(_ path: String) -> Bool
}
