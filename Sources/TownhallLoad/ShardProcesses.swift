import Foundation

/// One shard child: its process, its pipes, and what it said on stdout.
final class ShardChild: @unchecked Sendable {
    let shard: Int
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private let changed: DispatchSemaphore
    private var isReady = false
    private var isEnded = false
    private var resultLine: String?

    init(shard: Int, changed: DispatchSemaphore) {
        self.shard = shard
        self.changed = changed
    }

    func start(executable: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let thread = Thread { [self] in readLines() }
        thread.start()
    }

    private func readLines() {
        var pending = Data()
        let handle = output.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                lock.lock()
                if line == "welcomed" { isReady = true }
                if line.hasPrefix("result ") { resultLine = String(line.dropFirst(7)) }
                lock.unlock()
                changed.signal()
            }
        }
        lock.lock()
        isEnded = true
        lock.unlock()
        changed.signal()
    }

    var state: (ready: Bool, ended: Bool, result: String?) {
        lock.lock()
        defer { lock.unlock() }
        return (isReady, isEnded, resultLine)
    }

    func send(_ line: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }
}

/// The parent of P shard processes. It re-executes its own binary with the same options
/// plus `--shard i --shards P`, waits until every shard has its connections welcomed,
/// gives them all one start time on the shared CLOCK_MONOTONIC (so idle, traffic and
/// drain are the same window everywhere, and every marker is sent after every welcome),
/// then merges their results.
enum ShardProcesses {
    static func run(_ config: LoadConfig, arguments: [String], log: @escaping @Sendable (String) -> Void) async -> Int32 {
        await LoadMain.onThread { runBlocking(config, arguments: arguments, log: log) }
    }

    private static func runBlocking(_ config: LoadConfig, arguments: [String], log: @Sendable (String) -> Void) -> Int32 {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let changed = DispatchSemaphore(value: 0)
        let shards = config.processes
        var children: [ShardChild] = []
        var failures: [String] = []
        log("starting \(shards) shard processes")
        for shard in 0..<shards {
            let child = ShardChild(shard: shard, changed: changed)
            do {
                try child.start(executable: executable, arguments: arguments + ["--shard", "\(shard)", "--shards", "\(shards)"])
                children.append(child)
            } catch {
                failures.append("shard \(shard) could not start: \(error)")
            }
        }
        // Foundation starts each child in a process group of its own, so Ctrl-C (or a
        // SIGTERM) reaches only the parent: it passes them on, the shards stop their
        // loops and still report, and the parent stays to merge what they send.
        let started = children
        var forwarders: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { for child in started where child.process.isRunning { kill(child.process.processIdentifier, number) } }
            source.resume()
            forwarders.append(source)
        }
        defer { for source in forwarders { source.cancel() } }
        // Every shard welcomed (or gone), then one start time for all.
        while !children.allSatisfy({ $0.state.ready || $0.state.ended }) { changed.wait() }
        let start = Monotonic.now() + 200_000_000 + UInt64(config.idle * 1e9)
        for child in children where !child.state.ended { child.send("go \(start)") }
        // The phase lines, once for all shards, at the times the shards work to (they
        // share CLOCK_MONOTONIC); "done" comes early if the shards end early.
        var timeline: [(at: UInt64, name: String)] = []
        if children.contains(where: { $0.state.ready }) {
            LoadMain.announcePhase("welcomed")
            let trafficEnd = start + UInt64(config.duration * 1e9)
            timeline = [(start, "traffic"), (trafficEnd, "drain"), (trafficEnd + UInt64(config.drain * 1e9), "done")]
        }
        var doneAnnounced = false
        while !children.allSatisfy({ $0.state.ended }) {
            let now = Monotonic.now()
            while let next = timeline.first, next.at <= now {
                LoadMain.announcePhase(next.name)
                if next.name == "done" { doneAnnounced = true }
                timeline.removeFirst()
            }
            if let next = timeline.first {
                _ = changed.wait(timeout: .now() + .nanoseconds(Int(min(next.at - now, 1_000_000_000))))
            } else {
                changed.wait()
            }
        }
        if !doneAnnounced { LoadMain.announcePhase("done") }
        for child in children { child.process.waitUntilExit() }

        var results: [ShardResult] = []
        let decoder = JSONDecoder()
        for child in children {
            guard let line = child.state.result, let result = try? decoder.decode(ShardResult.self, from: Data(line.utf8)) else {
                failures.append("shard \(child.shard) ended (exit code \(child.process.terminationStatus)) without a result")
                continue
            }
            results.append(result)
        }
        let report = LoadReport(config: config, shards: results, failures: failures)
        print(config.json ? report.json() : report.text())
        return report.ran ? 0 : 1
    }
}
