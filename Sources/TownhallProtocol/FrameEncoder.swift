import Foundation
import TownhallJSON

/// Turns server messages into frame bytes. One per service thread: JSONEncoder is a
/// class and not meant to be shared across threads.
package final class FrameEncoder {
    private let encoder: JSONEncoder

    package init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    }

    /// Encodes a message: the frequent ones write their own JSON (`JSONWritable`), the
    /// rest go through JSONEncoder. Our own message types always encode; a failure is a
    /// bug, reported as an `internal` error frame rather than a crash.
    package func encode(_ message: some Encodable) -> [UInt8] {
        if let writable = message as? any JSONWritable, (message as? Ack)?.isWritable ?? true {
            var json = JSONWriter()
            writable.write(to: &json)
            return json.bytes
        }
        return encodeWithFoundation(message)
    }

    /// The Encodable form, always (what the written JSON is checked against).
    package func encodeWithFoundation(_ message: some Encodable) -> [UInt8] {
        do {
            return Array(try encoder.encode(message))
        } catch {
            return Array(#"{"type":"error","code":"internal","message":"the server could not encode a reply"}"#.utf8)
        }
    }
}
