import ArgumentParser
import Dispatch
import Foundation
import Logging
import LWSTransport
import ServiceLifecycle
import TownhallCore
import TownhallRelay
import TownhallSSO
import TownhallStore
import TownhallTransport

/// `townhall serve`: the relay on one port, HTTP and WebSocket together.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the pages and the live relay.")

    @Option(help: "Address to listen on.") var host = "0.0.0.0"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "The data folder.") var data = "./data"
    @Option(help: "The folder of the web pages.") var web = "./Web"
    @Option(name: .customLong("tick-ms"), help: "Milliseconds between coalesced updates.") var tickMs = 100
    @Option(name: .customLong("event-loop"), help: "libev (epoll; falls back to poll without libwebsockets-evlib-ev) or poll.")
    var eventLoop: EventLoop = .libev
    @Option(name: .customLong("service-threads"), help: "libwebsockets service threads, each with its own connections and writes.")
    var serviceThreads = 2
    @Option(name: .customLong("max-queue-kib"), help: "Output a connection may have pending before it is closed with 4009.")
    var maxQueueKiB = 4096
    @Option(name: .customLong("idle-ping"), help: "Seconds a WebSocket may be silent before it gets a ping (each connection up to half as long again, so pings do not come in one round).") var idlePing = 30
    @Option(name: .customLong("idle-hangup"), help: "Seconds of silence (pings unanswered) after which a WebSocket is closed.")
    var idleHangup = 60
    @Option(name: .customLong("resume-updates"), help: ArgumentHelp("Updates kept per audience for resume.", visibility: .hidden))
    var resumeUpdates = 1024
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @OptionGroup(title: "Weekly cycle") var cycleOptions: CycleOptions
    @OptionGroup(title: "Journal") var journalOptions: JournalOptions
    @OptionGroup(title: "Security") var security: SecurityOptions
    @OptionGroup(title: "Sign-in through the company's OpenID provider") var signIn: SignInOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (10...5000).contains(tickMs) else { throw ValidationError("--tick-ms must be 10 to 5000") }
        guard (16...65_536).contains(resumeUpdates) else { throw ValidationError("--resume-updates must be 16 to 65536") }
        guard (16...1_048_576).contains(maxQueueKiB) else { throw ValidationError("--max-queue-kib must be 16 to 1048576") }
        guard (1...3600).contains(idlePing), (idlePing + 1...7200).contains(idleHangup) else {
            throw ValidationError("--idle-ping must be 1 to 3600 seconds and --idle-hangup more than it, at most 7200")
        }
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
        let hold = try folder.lock()
        defer { withExtendedLifetime(hold) {} }
        let secret = try folder.secret()
        let authenticator = try await Authenticator(secret: secret, sso: try security.sso())
        var (core, journal) = try openState(folder, logger: logger)
        try settle(.configure(reviewPosts: cycleOptions.reviewPosts), on: &core, journal: journal)

        var relayConfig = RelayConfig()
        relayConfig.tickMilliseconds = tickMs
        relayConfig.resumeCapacity = resumeUpdates
        relayConfig.snapshotIntervalMillis = Int64(journalOptions.snapshotEvery.seconds * 1000)
        relayConfig.journalGiveUpMillis = Int64(journalOptions.journalGiveUp.seconds * 1000)
        relayConfig.maxConnectionsPerUser = security.maxConnsPerUser
        relayConfig.timeZone = cycleOptions.timeZone
        relayConfig.retainMillis = cycleOptions.retainMillis
        let executor = ServiceQueue()
        let metricsRegistry = MetricsRegistry()
        let path = folder.path
        let relay = Relay(
            config: relayConfig, core: core, journal: journal, authenticator: authenticator, executor: executor, logger: logger,
            reload: { try Recovery.load(path).rebuild(startedAt: nowMillis()).townhall },
            onFatal: { reason in
                Logger(label: "townhall").critical("server.exiting", metadata: ["reason": "\(reason)"])
                Foundation.exit(75)
            },
            metricsRegistry: metricsRegistry
        )
        var serverConfig = LWSServerConfig(host: host, port: port, webRoot: web, tickMilliseconds: tickMs)
        serverConfig.maxQueuedBytes = maxQueueKiB * 1024
        serverConfig.idlePingSeconds = UInt16(idlePing)
        serverConfig.idleHangupSeconds = UInt16(idleHangup)
        serverConfig.eventLoop = eventLoop
        serverConfig.tlsCertificate = security.tlsCert
        serverConfig.tlsKey = security.tlsKey
        serverConfig.allowedOrigins = security.origins
        serverConfig.maxConnectionsPerAddress = security.maxConnsPerAddress
        serverConfig.maxNewConnectionsPerAddressPerSecond = security.maxNewConnsPerAddress
        serverConfig.trustedProxies = security.trustedProxies
        serverConfig.proxyProtocol = security.proxyProtocol
        serverConfig.echoPath = security.echoPath
        if let echoPath = security.echoPath { logger.warning("server.echo_endpoint_enabled", metadata: ["path": "\(echoPath)"]) }
        let server = try LWSServerGroup(
            config: serverConfig, threadCount: serviceThreads, handler: relay, executor: executor, metricsRegistry: metricsRegistry, logger: logger
        )
        relay.transport = server
        var httpClient: LWSHTTPClient?
        if let settings = try signIn.settings() {
            let client = try LWSHTTPClient(caFile: signIn.caFile)
            httpClient = client
            let web = await WebSignIn(
                settings: settings, client: client, sessionSecret: secret, signedOutFile: folder.path + "/signed-out.json", logger: logger,
                mint: { actor, seconds, readOnly in try await authenticator.mint(actor, ttl: seconds, readOnly: readOnly) },
                verify: { token in
                    guard case .success(let identity) = await authenticator.verify(token), !identity.readOnly else { return nil }
                    return identity.actor
                }
            )
            relay.routes = [web]
            // Said now, so an unreachable provider shows in the log at start; the server
            // starts anyway and tries again when someone signs in.
            if case .success = await web.discover() {} else {
                logger.error("sso.unavailable_at_start", metadata: ["issuer": "\(settings.issuer)"])
            }
        }
        defer { httpClient?.shutdown() }
        try server.start()
        try await printLinks(port: server.boundPort, authenticator: authenticator)

        // Started in this order, shut down in the reverse: the loop first (1001 to every
        // client, queues drained), then the token checks in flight, then the journal
        // (a final snapshot of the state the loop left, and the writer stops).
        let services: [any Service] = [
            JournalService(journal: journal, finalState: { relay.acceptingChanges ? relay.core : nil }, logger: logger),
            TokenCheckService(checks: relay.tokenChecks),
            TransportService(server: server, relay: relay, grace: 2),
        ]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        try await group.run()
        logger.notice("server.stopped")
    }

    /// Loads the newest snapshot, replays the journal after it, and opens the journal
    /// for appends (cutting off a torn last record).
    private func openState(_ folder: DataFolder, logger: Logger) throws -> (Townhall, DiskJournal) {
        let recovery: Recovery
        do {
            recovery = try Recovery.load(folder.path)
        } catch let damage as Recovery.Damage {
            let message = "townhall: cannot start: " + damage.description.replacingOccurrences(of: "<folder>", with: folder.path) + "\n"
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(2)
        }
        let (core, refused) = recovery.rebuild(startedAt: nowMillis())
        if recovery.tornBytes > 0 {
            logger.warning("journal.torn_tail_cut", metadata: ["bytes": "\(recovery.tornBytes)"])
        }
        if refused > 0 { logger.error("journal.replay_refused", metadata: ["records": "\(refused)"]) }
        logger.info("journal.recovered", metadata: [
            "snapshot.records": "\(recovery.snapshotInfo?.covered ?? 0)", "replayed": "\(recovery.records.count)",
        ])
        let journal = try DiskJournal(folder: folder.path, recovery: recovery, mode: journalOptions.syncMode,
                                        syncGapMillis: journalOptions.journalSyncGap)
        if recovery.snapshot == nil && recovery.records.isEmpty {
            // A new folder: record the first cycle's start before anything else.
            try JournalWait.snapshot(core, to: journal)
        }
        return (core, journal)
    }

    /// Applies a request of the server's own before it starts serving, journaled.
    private func settle(_ command: Command, on core: inout Townhall, journal: DiskJournal) throws {
        let request = Request(actor: Townhall.system, at: nowMillis(), command: command)
        guard let outcome = try? core.apply(request), !outcome.changes.isEmpty else { return }
        try JournalWait.append(request, to: journal)
    }

    /// The address, and sign-in links with fresh tokens in the fragment (never the
    /// query, so they stay out of server and proxy logs).
    private func printLinks(port: Int, authenticator: Authenticator) async throws {
        let shown = ["0.0.0.0", "", "*"].contains(host) ? "localhost" : host
        let base = "\(security.tlsCert == nil ? "http" : "https")://\(shown):\(port)"
        let hostToken = try await authenticator.mint(Actor(id: "host", name: "Host", office: "HQ", role: .host), ttl: 8 * 3600)
        let employeeToken = try await authenticator.mint(Actor(id: "employee", name: "Employee", office: "HQ", role: .employee), ttl: 8 * 3600)
        print("Townhall is serving on \(base) (listening on \(host):\(port))")
        print("Host console:  \(base)/host#token=\(hostToken)")
        print("Employee page: \(base)/#token=\(employeeToken)")
        print("Room screen:   \(base)/screen#token=\(employeeToken)")
        print("More tokens:   townhall token --data \(data) --sub ID --name NAME --office OFFICE --role employee|moderator|host")
        fflush(nil)
    }
}

extension EventLoop: ExpressibleByArgument {}
