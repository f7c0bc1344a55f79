import Foundation

/// RFC 4180 fields and rows, with a guard against spreadsheet formula injection.
package enum CSVField {
    /// Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell
    /// as a formula, or that it strips before looking for one. A post such as
    /// `=HYPERLINK("http://evil","click")` would otherwise run when a host opens the export.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `value` as one field. Text typed by users (`untrusted`) that starts like a formula
    /// gets a leading apostrophe, which spreadsheets show as text and hide; the field is
    /// then quoted so the apostrophe visibly belongs to the value. Fields holding a comma,
    /// a double quote, CR or LF are quoted with their quotes doubled.
    package static func encode(_ value: String, untrusted: Bool = false) -> String {
        var value = value
        var quote = false
        if untrusted, let first = value.unicodeScalars.first, formulaStarts.contains(first) {
            value = "'" + value
            quote = true
        }
        if value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) {
            quote = true
        }
        guard quote else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: fields (already encoded) joined by commas, ended by CRLF as RFC 4180 asks.
    package static func row(_ fields: [String]) -> String {
        fields.joined(separator: ",") + "\r\n"
    }
}
