/// The `post` command.
extension Townhall {
    /// Creates a post, or returns the author's earlier post with the same `key` (a retry).
    mutating func post(text: String, anonymous: Bool, key: String?, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        if let key {
            guard key.unicodeScalars.count <= limits.key else {
                throw CoreError(.badRequest, "key must be at most \(limits.key) characters")
            }
            if let earlier = keyed[AuthorKey(author: actor.id, key: key)] {
                return Outcome(result: .post(store[earlier - 1]), changes: [])
            }
        }
        let clean = try TextRules.clean(text, field: "post text", limit: limits.postText)
        let number = store.count + 1
        let post = Post(
            id: PostID.make(number), cycle: cycle.id, text: clean, author: actor, anonymous: anonymous,
            office: actor.office, createdAt: at,
            status: reviewPosts && !actor.role.isStaff ? .pending : .open, key: key
        )
        store.append(post)
        if let key { keyed[AuthorKey(author: actor.id, key: key)] = number }
        ownPosts[actor.id, default: []].append(number)
        rankings.update(post, number: number, cycleStart: cycle.startedAt)
        return Outcome(result: .post(post), changes: [.post(post.id)])
    }
}
