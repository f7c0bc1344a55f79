import CLibWebSockets
import Foundation
import TownhallTransport

/// HTTP(S) requests on libwebsockets' client side over OpenSSL, which the server links
/// already: one context on its own thread, so a slow identity provider never holds a
/// service thread. HTTP/1.1 only; bodies up to 1 MiB; each request is given up after
/// `timeoutSeconds` whatever lws is doing. Certificates are checked against the
/// system's trust store, or `caFile` (a company's own CA) when given.
package final class LWSHTTPClient: HTTPFetching, @unchecked Sendable {
    /// One request in flight or waiting for the loop; touched on the loop thread, except
    /// `finish`, which any thread may race to call once.
    final class Exchange: @unchecked Sendable {
        let request: FetchRequest
        let target: (secure: Bool, host: String, port: Int, path: String)
        var status = 0
        var body: [UInt8] = []
        private let done = Locked<CheckedContinuation<Result<FetchResponse, FetchError>, Never>?>(nil)

        init(request: FetchRequest, target: (secure: Bool, host: String, port: Int, path: String)) {
            self.request = request
            self.target = target
        }

        func wait(_ continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>) {
            done.withLock { $0 = continuation }
        }

        /// The first answer wins (lws' completion, its error, or the timeout).
        func finish(_ result: Result<FetchResponse, FetchError>) {
            done.withLock { continuation in
                continuation?.resume(returning: result)
                continuation = nil
            }
        }
    }

    static let maxBody = 1 << 20
    let timeoutSeconds: Double
    private var context: OpaquePointer?
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private let waiting = Locked<[Exchange]>([])
    /// In flight, by the tag lws carries as opaque user data (loop thread only).
    private var inFlight: [Int: Exchange] = [:]
    private var nextTag = 1
    private var thread: Thread?
    private let running = Locked(true)

    package init(caFile: String? = nil, timeoutSeconds: Double = 10) throws(FetchError) {
        self.timeoutSeconds = timeoutSeconds
        let name = strdup("townhall-http-client")!
        strings.append(name)
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(name)
        protocols[0].callback = httpClientCallback
        var info = lws_context_creation_info()
        info.port = Int32(CONTEXT_PORT_NO_LISTEN)
        info.protocols = UnsafePointer(protocols)
        info.options = UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
        info.timeout_secs = UInt32(max(1, timeoutSeconds.rounded(.up)))
        info.connect_timeout_secs = UInt32(max(1, timeoutSeconds.rounded(.up)))
        info.fd_limit_per_thread = 64
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else { throw FetchError("the CA file \(caFile) cannot be read") }
            let path = strdup(caFile)!
            strings.append(path)
            info.client_ssl_ca_filepath = UnsafePointer(path)
        }
        info.user = Unmanaged.passUnretained(self).toOpaque()
        guard let context = lws_create_context(&info) else {
            for string in strings { free(string) }
            protocols.deallocate()
            throw FetchError("libwebsockets could not make an HTTP client context")
        }
        self.context = context
        let thread = Thread { [unowned self] in
            while running.withLock({ $0 }), let context = self.context, lws_service(context, 0) >= 0 {}
        }
        thread.name = "townhall-http-client"
        self.thread = thread
        thread.start()
    }

    /// Stops the loop and frees the context; pending requests fail.
    package func shutdown() {
        guard running.withLock({ let was = $0; $0 = false; return was }), let context else { return }
        lws_cancel_service(context)
        while thread?.isFinished == false { usleep(1_000) }
        for exchange in waiting.withLock({ let all = $0; $0 = []; return all }) + inFlight.values {
            exchange.finish(.failure(FetchError("the server is shutting down")))
        }
        inFlight = [:]
        lws_context_destroy(context)
        self.context = nil
        for string in strings { free(string) }
        protocols.deallocate()
    }

    deinit { shutdown() }

    package func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        let target = try Self.split(request.url)
        let exchange = Exchange(request: request, target: target)
        let timeout = timeoutSeconds
        // Gives up on the request whatever lws is doing; cancelled once it has its answer.
        var timer: Task<Void, Never>?
        let result = await withCheckedContinuation { continuation in
            exchange.wait(continuation)
            guard running.withLock({ $0 }), let context else {
                return exchange.finish(.failure(FetchError("the HTTP client is stopped")))
            }
            waiting.withLock { $0.append(exchange) }
            lws_cancel_service(context)
            timer = Task {
                guard (try? await Task.sleep(for: .seconds(timeout))) != nil else { return }
                exchange.finish(.failure(FetchError("no answer from \(target.host):\(target.port) within \(Int(timeout)) s")))
            }
        }
        timer?.cancel()
        return try result.get()
    }

    /// `https://host[:port]/path?query` (or `http://`), as lws wants it.
    static func split(_ url: String) throws(FetchError) -> (secure: Bool, host: String, port: Int, path: String) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty
        else { throw FetchError("not an http(s) URL: \(url)") }
        let secure = scheme == "https"
        var path = parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath
        if let query = parts.percentEncodedQuery { path += "?" + query }
        return (secure, host, parts.port ?? (secure ? 443 : 80), path)
    }

    // MARK: - The loop thread

    /// Starts the requests handed over since the last wake.
    func startWaiting() {
        guard let context else { return }
        for exchange in waiting.withLock({ let all = $0; $0 = []; return all }) {
            let tag = nextTag
            nextTag += 1
            inFlight[tag] = exchange
            var info = lws_client_connect_info()
            let target = exchange.target
            let hostHeader = target.port == (target.secure ? 443 : 80) ? target.host : "\(target.host):\(target.port)"
            let texts: [String] = [target.host, target.path, exchange.request.method, "http/1.1", "townhall-http-client", hostHeader]
            let strings = texts.map { (text: String) -> UnsafeMutablePointer<CChar> in strdup(text)! }
            defer { for string in strings { free(string) } }
            info.context = context
            info.address = UnsafePointer(strings[0])
            info.host = UnsafePointer(strings[5])
            info.origin = UnsafePointer(strings[0])
            info.port = Int32(exchange.target.port)
            info.path = UnsafePointer(strings[1])
            info.method = UnsafePointer(strings[2])
            info.alpn = UnsafePointer(strings[3])
            info.protocol = UnsafePointer(strings[4])
            info.ssl_connection = exchange.target.secure ? Int32(LCCSCF_USE_SSL.rawValue) : 0
            info.opaque_user_data = UnsafeMutableRawPointer(bitPattern: tag)
            if lws_client_connect_via_info(&info) == nil, inFlight.removeValue(forKey: tag) != nil {
                exchange.finish(.failure(FetchError("cannot connect to \(exchange.target.host):\(exchange.target.port)")))
            }
        }
    }

    /// nil: lws' default handling (`lws_callback_http_dummy`).
    func callback(_ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32? {
        if reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED {
            startWaiting()
            return 0
        }
        let tag = Int(bitPattern: lws_get_opaque_user_data(wsi))
        guard tag > 0, let exchange = inFlight[tag] else { return nil }
        switch reason {
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let text = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "connection failed"
            inFlight[tag] = nil
            exchange.finish(.failure(FetchError("\(exchange.target.host):\(exchange.target.port): \(text)")))
        case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            guard let input else { return -1 }
            let cursor = input.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
            guard let start = cursor.pointee else { return -1 }
            let end = start + length
            var headers = exchange.request.headers
            if !exchange.request.body.isEmpty || exchange.request.method == "POST" {
                headers.append(("content-length", String(exchange.request.body.count)))
            }
            for (name, value) in headers {
                let added = (name.lowercased() + ":").withCString { name in
                    Array(value.utf8).withUnsafeBufferPointer { bytes in
                        lws_add_http_header_by_name(wsi, UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), bytes.baseAddress, Int32(bytes.count), cursor, end)
                    }
                }
                if added != 0 { return -1 }
            }
            if !exchange.request.body.isEmpty {
                lws_client_http_body_pending(wsi, 1)
                lws_callback_on_writable(wsi)
            }
        case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
            guard !exchange.request.body.isEmpty else { return 0 }
            var buffer = [UInt8](repeating: 0, count: Int(th_lws_pre)) + exchange.request.body
            let count = exchange.request.body.count
            lws_client_http_body_pending(wsi, 0)
            let written = buffer.withUnsafeMutableBufferPointer { bytes in
                lws_write(wsi, bytes.baseAddress! + Int(th_lws_pre), count, LWS_WRITE_HTTP_FINAL)
            }
            if written != count { return -1 }
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
            exchange.status = Int(lws_http_client_http_response(wsi))
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
            var buffer = [CChar](repeating: 0, count: Int(th_lws_pre) + 4096)
            let status = buffer.withUnsafeMutableBufferPointer { bytes -> Int32 in
                var cursor: UnsafeMutablePointer<CChar>? = bytes.baseAddress! + Int(th_lws_pre)
                var size = Int32(4096)
                return lws_http_client_read(wsi, &cursor, &size)
            }
            if status < 0 { return -1 }
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
            guard let input else { return 0 }
            guard exchange.body.count + length <= Self.maxBody else {
                inFlight[tag] = nil
                exchange.finish(.failure(FetchError("\(exchange.target.host) answered with more than 1 MiB")))
                return -1
            }
            exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
            inFlight[tag] = nil
            exchange.finish(.success(FetchResponse(status: exchange.status, body: exchange.body)))
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
            inFlight[tag] = nil
            if exchange.status != 0, exchange.target.secure == false || !exchange.body.isEmpty {
                // A server that ends the body by closing (no length, not chunked).
                exchange.finish(.success(FetchResponse(status: exchange.status, body: exchange.body)))
            } else {
                exchange.finish(.failure(FetchError("\(exchange.target.host):\(exchange.target.port) closed the connection without an answer")))
            }
        default:
            return nil
        }
        return 0
    }
}

/// The client's C entry point: finds the client through the context's user pointer.
private func httpClientCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else { return 0 }
    let client = Unmanaged<LWSHTTPClient>.fromOpaque(owner).takeUnretainedValue()
    return client.callback(wsi, reason, input, length) ?? lws_callback_http_dummy(wsi, reason, user, input, length)
}
