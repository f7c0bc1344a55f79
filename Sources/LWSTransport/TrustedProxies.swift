import Foundation

/// The company's reverse proxies (`--trusted-proxy CIDR`): only a connection from one of
/// them may say, in `X-Forwarded-For`, whom it carries. Everyone else's header is ignored,
/// so nobody can borrow another address's allowance or hide behind a made-up one.
package struct TrustedProxies: Sendable {
    /// One network: its address bytes and prefix length.
    package struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        /// `10.0.0.0/8`, `192.168.1.7`, `fd00::/8`, `::1`; nil when it is not one.
        package init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = parseAddress(String(parts[0])) else { return nil }
            let width = bytes.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : width
            guard let prefix, (0...width).contains(prefix) else { return nil }
            self.bytes = bytes
            self.prefix = prefix
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var left = prefix
            for (mine, theirs) in zip(bytes, address) where left > 0 {
                let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
                guard mine & mask == theirs & mask else { return false }
                left -= 8
            }
            return true
        }
    }

    package let networks: [Network]

    package init(_ networks: [Network] = []) { self.networks = networks }

    package var isEmpty: Bool { networks.isEmpty }

    /// Whether `address` (text, as the socket or a header gives it) is a trusted proxy.
    package func trusts(_ address: String) -> Bool {
        guard !networks.isEmpty, let bytes = parseAddress(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client behind `peer`: from a trusted proxy, the last hop of `forwardedFor`
    /// that is not itself a trusted proxy (the nearest one the company's proxies did not
    /// add). An unreadable hop ends the walk there: what lies left of it is the client's
    /// own say and proves nothing. From anyone else, or with no header, the peer itself.
    package func client(peer: String, forwardedFor: String?) -> String {
        guard let forwardedFor, trusts(peer) else { return peer }
        var client = peer
        for hop in forwardedFor.split(separator: ",").reversed() {
            guard let address = Self.hopAddress(hop) else { break }
            client = address
            if !trusts(address) { break }
        }
        return client
    }

    /// A hop as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or
    /// `[2001:db8::1]:5678`; normalised, so one address is one key.
    static func hopAddress(_ hop: Substring) -> String? {
        var text = hop.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<end])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        return canonicalAddress(text)
    }
}

/// IPv4 (4 bytes) or IPv6 (16 bytes); an IPv4-mapped IPv6 address counts as its IPv4.
func parseAddress(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
        return withUnsafeBytes(of: &v4) { Array($0) }
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
    let bytes = withUnsafeBytes(of: &v6) { Array($0) }
    if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
    return bytes
}

/// An address's one text form (IPv4-mapped IPv6 as IPv4, IPv6 compressed and lower
/// case), so one client is one key; nil when it is not an address.
func canonicalAddress(_ text: String) -> String? {
    parseAddress(text).map(formatAddress)
}

/// The canonical text of an address from `parseAddress`.
func formatAddress(_ bytes: [UInt8]) -> String {
    var text = [CChar](repeating: 0, count: 64)
    let family = bytes.count == 4 ? AF_INET : AF_INET6
    _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
