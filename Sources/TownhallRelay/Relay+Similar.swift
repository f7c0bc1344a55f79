import TownhallCore
import TownhallProtocol
import TownhallTransport

extension Relay {
    // TEMPORARY until the index lands.
    func similar(_ text: String, id: JSONValue?, to connection: ConnectionID, as actor: Actor) {
        reject(connection, ErrorReply(id: id, code: .unavailable, message: "not yet"))
    }
}
