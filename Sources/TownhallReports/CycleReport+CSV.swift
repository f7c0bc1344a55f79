import Foundation

extension CycleReport {
    /// The CSV columns, in order.
    package static let csvHeader = [
        "id", "cycle", "week", "created_at", "office", "author", "status", "up", "down", "score",
        "voters", "comments", "answer", "answer_owner", "carried_from", "text",
    ]

    /// The posts as RFC 4180 CSV for spreadsheets: a header, then one row per post in
    /// `top` order. Times are local to the report's zone with their offset. The author
    /// column is empty for anonymous posts. Only columns holding user-written text get the
    /// formula guard: the numbers are ours, and guarding them would turn a score of −3
    /// into text.
    package func csv() -> String {
        let zone = timeZone
        var out = CSVField.row(Self.csvHeader.map { CSVField.encode($0) })
        for post in posts {
            let fields: [String] = [
                CSVField.encode(post.id),
                String(cycle.id),
                CSVField.encode(cycle.week),
                ReportCalendar.timestamp(post.createdAt, in: zone),
                CSVField.encode(post.office, untrusted: true),
                CSVField.encode(post.author?.name ?? "", untrusted: true),
                post.status.rawValue,
                String(post.up),
                String(post.down),
                String(post.score),
                String(post.voters),
                String(post.comments.count),
                CSVField.encode(post.answer?.text ?? "", untrusted: true),
                CSVField.encode(post.answer?.owner ?? "", untrusted: true),
                post.carriedFrom.map(String.init) ?? "",
                CSVField.encode(post.text, untrusted: true),
            ]
            out += CSVField.row(fields)
        }
        return out
    }
}
