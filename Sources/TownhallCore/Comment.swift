/// A comment on a post, or (when `post` is nil) a live comment on the townhall itself.
package struct Comment: Codable, Sendable, Equatable {
    package var id: String
    package var post: String?
    package var text: String
    package var author: Actor
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64

    package init(id: String, post: String?, text: String, author: Actor, createdAt: Int64) {
        self.id = id
        self.post = post
        self.text = text
        self.author = author
        self.createdAt = createdAt
    }
}

/// A message from the host to everyone.
package struct Announcement: Codable, Sendable, Equatable {
    package var id: String
    package var text: String
    /// Milliseconds since the Unix epoch.
    package var createdAt: Int64

    package init(id: String, text: String, createdAt: Int64) {
        self.id = id
        self.text = text
        self.createdAt = createdAt
    }
}
