import CMalloc
import Foundation
import TownhallCore

/// The journal on disk: segments of framed records written by one writer thread and
/// fsynced in groups. One fsync covers everything that arrived while the previous one
/// ran, and under load fsyncs start at least `syncGap` apart, so a vote storm costs at
/// most a few hundred fsyncs a second, not one per vote.
///
/// The queue and counters are guarded by `condition`; the file descriptor and segment
/// belong to the writer thread. Hence `@unchecked Sendable`.
package final class DiskJournal: Journal, @unchecked Sendable {
    /// How records reach the disk.
    package enum SyncMode: String, Sendable, CaseIterable {
        /// One fsync for everything waiting (the default).
        case group
        /// One write and fsync per append, for comparison in the benchmark.
        case perRecord = "per-record"
    }

    private enum Item {
        /// Encoded, framed and checksummed on the writer thread, not the caller's.
        case records([Request], completion: @Sendable (Result<Void, JournalError>) -> Void)
        /// Start a new segment at `start`; everything before it is then durable.
        case rotate(start: Int64, completion: @Sendable (Result<Void, JournalError>) -> Void)
        case reset(completion: @Sendable (Result<Void, JournalError>) -> Void)
    }

    private let folder: String
    private let ops: FileOps
    private let mode: SyncMode
    /// The least time between two fsyncs' starts in group mode, in nanoseconds. A record
    /// that finds the disk quiet for longer is written at once; in a storm each fsync
    /// waits out the rest of the gap and takes everything that arrived meanwhile. An
    /// fsync costs the process about 0.2 ms of CPU on a virtual disk (its kick traps to
    /// the host): at 2,000 votes a second, 466 fsyncs a second took the writer a tenth
    /// of a core, and 5 ms apart (170 a second) about half that, encoding included.
    private let syncGap: UInt64
    /// The gap `serve` and the tests use unless told otherwise.
    package static let defaultSyncGapMillis: Double = 5
    private let condition = NSCondition()
    private let stopped = DispatchSemaphore(value: 0)

    // Guarded by `condition`.
    private var queue: [Item] = []
    private var failure: JournalError?
    private var stopping = false
    /// The writer sleeps for want of work (not out a gap): only then does an append wake
    /// it, so a storm costs one wake per fsync, not one per append.
    private var writerIdle = false
    private var appended: Int64
    private var durable: Int64
    private var lastSnapshot: SnapshotInfo?

    // Writer thread only.
    private var fd: Int32 = -1
    private var segmentLength = 0
    private var lastSync: UInt64 = 0

    /// Opens the journal where `recovery` left it: appends go on in the last segment,
    /// cut back to its good length (dropping a torn tail), or in a new one.
    package init(folder: String, recovery: Recovery, ops: FileOps = .system, mode: SyncMode = .group,
                 syncGapMillis: Double = defaultSyncGapMillis) throws(JournalError) {
        self.folder = folder
        self.ops = ops
        self.mode = mode
        syncGap = UInt64(max(0, syncGapMillis) * 1_000_000)
        appended = recovery.nextSequence
        durable = recovery.nextSequence
        lastSnapshot = recovery.snapshotInfo
        // A snapshot cut short by a crash leaves its temporary file behind.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".json.tmp") {
            unlink(folder + "/" + name)
        }
        if let last = recovery.lastSegment {
            fd = open(last.path, O_WRONLY)
            guard fd >= 0 else { throw JournalError.system("open \(last.path)") }
            guard ftruncate(fd, off_t(last.goodLength)) == 0, lseek(fd, off_t(last.goodLength), SEEK_SET) >= 0 else {
                throw JournalError.system("truncate \(last.path)")
            }
            try ops.syncOrThrow(fd)
            segmentLength = last.goodLength
        } else {
            try openSegment(start: recovery.nextSequence)
        }
        let thread = Thread { [self] in writerLoop() }
        thread.name = "townhall-journal"
        thread.start()
    }

    // MARK: Journal

    package func append(_ records: [Request], completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        enqueue(.records(records, completion: completion), counting: Int64(records.count))
    }

    package func snapshot(_ state: Townhall, completion: @escaping @Sendable (Result<SnapshotInfo, JournalError>) -> Void) {
        let folder = folder, ops = ops
        condition.lock()
        let covered = appended
        condition.unlock()
        enqueue(.rotate(start: covered, completion: { [self] rotated in
            if case .failure(let error) = rotated { return completion(.failure(error)) }
            DispatchQueue.global(qos: .utility).async { [self] in
                do {
                    let info = try SnapshotFile.write(state.snapshot, covering: covered, in: folder, ops: ops)
                    for segment in JournalFiles.segments(in: folder) where segment.start < covered { unlink(segment.path) }
                    for old in JournalFiles.snapshots(in: folder) where old.covered < covered { unlink(old.path) }
                    try? JournalFiles.syncFolder(folder, ops: ops)
                    condition.lock()
                    lastSnapshot = info
                    condition.unlock()
                    // The snapshot's transient buffers are freed by now; hand what malloc
                    // keeps back to the system, so a week of snapshots does not ratchet RSS.
                    malloc_trim(0)
                    completion(.success(info))
                } catch {
                    completion(.failure(error as? JournalError ?? JournalError("snapshot failed")))
                }
            }
        }), counting: 0)
    }

    package func reset(completion: @escaping @Sendable (Result<Void, JournalError>) -> Void) {
        condition.lock()
        queue.append(.reset(completion: completion))
        condition.signal()
        condition.unlock()
    }

    package var status: JournalStatus {
        condition.lock()
        defer { condition.unlock() }
        return JournalStatus(kind: "disk", failure: failure?.message, appended: appended, durable: durable, lastSnapshot: lastSnapshot)
    }

    package func close() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        stopped.wait()
    }

    // MARK: Writer

    private func enqueue(_ item: Item, counting records: Int64) {
        condition.lock()
        if let failure {
            condition.unlock()
            return complete(item, .failure(failure))
        }
        appended += records
        queue.append(item)
        if writerIdle { condition.signal() }
        condition.unlock()
    }

    private func writerLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping {
                writerIdle = true
                condition.wait()
                writerIdle = false
            }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            if mode == .group { waitOutGap() }
            let take = mode == .group ? queue.count : 1
            let items = Array(queue.prefix(take))
            queue.removeFirst(take)
            let failed = failure
            condition.unlock()
            if let failed, !items.contains(where: { if case .reset = $0 { true } else { false } }) {
                for item in items { complete(item, .failure(failed)) }
                continue
            }
            process(items)
        }
        if fd >= 0 {
            _ = ops.sync(fd)
            Foundation.close(fd)
        }
        stopped.signal()
    }

    /// Waits (with `condition` held, so appends go on) until `syncGap` has passed since
    /// the last fsync started, unless the journal is closing.
    private func waitOutGap() {
        while !stopping {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now &- lastSync < syncGap else { return }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(syncGap - (now &- lastSync)) / 1e9))
        }
    }

    /// Writes runs of records with one fsync each; rotations and resets in between.
    private func process(_ items: [Item]) {
        var run: [Item] = []
        for item in items {
            if case .records = item {
                run.append(item)
                continue
            }
            flush(run)
            run = []
            switch item {
            case .rotate(let start, let completion):
                completion(failureNow().map { .failure($0) } ?? Result { () throws(JournalError) in try rotate(to: start) })
            case .reset(let completion):
                completion(Result { () throws(JournalError) in try resetFile() })
            case .records:
                break
            }
        }
        flush(run)
    }

    private func flush(_ run: [Item]) {
        guard !run.isEmpty else { return }
        if let failed = failureNow() {
            for item in run { complete(item, .failure(failed)) }
            return
        }
        var bytes: [UInt8] = []
        var count: Int64 = 0
        do {
            for case let .records(records, _) in run {
                for record in records { bytes += RecordFrame.encode(JournalRecord.encode(record)) }
                count += Int64(records.count)
            }
            try ops.writeAll(fd, bytes)
            lastSync = DispatchTime.now().uptimeNanoseconds
            try ops.syncOrThrow(fd)
            segmentLength += bytes.count
            // Completions first: once `durable` covers a record, its completion has run.
            for item in run { complete(item, .success(())) }
            condition.lock()
            durable += count
            condition.unlock()
        } catch {
            condition.lock()
            failure = error
            appended = durable
            let dropped = queue
            queue = []
            condition.unlock()
            _ = ftruncate(fd, off_t(segmentLength))
            for item in run + dropped { complete(item, .failure(error)) }
        }
    }

    private func rotate(to start: Int64) throws(JournalError) {
        try ops.syncOrThrow(fd)
        Foundation.close(fd)
        fd = -1
        try openSegment(start: start)
    }

    /// Cuts the segment back to what was durable and proves the disk takes a write and
    /// an fsync again (a full disk still truncates and fsyncs fine; it fails to write).
    private func resetFile() throws(JournalError) {
        guard ftruncate(fd, off_t(segmentLength)) == 0, lseek(fd, off_t(segmentLength), SEEK_SET) >= 0 else {
            throw JournalError.system("truncate")
        }
        try ops.syncOrThrow(fd)
        let probe = folder + "/write-probe"
        let probeFD = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard probeFD >= 0 else { throw JournalError.system("open \(probe)") }
        defer {
            Foundation.close(probeFD)
            unlink(probe)
        }
        try ops.writeAll(probeFD, [UInt8](repeating: 0, count: 64 * 1024))
        try ops.syncOrThrow(probeFD)
        condition.lock()
        failure = nil
        appended = durable
        condition.unlock()
    }

    private func openSegment(start: Int64) throws(JournalError) {
        let path = folder + "/" + JournalFiles.segmentName(start)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw JournalError.system("open \(path)") }
        segmentLength = 0
        try JournalFiles.syncFolder(folder, ops: ops)
    }

    private func failureNow() -> JournalError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    private func complete(_ item: Item, _ result: Result<Void, JournalError>) {
        switch item {
        case .records(_, let completion), .rotate(_, let completion), .reset(let completion):
            completion(result)
        }
    }
}
