/// What libwebsockets waits for events with.
package enum EventLoop: String, Sendable, CaseIterable {
    /// libev on epoll (through lws' evlib plugin): a wake costs what is ready.
    case libev
    /// lws' default poll(2) loop: every wake scans every descriptor.
    case poll
}

/// How the libwebsockets server listens and protects itself.
package struct LWSServerConfig: Sendable {
    /// Address to listen on ("0.0.0.0", "127.0.0.1", or an interface name).
    package var host: String
    package var port: Int
    /// The folder of the web pages.
    package var webRoot: String
    package var tickMilliseconds: Int
    /// The event loop under libwebsockets: libev on epoll, or lws' own poll(2) loop.
    package var eventLoop: EventLoop = .libev
    /// Largest message accepted; refused at its first fragment with 1009.
    package var maxMessageBytes = 16 * 1024
    /// Bounds on one connection's pending output; past them it is closed with 4009.
    package var maxQueuedBytes = 4 * 1024 * 1024
    package var maxQueuedFrames = 4096
    /// A silent peer gets a ping after this long, and is hung up on after the second.
    package var idlePingSeconds: UInt16 = 30
    package var idleHangupSeconds: UInt16 = 60
    /// Certificate and key (PEM) to serve https and wss; TLS 1.2 or newer, ALPN http/1.1.
    package var tlsCertificate: String?
    package var tlsKey: String?
    /// Origins allowed to open a WebSocket (e.g. "https://townhall.example.com"). Empty
    /// means the page's own origin only. Clients that send no Origin (not browsers) pass.
    package var allowedOrigins: [String] = []
    /// Per remote address: open connections, and new connections a second. Offices
    /// behind one NAT address share these, so they are generous by default.
    package var maxConnectionsPerAddress = 2000
    package var maxNewConnectionsPerAddressPerSecond = 200
    /// Over that rate, sockets wait their turn, in order, this many in all and at most
    /// this long; only past these bounds are they closed.
    package var maxWaitingJoins = 4000
    package var maxJoinWaitSeconds = 15.0
    /// Reverse proxies whose `X-Forwarded-For` names the client, for the per-address
    /// caps and the logs; their own connections are not capped per address.
    package var trustedProxies = TrustedProxies()
    /// Trusted proxies put a PROXY protocol header (v1 or v2) before every connection's
    /// bytes; it names the client. Connections from them without one are dropped.
    package var proxyProtocol = false
    /// A path that echoes every message back, for WebSocket conformance suites
    /// (Autobahn). Off unless set; it bypasses sign-in, so never enable it in production.
    package var echoPath: String?
    package var echoMaxMessageBytes = 16 * 1024 * 1024

    package init(host: String, port: Int, webRoot: String, tickMilliseconds: Int) {
        self.host = host
        self.port = port
        self.webRoot = webRoot
        self.tickMilliseconds = tickMilliseconds
    }
}
