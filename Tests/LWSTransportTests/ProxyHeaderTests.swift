import Testing
@testable import LWSTransport

@Suite("PROXY protocol headers")
struct ProxyHeaderTests {
    static func v2(command: UInt8 = 1, family: UInt8 = 0x11, addresses: [UInt8]) -> [UInt8] {
        ProxyHeader.v2Signature + [0x20 | command, family, UInt8(addresses.count >> 8), UInt8(addresses.count & 0xFF)] + addresses
    }

    @Test("version 1: TCP4, TCP6 and UNKNOWN, the length is the line's")
    func v1() {
        let line = Array("PROXY TCP4 198.51.100.7 10.0.0.1 51000 443\r\nGET / HTTP/1.1\r\n".utf8)
        #expect(ProxyHeader.parse(line) == .header(length: 44, client: "198.51.100.7"))
        let six = Array("PROXY TCP6 2001:db8::7 2001:db8::1 51000 443\r\n".utf8)
        #expect(ProxyHeader.parse(six) == .header(length: six.count, client: "2001:db8::7"))
        #expect(ProxyHeader.parse(Array("PROXY UNKNOWN\r\n".utf8)) == .header(length: 15, client: nil))
    }

    @Test("version 2: PROXY over IPv4 and IPv6, LOCAL, and TLVs after the addresses")
    func v2() {
        let four: [UInt8] = [198, 51, 100, 7, 10, 0, 0, 1, 0xC7, 0x38, 0x01, 0xBB]
        #expect(ProxyHeader.parse(Self.v2(addresses: four) + [0x16, 0x03]) == .header(length: 28, client: "198.51.100.7"))
        var six = [UInt8](repeating: 0, count: 36)
        six[0] = 0x20; six[1] = 0x01; six[2] = 0x0D; six[3] = 0xB8; six[15] = 7
        #expect(ProxyHeader.parse(Self.v2(family: 0x21, addresses: six)) == .header(length: 52, client: "2001:db8::7"))
        var mapped = [UInt8](repeating: 0, count: 36)
        mapped[10] = 0xFF; mapped[11] = 0xFF; mapped[12] = 192; mapped[13] = 0; mapped[14] = 2; mapped[15] = 9
        #expect(ProxyHeader.parse(Self.v2(family: 0x21, addresses: mapped)) == .header(length: 52, client: "192.0.2.9"))
        #expect(ProxyHeader.parse(Self.v2(command: 0, family: 0, addresses: [])) == .header(length: 16, client: nil))
        let tlv: [UInt8] = four + [0x01, 0x00, 0x02, 0x68, 0x32]
        #expect(ProxyHeader.parse(Self.v2(addresses: tlv)) == .header(length: 33, client: "198.51.100.7"))
    }

    @Test("a header cut short needs more; anything else is refused, never guessed")
    func partialAndInvalid() {
        let whole = Self.v2(addresses: [198, 51, 100, 7, 10, 0, 0, 1, 0xC7, 0x38, 0x01, 0xBB])
        for cut in [1, 5, 12, 15, 20] { #expect(ProxyHeader.parse(Array(whole.prefix(cut))) == .needMore) }
        #expect(ProxyHeader.parse(Array("PROXY TCP4 198.51".utf8)) == .needMore)
        for bad in ["GET / HTTP/1.1\r\n", "PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n", "PROXY TCP4 198.51.100.7 10.0.0.1 0 443\r\n",
                    "PROXY TCP4 2001:db8::7 10.0.0.1 5 443\r\n", "PROXY TCP4 198.51.100.7 10.0.0.1 5 443\n",
                    "PROXY " + String(repeating: "x", count: 120)] {
            if case .invalid = ProxyHeader.parse(Array(bad.utf8)) {} else { Issue.record("accepted: \(bad.prefix(40))") }
        }
        if case .invalid = ProxyHeader.parse(Self.v2(family: 0x11, addresses: [1, 2, 3])) {} else { Issue.record("short v2 block accepted") }
        var badVersion = whole
        badVersion[12] = 0x11
        if case .invalid = ProxyHeader.parse(badVersion) {} else { Issue.record("v2 with version 1 accepted") }
    }
}
