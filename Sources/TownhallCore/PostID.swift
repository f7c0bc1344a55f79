/// Turns the counters behind post ids ("p1", "p2", …) into ids and back, and orders ids
/// numerically, so "p10" sorts after "p9" everywhere ties are broken by id.
package enum PostID {
    /// The id of the `number`th post ever made.
    package static func make(_ number: Int) -> String { "p\(number)" }

    /// The counter behind `id`, or nil when `id` is not a canonical post id
    /// ("p0", "p01", "x1" and "p" are not).
    package static func number(of id: String) -> Int? {
        guard id.hasPrefix("p"), let number = Int(id.dropFirst()), number > 0,
              make(number) == id else { return nil }
        return number
    }

    /// The one id order: true when `a` was made before `b`. Non-canonical ids sort last, by text.
    package static func precedes(_ a: String, _ b: String) -> Bool {
        switch (number(of: a), number(of: b)) {
        case let (x?, y?): x < y
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): a < b
        }
    }
}
