import Foundation

/// Turns server messages into frame bytes. One per service thread: JSONEncoder is a
/// class and not meant to be shared across threads.
package final class FrameEncoder {
    private let encoder: JSONEncoder

    package init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    }

    /// Encodes a message. Our own message types always encode; a failure is a bug,
    /// reported as an `internal` error frame rather than a crash.
    package func encode(_ message: some Encodable) -> [UInt8] {
        do {
            return Array(try encoder.encode(message))
        } catch {
            return Array(#"{"type":"error","code":"internal","message":"the server could not encode a reply"}"#.utf8)
        }
    }
}
