import Foundation

/// The three ways `townhall load` runs: in one process; as the parent of P shard
/// processes (itself, re-executed with `--shard i --shards P`), which waits for them,
/// merges their figures and prints the report; or as one of those shards.
package enum LoadMain {
    /// Returns the exit code: 0 when the run completed (losses are figures, not errors),
    /// 1 when it could not run.
    package static func run(_ config: LoadConfig, arguments: [String]) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
        let log = logger(config)
        for warning in config.warnings { log("warning: \(warning)") }
        if config.shards > 1 { return await shard(config, log: log) }
        if config.processes > 1 { return await ShardProcesses.run(config, arguments: arguments, log: log) }
        let tokens: LoadTokens
        do {
            tokens = try await timed("minted tokens", log: log) { () async throws(LoadError) in try await LoadTokens.mint(for: config, log: log) }
        } catch {
            log("could not run: \(error.description)")
            return 1
        }
        let result = await onThread { LoadRun(config: config, tokens: tokens, go: nil, ready: nil, log: log).run() }
        let report = LoadReport(config: config, shards: [result], failures: [])
        print(config.json ? report.json() : report.text())
        return report.ran ? 0 : 1
    }

    /// A shard process: says `welcomed` on stdout once its connections are settled,
    /// waits for `go <start ns>` on stdin, and ends with `result <json>`.
    static func shard(_ config: LoadConfig, log: @escaping @Sendable (String) -> Void) async -> Int32 {
        let tokens: LoadTokens
        do {
            tokens = try await timed("minted tokens", log: log) { () async throws(LoadError) in try await LoadTokens.mint(for: config, log: log) }
        } catch {
            var failed = ShardResult()
            failed.shard = config.shard
            failed.failure = error.description
            emit(failed)
            return 1
        }
        let go = GoSignal()
        let reader = Thread {
            while let line = readLine() {
                let words = line.split(separator: " ")
                if words.count == 2, words[0] == "go", let start = UInt64(words[1]) { go.set(start: start) }
            }
            go.abort()
        }
        reader.start()
        let ready: @Sendable () -> Void = { FileHandle.standardOutput.write(Data("welcomed\n".utf8)) }
        let result = await onThread { LoadRun(config: config, tokens: tokens, go: go, ready: ready, log: log).run() }
        emit(result)
        return result.failure == nil ? 0 : 1
    }

    static func emit(_ result: ShardResult) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(result)) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(Data("result ".utf8) + data + Data("\n".utf8))
    }

    /// Progress goes to stderr, so stdout holds only the report (or a shard's lines).
    static func logger(_ config: LoadConfig) -> @Sendable (String) -> Void {
        let prefix = config.shards > 1 ? "townhall load [shard \(config.shard)]: " : "townhall load: "
        return { line in FileHandle.standardError.write(Data((prefix + line + "\n").utf8)) }
    }

    /// `phase welcomed|traffic|drain|done` on stderr, bare (no prefix), unbuffered.
    static func announcePhase(_ name: String) {
        FileHandle.standardError.write(Data("phase \(name)\n".utf8))
    }

    static func timed<T>(_ what: String, log: (String) -> Void, _ body: () async throws(LoadError) -> T) async throws(LoadError) -> T {
        let start = Monotonic.now()
        let value = try await body()
        log(String(format: "\(what) in %.2f s", Double(Monotonic.now() - start) / 1e9))
        return value
    }

    /// Runs blocking work (the event loop) on a thread of its own, not the concurrency pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "townhall-load"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Every connection is a descriptor: the soft limit goes up to the hard one.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
