import CLibEV
import CLibWebSockets
import Foundation

/// Everything libwebsockets holds a pointer to: the context, the protocol table, the
/// idle policy, the tick timer, the event loop and their C strings. Allocated once,
/// freed in `destroy`. This file and `LWSServer+Callbacks.swift` are the only places
/// with pointer code.
///
/// The loop is libev's on epoll, created here and handed to libwebsockets as a foreign
/// loop (its evlib plugin, `libwebsockets-evlib-ev`): a wake costs what is ready, not a
/// scan of every descriptor as poll(2) does. Without the plugin it falls back to poll.
final class NativeParts {
    let context: OpaquePointer
    /// The libev loop the context runs on; nil when it runs on lws' own poll loop.
    private let loop: OpaquePointer?
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let retry: UnsafeMutablePointer<lws_retry_bo_t>
    private let timer: UnsafeMutablePointer<th_timer>
    /// Fires on the loop's next turn to write the next slice of a fan-out.
    private let sliceTimer: UnsafeMutablePointer<th_timer>
    /// At shutdown: starts the next closes (`LWSServer.closeSlice`).
    private let closeTimer: UnsafeMutablePointer<th_timer>
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private(set) var boundPort = 0
    /// The one vhost, for adopting sockets handed back after their PROXY header.
    private(set) var vhost: OpaquePointer?

    /// `listens`: the group's first thread binds the port; the others only adopt sockets.
    init(server: LWSServer, listens: Bool) throws(LWSError) {
        let config = server.config
        // libwebsockets' own log (stderr): errors only, unless TOWNHALL_LWS_LOG gives a bitmask.
        let level = ProcessInfo.processInfo.environment["TOWNHALL_LWS_LOG"].flatMap { Int32($0) } ?? Int32(LLL_ERR)
        lws_set_log_level(level, nil)
        func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
            let pointer = strdup(text)!
            return pointer
        }
        let name = cString("townhall.v1")
        let alpn = cString("http/1.1")
        let vhostName = cString("townhall")
        let iface = ["", "0.0.0.0", "*"].contains(config.host) ? nil : cString(config.host)
        let certificate = config.tlsCertificate.map(cString)
        let key = config.tlsKey.map(cString)
        strings = [name, alpn, vhostName] + [iface, certificate, key].compactMap { $0 }

        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(name)
        protocols[0].callback = lwsCallback
        protocols[0].per_session_data_size = MemoryLayout<UInt64>.size
        // Per connection, for its whole life: requests are small, a larger one arrives in
        // pieces that `receive` puts together.
        protocols[0].rx_buffer_size = 1024
        // The most handed to the kernel in one send (else lws caps it at the rx size and
        // buffers the rest of a large frame for later turns).
        protocols[0].tx_packet_size = 1 << 20

        // lws' idle checks off (a zero hang-up: lib/core-net/wsi-timeout.c at v4.1.6):
        // `IdleWheel` does them, without lws' sorted timer list (without a policy of its
        // own lws would use one of 300 s).
        retry = .allocate(capacity: 1)
        retry.initialize(to: lws_retry_bo_t())
        retry.pointee.secs_since_valid_ping = 0
        retry.pointee.secs_since_valid_hangup = 0

        timer = .allocate(capacity: 1)
        timer.initialize(to: th_timer())
        timer.pointee.owner = Unmanaged.passUnretained(server).toOpaque()
        sliceTimer = .allocate(capacity: 1)
        sliceTimer.initialize(to: th_timer())
        sliceTimer.pointee.owner = Unmanaged.passUnretained(server).toOpaque()
        closeTimer = .allocate(capacity: 1)
        closeTimer.initialize(to: th_timer())
        closeTimer.pointee.owner = Unmanaged.passUnretained(server).toOpaque()

