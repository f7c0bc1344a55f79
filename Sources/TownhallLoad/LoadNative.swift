import CLibWebSockets
import Foundation

/// Everything libwebsockets holds a pointer to for the load generator's client side: the
/// context, the protocol table, the pacing timer, the C strings of the target and the
/// source addresses, and the write buffer with its `LWS_PRE` headroom. This file and
/// `LoadRun+Callbacks.swift` are the only places with lws pointer code.
///
/// Connections are lws RAW client sockets (`method = "RAW"`): lws connects (binding the
/// source address), reads and writes bytes, and the WebSocket handshake and framing are
/// done in Swift (`WebSocketWire`), so lws never walks a received payload byte by byte
/// (its ws client parser, `lws_ws_client_rx_sm`, runs once per byte).
///
/// Except over TLS: lws 4.1.6 cannot start TLS on a RAW client connection (for
/// `method = "RAW"` lib/core-net/connect.c calls `lws_client_create_tls` before the
/// socket exists, and the connection dies with "tls start fail"). So `wss://` runs on
/// lws's own ws client as before (`rawSockets` false), at the old per-byte cost.
///
/// How the loop stops: with libev, `lws_service` runs `ev_run` and returns only when the
/// loop stops. `stopLoop` is called from the pacing timer (on the loop thread, outside any
/// connection's callback) and calls `lws_context_destroy` there: that closes every
/// connection, and since it runs inside `lws_service` lws stops the loop (`ev_break`)
/// instead of freeing it. `finish`, after `lws_service` has returned, calls
/// `lws_context_destroy` again, which frees the rest (lws 4.1.6, lib/core/context.c and
/// lib/event-libs/libev/libev.c). With the poll fallback the loop simply stops turning and
/// `finish` destroys the context in one go.
final class LoadNative {
    /// Until `finish`; libwebsockets writes nil here (`pcontext`) once the context is freed.
    private let contextSlot: UnsafeMutablePointer<OpaquePointer?>
    let eventLoop: String
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let timer: UnsafeMutablePointer<th_timer>
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private let address: UnsafeMutablePointer<CChar>
    private let path: UnsafeMutablePointer<CChar>
    private let hostHeader: UnsafeMutablePointer<CChar>
    /// "RAW", or for lws's ws client the subprotocol.
    private let method: UnsafeMutablePointer<CChar>
    private let localName: UnsafeMutablePointer<CChar>
    private let sources: [UnsafeMutablePointer<CChar>]
    private let port: Int32
    private let secure: Bool
    /// RAW sockets with the WebSocket in Swift (ws://), or lws's ws client (wss://).
    let rawSockets: Bool
    private let headroom = Int(th_lws_pre)
    private let writeCapacity = 65_536
    private let writeBuffer: UnsafeMutablePointer<UInt8>

    /// `warn` is told when libev is missing and the poll loop is used instead.
    init(owner: LoadRun, target: LoadTarget, sources: [String], warn: (String) -> Void) throws(LoadError) {
        let level = ProcessInfo.processInfo.environment["TOWNHALL_LWS_LOG"].flatMap { Int32($0) } ?? Int32(LLL_ERR)
        lws_set_log_level(level, nil)
        func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
            // strdup fails only without memory; so would everything else.
            guard let pointer = strdup(text) else { fatalError("out of memory") }
            return pointer
        }
        address = cString(target.host)
        path = cString(target.path)
        hostHeader = cString(target.hostHeader)
        method = cString(target.secure ? "townhall.v1" : "RAW")
        localName = cString("townhall-load")
        self.sources = sources.map(cString)
        strings = [address, path, hostHeader, method, localName] + self.sources
        port = Int32(target.port)
        secure = target.secure
        rawSockets = !target.secure
        writeBuffer = .allocate(capacity: headroom + writeCapacity)

        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(localName)
        protocols[0].callback = loadCallback
        protocols[0].per_session_data_size = 0
        self.protocols = protocols

        timer = .allocate(capacity: 1)
        timer.initialize(to: th_timer())
        timer.pointee.owner = Unmanaged.passUnretained(owner).toOpaque()
        let contextSlot = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
        contextSlot.initialize(to: nil)
        self.contextSlot = contextSlot

