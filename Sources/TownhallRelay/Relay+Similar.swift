import TownhallCore
import TownhallProtocol
import TownhallSimilar
import TownhallTransport

/// "Already asked" (PROTOCOL.md §9 `similar`): the current cycle's posts in a similarity
/// index, fed from the durable changes and asked on the service thread (a query touches
/// only the posts sharing a feature with the text: docs/similar.md has its cost).
struct SimilarPosts {
    /// A post's text never changes, so each post goes in once.
    var index = SimilarityIndex()
    /// The cycle the index covers.
    var cycle: Int

    /// The current cycle's posts of `state`, indexed.
    init(_ state: Townhall) {
        cycle = state.cycle.id
        for post in state.posts(inCycle: cycle) {
            index.insert(id: post.id, text: post.text)
        }
    }
}

extension Relay {
    /// Suggestions for a question being typed: up to 5 posts of this cycle the sender can
    /// see, never merged ones, most similar first.
    func similar(_ text: String, id: JSONValue?, to connection: ConnectionID, as actor: Actor) {
        let clean: String
        do {
            clean = try TextRules.clean(text, field: "text", limit: core.limits.postText)
        } catch {
            return reject(connection, ErrorReply(id: id, code: error.wireCode, message: error.message))
        }
        guard let id else { return }
        let state = core
        let matches = similarPosts.index.query(clean, limit: 5) { postID in
            guard let post = state.post(postID) else { return false }
            return post.cycle == state.cycle.id && post.status != .merged && state.canSee(post, actor)
        }
        let audience = Audience(actor.role)
        let posts = matches.compactMap { match in
            state.post(match.id).map { WirePost($0, for: audience, similarity: (match.similarity * 1000).rounded() / 1000) }
        }
        send(Ack(id: id, payload: .similar(posts)), to: connection)
    }

    /// Keeps the index in step with what became durable: new posts go in, erased ones out.
    func indexSimilar(_ changes: [Change]) {
        guard similarPosts.cycle == core.cycle.id else { return }  // the tick starts the new cycle's
        for change in changes {
            switch change {
            case .post(let id):
                guard let post = core.post(id), post.cycle == core.cycle.id, !post.isErased,
                      !similarPosts.index.contains(id) else { continue }
                similarPosts.index.insert(id: id, text: post.text)
            case .erased(let id):
                similarPosts.index.remove(id: id)
            default:
                continue
            }
        }
    }

    /// A new cycle began: its index starts from the posts it holds, which are only the
    /// shortlist carried over (and what was posted since the tick before), so this stays
    /// small. The whole week's index is built once, at start, before the server serves.
    func tendSimilar() {
        guard similarPosts.cycle != core.cycle.id else { return }
        similarPosts = SimilarPosts(core)
    }
}
