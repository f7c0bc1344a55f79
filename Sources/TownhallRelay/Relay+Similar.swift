import TownhallCore
import TownhallProtocol
import TownhallSimilar
import TownhallTransport

/// "Already asked" (PROTOCOL.md §9 `similar`): the current cycle's posts in a similarity
/// index, fed from the durable changes and asked on the service thread (a query touches
/// only the posts sharing a feature with the text: docs/similar.md has its cost).
struct SimilarPosts {
    var index = SimilarityIndex()
    /// The posts in the index: a post's text never changes, so each goes in once.
    var indexed: Set<String> = []
    /// The cycle the index covers; the tick rebuilds it when the cycle moved on (and at start).
    var cycle = 0
    /// While a rebuild runs off the thread: what changed meanwhile, to apply to its result.
    var rebuilding = false
    var added: [(id: String, text: String)] = []
    var removed: [String] = []

    /// One cycle's posts indexed, from a copy of the state.
    static func build(_ state: Townhall) -> (SimilarityIndex, Set<String>) {
        var index = SimilarityIndex()
        var ids = Set<String>()
        for post in state.posts(inCycle: state.cycle.id) {
            index.insert(id: post.id, text: post.text)
            ids.insert(post.id)
        }
        return (index, ids)
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
        guard similarPosts.cycle == core.cycle.id else { return }  // the tick rebuilds it
        for change in changes {
            switch change {
            case .post(let id):
                guard let post = core.post(id), post.cycle == core.cycle.id, !post.isErased,
                      similarPosts.indexed.insert(id).inserted else { continue }
                similarPosts.index.insert(id: id, text: post.text)
                if similarPosts.rebuilding { similarPosts.added.append((id, post.text)) }
            case .erased(let id):
                guard similarPosts.indexed.remove(id) != nil else { continue }
                similarPosts.index.remove(id: id)
                if similarPosts.rebuilding { similarPosts.removed.append(id) }
            default:
                continue
            }
        }
    }

    /// At start and when a new cycle began: builds its index from a copy of the state, off
    /// the service thread (what is posted meanwhile is indexed as it comes, and again into
    /// the built index when it is back).
    func tendSimilar() {
        guard similarPosts.cycle != core.cycle.id else { return }
        let state = core
        similarPosts = SimilarPosts(cycle: state.cycle.id, rebuilding: true)
        offLoop({ SimilarPosts.build(state) }) { built in
            guard self.similarPosts.cycle == state.cycle.id, self.similarPosts.rebuilding else { return }
            var (index, ids) = built
            for (id, text) in self.similarPosts.added where ids.insert(id).inserted { index.insert(id: id, text: text) }
            for id in self.similarPosts.removed where ids.remove(id) != nil { index.remove(id: id) }
            self.similarPosts = SimilarPosts(index: index, indexed: ids, cycle: state.cycle.id)
        }
    }
}
