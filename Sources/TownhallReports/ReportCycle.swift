/// The cycle a report covers, with its week label in the report's time zone, so readers
/// in one office see the week their calendar shows rather than a UTC one.
package struct ReportCycle: Codable, Sendable, Equatable {
    package var id: Int
    /// Milliseconds since the Unix epoch.
    package var startedAt: Int64
    /// Milliseconds since the Unix epoch; nil while the cycle is the current one.
    package var endedAt: Int64?
    /// The ISO 8601 week of `startedAt` in `timeZone`, e.g. "2026-W48".
    package var week: String
    /// The identifier of the time zone every local date of the report is written in.
    package var timeZone: String

    package init(id: Int, startedAt: Int64, endedAt: Int64?, week: String, timeZone: String) {
        self.id = id
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.week = week
        self.timeZone = timeZone
    }

    private enum CodingKeys: String, CodingKey {
        case id, startedAt, endedAt, week, timeZone
    }

    /// Written by hand so a running cycle says `"endedAt": null` instead of leaving the
    /// key out: readers of an export should not have to know which keys may go missing.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(week, forKey: .week)
        try container.encode(timeZone, forKey: .timeZone)
    }
}
