/// Lookup and visibility rules shared by the commands and the queries.
extension Townhall {
    /// Whether `viewer` may see `post`: staff see everything; employees see neither
    /// pending, hidden nor merged posts, except their own pending or merged ones (a merged
    /// post's author follows it to where it went).
    package func canSee(_ post: Post, _ viewer: Actor) -> Bool {
        if post.isErased { return false }
        if viewer.role.isStaff || !post.status.isHiddenFromEmployees { return true }
        return (post.status == .pending || post.status == .merged) && post.author.id == viewer.id
    }

    /// Whether every member of `audience` may see `post` (what the shared rankings show).
    package func audience(_ audience: Audience, sees post: Post) -> Bool {
        !post.isErased && (audience == .staff || !post.status.isHiddenFromEmployees)
    }

    /// The counter of an existing post, or nil.
    func number(of id: String) -> Int? {
        guard let number = PostID.number(of: id), number <= store.count else { return nil }
        return number
    }

    /// The post's counter when it exists and `actor` may see it; otherwise not found,
    /// so hidden posts are indistinguishable from missing ones.
    func visibleNumber(_ id: String, to actor: Actor) throws(CoreError) -> Int {
        guard let number = number(of: id), canSee(store[number - 1], actor) else {
            throw CoreError(.notFound, "no such post")
        }
        return number
    }

    /// Refuses actors whose role is not in `roles`; runs before any other check.
    func require(_ actor: Actor, in roles: Set<Role>, to action: String) throws(CoreError) {
        guard roles.contains(actor.role) else {
            throw CoreError(.forbidden, "only \(roles.map(\.rawValue).sorted().joined(separator: " or ")) may \(action)")
        }
    }
}
