#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the few things the load generator needs out of a frame without decoding it:
/// `memmem` for a key, then the number after it by hand. Watchers see every update of the
/// run, so this is what keeps the load generator's own cost far below the server's.
///
/// JSON strings cannot hold a bare `"` (it is escaped as `\"`), so `"seq":` can only be
/// the key; user text that says `"mark:` is escaped too, which `markers` checks for.
enum FrameScan {
    static let updateTail = Array(#""type":"update"}"#.utf8)
    static let updateType = Array(#""type":"update""#.utf8)
    static let welcomeType = Array(#""type":"welcome""#.utf8)
    static let ackType = Array(#""type":"ack""#.utf8)
    static let errorType = Array(#""type":"error""#.utf8)
    static let seqKey = Array(#""seq":"#.utf8)
    static let idKey = Array(#""id":"#.utf8)
    static let codeKey = Array(#""code":""#.utf8)
    static let epochKey = Array(#""epoch":""#.utf8)
    static let recovered = Array(#""recovered":true"#.utf8)
    static let marker = Array(#""mark:"#.utf8)
    static let myVotesKey = Array(#""myVotes":{"#.utf8)

    typealias MemmemFunction = @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?

    /// glibc's memmem (vectorized). Its header declares it only under _GNU_SOURCE, which
    /// Swift's Glibc module is built without, so it is looked up once by name.
    static let memmemFunction: MemmemFunction? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "memmem") else { return nil }
        return unsafeBitCast(symbol, to: MemmemFunction.self)
    }()

    /// The offset of the first `pattern` at or after `from`.
    static func find(_ pattern: [UInt8], in frame: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard let base = frame.baseAddress, from < frame.count, !pattern.isEmpty else { return nil }
        return pattern.withUnsafeBytes { needle -> Int? in
            if let memmem = memmemFunction {
                guard let found = memmem(base + from, frame.count - from, needle.baseAddress, needle.count) else { return nil }
                return base.distance(to: UnsafeRawPointer(found))
            }
            // Without memmem: memchr for the first byte, then compare.
            guard let needleBase = needle.baseAddress else { return nil }
            var at = from
            while at + needle.count <= frame.count {
                guard let hit = memchr(base + at, Int32(pattern[0]), frame.count - at - needle.count + 1) else { return nil }
                let offset = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + offset, needleBase, needle.count) == 0 { return offset }
                at = offset + 1
            }
            return nil
        }
    }

    static func contains(_ pattern: [UInt8], in frame: UnsafeRawBufferPointer) -> Bool { find(pattern, in: frame) != nil }

    /// Updates from the Swift server end with `"type":"update"}` (its encoder sorts keys),
    /// so the tail is tried first; other servers are searched in full.
    static func isUpdate(_ frame: UnsafeRawBufferPointer) -> Bool {
        let tail = updateTail.count
        if frame.count >= tail, let base = frame.baseAddress {
            let same = updateTail.withUnsafeBytes { tailBytes in tailBytes.baseAddress.map { memcmp(base + frame.count - tail, $0, tail) == 0 } ?? false }
            if same { return true }
        }
        return contains(updateType, in: frame)
    }

    /// The integer at `offset` (optionally negative); nil if there is none.
    static func integer(in frame: UnsafeRawBufferPointer, at offset: Int) -> Int64? {
        var index = offset
        while index < frame.count, frame[index] == 0x20 { index += 1 }
        var negative = false
        if index < frame.count, frame[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < frame.count, digits < 19 {
            let byte = frame[index]
            guard byte >= 0x30, byte <= 0x39 else { break }
            value = value * 10 + Int64(byte - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// The first integer-valued `"id":` (our requests carry integer ids; nested objects
    /// of the replies we get carry string ids).
    static func requestID(_ frame: UnsafeRawBufferPointer) -> Int64? {
        var from = 0
        while let at = find(idKey, in: frame, from: from) {
            if let value = integer(in: frame, at: at + idKey.count) { return value }
            from = at + idKey.count
        }
        return nil
    }

    static func seq(_ frame: UnsafeRawBufferPointer) -> Int64? {
        guard let at = find(seqKey, in: frame) else { return nil }
        return integer(in: frame, at: at + seqKey.count)
    }

    /// The error code of an `error` frame.
    static func errorCode(_ frame: UnsafeRawBufferPointer) -> String {
        guard let at = find(codeKey, in: frame) else { return "unknown" }
        var end = at + codeKey.count
        while end < frame.count, frame[end] != UInt8(ascii: "\""), end - at < 64 { end += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: frame[(at + codeKey.count)..<end]), as: UTF8.self)
    }

    /// A welcome's `epoch`, as a JSON string with its quotes (epochs have no escapes).
    static func epoch(_ frame: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let at = find(epochKey, in: frame) else { return nil }
        let start = at + epochKey.count - 1
        var end = start + 1
        while end < frame.count, frame[end] != UInt8(ascii: "\""), end - start < 128 { end += 1 }
        guard end < frame.count, frame[end] == UInt8(ascii: "\"") else { return nil }
        return Array(frame[start...end])
    }

    /// Every `mark:<ns>` in the frame, oldest first (announcements come newest first).
    static func markers(_ frame: UnsafeRawBufferPointer) -> [UInt64] {
        var out: [UInt64] = []
        var from = 0
        while let at = find(marker, in: frame, from: from) {
            from = at + marker.count
            if at > 0, frame[at - 1] == UInt8(ascii: "\\") { continue }
            if let value = integer(in: frame, at: from), value > 0 { out.append(UInt64(value)) }
        }
        if out.count > 1 { out.sort() }
        return out
    }

    /// The sum of an update's `reactions` map (`{"👏":3,"😂":1}`: emoji keys, integer
    /// counts, no nesting), or nil when it has none.
    static func reactions(_ frame: UnsafeRawBufferPointer) -> Int? {
        guard let start = find(Array(#""reactions":{"#.utf8), in: frame) else { return nil }
        var total = 0, at = start + 13
        while at < frame.count, frame[at] != UInt8(ascii: "}") {
            if frame[at] == UInt8(ascii: ":"), let count = integer(in: frame, at: at + 1) { total += Int(count) }
            at += 1
        }
        return total
    }

    /// `myVotes` of a welcome: `{"p3":1,"p7":-1}`, read by hand (no nesting, ids are plain).
    static func myVotes(_ frame: UnsafeRawBufferPointer) -> [(String, Int)] {
        guard let at = find(myVotesKey, in: frame) else { return [] }
        var out: [(String, Int)] = []
        var index = at + myVotesKey.count
        while index < frame.count, frame[index] == UInt8(ascii: "\"") {
            let start = index + 1
            var end = start
            while end < frame.count, frame[end] != UInt8(ascii: "\"") { end += 1 }
            guard end + 1 < frame.count, frame[end + 1] == UInt8(ascii: ":"),
                  let value = integer(in: frame, at: end + 2)
            else { break }
            out.append((String(decoding: UnsafeRawBufferPointer(rebasing: frame[start..<end]), as: UTF8.self), Int(value)))
            index = end + 2
            while index < frame.count, frame[index] != UInt8(ascii: ","), frame[index] != UInt8(ascii: "}") { index += 1 }
            guard index < frame.count, frame[index] == UInt8(ascii: ",") else { break }
            index += 1
        }
        return out
    }
}

/// Builds request frames into one reusable buffer (no Foundation, no JSON encoder).
struct FrameBuilder {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func number<T: BinaryInteger>(_ value: T) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            number(UInt64(-Int64(value)))
            return
        }
        var remaining = UInt64(value)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[count] = UInt8(remaining % 10) + 0x30
                remaining /= 10
                count += 1
            } while remaining > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(raw[index]) }
        }
    }

    /// A JSON string body (quotes and backslashes escaped; our texts have no controls).
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte < 0x20 ? 0x20 : byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
