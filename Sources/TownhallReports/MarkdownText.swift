import Foundation

/// Turns user-written text into Markdown that shows exactly that text. A weekly summary
/// is sent round and rendered by mail clients and wikis; unescaped, a post could add
/// headings, links, images, tables or raw HTML to a message that goes out under the
/// company's name.
package enum MarkdownText {
    /// Characters with a meaning anywhere in a line: escapes, code, emphasis, links and
    /// images, HTML and autolinks, headings, table cells, strikethrough. CommonMark lets
    /// any ASCII punctuation be backslash-escaped, so escaping them is always safe.
    static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "~"]

    /// The lines of `text` (CRLF, CR and LF all end a line), each made literal. Leading
    /// whitespace is dropped: indentation would turn a line into a code block or nest it
    /// into the surrounding list, and a summary loses nothing without it.
    package static func lines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line($0.drop(while: { $0 == " " || $0 == "\t" })) }
    }

    /// One line made literal: special characters escaped everywhere, and the markers that
    /// only count at the start of a line (`-`, `+` and `=` for lists, breaks and setext
    /// headings; `1.` or `1)` for ordered lists) escaped where they stand first.
    static func line(_ line: Substring) -> String {
        var out = ""
        out.reserveCapacity(line.count)
        for character in line {
            if special.contains(character) { out.append("\\") }
            out.append(character)
        }
        if let first = out.first, first == "-" || first == "+" || first == "=" {
            return "\\" + out
        }
        let digits = out.prefix(while: \.isASCII).prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 9 {
            let marker = out.index(out.startIndex, offsetBy: digits.count)
            if marker < out.endIndex, out[marker] == "." || out[marker] == ")" {
                out.insert("\\", at: marker)
            }
        }
        return out
    }

    /// `text` as a block quote; every line, blank ones too, keeps the `>` so the quote
    /// holds together and nothing in it can end it early.
    package static func quote(_ text: String) -> String {
        lines(text).map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
    }

    /// `text` as a paragraph whose line breaks survive (trailing two spaces are a hard
    /// break), each continued line indented by `indent` so it stays inside a list item.
    package static func paragraph(_ text: String, indent: String = "") -> String {
        lines(text).filter { !$0.isEmpty }.joined(separator: "  \n" + indent)
    }

    /// `text` on one line, for a table cell: breaks become spaces, `|` is already escaped.
    package static func cell(_ text: String) -> String {
        lines(text).filter { !$0.isEmpty }.joined(separator: " ")
    }
}
