/// A user's role, as carried in the token's `role` claim (PROTOCOL.md §2).
package enum Role: String, Codable, Sendable, CaseIterable {
    case employee, moderator, host

    /// Moderators and hosts form the staff audience: they see pending and hidden posts and moderation notes.
    package var isStaff: Bool { self != .employee }
}

/// The verified identity behind a request. The core trusts it: the relay checked the token.
package struct Actor: Codable, Sendable, Hashable {
    package var id: String
    package var name: String
    package var office: String
    package var role: Role

    package init(id: String, name: String, office: String, role: Role) {
        self.id = id
        self.name = name
        self.office = office
        self.role = role
    }
}
