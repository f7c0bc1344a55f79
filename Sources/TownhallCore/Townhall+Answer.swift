/// The `answer` command: the written follow-up after the townhall.
extension Townhall {
    /// Attaches the answer and its owner to a post and marks it answered (off the air and
    /// off the agenda). Answering again replaces the text.
    mutating func answer(post id: String, text: String, owner: String?, by actor: Actor, at: Int64) throws(CoreError) -> Outcome {
        try require(actor, in: [.moderator, .host], to: "answer posts")
        let clean = try TextRules.clean(text, field: "answer", limit: limits.answer)
        let cleanOwner = try owner.flatMap { owner throws(CoreError) in try TextRules.cleanOptional(owner, field: "owner", limit: limits.owner) }
        guard let number = number(of: id), !store[number - 1].isErased else { throw CoreError(.notFound, "no such post") }
        var post = store[number - 1]
        guard !post.status.isHiddenFromEmployees else {
            throw CoreError(.conflict, "a \(post.status.rawValue) post cannot be answered")
        }
        let answer = Answer(text: clean, owner: cleanOwner, at: post.answer?.at ?? at)
        if post.answer?.text == answer.text, post.answer?.owner == answer.owner, post.status == .answered {
            return Outcome(result: .post(post), changes: [])
        }
        post.answer = answer
        post.status = .answered
        store[number - 1] = post
        var changes: [Change] = [.post(id)]
        if stage.onAir == id {
            stage.onAir = nil
            changes.append(.stage)
        }
        if syncAgenda(post) { changes.append(.agenda) }
        return Outcome(result: .post(post), changes: changes)
    }
}
