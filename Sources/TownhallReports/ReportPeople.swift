import TownhallCore

/// Who wrote something, as an export shows it: a name and an office, never a user id,
/// so an export can be passed round without becoming a directory of account ids.
package struct ReportAuthor: Codable, Sendable, Equatable {
    package var name: String
    package var office: String

    package init(name: String, office: String) {
        self.name = name
        self.office = office
    }

    /// The public face of `actor`.
    package init(_ actor: Actor) {
        self.init(name: actor.name, office: actor.office)
    }
}

/// A comment, on a post or live during the townhall. Comments are never anonymous
/// (PROTOCOL.md §6), so the author is always there.
package struct ReportComment: Codable, Sendable, Equatable {
    package var id: String
    package var text: String
    package var author: ReportAuthor
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64

    package init(id: String, text: String, author: ReportAuthor, createdAt: Int64) {
        self.id = id
        self.text = text
        self.author = author
        self.createdAt = createdAt
    }

    /// The export's view of a core comment.
    package init(_ comment: Comment) {
        self.init(id: comment.id, text: comment.text, author: ReportAuthor(comment.author), createdAt: comment.createdAt)
    }
}
