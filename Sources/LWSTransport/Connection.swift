import TownhallProtocol
import TownhallTransport

/// Where a dynamic HTTP response is: being made, its headers due, or its body due. Each
/// step is written in a writable callback of its own (one `lws_write` per callback).
enum HTTPReply {
    case waiting(UInt64)
    case headers(HTTPResponse)
    case body([UInt8])
}

/// The transport's view of one WebSocket: its output queue, the message being
/// reassembled, and how it is to be closed.
struct Connection {
    let id: ConnectionID
    var output: OutputQueue
    /// The text message being reassembled from fragments.
    var incoming: [UInt8] = []
    /// Set once a close was decided: the queue drains, then the socket closes with it.
    var closing: (code: CloseCode, reason: String)?
    var cause: CloseCause = .peer
    /// A conformance-test echo connection: the relay never hears of it.
    var echo = false

    init(id: ConnectionID, output: OutputQueue) {
        self.id = id
        self.output = output
    }
}
