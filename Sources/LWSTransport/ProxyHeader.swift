/// The PROXY protocol header (HAProxy's, versions 1 and 2) that a TCP proxy puts before
/// the client's own bytes to say whom the connection carries.
enum ProxyHeader {
    /// What the bytes at hand say.
    enum Parse: Equatable {
        /// Not a whole header yet.
        case needMore
        /// Not a PROXY header, or a malformed one: the connection is dropped.
        case invalid(String)
        /// A whole header of `length` bytes; `client` is nil for the proxy's own
        /// connections (v2 LOCAL, v1 UNKNOWN), which carry no client.
        case header(length: Int, client: String?)
    }

    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    static let v1Prefix = Array("PROXY ".utf8)
    /// The longest v1 line (the specification's 107 bytes) and the v2 header we accept
    /// (addresses and a few TLVs).
    static let v1MaxLength = 107
    static let v2MaxLength = 16 + 1024

    static func parse(_ bytes: [UInt8]) -> Parse {
        let v2 = startsWith(bytes, v2Signature), v1 = startsWith(bytes, v1Prefix)
        guard v1 != .no || v2 != .no else { return .invalid("no PROXY protocol header") }
        if v2 == .yes { return parseV2(bytes) }
        if v1 == .yes { return parseV1(bytes) }
        return .needMore
    }

    private enum Prefix { case yes, no, maybe }

    private static func startsWith(_ bytes: [UInt8], _ prefix: [UInt8]) -> Prefix {
        let shared = min(bytes.count, prefix.count)
        guard bytes.prefix(shared).elementsEqual(prefix.prefix(shared)) else { return .no }
        return shared == prefix.count ? .yes : .maybe
    }

    /// `PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n`, or `PROXY UNKNOWN …\r\n`.
    private static func parseV1(_ bytes: [UInt8]) -> Parse {
        let window = bytes.prefix(v1MaxLength)
        if let lf = window.firstIndex(of: 0x0A), window.firstIndex(of: 0x0D).map({ $0 > lf }) ?? true {
            return .invalid("PROXY v1 line not ended by CRLF")
        }
        guard let cr = window.firstIndex(of: 0x0D) else {
            return bytes.count >= v1MaxLength ? .invalid("PROXY v1 line too long") : .needMore
        }
        guard cr + 1 < bytes.count else { return .needMore }
        guard bytes[cr + 1] == 0x0A else { return .invalid("PROXY v1 line not ended by CRLF") }
        let fields = String(decoding: bytes[..<cr], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        if fields.count >= 2, fields[1] == "UNKNOWN" { return .header(length: cr + 2, client: nil) }
        guard fields.count == 6, fields[1] == "TCP4" || fields[1] == "TCP6",
              let source = parseAddress(String(fields[2])), parseAddress(String(fields[3])) != nil,
              source.count == (fields[1] == "TCP4" ? 4 : 16),
              let sourcePort = UInt16(fields[4]), UInt16(fields[5]) != nil, sourcePort > 0
        else { return .invalid("malformed PROXY v1 line") }
        return .header(length: cr + 2, client: formatAddress(source))
    }

    /// 12-byte signature, version and command, family, length, then the addresses.
    private static func parseV2(_ bytes: [UInt8]) -> Parse {
        guard bytes.count >= 16 else { return .needMore }
        let versionCommand = bytes[12], family = bytes[13]
        let length = Int(bytes[14]) << 8 | Int(bytes[15])
        guard versionCommand >> 4 == 2 else { return .invalid("PROXY v2 with an unknown version") }
        guard 16 + length <= v2MaxLength else { return .invalid("PROXY v2 header too long") }
        guard bytes.count >= 16 + length else { return .needMore }
        switch versionCommand & 0x0F {
        case 0:
            return .header(length: 16 + length, client: nil)
        case 1:
            switch family {
            case 0x11 where length >= 12:
                return .header(length: 16 + length, client: formatAddress(Array(bytes[16..<20])))
            case 0x21 where length >= 36:
                // An IPv4-mapped address counts as its IPv4, as everywhere else.
                return .header(length: 16 + length, client: canonicalAddress(formatAddress(Array(bytes[16..<32]))))
            case 0x00:
                return .header(length: 16 + length, client: nil)
            default:
                return .invalid("PROXY v2 with an unsupported family or a short address block")
            }
        default:
            return .invalid("PROXY v2 with an unknown command")
        }
    }
}
