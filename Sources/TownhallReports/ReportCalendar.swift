import Foundation

/// The local dates a report prints. Everything goes through one time zone chosen by
/// whoever asked for the report, so a Dublin team reads Dublin dates, DST included, and
/// the output never depends on the server's own zone or locale.
package enum ReportCalendar {
    /// English month abbreviations, fixed so summaries do not change with the server locale.
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The ISO 8601 calendar (weeks start on Monday; week 1 holds the first Thursday) in `timeZone`.
    static func iso(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The zone a report names. A report is plain data, so renderers rebuild the zone
    /// from its identifier; an identifier this system cannot resolve falls back to UTC
    /// rather than failing an export.
    package static func timeZone(_ identifier: String) -> TimeZone {
        TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: 0)!
    }

    /// `ms` since the Unix epoch as a `Date`.
    static func date(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// The ISO week label of the instant `ms` in `timeZone`, e.g. "2026-W48".
    package static func week(_ ms: Int64, in timeZone: TimeZone) -> String {
        let parts = iso(timeZone).dateComponents([.yearForWeekOfYear, .weekOfYear], from: date(ms))
        return "\(pad(parts.yearForWeekOfYear ?? 0, 4))-W\(pad(parts.weekOfYear ?? 0, 2))"
    }

    /// The instant `ms` as ISO 8601 local time with its offset, to the second, e.g.
    /// "2026-11-23T09:15:00+00:00". The offset is always numeric (never "Z") so a column
    /// of them reads alike on both sides of a DST change.
    package static func timestamp(_ ms: Int64, in timeZone: TimeZone) -> String {
        let seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)
        let instant = Date(timeIntervalSince1970: Double(seconds))
        let parts = iso(timeZone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        let offset = timeZone.secondsFromGMT(for: instant)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(pad(parts.year ?? 0, 4))-\(pad(parts.month ?? 0, 2))-\(pad(parts.day ?? 0, 2))"
            + "T\(pad(parts.hour ?? 0, 2)):\(pad(parts.minute ?? 0, 2)):\(pad(parts.second ?? 0, 2))"
            + "\(sign)\(pad(minutes / 60, 2)):\(pad(minutes % 60, 2))"
    }

    /// The Monday-to-Sunday span of the ISO week holding `ms` in `timeZone`, written the
    /// way people write ranges: "23–29 Nov 2026", "30 Nov – 6 Dec 2026",
    /// "28 Dec 2026 – 3 Jan 2027".
    package static func weekSpan(_ ms: Int64, in timeZone: TimeZone) -> String {
        let calendar = iso(timeZone)
        let monday = calendar.dateInterval(of: .weekOfYear, for: date(ms))?.start ?? date(ms)
        let sunday = calendar.date(byAdding: .day, value: 6, to: monday) ?? monday
        let first = calendar.dateComponents([.year, .month, .day], from: monday)
        let last = calendar.dateComponents([.year, .month, .day], from: sunday)
        let (d1, m1, y1) = (first.day ?? 0, months[(first.month ?? 1) - 1], first.year ?? 0)
        let (d2, m2, y2) = (last.day ?? 0, months[(last.month ?? 1) - 1], last.year ?? 0)
        if y1 != y2 { return "\(d1) \(m1) \(y1) – \(d2) \(m2) \(y2)" }
        if m1 != m2 { return "\(d1) \(m1) – \(d2) \(m2) \(y2)" }
        return "\(d1)–\(d2) \(m2) \(y2)"
    }

    /// `value` in decimal with at least `width` digits.
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