        var info = lws_context_creation_info()
        info.port = listens ? Int32(config.port) : Int32(CONTEXT_PORT_NO_LISTEN_SERVER)
        info.iface = UnsafePointer(iface)
        info.protocols = UnsafePointer(protocols)
        info.vhost_name = UnsafePointer(vhostName)
        info.alpn = UnsafePointer(alpn)
        info.options = UInt64(LWS_SERVER_OPTION_VALIDATE_UTF8)
        if let iface, !String(cString: iface).contains(":") { info.options |= UInt64(LWS_SERVER_OPTION_DISABLE_IPV6) }
        info.retry_and_idle_policy = UnsafePointer(retry)
        if let certificate, let key {
            info.options |= UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
            info.ssl_cert_filepath = UnsafePointer(certificate)
            info.ssl_private_key_filepath = UnsafePointer(key)
            info.ssl_options_set = th_ssl_no_old_tls
        }
        info.user = Unmanaged.passUnretained(server).toOpaque()
        info.count_threads = 1
        info.timeout_secs = 20
        var made: (context: OpaquePointer, loop: OpaquePointer?)?
        if config.eventLoop == .libev, let loop = ev_loop_new(UInt32(EVBACKEND_EPOLL)) {
            var withLoop = info
            withLoop.options |= UInt64(LWS_SERVER_OPTION_LIBEV)
            var foreign: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(loop)]
            let context = foreign.withUnsafeMutableBufferPointer { loops in
                withLoop.foreign_loops = loops.baseAddress
                return lws_create_context(&withLoop)
            }
            if let context {
                made = (context, loop)
            } else {
                ev_loop_destroy(loop)
                server.logger.warning("event_loop.fallback", metadata: [
                    "reason": "libwebsockets could not start on libev (is libwebsockets-evlib-ev installed?); using poll",
                ])
            }
        }
        if made == nil, let context = lws_create_context(&info) { made = (context, nil) }
        guard let made else {
            for string in strings { free(string) }
            protocols.deallocate()
            retry.deallocate()
            timer.deallocate()
            sliceTimer.deallocate()
            closeTimer.deallocate()
            throw LWSError(description: "cannot listen on \(config.host):\(config.port) (in use, not an address of this machine, or an unreadable TLS certificate or key)")
        }
        context = made.context
        loop = made.loop
        if let vhost = lws_get_vhost_by_name(context, vhostName) {
            self.vhost = vhost
            boundPort = Int(lws_get_vhost_listen_port(vhost))
        }
    }

    /// Which loop the context runs on, for the log and `/metrics`.
    var loopName: String { loop == nil ? "poll" : "libev-epoll" }

    /// Runs the event loop until `stop` (or, on poll, until `running` turns false).
    func run(while running: () -> Bool) {
        if let loop {
            ev_run(loop, 0)
            return
        }
        while running(), lws_service(context, 0) >= 0 {}
    }

    /// Ends `run` soon; on the service thread.
    func stop() {
        if let loop { ev_break(loop, Int32(EVBREAK_ALL)) } else { wake() }
    }

    func scheduleTick(after milliseconds: Int) {
        lws_sul_schedule(context, 0, &timer.pointee.sul, tickCallback, lws_usec_t(milliseconds) * 1000)
    }

    /// Ends the current wait for events (from any thread).
    func wake() { lws_cancel_service(context) }

    func wantWritable(_ wsi: OpaquePointer?) {
        guard let wsi else { return }
        lws_callback_on_writable(wsi)
    }

    /// Nothing half-sent is waiting in libwebsockets for this socket: a write may go now.
    func idle(_ wsi: OpaquePointer) -> Bool { lws_partial_buffered(wsi) == 0 }

    /// Closes a socket whose write failed, on libwebsockets' next turn.
    func killSoon(_ wsi: OpaquePointer) { lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC) }

    /// Asks for a writable callback to send the close, with a hard deadline (10 s) for
    /// peers that never let us write again.
    func closeSoon(_ wsi: OpaquePointer?) {
        guard let wsi else { return }
        lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, 10)
        lws_callback_on_writable(wsi)
    }

    /// Closes every socket and frees what libwebsockets pointed at.
    func destroy() {
        lws_sul_cancel(&timer.pointee.sul)
        lws_sul_cancel(&sliceTimer.pointee.sul)
        lws_sul_cancel(&closeTimer.pointee.sul)
        // Outside the loop, on a foreign libev loop: the whole destroy runs in this call
        // (lib/core/context.c at v4.1.6); the loop, idle now, goes after it.
        lws_context_destroy(context)
        if let loop { ev_loop_destroy(loop) }
        for string in strings { free(string) }
        protocols.deallocate()
        retry.deallocate()
        timer.deallocate()
        sliceTimer.deallocate()
        closeTimer.deallocate()
    }

    /// Runs the fan-out's next slice on the loop's next turn, after the events ready now.
    func scheduleSlice() {
        lws_sul_schedule(context, 0, &sliceTimer.pointee.sul, sliceCallback, 1)
    }

    /// At shutdown: starts more closes in a millisecond (`LWSServer.closeSlice`).
    func scheduleCloseSlice() {
        lws_sul_schedule(context, 0, &closeTimer.pointee.sul, closeSliceCallback, 1_000)
    }
}

private func closeSliceCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let owner = th_timer_owner(sul) else { return }
    Unmanaged<LWSServer>.fromOpaque(owner).takeUnretainedValue().closeSlice()
}

private func sliceCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let owner = th_timer_owner(sul) else { return }
    Unmanaged<LWSServer>.fromOpaque(owner).takeUnretainedValue().writeSlice()
}

/// The tick timer's C entry point: finds the server behind the timer.
private func tickCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let owner = th_timer_owner(sul) else { return }
    Unmanaged<LWSServer>.fromOpaque(owner).takeUnretainedValue().tickFired()
}
