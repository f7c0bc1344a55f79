/// Validation shared by every user-written text, so posts, comments, notes and titles
/// obey one rule set: trimmed, non-empty, within a scalar count, no control characters.
package enum TextRules {
    /// `text` without leading and trailing whitespace and newlines.
    package static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(Substring(scalars[first...last]))
    }

    /// The trimmed text, or the reason it is refused. `field` names the text in the message
    /// ("post text"); `limit` is the most Unicode scalars allowed after trimming.
    package static func clean(_ text: String, field: String, limit: Int) throws(CoreError) -> String {
        let result = trimmed(text)
        if result.isEmpty {
            throw CoreError(.invalidText, "\(field) must not be empty")
        }
        try check(result, field: field, limit: limit)
        return result
    }

    /// Like `clean`, but an empty result means "none" (nil) instead of an error; for
    /// optional fields such as moderation notes and titles.
    package static func cleanOptional(_ text: String, field: String, limit: Int) throws(CoreError) -> String? {
        let result = trimmed(text)
        if result.isEmpty { return nil }
        try check(result, field: field, limit: limit)
        return result
    }

    /// True for scalars a text may not carry: the C0/C1 controls other than tab, newline
    /// and carriage return (they break terminals, logs and CSV exports).
    package static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\n", "\t", "\r": false
        default: scalar.properties.generalCategory == .control
        }
    }

    private static func check(_ text: String, field: String, limit: Int) throws(CoreError) {
        if text.unicodeScalars.count > limit {
            throw CoreError(.tooLarge, "\(field) must be at most \(limit) characters")
        }
        if text.unicodeScalars.contains(where: isForbidden) {
            throw CoreError(.invalidText, "\(field) must not contain control characters")
        }
    }
}
