import ArgumentParser
import Foundation
import LWSTransport
import TownhallRelay

/// `serve`'s options for TLS, single sign-on, origins and connection limits.
struct SecurityOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: "PEM certificate: serve https and wss (TLS 1.2+).") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("origin"), help: "An Origin allowed to open the WebSocket (repeatable); default: the page's own.")
    var origins: [String] = []
    @Option(name: .customLong("sso-jwks"), help: "JWKS file of the identity provider (RS256, ES256 keys).") var ssoJWKS: String?
    @Option(name: .customLong("sso-key"), help: "PEM public key of the identity provider (RSA or EC P-256).") var ssoKey: String?
    @Option(name: .customLong("sso-issuer"), help: "The iss that SSO tokens must carry.") var ssoIssuer: String?
    @Option(name: .customLong("sso-audience"), help: "A value SSO tokens' aud must contain.") var ssoAudience: String?
    @Option(name: .customLong("max-conns-per-address"), help: "Open connections from one address.") var maxConnsPerAddress = 2000
    @Option(name: .customLong("max-new-conns-per-address"), help: "New connections a second from one address.")
    var maxNewConnsPerAddress = 200
    @Option(name: .customLong("trusted-proxy"),
            help: "A reverse proxy's address or network (CIDR, repeatable) whose X-Forwarded-For names the client.")
    var trustedProxy: [String] = []
    @Flag(name: .customLong("proxy-protocol"),
          help: "Trusted proxies send a PROXY protocol header (v1 or v2) before each connection, naming the client.")
    var proxyProtocol = false
    @Option(name: .customLong("max-conns-per-user"), help: "Open connections of one user.") var maxConnsPerUser = 20
    @Option(name: .customLong("echo-path"), help: ArgumentHelp("Serve an unauthenticated WebSocket echo at this path, for conformance tests only.", visibility: .hidden))
    var echoPath: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if ssoJWKS != nil || ssoKey != nil {
            guard ssoIssuer != nil, ssoAudience != nil else {
                throw ValidationError("single sign-on needs --sso-issuer and --sso-audience")
            }
        }
        for origin in origins where !(origin.hasPrefix("https://") || origin.hasPrefix("http://")) || origin.hasSuffix("/") {
            throw ValidationError("--origin takes a scheme and host, like https://townhall.example.com (no path)")
        }
        for proxy in trustedProxy where TrustedProxies.Network(proxy) == nil {
            throw ValidationError("--trusted-proxy takes an address or a network, like 10.0.0.0/8 or fd00::/8 (not \(proxy))")
        }
        if proxyProtocol, trustedProxy.isEmpty {
            throw ValidationError("--proxy-protocol needs --trusted-proxy: only trusted proxies may name the client")
        }
        guard maxConnsPerAddress > 0, maxNewConnsPerAddress > 0, maxConnsPerUser > 0 else {
            throw ValidationError("connection limits must be positive")
        }
    }

    /// The proxies whose X-Forwarded-For is believed.
    var trustedProxies: TrustedProxies { TrustedProxies(trustedProxy.compactMap(TrustedProxies.Network.init)) }

    /// The SSO configuration, with the key files read.
    func sso() throws -> SSOConfig? {
        guard ssoJWKS != nil || ssoKey != nil, let ssoIssuer, let ssoAudience else { return nil }
        func read(_ path: String?) throws -> String? {
            guard let path else { return nil }
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
        return SSOConfig(jwks: try read(ssoJWKS), publicKeyPEM: try read(ssoKey), issuer: ssoIssuer, audience: ssoAudience)
    }
}
