import Foundation

/// The scoring formulas of PROTOCOL.md §7, kept apart so tests can check them against
/// hand-computed values and the indexes compute keys one way only.
package enum RankMath {
    /// The `z` of the Wilson bound: about an 80% two-sided confidence level.
    package static let wilsonZ = 1.281551565545

    /// Seconds it takes a post's age to be worth one order of magnitude of score.
    package static let hotHalfLife = 45_000.0

    /// `sign(s)·log10(max(|s|,1)) + t/45000`, `t` in seconds from the cycle's start to
    /// `createdAt`: newer posts need fewer votes to rank as high.
    package static func hot(score: Int, createdAt: Int64, cycleStart: Int64) -> Double {
        let magnitude = Double(score.magnitude > 1 ? score.magnitude : 1)
        let seconds = Double(createdAt - cycleStart) / 1000
        return Double(score.signum()) * log10(magnitude) + seconds / hotHalfLife
    }

    /// Lower bound of the Wilson score interval for the share of up votes; 0 without votes.
    /// It rewards posts whose approval is both high and backed by many votes.
    package static func wilson(up: Int, down: Int) -> Double {
        // Without up votes the bound is exactly 0; computing it would leave rounding noise
        // (±1e-17) that would order such posts by accident instead of by `top`.
        guard up > 0 else { return 0 }
        let n = Double(up + down)
        let p = Double(up) / n
        let z2 = wilsonZ * wilsonZ
        let spread = wilsonZ * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (p + z2 / (2 * n) - spread) / (1 + z2 / n)
    }
}
