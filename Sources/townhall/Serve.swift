import ArgumentParser
import Dispatch
import Foundation
import Logging
import LWSTransport
import TownhallCore
import TownhallRelay
import TownhallStore

/// `townhall serve`: the relay on one port, HTTP and WebSocket together.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the pages and the live relay.")

    @Option(help: "Address to listen on.") var host = "0.0.0.0"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "The data folder.") var data = "./data"
    @Option(help: "The folder of the web pages.") var web = "./Web"
    @Option(name: .customLong("tick-ms"), help: "Milliseconds between coalesced updates.") var tickMs = 100
    @Option(name: .customLong("max-queue-kib"), help: "Output a connection may have pending before it is closed with 4009.")
    var maxQueueKiB = 4096
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (10...5000).contains(tickMs) else { throw ValidationError("--tick-ms must be 10 to 5000") }
        guard (16...1_048_576).contains(maxQueueKiB) else { throw ValidationError("--max-queue-kib must be 16 to 1048576") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level is not a level") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "townhall")
        let folder = try DataFolder(path: data)
        let authenticator = await Authenticator(secret: try folder.secret())
        let journal = MemoryJournal()
        var core = Townhall(startedAt: Int64(Date().timeIntervalSince1970 * 1000))
        for request in try journal.records() { _ = try? core.apply(request) }

        var relayConfig = RelayConfig()
        relayConfig.tickMilliseconds = tickMs
        let executor = ServiceQueue()
        let relay = Relay(config: relayConfig, core: core, journal: journal, authenticator: authenticator, executor: executor, logger: logger)
        var serverConfig = LWSServerConfig(host: host, port: port, webRoot: web, tickMilliseconds: tickMs)
        serverConfig.maxQueuedBytes = maxQueueKiB * 1024
        let server = try LWSServer(config: serverConfig, handler: relay, executor: executor, logger: logger)
        relay.transport = server
        try server.start()
        try await printLinks(port: server.boundPort, authenticator: authenticator)

        let signal = await firstSignal([SIGINT, SIGTERM])
        logger.notice("server.stopping", metadata: ["signal": "\(signal)"])
        server.shutdown(grace: 2)
    }

    /// The address, and sign-in links with fresh tokens in the fragment (never the
    /// query, so they stay out of server and proxy logs).
    private func printLinks(port: Int, authenticator: Authenticator) async throws {
        let shown = ["0.0.0.0", "", "*"].contains(host) ? "localhost" : host
        let base = "http://\(shown):\(port)"
        let hostToken = try await authenticator.mint(Actor(id: "host", name: "Host", office: "HQ", role: .host), ttl: 8 * 3600)
        let employeeToken = try await authenticator.mint(Actor(id: "employee", name: "Employee", office: "HQ", role: .employee), ttl: 8 * 3600)
        print("Townhall is serving on \(base) (listening on \(host):\(port))")
        print("Host console:  \(base)/host#token=\(hostToken)")
        print("Employee page: \(base)/#token=\(employeeToken)")
        print("Room screen:   \(base)/screen#token=\(employeeToken)")
        print("More tokens:   townhall token --data \(data) --sub ID --name NAME --office OFFICE --role employee|moderator|host")
        fflush(nil)
    }

    /// Waits for the first of `signals`.
    private func firstSignal(_ signals: [Int32]) async -> Int32 {
        await withCheckedContinuation { continuation in
            let once = Once(continuation)
            for number in signals {
                Foundation.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { once.resume(number) }
                source.resume()
                once.keep(source)
            }
        }
    }
}

/// Resumes a continuation at most once, and keeps the signal sources alive meanwhile.
private final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) {
        lock.withLock { sources.append(source) }
    }

    func resume(_ signal: Int32) {
        let pending = lock.withLock { () -> CheckedContinuation<Int32, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: signal)
    }
}
