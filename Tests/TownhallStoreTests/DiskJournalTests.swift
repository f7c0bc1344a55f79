import Foundation
import Synchronization
import Testing
import TownhallCore
@testable import TownhallStore

@Suite("The disk journal")
struct DiskJournalTests {
    @Test("appended records come back after reopening, in order")
    func reopen() throws {
        let folder = temporaryFolder()
        let (journal, _) = try openJournal(folder)
        let outcomes = Outcomes()
        for n in 0..<20 { journal.append([request(n)], completion: outcomes.record(n)) }
        outcomes.wait(for: 20)
        journal.close()
        #expect(outcomes.all.map(\.0) == Array(0..<20), "completions in append order")
        #expect(outcomes.all.allSatisfy { (try? $0.1.get()) != nil })
        let recovery = try Recovery.load(folder)
        #expect(recovery.records == (0..<20).map(request))
        #expect(recovery.nextSequence == 20)
    }

    @Test("group commit: everything that arrives during one fsync shares the next one")
    func groupCommit() throws {
        let folder = temporaryFolder()
        let disk = GatedDisk()
        let (journal, _) = try openJournal(folder, ops: disk.ops)
        let outcomes = Outcomes()
        disk.closeGate()
        journal.append([request(0)], completion: outcomes.record(0))
        disk.waitUntilHeld()
        // While that fsync is held, 1,999 appends arrive from 8 threads.
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for n in 0..<250 where thread * 250 + n > 0 {
                journal.append([request(thread * 250 + n)], completion: outcomes.record(thread * 250 + n))
            }
        }
        #expect(journal.status.appended == 2000 && journal.status.durable == 0, "none is acknowledged yet")
        let syncsBefore = disk.syncs.load(ordering: .relaxed)
        disk.openGate()
        outcomes.wait(for: 2000)
        journal.close()
        #expect(outcomes.all.count == 2000 && outcomes.all.allSatisfy { (try? $0.1.get()) != nil })
        #expect(outcomes.all.first?.0 == 0, "the first record completes first")
        #expect(disk.syncs.load(ordering: .relaxed) - syncsBefore == 2,
                "one fsync for the 1,999 that queued behind the held one, and one at close")
        #expect(try Recovery.load(folder).records.count == 2000)
    }

    @Test("under a stream of appends fsyncs start a gap apart; an append after a quiet spell is written at once")
    func syncGap() throws {
        let folder = temporaryFolder()
        let disk = ClockedDisk()
        let gap: UInt64 = 200_000_000
        let (journal, _) = try openJournal(folder, ops: disk.ops, syncGapMillis: 200)
        let outcomes = Outcomes()
        journal.append([request(0)], completion: outcomes.record(0))
        outcomes.wait(for: 1)
        usleep(300_000)
        // Quiet for longer than the gap: the next append does not wait for one.
        let appendedAt = DispatchTime.now().uptimeNanoseconds
        journal.append([request(1)], completion: outcomes.record(1))
        outcomes.wait(for: 2)
        let lone = disk.syncStarts.last!
        #expect(lone - appendedAt < gap / 2, "written \((lone - appendedAt) / 1_000_000) ms after it came")
        // 100 appends over about 600 ms share a handful of fsyncs, each a gap after the last.
        let before = disk.syncStarts.count
        let streamStart = DispatchTime.now().uptimeNanoseconds
        for n in 2..<102 {
            journal.append([request(n)], completion: outcomes.record(n))
            usleep(6_000)
        }
        let streamLength = DispatchTime.now().uptimeNanoseconds - streamStart
        outcomes.wait(for: 102)
        let stream = Array(disk.syncStarts[(before - 1)...])
        journal.close()
        #expect(outcomes.all.map(\.0) == Array(0..<102) && outcomes.all.allSatisfy { (try? $0.1.get()) != nil })
        #expect(zip(stream, stream.dropFirst()).allSatisfy { $1 - $0 >= gap }, "fsyncs at \(stream.map { ($0 - stream[0]) / 1_000_000 }) ms")
        #expect(UInt64(stream.count - 1) <= streamLength / gap + 2,
                "\(stream.count - 1) fsyncs for 100 appends in \(streamLength / 1_000_000) ms")
        #expect(try Recovery.load(folder).records == (0..<102).map(request))
    }

    @Test("per-record mode fsyncs once per append (the benchmark's comparison)")
    func perRecord() throws {
        let folder = temporaryFolder()
        let disk = FlakyDisk()
        let (journal, _) = try openJournal(folder, ops: disk.ops, mode: .perRecord)
        let before = disk.syncs.load(ordering: .relaxed)
        let outcomes = Outcomes()
        for n in 0..<50 { journal.append([request(n)], completion: outcomes.record(n)) }
        outcomes.wait(for: 50)
        journal.close()
        #expect(disk.syncs.load(ordering: .relaxed) - before >= 50)
    }

    @Test("a failed fsync is never acknowledged; later appends fail at once; what was durable stays",
          arguments: [EIO, ENOSPC])
    func failure(error: Int32) throws {
        let folder = temporaryFolder()
        let disk = FlakyDisk(error: error)
        let (journal, _) = try openJournal(folder, ops: disk.ops)
        let outcomes = Outcomes()
        for n in 0..<5 { journal.append([request(n)], completion: outcomes.record(n)) }
        outcomes.wait(for: 5)
        disk.failing.store(true, ordering: .relaxed)
        for n in 5..<8 { journal.append([request(n)], completion: outcomes.record(n)) }
        outcomes.wait(for: 8)
        #expect(outcomes.all.prefix(5).allSatisfy { (try? $0.1.get()) != nil })
        #expect(outcomes.all.dropFirst(5).allSatisfy { (try? $0.1.get()) == nil })
        #expect(journal.status.failure != nil)
        #expect(journal.status.durable == 5)
        let expected = error == EIO ? "fsync" : "write"
        #expect(journal.status.failure?.hasPrefix(expected) == true)

        // Still failing: reset fails. Disk back: reset works and appends go on.
        let reset = Outcomes()
        journal.reset(completion: reset.record(0))
        reset.wait(for: 1)
        #expect((try? reset.all[0].1.get()) == nil)
        disk.failing.store(false, ordering: .relaxed)
        journal.reset(completion: reset.record(1))
        reset.wait(for: 2)
        #expect((try? reset.all[1].1.get()) != nil)
        journal.append([request(100)], completion: outcomes.record(100))
        outcomes.wait(for: 9)
        journal.close()
        #expect(try Recovery.load(folder).records == (0..<5).map(request) + [request(100)])
    }

    @Test("a snapshot rotates the journal and drops what it covers; start-up replays only the rest")
    func snapshot() throws {
        let folder = temporaryFolder()
        var townhall = Townhall(startedAt: 1_800_000_000_000)
        let (journal, _) = try openJournal(folder)
        let outcomes = Outcomes()
        for n in 0..<10 {
            _ = try townhall.apply(request(n))
            journal.append([request(n)], completion: outcomes.record(n))
        }
        let done = DispatchSemaphore(value: 0)
        let covered = Atomic<Int64>(-1)
        journal.snapshot(townhall) { result in
            covered.store((try? result.get())?.covered ?? -2, ordering: .relaxed)
            done.signal()
        }
        done.wait()
        #expect(covered.load(ordering: .relaxed) == 10)
        for n in 10..<13 {
            _ = try townhall.apply(request(n))
            journal.append([request(n)], completion: outcomes.record(n))
        }
        outcomes.wait(for: 13)
        journal.close()
        #expect(JournalFiles.snapshots(in: folder).map(\.covered) == [10])
        #expect(JournalFiles.segments(in: folder).map(\.start) == [10])
        let recovery = try Recovery.load(folder)
        #expect(recovery.records == (10..<13).map(request))
        #expect(recovery.rebuild(startedAt: 0).townhall == townhall)
    }

    @Test("start-up cuts a torn tail; damage in the middle is refused with file and offset; repair recovers")
    func recoveryRules() throws {
        let folder = temporaryFolder()
        let (journal, _) = try openJournal(folder)
        let outcomes = Outcomes()
        for n in 0..<5 { journal.append([request(n)], completion: outcomes.record(n)) }
        outcomes.wait(for: 5)
        journal.close()
        let path = try #require(JournalFiles.segments(in: folder).first?.path)
        let good = try JournalFiles.read(path)

        try Data(good + [0xA7, 0x10, 0x00]).write(to: URL(fileURLWithPath: path))
        let torn = try Recovery.load(folder)
        #expect(torn.records.count == 5 && torn.tornBytes == 3)
        let (reopened, _) = try openJournal(folder)
        reopened.close()
        #expect(try JournalFiles.read(path) == good, "the torn tail is cut on open")

        var damaged = good
        let second = RecordFrame.encode(JournalRecord.encode(request(0))).count
        damaged[second + 3] ^= 0xFF
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        #expect {
            try Recovery.load(folder)
        } throws: { error in
            guard let damage = error as? Recovery.Damage else { return false }
            return damage.file == path && damage.offset == second && damage.description.contains("townhall repair")
        }
        let report = try Repair.run(folder)
        #expect(report.contains { $0.contains("after 1 good records") })
        #expect(try Recovery.load(folder).records == [request(0)])
        let aside = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("damaged-") }
        #expect(aside.count == 1)
    }
}
