// Journal benchmark, in process: acknowledged votes per second and ack latency p50/p99
// with group commit against one fsync per record, in one run on the same disk.
//
// `clients` threads (real threads, not a pool as wide as the cores) each append one vote record and wait for its acknowledgement (the
// completion after fsync) before the next, like connections waiting for their acks.
// Usage: JournalBench [folder] [seconds] [clients]
import Foundation
import Synchronization
import TownhallCore
import TownhallStore

let arguments = CommandLine.arguments
let base = arguments.count > 1 ? arguments[1] : NSTemporaryDirectory()
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
let clients = arguments.count > 3 ? Int(arguments[3]) ?? 64 : 64

/// Runs one mode; returns (acks per second, p50 ms, p99 ms, fsync-covered records per fsync).
func measure(_ mode: DiskJournal.SyncMode) throws -> (perSecond: Double, p50: Double, p99: Double, acked: Int) {
    let folder = base + "/journal-bench-\(mode.rawValue)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let journal = try DiskJournal(folder: folder, recovery: try Recovery.load(folder), mode: mode)
    let latencies = Mutex<[Double]>([])
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
    let started = DispatchTime.now().uptimeNanoseconds
    let finished = DispatchGroup()
    for client in 0..<clients {
        finished.enter()
        Thread {
            defer { finished.leave() }
            let actor = Actor(id: "voter-\(client)", name: "Voter", office: "Dublin", role: .employee)
            var mine: [Double] = []
            var value = 1
            let acked = DispatchSemaphore(value: 0)
            while DispatchTime.now().uptimeNanoseconds < deadline {
                let sent = DispatchTime.now().uptimeNanoseconds
                let vote = Request(actor: actor, at: Int64(sent / 1_000_000), command: .vote(post: "p\(client % 20 + 1)", value: value))
                journal.append([vote]) { _ in acked.signal() }
                acked.wait()
                mine.append(Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e6)
                value = -value
            }
            latencies.withLock { $0 += mine }
        }.start()
    }
    finished.wait()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    journal.close()
    let sorted = latencies.withLock { $0 }.sorted()
    func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(p / 100 * Double(sorted.count - 1)))] }
    return (Double(sorted.count) / elapsed, percentile(50), percentile(99), sorted.count)
}

let group = try measure(.group)
let single = try measure(.perRecord)
print("journal (in process): \(clients) clients each waiting for its ack, \(Int(seconds)) s per mode, on \(base)")
for (name, result) in [("group", group), ("per-record", single)] {
    print(String(format: "  %10@: %9.0f acked votes/s   ack latency p50 %7.3f ms  p99 %7.3f ms   (%d acked)",
                 name, result.perSecond, result.p50, result.p99, result.acked))
}
print(String(format: "  group commit / fsync per record: %.1fx votes/s, p99 latency %.1fx lower",
             group.perSecond / single.perSecond, single.p99 / group.p99))
