import Foundation
import Testing
import TownhallCore
@testable import TownhallStore
import TownhallTestSupport

@Suite("Replay from a journal on disk")
struct ReplayFromDiskTests {
    /// Applies `requests`, journaling what changed something, with a snapshot after
    /// `snapshotAt` of them: the live state, as a running server would hold it.
    func run(_ requests: [Request], into folder: String, snapshotAt: Int) throws -> Townhall {
        let (journal, _) = try openJournal(folder)
        var live = Townhall(startedAt: requests.first?.at ?? 0)
        let outcomes = Outcomes()
        var appended = 0
        for (index, request) in requests.enumerated() {
            if index == snapshotAt {
                outcomes.wait(for: appended)
                let done = DispatchSemaphore(value: 0)
                journal.snapshot(live) { _ in done.signal() }
                done.wait()
            }
            guard let outcome = try? live.apply(request), !outcome.changes.isEmpty else { continue }
            journal.append([request], completion: outcomes.record(appended))
            appended += 1
        }
        outcomes.wait(for: appended)
        journal.close()
        #expect(outcomes.all.count == appended && outcomes.all.allSatisfy { (try? $0.1.get()) != nil })
        return live
    }

    @Test("what one run wrote (a snapshot and the records after it) rebuilds the same state from the files")
    func rebuildsTheSame() throws {
        let requests = RandomScript.make(count: 3_000, seed: 42)
        let folder = temporaryFolder()
        let live = try run(requests, into: folder, snapshotAt: 1_700)
        let recovery = try Recovery.load(folder)
        #expect(recovery.snapshot != nil && !recovery.records.isEmpty, "both halves of recovery are exercised")
        let (rebuilt, refused) = recovery.rebuild(startedAt: 0)
        #expect(refused == 0)
        #expect(rebuilt == live)
        #expect(rebuilt.ranks(for: .staff, depth: .max) == live.ranks(for: .staff, depth: .max))
        #expect(live.cycle.id > 1, "the script crossed cycles")
    }

    @Test("the same requests written by two runs give byte-identical journals")
    func identicalBytes() throws {
        let requests = RandomScript.make(count: 800, seed: 9)
        let first = temporaryFolder(), second = temporaryFolder()
        _ = try run(requests, into: first, snapshotAt: .max)
        _ = try run(requests, into: second, snapshotAt: .max)
        let read = { (folder: String) in try JournalFiles.segments(in: folder).map { try JournalFiles.read($0.path) } }
        let bytes = try read(first), again = try read(second)
        #expect(!bytes.isEmpty && bytes == again)
    }
}
