import Dispatch
import Foundation
import Synchronization
import TownhallTransport

/// Connections from a trusted proxy that speaks the PROXY protocol (`--proxy-protocol`):
/// libwebsockets cannot read a header before HTTP or TLS, so such a socket is taken over
/// at accept (a duplicate of its descriptor; lws closes its own), its header is read
/// here, off the service thread, exactly to its end (peeked first, so not one byte of
/// the client's request or TLS handshake is consumed), and the socket is handed back to
/// the service thread with the client's address, to be counted and adopted by lws.
/// A peer that sends no valid header within `timeout` is dropped.
final class ProxyIntake: Sendable {
    /// A descriptor that is closed unless someone takes it: whatever path a socket's
    /// hand-over ends on (dropped at shutdown included), it is closed exactly once.
    final class Socket: Sendable {
        private let descriptor: Atomic<Int32>

        init(_ fd: Int32) { descriptor = Atomic(fd) }

        /// The descriptor, now the caller's to close or to hand to lws.
        func take() -> Int32? {
            let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
            return fd >= 0 ? fd : nil
        }

        var fd: Int32 { descriptor.load(ordering: .acquiring) }

        deinit {
            if let fd = take() { close(fd) }
        }
    }

    private let queue = DispatchQueue(label: "townhall.proxy-intake")
    private let timeout: DispatchTimeInterval
    private let maxPending: Int
    private let pending = Atomic<Int>(0)

    init(timeout: DispatchTimeInterval = .seconds(5), maxPending: Int = 1024) {
        self.timeout = timeout
        self.maxPending = maxPending
    }

    /// Reads the header of `fd` (a duplicate the caller made) and calls `done` with the
    /// header read, or with why there is none (missing, malformed or late); `done` runs on
    /// the intake's queue and owns the socket from then on.
    func read(_ fd: Int32, done: @escaping @Sendable (Socket, ProxyHeader.Parse) -> Void) {
        let socket = Socket(fd)
        guard pending.add(1, ordering: .relaxed).newValue <= maxPending else {
            pending.subtract(1, ordering: .relaxed)
            return done(socket, .invalid("too many PROXY headers waiting"))
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let read = HeaderRead(socket: socket, queue: queue) { [self] result in
            pending.subtract(1, ordering: .relaxed)
            done(socket, result)
        }
        queue.async { read.start(timeout: self.timeout) }
    }
}

/// One socket's header on its way in. Touched only on the intake's serial queue (its
/// Dispatch source, flag and callback), which is why it is `@unchecked Sendable`.
private final class HeaderRead: @unchecked Sendable {
    private let socket: ProxyIntake.Socket
    private let queue: DispatchQueue
    private let source: any DispatchSourceRead
    private var finished = false
    /// Dispatch must not release a suspended source: every suspend is resumed.
    private var suspended = false
    private let done: (ProxyHeader.Parse) -> Void

    init(socket: ProxyIntake.Socket, queue: DispatchQueue, done: @escaping (ProxyHeader.Parse) -> Void) {
        self.socket = socket
        self.queue = queue
        self.done = done
        source = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
    }

    func start(timeout: DispatchTimeInterval) {
        source.setEventHandler { [self] in readable() }
        source.resume()
        queue.asyncAfter(deadline: .now() + timeout) { [self] in finish(.invalid("no PROXY header in time")) }
    }

    private func readable() {
        guard !finished else { return }
        var buffer = [UInt8](repeating: 0, count: ProxyHeader.v2MaxLength)
        let peeked = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_PEEK)) }
        if peeked == 0 { return finish(.invalid("closed before its PROXY header")) }
        if peeked < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            return finish(.invalid("read failed before its PROXY header"))
        }
        let parse = ProxyHeader.parse(Array(buffer.prefix(peeked)))
        guard case .header(let length, _) = parse else {
            if parse != .needMore { return finish(parse) }
            // Peeked bytes stay readable: wait a little for the rest instead of spinning.
            source.suspend()
            suspended = true
            queue.asyncAfter(deadline: .now() + .milliseconds(5)) { [self] in resume() }
            return
        }
        // Consume the header alone: the client's bytes stay for lws.
        let consumed = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, length, 0) }
        finish(consumed == length ? parse : .invalid("the PROXY header could not be consumed"))
    }

    private func resume() {
        guard suspended else { return }
        suspended = false
        source.resume()
    }

    /// Hands the socket on only once Dispatch has stopped watching its descriptor (the
    /// cancel handler), so it is never closed or adopted while still registered here.
    private func finish(_ result: ProxyHeader.Parse) {
        guard !finished else { return }
        finished = true
        source.setCancelHandler { [self] in done(result) }
        source.cancel()
        resume()
    }
}
