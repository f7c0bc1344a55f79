/// A strict RFC 4180 reader, written apart from the exporter so the tests check the CSV
/// against the standard rather than against the writer's own idea of it.
enum CSVParser {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The records of `csv`. Records must end with CRLF; a quote may only open a field or,
    /// doubled, stand for itself inside a quoted field; CR and LF outside quotes must come
    /// as a CRLF pair.
    static func parse(_ csv: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var scalars = Array(csv.unicodeScalars)[...]
        var fieldStarted = false

        func endField() {
            record.append(field)
            field = ""
            fieldStarted = false
        }

        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\"":
                guard !fieldStarted, field.isEmpty else { throw Malformed(description: "quote inside an unquoted field") }
                // Quoted field: read to the closing quote.
                while true {
                    guard let next = scalars.popFirst() else { throw Malformed(description: "unterminated quoted field") }
                    if next == "\"" {
                        if scalars.first == "\"" {
                            scalars.removeFirst()
                            field.unicodeScalars.append("\"")
                        } else {
                            break
                        }
                    } else {
                        field.unicodeScalars.append(next)
                    }
                }
                fieldStarted = true
                guard let after = scalars.first, after == "," || after == "\r" else {
                    throw Malformed(description: "text after a closing quote")
                }
            case ",":
                endField()
            case "\r":
                guard scalars.popFirst() == "\n" else { throw Malformed(description: "CR without LF outside quotes") }
                endField()
                records.append(record)
                record = []
            case "\n":
                throw Malformed(description: "bare LF outside quotes")
            default:
                guard !fieldStarted else { throw Malformed(description: "text after a closing quote") }
                field.unicodeScalars.append(scalar)
            }
        }
        guard record.isEmpty, field.isEmpty, !fieldStarted else {
            throw Malformed(description: "last record does not end with CRLF")
        }
        return records
    }
}
