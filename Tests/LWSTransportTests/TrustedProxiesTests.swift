import Testing
@testable import LWSTransport

@Suite("Trusted proxies and X-Forwarded-For")
struct TrustedProxiesTests {
    let proxies = TrustedProxies(["10.0.0.0/8", "fd00::/8", "192.0.2.7"].compactMap(TrustedProxies.Network.init))

    @Test("networks match by prefix, in both families")
    func networks() {
        #expect(proxies.trusts("10.200.3.4"))
        #expect(!proxies.trusts("11.0.0.1"))
        #expect(proxies.trusts("192.0.2.7") && !proxies.trusts("192.0.2.8"))
        #expect(proxies.trusts("fd12::1") && !proxies.trusts("fe80::1"))
        #expect(proxies.trusts("::ffff:10.1.1.1"), "an IPv4-mapped address is its IPv4")
        #expect(!proxies.trusts("not an address"))
        #expect(TrustedProxies.Network("10.0.0.0/33") == nil && TrustedProxies.Network("10.0.0/8") == nil)
        #expect(TrustedProxies.Network("::/0") != nil && TrustedProxies.Network("fd00::/129") == nil)
    }

    @Test("the client is the last hop the company's proxies did not add")
    func lastUntrustedHop() {
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "203.0.113.9") == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "6.6.6.6, 203.0.113.9, 10.1.1.1") == "203.0.113.9",
                "what the client wrote itself (left) is not believed")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "203.0.113.9:51000") == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "[2001:db8::1]:443") == "2001:db8::1")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "2001:DB8:0::1") == "2001:db8::1", "normalised")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "10.3.3.3, 10.1.1.1") == "10.3.3.3",
                "all hops trusted: the furthest")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: "203.0.113.9, garbage") == "10.0.0.5",
                "an unreadable nearest hop: the proxy itself")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: nil) == "10.0.0.5")
    }

    @Test("anyone else's header is ignored")
    func untrustedPeer() {
        #expect(proxies.client(peer: "203.0.113.50", forwardedFor: "198.51.100.1") == "203.0.113.50")
        #expect(TrustedProxies().client(peer: "10.0.0.5", forwardedFor: "198.51.100.1") == "10.0.0.5")
    }
}
