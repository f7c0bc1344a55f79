import Foundation

extension CycleReport {
    /// The report as UTF-8 JSON: keys sorted so two exports of the same data are byte for
    /// byte the same (diffable, cacheable), slashes left alone so URLs in text stay readable,
    /// and absent values written as `null` (see the types' `encode(to:)`).
    package func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self))
        } catch {
            // Only strings, integers, arrays and string-keyed maps go in: nothing the
            // encoder can refuse (no floats, no non-string keys), so this is unreachable.
            preconditionFailure("a cycle report failed to encode: \(error)")
        }
    }
}