        let user = Unmanaged.passUnretained(owner).toOpaque()
        func create(libev: Bool) -> OpaquePointer? {
            var info = lws_context_creation_info()
            info.port = CONTEXT_PORT_NO_LISTEN
            info.protocols = UnsafePointer(protocols)
            info.options = libev ? UInt64(LWS_SERVER_OPTION_LIBEV) : 0
            if target.secure { info.options |= UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT) }
            info.user = user
            info.count_threads = 1
            info.timeout_secs = UInt32(Self.timeoutSeconds)
            info.connect_timeout_secs = UInt32(Self.timeoutSeconds)
            info.pcontext = contextSlot
            // lws reads a connection at most this much per wake (default 4096) into one
            // buffer per thread, handed to LWS_CALLBACK_RAW_RX: an update of several kB,
            // or a backlog of them, then takes one recv and one callback.
            info.pt_serv_buf_size = 65_536
            return lws_create_context(&info)
        }
        // TOWNHALL_LOAD_EVENT_LOOP=poll skips libev (to try the fallback on purpose).
        let wantLibev = ProcessInfo.processInfo.environment["TOWNHALL_LOAD_EVENT_LOOP"] != "poll"
        if wantLibev, let context = create(libev: true) {
            contextSlot.pointee = context
            eventLoop = "libev"
        } else if let context = create(libev: false) {
            if wantLibev { warn("libwebsockets could not start its libev event loop (libwebsockets-evlib_ev.so); using its poll loop, whose cost grows with every connection") }
            contextSlot.pointee = context
            eventLoop = "poll"
        } else {
            for string in strings { free(string) }
            protocols.deallocate()
            timer.deallocate()
            contextSlot.deallocate()
            writeBuffer.deallocate()
            throw LoadError("libwebsockets could not create a client context")
        }
    }

    private var context: OpaquePointer? { contextSlot.pointee }

    /// Runs the loop until the owner is done (see the type's comment for how it stops).
    func runLoop(done: () -> Bool) {
        guard let context else { return }
        // A timer scheduled before the loop runs is only noticed once something wakes
        // the loop (libev starts its timer from lws's idle handler): wake it now.
        lws_cancel_service(context)
        if eventLoop == "libev" {
            _ = lws_service(context, 0)
        } else {
            while !done(), lws_service(context, 0) >= 0 {}
        }
    }

    /// From the timer callback, on the loop thread.
    func stopLoop() {
        lws_sul_cancel(&timer.pointee.sul)
        guard eventLoop == "libev", let context else { return }
        lws_context_destroy(context)
    }

    /// After the loop has returned: frees the context and everything it pointed at.
    func finish() {
        lws_sul_cancel(&timer.pointee.sul)
        if let context { lws_context_destroy(context) }
        for string in strings { free(string) }
        strings = []
        protocols.deallocate()
        timer.deallocate()
        contextSlot.deallocate()
        writeBuffer.deallocate()
    }

    func schedule(afterMicroseconds microseconds: UInt64) {
        guard let context else { return }
        lws_sul_schedule(context, 0, &timer.pointee.sul, loadTimerCallback, lws_usec_t(microseconds))
    }

    /// Starts one RAW client connection (TCP, or TLS for wss); the index comes back as the
    /// connection's opaque user data in every callback. Nil when libwebsockets refused at
    /// once. With `method = "RAW"` lws makes a raw-skt wsi (lib/core-net/connect.c and
    /// lib/roles/raw-skt/ops-raw-skt.c in 4.1.6): `LWS_CALLBACK_RAW_CONNECTED` once
    /// connected, then `RAW_RX` / `RAW_WRITEABLE` / `RAW_CLOSE`, or
    /// `LWS_CALLBACK_CLIENT_CONNECTION_ERROR` if it never connected.
    func connect(index: Int, source: Int?) -> OpaquePointer? {
        guard let context else { return nil }
        var info = lws_client_connect_info()
        info.context = context
        info.address = UnsafePointer(address)
        info.port = port
        info.path = UnsafePointer(path)
        info.host = UnsafePointer(hostHeader)
        if rawSockets {
            info.method = UnsafePointer(method)
        } else {
            info.protocol = UnsafePointer(method)
            info.ietf_version_or_minus_one = -1
        }
        info.local_protocol_name = UnsafePointer(localName)
        // lws binds the socket to `iface` before connect() (an IPv4 literal is taken as
        // the address: lws_socket_bind → lws_interface_to_sa, lws 4.1.6).
        if let source, source < sources.count { info.iface = UnsafePointer(sources[source]) }
        if secure {
            info.ssl_connection = Int32(LCCSCF_USE_SSL.rawValue | LCCSCF_ALLOW_SELFSIGNED.rawValue
                | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK.rawValue)
        }
        info.opaque_user_data = UnsafeMutableRawPointer(bitPattern: index + 1)
        return lws_client_connect_via_info(&info)
    }

    func wantWritable(_ wsi: OpaquePointer) {
        lws_callback_on_writable(wsi)
    }

    // LWS_WRITE_RAW is a macro for LWS_WRITE_HTTP (lws-write.h), which Swift does not
    // import; on a raw-skt wsi either is a plain write (lws_issue_raw).

    /// Bytes as they are (the upgrade request); false if libwebsockets could not take them.
    func writeRaw(_ wsi: OpaquePointer, _ bytes: [UInt8]) -> Bool {
        guard bytes.count <= writeCapacity else { return false }
        let start = writeBuffer + headroom
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { start.update(from: base, count: source.count) }
        }
        return lws_write(wsi, start, bytes.count, LWS_WRITE_HTTP) >= bytes.count
    }

    /// One masked client frame (FIN set), written raw; false if libwebsockets could not
    /// take it (lws keeps what the socket did not, and sends it before the next writable
    /// callback). On lws's ws client (wss) lws frames it: only text goes this way there.
    func writeFrame(_ wsi: OpaquePointer, opcode: UInt8, _ payload: [UInt8], mask: UInt32) -> Bool {
        guard rawSockets else {
            guard payload.count <= writeCapacity else { return false }
            let start = writeBuffer + headroom
            payload.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { start.update(from: base, count: source.count) }
            }
            return lws_write(wsi, start, payload.count, LWS_WRITE_TEXT) >= payload.count
        }
        let total = WebSocketWire.clientHeaderLength(payload: payload.count) + payload.count
        guard total <= writeCapacity else { return false }
        let start = writeBuffer + headroom
        let length = payload.withUnsafeBytes { WebSocketWire.writeClientFrame(opcode: opcode, payload: $0, mask: mask, into: start) }
        return lws_write(wsi, start, length, LWS_WRITE_HTTP) >= length
    }

    /// Closes with `code` (1000 or an echo of the server's, nil: none); the callback then
    /// returns -1. RAW: a close frame is written; lws's ws client sends its own.
    func close(_ wsi: OpaquePointer, code: UInt16?, mask: UInt32) {
        guard rawSockets else {
            lws_close_reason(wsi, lws_close_status(UInt32(code ?? 1000)), nil, 0)
            return
        }
        let payload = code.map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } ?? []
        _ = writeFrame(wsi, opcode: WebSocketWire.Opcode.close, payload, mask: mask)
    }

    /// Gives the upgrade `seconds` to complete (lws closes the wsi then); 0 cancels.
    /// lws clears its own connect timeout once a RAW connection is up.
    func handshakeTimeout(_ wsi: OpaquePointer, seconds: Int32) {
        lws_set_timeout(wsi, seconds > 0 ? PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE : NO_PENDING_TIMEOUT, seconds)
    }

    /// SO_RCVLOWAT: the kernel reports the socket readable once this many bytes wait
    /// (or it closed). Not over TLS, where OpenSSL may already hold the bytes and the
    /// socket's count says nothing about the plaintext. A non-blocking recv still returns
    /// whatever is there.
    func setLowWater(_ wsi: OpaquePointer, bytes: Int) -> Bool {
        guard !secure else { return false }
        let fd = lws_get_socket_fd(wsi)
        guard fd >= 0 else { return false }
        var value = Int32(bytes)
        return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// The timeout the context gives connects, for the upgrade too.
    static let timeoutSeconds: Int32 = 20

    /// SHA-1 of `bytes` (libwebsockets' own, over OpenSSL), for `Sec-WebSocket-Accept`.
    static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 20)
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                _ = lws_SHA1(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return digest
    }
}
