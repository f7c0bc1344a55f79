import Foundation

/// The client side of RFC 6455 as the load generator speaks it over libwebsockets' RAW
/// client sockets: the HTTP/1.1 upgrade (request, response check) and frame headers.
/// lws only moves bytes; nothing here walks a payload byte by byte except the masking of
/// our own small frames.
enum WebSocketWire {
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    static let subprotocol = "townhall.v1"
    /// The longest response head read before giving up on the upgrade.
    static let maxHead = 16_384
    /// Longer messages (one frame or all fragments together) are a protocol error.
    static let maxMessage = 16 << 20
    static let headEnd = Array("\r\n\r\n".utf8)

    enum Opcode {
        static let continuation: UInt8 = 0x0
        static let text: UInt8 = 0x1
        static let binary: UInt8 = 0x2
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
        static let pong: UInt8 = 0xA
    }

    /// The upgrade request minus the key: what comes before it and what after.
    struct RequestTemplate {
        let head: [UInt8]
        let tail: [UInt8]

        init(path: String, host: String) {
            head = Array((
                "GET \(path) HTTP/1.1\r\n" +
                "Host: \(host)\r\n" +
                "Upgrade: websocket\r\n" +
                "Connection: Upgrade\r\n" +
                "Sec-WebSocket-Key: "
            ).utf8)
            tail = Array((
                "\r\n" +
                "Sec-WebSocket-Version: 13\r\n" +
                "Sec-WebSocket-Protocol: \(WebSocketWire.subprotocol)\r\n" +
                "\r\n"
            ).utf8)
        }

        func request(key: String) -> [UInt8] { head + Array(key.utf8) + tail }
    }

    /// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64.
    static func key<R: RandomNumberGenerator>(using random: inout R) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        return Data(bytes).base64EncodedString()
    }

    /// What the server must answer in `Sec-WebSocket-Accept`: base64(SHA-1(key + GUID)).
    static func accept(key: String) -> String {
        Data(LoadNative.sha1(Array((key + acceptGUID).utf8))).base64EncodedString()
    }

    /// Checks a response head (status line and headers, without the blank line). Nil if
    /// it is a good upgrade; else why not, in libwebsockets' own words (lib/roles/ws/
    /// client-ws.c in 4.1.6), so the failure counts read as they did on lws' ws client.
    static func refusal(ofHead head: UnsafeRawBufferPointer, accept: String) -> String? {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return "HS: ws upgrade response not 101" }
        let status = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard status.count >= 2, status[0].hasPrefix("HTTP/1."), let code = Int(status[1]) else {
            return "HS: ws upgrade response not 101"
        }
        if code == 401 { return "HS: ws upgrade unauthorized" }
        if code != 101 { return "HS: ws upgrade response not 101" }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            // Repeated headers join with commas (RFC 9110 §5.3).
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        guard let gotAccept = headers["sec-websocket-accept"], !gotAccept.isEmpty else { return "HS: ACCEPT missing" }
        guard let upgrade = headers["upgrade"] else { return "HS: UPGRADE missing" }
        if upgrade.lowercased() != "websocket" { return "HS: Upgrade to something other than websocket" }
        let connection = (headers["connection"] ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if !connection.contains("upgrade") { return "HS: UPGRADE malformed" }
        if let chosen = headers["sec-websocket-protocol"], chosen != subprotocol { return "HS: PROTOCOL malformed" }
        if let extensions = headers["sec-websocket-extensions"], !extensions.isEmpty { return "HS: EXT: unknown ext" }
        if gotAccept != accept { return "HS: Accept hash wrong" }
        return nil
    }

    /// One frame header as the server sent it.
    struct Header: Equatable {
        var fin: Bool
        var opcode: UInt8
        var headerLength: Int
        var payloadLength: Int
        var frameLength: Int { headerLength + payloadLength }
    }

    enum HeaderParse: Equatable {
        /// Not all of the header is there yet; `needed` bytes in all would do.
        case incomplete(needed: Int)
        case header(Header)
        case violation(String)
    }

    /// Reads a frame header at the start of `bytes`: FIN, opcode, a 7-, 16- or 64-bit
    /// length. Servers never mask (RFC 6455 §5.1), no extension was agreed (so no RSV
    /// bits), and control frames are whole and at most 125 bytes.
    static func header(_ bytes: UnsafeRawBufferPointer) -> HeaderParse {
        guard bytes.count >= 2 else { return .incomplete(needed: 2) }
        let first = bytes[0], second = bytes[1]
        if first & 0x70 != 0 { return .violation("a frame with RSV bits set (no extension was agreed)") }
        if second & 0x80 != 0 { return .violation("a masked frame from the server") }
        let opcode = first & 0x0F
        let fin = first & 0x80 != 0
        var length = Int(second & 0x7F)
        var headerLength = 2
        if length == 126 {
            guard bytes.count >= 4 else { return .incomplete(needed: 4) }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            headerLength = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return .incomplete(needed: 10) }
            var value: UInt64 = 0
            for index in 2..<10 { value = value << 8 | UInt64(bytes[index]) }
            guard value <= UInt64(maxMessage) else { return .violation("a frame over 16 MiB") }
            length = Int(value)
            headerLength = 10
        }
        switch opcode {
        case Opcode.continuation, Opcode.text, Opcode.binary:
            break
        case Opcode.close, Opcode.ping, Opcode.pong:
            if !fin || length > 125 { return .violation("a fragmented or over-long control frame") }
        default:
            return .violation("a frame with the unknown opcode \(opcode)")
        }
        return .header(Header(fin: fin, opcode: opcode, headerLength: headerLength, payloadLength: length))
    }

    /// The length of a client frame's header (with the 4-byte mask) for a payload.
    static func clientHeaderLength(payload: Int) -> Int {
        payload <= 125 ? 6 : payload <= 65_535 ? 8 : 14
    }

    /// Writes a masked client frame (FIN set) into `out`, which holds
    /// `clientHeaderLength(payload:) + payload.count` bytes; returns that length.
    static func writeClientFrame(opcode: UInt8, payload: UnsafeRawBufferPointer, mask: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let count = payload.count
        out[0] = 0x80 | opcode
        var at = 2
        if count <= 125 {
            out[1] = 0x80 | UInt8(count)
        } else if count <= 65_535 {
            out[1] = 0x80 | 126
            out[2] = UInt8(count >> 8)
            out[3] = UInt8(count & 0xFF)
            at = 4
        } else {
            out[1] = 0x80 | 127
            for index in 0..<8 { out[2 + index] = UInt8(truncatingIfNeeded: UInt64(count) >> (56 - 8 * index)) }
            at = 10
        }
        let key = (UInt8(mask >> 24), UInt8(mask >> 16 & 0xFF), UInt8(mask >> 8 & 0xFF), UInt8(mask & 0xFF))
        out[at] = key.0
        out[at + 1] = key.1
        out[at + 2] = key.2
        out[at + 3] = key.3
        at += 4
        // Our frames are small (about 100 bytes, a hello a few hundred): byte by byte is fine.
        for index in 0..<count {
            let byte: UInt8
            switch index & 3 {
            case 0: byte = key.0
            case 1: byte = key.1
            case 2: byte = key.2
            default: byte = key.3
            }
            out[at + index] = payload[index] ^ byte
        }
        return at + count
    }
}

/// A small fast generator (xorshift64*) for masks and keys, seeded from the system's.
/// Masks only have to be unpredictable to intermediaries, not secret.
struct FastRandom: RandomNumberGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next() | 1
    }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
