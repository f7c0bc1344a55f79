/// A latency histogram with fixed buckets, so that shard processes can be merged exactly
/// by adding counts: 10 µs wide up to 10 ms, 1 ms wide up to 120 s, and one bucket for
/// everything above. Percentiles are read from the merged buckets (the upper edge of the
/// bucket the rank falls in, never above the exact maximum), so they are at most one
/// bucket width pessimistic.
package struct Histogram: Sendable, Equatable {
    static let fineWidth: UInt64 = 10_000
    static let fineLimit: UInt64 = 10_000_000
    static let coarseWidth: UInt64 = 1_000_000
    static let coarseLimit: UInt64 = 120_000_000_000
    static let fineCount = Int(fineLimit / fineWidth)
    static let coarseCount = Int((coarseLimit - fineLimit) / coarseWidth)
    static let bucketCount = fineCount + coarseCount + 1

    /// Allocated at the first sample: about 1 MB, and most histograms of a shard stay empty.
    private(set) var counts: [UInt64] = []
    package private(set) var count: UInt64 = 0
    package private(set) var sum: UInt64 = 0
    package private(set) var min: UInt64 = .max
    package private(set) var max: UInt64 = 0

    package init() {}

    static func bucket(of nanoseconds: UInt64) -> Int {
        if nanoseconds < fineLimit { return Int(nanoseconds / fineWidth) }
        if nanoseconds < coarseLimit { return fineCount + Int((nanoseconds - fineLimit) / coarseWidth) }
        return bucketCount - 1
    }

    /// The largest value a bucket holds (the overflow bucket: unbounded).
    static func upperEdge(of bucket: Int) -> UInt64 {
        if bucket < fineCount { return UInt64(bucket + 1) * fineWidth }
        if bucket < bucketCount - 1 { return fineLimit + UInt64(bucket - fineCount + 1) * coarseWidth }
        return .max
    }

    package mutating func record(_ nanoseconds: UInt64) {
        if counts.isEmpty { counts = [UInt64](repeating: 0, count: Self.bucketCount) }
        counts[Self.bucket(of: nanoseconds)] &+= 1
        count &+= 1
        sum &+= nanoseconds
        if nanoseconds < min { min = nanoseconds }
        if nanoseconds > max { max = nanoseconds }
    }

    package mutating func merge(_ other: Histogram) {
        guard other.count > 0 else { return }
        if counts.isEmpty { counts = [UInt64](repeating: 0, count: Self.bucketCount) }
        for (index, value) in other.counts.enumerated() where value > 0 { counts[index] &+= value }
        count &+= other.count
        sum &+= other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    /// The value below which a share `q` (0...1) of the samples lie; nil without samples.
    package func percentile(_ q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, UInt64((q * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, value) in counts.enumerated() where value > 0 {
            seen += value
            if seen >= rank { return Swift.max(min, Swift.min(Self.upperEdge(of: index), max)) }
        }
        return max
    }

    package var mean: Double? { count > 0 ? Double(sum) / Double(count) : nil }
}

/// Sparse on the wire: only the buckets that hold samples, as `[index, count]` pairs.
extension Histogram: Codable {
    enum Keys: String, CodingKey { case count, sumNs, minNs, maxNs, buckets }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        count = try c.decode(UInt64.self, forKey: .count)
        sum = try c.decode(UInt64.self, forKey: .sumNs)
        min = try c.decode(UInt64.self, forKey: .minNs)
        max = try c.decode(UInt64.self, forKey: .maxNs)
        let pairs = try c.decode([[UInt64]].self, forKey: .buckets)
        guard !pairs.isEmpty else { return }
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
        for pair in pairs {
            guard pair.count == 2, pair[0] < UInt64(Self.bucketCount) else {
                throw DecodingError.dataCorruptedError(forKey: .buckets, in: c, debugDescription: "a bucket is [index, count] with index below \(Self.bucketCount)")
            }
            counts[Int(pair[0])] &+= pair[1]
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(count, forKey: .count)
        try c.encode(sum, forKey: .sumNs)
        try c.encode(min, forKey: .minNs)
        try c.encode(max, forKey: .maxNs)
        var pairs: [[UInt64]] = []
        for (index, value) in counts.enumerated() where value > 0 { pairs.append([UInt64(index), value]) }
        try c.encode(pairs, forKey: .buckets)
    }
}
