import CLibWebSockets
import Foundation
import TownhallProtocol
import TownhallTransport

/// The protocol callback's C entry point. Per-session data holds only the connection
/// id; the server is found through the context's user pointer.
func lwsCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else { return 0 }
    let server = Unmanaged<LWSServer>.fromOpaque(owner).takeUnretainedValue()
    server.health.enter(DispatchTime.now().uptimeNanoseconds)
    defer { server.health.leave(DispatchTime.now().uptimeNanoseconds) }
    return server.callback(wsi, reason, user, input, length)
}

/// Headers for static files (HTTP/1 form). The pages load nothing from elsewhere; only
/// the host's stream link may be framed.
private let staticHeaders =
    "content-security-policy: default-src 'self'; connect-src 'self'; frame-src https:; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'\r\n"
    + "x-content-type-options: nosniff\r\nreferrer-policy: no-referrer\r\ncache-control: no-cache\r\n"

extension LWSServer {
    func callback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
        _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        switch reason {
        case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
            guard let args = user?.assumingMemoryBound(to: lws_filter_network_conn_args.self) else { return 0 }
            var text = [CChar](repeating: 0, count: 64)
            withUnsafePointer(to: &args.pointee.cli_addr) { th_address_text($0, &text, socklen_t(text.count)) }
            let raw = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let address = canonicalAddress(raw) ?? raw
            if config.proxyProtocol, config.trustedProxies.trusts(address) {
                return takeOverForProxyHeader(args.pointee.accept_fd, from: address)
            }
            let trusted = config.trustedProxies.trusts(address)
            if threads > 1 {
                // The listener's thread hands every socket on, itself included in turn.
                let fd = dup(args.pointee.accept_fd)
                if fd >= 0 { group.place(fd, from: address, exempt: trusted) } else { refused(address) }
                return 1
            }
            if trusted {
                _ = ledger.admit(from: address, exempt: true, second: Self.second)
                return 0
            }
            // Behind others already waiting from this address, a new socket waits too.
            guard joins.waiting(from: address) == 0, ledger.admit(from: address, second: Self.second) else {
                if !hold(copying: args.pointee.accept_fd, from: address) { refused(address) }
                return 1
            }
            return 0
        case LWS_CALLBACK_WSI_CREATE:
            ledger.bind(wsi)
            return 0
        case LWS_CALLBACK_WSI_DESTROY:
            ledger.release(wsi)
        case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
            // Per-session data carries the endpoint from here to ESTABLISHED.
            let path = header(wsi, WSI_TOKEN_GET_URI)
            guard attributeForwarded(wsi) else {
                refused(ledger.address(of: wsi) ?? "?")
                return 1
            }
            if path == "/ws", originAllowed(wsi) {
                user?.storeBytes(of: 0, as: UInt64.self)
                return 0
            }
            if let echoPath = config.echoPath, path == echoPath {
                user?.storeBytes(of: Self.echoMarker, as: UInt64.self)
                return 0
            }
            metrics.refusedUpgrades.increment()
            return 1
        case LWS_CALLBACK_ESTABLISHED:
            guard let user else { return -1 }
            ledger.set(wsi, .websocket)
            let echo = user.load(as: UInt64.self) == Self.echoMarker
            let id = nextID
            nextID += ConnectionID(threads)
            user.storeBytes(of: id, as: UInt64.self)
            let state = Connection(id: id, wsi: wsi, output: OutputQueue(maxBytes: config.maxQueuedBytes, maxFrames: config.maxQueuedFrames))
            state.echo = echo
            connections[id] = state
            // Echo connections (the conformance suite) see only the frames they asked for.
            if !echo { idle.open(id, now: UInt64(Self.second)) }
            group.report(from: self)
            if !echo { handler.connectionOpened(id, peer: ledger.address(of: wsi) ?? peer(wsi)) }
            return 0
        case LWS_CALLBACK_RECEIVE:
            guard let user else { return -1 }
            let id = user.load(as: UInt64.self)
            idle.heard(id, now: UInt64(Self.second))
            return receive(wsi, id, input, length)
        case LWS_CALLBACK_RECEIVE_PONG:
            if let id = user?.load(as: UInt64.self) { idle.heard(id, now: UInt64(Self.second)) }
            return 0
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if let id = user?.load(as: UInt64.self) { connections[id]?.peerClosed = true }
            return 0
        case LWS_CALLBACK_SERVER_WRITEABLE:
            guard let user else { return -1 }
            return writable(wsi, user.load(as: UInt64.self))
        case LWS_CALLBACK_CLOSED:
            ledger.set(wsi, .closing)
            guard let user else { return 0 }
            let id = user.load(as: UInt64.self)
            guard let state = connections.removeValue(forKey: id) else { return 0 }
            idle.closed(id)
            forget(state)
            group.report(from: self)
            if !state.echo { handler.connectionClosed(id, cause: state.cause) }
            return 0
        case LWS_CALLBACK_HTTP:
            ledger.set(wsi, .http)
            guard attributeForwarded(wsi) else {
                refused(ledger.address(of: wsi) ?? "?")
                return finish(wsi, lws_return_http_status(wsi, 429, "too many connections from your address"))
            }
            return http(wsi, input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "/")
        case LWS_CALLBACK_HTTP_WRITEABLE:
            switch httpReplies[wsi] {
            case .headers(let response)?:
                guard writeHeaders(wsi, response) else { return -1 }
                httpReplies[wsi] = .body(response.body)
                lws_callback_on_writable(wsi)
                return 0
            case .body(let body)?:
                httpReplies[wsi] = nil
                var buffer = [UInt8](repeating: 0, count: frameHeadroom) + body
                let written = buffer.withUnsafeMutableBufferPointer { raw in
                    lws_write(wsi, raw.baseAddress! + frameHeadroom, body.count, LWS_WRITE_HTTP_FINAL)
                }
                guard written == body.count else { return -1 }
                return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
            case .waiting?, nil:
                break
            }
        case LWS_CALLBACK_CLOSED_HTTP:
            ledger.set(wsi, .closing)
            if case .waiting(let number)? = httpReplies.removeValue(forKey: wsi) { httpWaiting[number] = nil }
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            queue.drain()
            return 0
        default:
            break
        }
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }

    /// Over its address's rate of new connections: the socket waits its turn on a
    /// duplicate of its descriptor (returning 1 makes lws close its own and forget it).
    /// False when it cannot wait: the address is at its open cap or the queue is full.
    private func hold(copying acceptFD: Int32, from address: String) -> Bool {
        guard canHold(address) else { return false }
        let fd = dup(acceptFD)
        guard fd >= 0 else { return false }
        hold(fd, from: address)
        return true
    }

    private func canHold(_ address: String) -> Bool {
        joins.hasRoom && ledger.hasRoom(address, besides: joins.waiting(from: address))
    }

    private func hold(_ fd: Int32, from address: String) {
        joins.hold(fd, from: address, now: DispatchTime.now().uptimeNanoseconds)
        metrics.joinsHeld.increment()
    }

    /// A socket handed to this thread (by the listener's thread, or after its PROXY
    /// header), the descriptor now ours: counted and given to libwebsockets, whose
    /// `WSI_CREATE` takes the count over; over its address's rate it waits its turn;
    /// past the caps it is closed.
    func adopt(_ fd: Int32, from address: String, exempt: Bool) {
        if !exempt, joins.waiting(from: address) > 0 || !ledger.admit(from: address, second: Self.second) {
            if canHold(address) {
                hold(fd, from: address)
            } else {
                refused(address)
                Glibc.close(fd)
            }
            return
        }
        if exempt { _ = ledger.admit(from: address, exempt: true, second: Self.second) }
        hand(fd)
    }

    /// Gives an admitted socket to libwebsockets (on failure lws has closed it itself).
    private func hand(_ fd: Int32) {
        guard let vhost = native?.vhost else {
            ledger.abandonPending()
            Glibc.close(fd)
            return
        }
        if lws_adopt_socket_vhost(vhost, fd) == nil { ledger.abandonPending() }
    }

    /// Hands waiting sockets to libwebsockets as their addresses' rates allow.
    func admitWaiting() {
        joins.release(now: DispatchTime.now().uptimeNanoseconds) { address, fd in
            guard ledger.admit(from: address, second: Self.second) else { return false }
            hand(fd)
            return true
        }
    }

    /// A PROXY-protocol proxy's socket: read its header off the thread, on a duplicate of
    /// the descriptor (returning 1 makes lws close its own and forget the socket).
    private func takeOverForProxyHeader(_ acceptFD: Int32, from proxy: String) -> Int32 {
        let fd = dup(acceptFD)
        guard fd >= 0 else {
            refused(proxy)
            return 1
        }
        let executor = queue
        proxyIntake.read(fd) { [self] socket, header in
            executor.execute { self.adoptProxied(socket, header, proxy: proxy) }
        }
        return 1
    }

    /// Back on the service thread with the header read: the socket counts against the
    /// client it names (the proxy's own health checks against nobody) and goes to a
    /// service thread of the group like any accepted socket.
    private func adoptProxied(_ socket: ProxyIntake.Socket, _ header: ProxyHeader.Parse, proxy: String) {
        guard case .header(_, let client) = header else {
            metrics.proxyHeaderFailures.increment()
            logger.debug("connection.proxy_header_failed", metadata: ["proxy": "\(proxy)"])
            // Closed now: the header's read (and its timeout) may hold the socket for
            // seconds more, and the peer must see the drop at once.
            if let fd = socket.take() { Glibc.close(fd) }
            return
        }
        guard let fd = socket.take() else { return }
        group.place(fd, from: client ?? proxy, exempt: client == nil)
    }

    /// Counts a refusal for its address; the log says so at most once a second, so a
    /// flood cannot flood the log too.
    private func refused(_ address: String) {
        metrics.refused()
        let second = Self.second
        guard lastRefusalLogged != second else { return }
        lastRefusalLogged = second
        logger.warning("connection.refused", metadata: [
            "address": "\(address)", "open": "\(ledger.openCount(address))", "refused.total": "\(metrics.refusals)",
        ])
    }

    /// Behind a trusted proxy: counts the connection against the client the proxy names
    /// (per request, as a keep-alive connection may carry several clients in turn).
    /// False when that client is over its caps. Anyone else's header changes nothing.
    private func attributeForwarded(_ wsi: OpaquePointer) -> Bool {
        guard !config.trustedProxies.isEmpty, let peer = ledger.peer(of: wsi), config.trustedProxies.trusts(peer) else { return true }
        let client = config.trustedProxies.client(peer: peer, forwardedFor: header(wsi, WSI_TOKEN_X_FORWARDED_FOR))
        return ledger.attribute(wsi, to: client, second: Self.second)
    }

    /// Browsers send Origin: it must be an allowed one, or the page's own origin.
    private func originAllowed(_ wsi: OpaquePointer) -> Bool {
        guard let origin = header(wsi, WSI_TOKEN_ORIGIN)?.lowercased() else { return true }
        if !config.allowedOrigins.isEmpty {
            return config.allowedOrigins.contains { $0.lowercased() == origin }
        }
        guard let host = header(wsi, WSI_TOKEN_HOST)?.lowercased() else { return false }
        return origin == (config.tlsCertificate == nil ? "http://" : "https://") + host
    }

    /// Reassembles a message; refuses an oversized one at its first fragment (1009)
    /// before buffering it, and binary frames (1003).
    private func receive(_ wsi: OpaquePointer, _ id: ConnectionID, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard let state = connections[id] else { return -1 }
        if state.closing != nil { return 0 }
        let binary = lws_frame_is_binary(wsi) != 0
        if binary && !state.echo {
            return closeNow(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "binary frames are not supported")
        }
        if lws_is_first_fragment(wsi) != 0 { state.incoming.removeAll(keepingCapacity: true) }
        let announced = state.incoming.count + length + Int(lws_remaining_packet_payload(wsi))
        guard announced <= (state.echo ? config.echoMaxMessageBytes : config.maxMessageBytes) else {
            state.incoming = []
            return closeNow(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message larger than \(config.maxMessageBytes) bytes")
        }
        if let input, length > 0 {
            state.incoming.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        guard lws_is_final_fragment(wsi) != 0 else { return 0 }
        let message = state.incoming
        state.incoming = []
        if state.echo {
            let frame = OutboundFrame(message, headroom: frameHeadroom)
            if binary { frame.kind = .binary }
            send(frame, to: id)
        } else {
            handler.received(message, from: id)
        }
        return 0
    }

    /// Writes queued frames while the kernel takes them whole (up to 16 a turn, so one
    /// connection cannot hold the loop), and asks again while more wait; once the queue
    /// is empty, a decided close is sent.
    private func writable(_ wsi: OpaquePointer, _ id: ConnectionID) -> Int32 {
        guard let state = connections[id] else { return -1 }
        var written = 0
        while written < 16, native?.idle(wsi) == true, let frame = dequeue(state) {
            guard write(frame, to: wsi) else { return -1 }
            written += 1
        }
        if !state.output.isEmpty {
            lws_callback_on_writable(wsi)
            return 0
        }
        if let closing = state.closing {
            // After the last frame has gone: a half-sent one makes lws call again.
            guard native?.idle(wsi) == true else {
                lws_callback_on_writable(wsi)
                return 0
            }
            return closeNow(wsi, lws_close_status(UInt32(closing.code.rawValue)), closing.reason)
        }
        return 0
    }

    /// Sets the close code and reason; returning -1 from the callback then closes.
    private func closeNow(_ wsi: OpaquePointer, _ status: lws_close_status, _ reason: String) -> Int32 {
        var bytes = Array(reason.utf8.prefix(120))
        bytes.withUnsafeMutableBufferPointer { raw in
            lws_close_reason(wsi, status, raw.baseAddress, raw.count)
        }
        return -1
    }

    /// Dynamic paths come from the relay, then static files, else 404. GET only.
    private func http(_ wsi: OpaquePointer, _ path: String) -> Int32 {
        guard lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0 else {
            return finish(wsi, lws_return_http_status(wsi, UInt32(HTTP_STATUS_METHOD_NOT_ALLOWED.rawValue), nil))
        }
        let request = HTTPRequest(
            path: path, query: queryString(wsi),
            authorization: header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION), cookie: header(wsi, WSI_TOKEN_HTTP_COOKIE)
        )
        let number = nextHTTPRequest
        nextHTTPRequest += 1
        httpWaiting[number] = wsi
        httpReplies[wsi] = .waiting(number)
        let executor = queue
        // The registry is rendered by the relay: the ledger's and the loop's gauges first.
        if path == "/metrics" { group.publishMetrics(from: self) }
        let handled = handler.respond(to: request) { [self] response in
            // At once, or later from another thread: either way onto the service thread.
            executor.execute { self.replied(number, response) }
        }
        if handled { return 0 }
        httpWaiting[number] = nil
        httpReplies[wsi] = nil
        guard let (file, contentType) = files.resolve(path) else {
            return finish(wsi, lws_return_http_status(wsi, UInt32(HTTP_STATUS_NOT_FOUND.rawValue), nil))
        }
        let served = lws_serve_http_file(wsi, file, contentType, staticHeaders, Int32(staticHeaders.utf8.count))
        if served < 0 || (served > 0 && lws_http_transaction_completed(wsi) != 0) { return -1 }
        return 0
    }

    /// A dynamic response is ready: its headers go out at the next writable callback,
    /// unless the connection went away meanwhile.
    private func replied(_ number: UInt64, _ response: HTTPResponse) {
        guard let wsi = httpWaiting.removeValue(forKey: number) else { return }
        httpReplies[wsi] = .headers(response)
        lws_callback_on_writable(wsi)
    }

    /// After a one-shot status reply: keep the connection for the next request, or close.
    private func finish(_ wsi: OpaquePointer, _ status: Int32) -> Int32 {
        status != 0 || lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    private func writeHeaders(_ wsi: OpaquePointer, _ response: HTTPResponse) -> Bool {
        var buffer = [UInt8](repeating: 0, count: frameHeadroom + 8192)
        return buffer.withUnsafeMutableBufferPointer { raw in
            let start = raw.baseAddress! + frameHeadroom
            let end = raw.baseAddress! + raw.count - 1
            var cursor: UnsafeMutablePointer<UInt8>? = start
            guard lws_add_http_common_headers(wsi, UInt32(response.status), response.contentType, lws_filepos_t(response.body.count), &cursor, end) == 0
            else { return false }
            for (name, value) in [("x-content-type-options", "nosniff"), ("cache-control", "no-store")] + response.headers {
                let name = name + ":"
                guard lws_add_http_header_by_name(wsi, name, value, Int32(value.utf8.count), &cursor, end) == 0 else { return false }
            }
            return lws_finalize_write_http_header(wsi, start, &cursor, end) == 0
        }
    }

    /// The query string: libwebsockets keeps each `name=value` as a fragment.
    private func queryString(_ wsi: OpaquePointer) -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 1024)
        for index in 0..<32 {
            let length = lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, Int32(index))
            guard length > 0 else { break }
            parts.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "&")
    }

    /// A request header's value, or nil when absent.
    private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0, length < 8192 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        let copied = Int(lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token))
        guard copied >= 0 else { return nil }
        return String(decoding: buffer.prefix(copied).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func peer(_ wsi: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard let text = lws_get_peer_simple(wsi, &buffer, buffer.count) else { return "?" }
        return String(cString: text)
    }
}
