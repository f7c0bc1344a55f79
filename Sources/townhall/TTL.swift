import ArgumentParser

/// A token lifetime such as `90s`, `15m`, `8h` or `7d` (plain numbers are seconds).
struct TTL: ExpressibleByArgument, Sendable {
    var seconds: Double

    init?(argument: String) {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(argument)
        var unit = 1.0
        if let last = argument.last, let factor = units[last] {
            unit = factor
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value > 0, value.isFinite else { return nil }
        seconds = value * unit
    }

    static let eightHours = TTL(argument: "8h")!
}
