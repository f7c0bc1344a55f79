/// The `comment` command.
extension Townhall {
    /// Adds a comment to a visible post (any cycle), or a live comment when `postID` is nil.
    mutating func comment(text: String, on postID: String?, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        let clean = try TextRules.clean(text, field: "comment text", limit: limits.commentText)
        let number: Int?
        if let postID { number = try visibleNumber(postID, to: actor) } else { number = nil }
        if let number, store[number - 1].status == .merged {
            throw CoreError(.conflict, "this question was merged into \(store[number - 1].mergedInto ?? "another post"): comment there")
        }
        commentCount += 1
        let comment = Comment(id: "c\(commentCount)", post: postID, text: clean, author: actor, createdAt: at)
        guard let number, let postID else {
            live.append(comment)
            return Outcome(result: .comment(comment), changes: [.comment(comment)])
        }
        store[number - 1].comments += 1
        threads[postID, default: []].append(comment)
        return Outcome(result: .comment(comment), changes: [.comment(comment), .counts(postID)])
    }
}
