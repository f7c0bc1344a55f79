/// A cumulative histogram of seconds.
package struct Histogram: Sendable {
    package let bounds: [Double]
    package private(set) var counts: [Int]
    package private(set) var sum = 0.0
    package private(set) var count = 0

    package init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    package mutating func observe(_ seconds: Double) {
        if let index = bounds.firstIndex(where: { seconds <= $0 }) { counts[index] += 1 }
        sum += seconds
        count += 1
    }

    package func render(_ name: String, into text: inout String) {
        var cumulative = 0
        for (bound, count) in zip(bounds, counts) {
            cumulative += count
            text += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(sum)\n\(name)_count \(count)\n"
    }
}
