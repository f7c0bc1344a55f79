import TownhallProtocol
import TownhallTransport

/// Where a dynamic HTTP response is: being made, its headers due, or its body due. Each
/// step is written in a writable callback of its own (one `lws_write` per callback).
enum HTTPReply {
    case waiting(UInt64)
    case headers(HTTPResponse)
    case body([UInt8])
}

/// The transport's view of one WebSocket: its socket, its output queue, the message
/// being reassembled, and how it is to be closed.
///
/// A class, so a frame is queued in place: a struct in the connections table would be
/// copied out and back, and its queue's storage copied on write, for every frame.
final class Connection {
    let id: ConnectionID
    let wsi: OpaquePointer
    var output: OutputQueue
    /// The text message being reassembled from fragments.
    var incoming: [UInt8] = []
    /// Set once a close was decided: the queue drains, then the socket closes with it.
    var closing: (code: CloseCode, reason: String)?
    var cause: CloseCause = .peer
    /// A conformance-test echo connection: the relay never hears of it.
    var echo = false
    /// The peer sent its close: nothing may be written outside lws' own turn now.
    var peerClosed = false
    /// Frames may go straight to the socket: not an echo connection (whose frames must
    /// queue behind the pongs lws owes, as the conformance suite checks) and not closing.
    var writesDirectly: Bool { !echo && !peerClosed }

    init(id: ConnectionID, wsi: OpaquePointer, output: OutputQueue) {
        self.id = id
        self.wsi = wsi
        self.output = output
    }
}
