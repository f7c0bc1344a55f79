import Foundation

/// Setup: the voters need `--posts` posts to vote on. A setup connection reads the posts
/// every employee can see from its welcome (`ranks.new`, newest first). If there are too
/// few, shard 0 has as many authors as are missing (`load-author-i`, one post each: the
/// server allows 5 posts a minute per user) post one each and waits for the acks; the
/// other shards look again every second until enough are visible. Every shard then takes
/// the newest `--posts` posts, which is the same set everywhere.
extension LoadRun {
    func startSetupClient() {
        var client = LoadClient(role: .setup, token: tokens.setup, source: plan.source(global: config.shard))
        client.state = .waiting
        clients.append(client)
        open(clients.count - 1)
    }

    /// Setup and author frames are few: they are decoded properly.
    func setupMessage(_ index: Int, _ frame: UnsafeRawBufferPointer) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
              let type = object["type"] as? String
        else { return }
        let role = clients[index].role
        if type == "error" {
            let code = object["code"] as? String ?? "?"
            let message = object["message"] as? String ?? ""
            if role == .setup, clients[index].state != .welcomed {
                fail("the server refused the setup connection's hello: \(code): \(message) (is --data the server's data folder?)")
            } else if role == .author {
                fail("load-author could not post: \(code): \(message)")
            }
            return
        }
        switch (role, type) {
        case (.setup, "welcome"):
            clients[index].state = .welcomed
            let ranks = object["ranks"] as? [String: Any]
            let visible = ranks?["new"] as? [String] ?? []
            enqueue(index, .close)
            sawPosts(visible)
        case (.author, "welcome"):
            clients[index].state = .welcomed
            enqueue(index, .post)
        case (.author, "ack"):
            guard let post = object["post"] as? [String: Any], let id = post["id"] as? String else {
                return fail("an author's post was acked without a post id")
            }
            enqueue(index, .close)
            created.append(id)
            if created.count == authorsNeeded { choosePosts(created.reversed() + visibleBefore) }
        default:
            break
        }
    }

    func sawPosts(_ visible: [String]) {
        guard phase == .setup else { return }
        if visible.count >= config.posts { return choosePosts(visible) }
        if config.shard == 0 {
            guard !authorsStarted else { return }
            authorsStarted = true
            visibleBefore = visible
            authorsNeeded = config.posts - visible.count
            log("setup: \(visible.count) posts visible, \(authorsNeeded) authors post the rest")
            for author in 0..<authorsNeeded {
                let token = author < tokens.authors.count ? tokens.authors[author] : ""
                clients.append(LoadClient(role: .author, token: token, source: plan.source(global: author)))
                open(clients.count - 1)
            }
        } else {
            if !setupWaitLogged {
                setupWaitLogged = true
                log("setup: \(visible.count) of \(config.posts) posts visible; waiting for shard 0 to make the rest")
            }
            setupRetryAt = Monotonic.now() + 1_000_000_000
        }
    }

    func choosePosts(_ ids: [String]) {
        guard phase == .setup else { return }
        postIDs = Array(ids.prefix(config.posts))
        postIndex = Dictionary(postIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        postRefs = postIDs.map { id in
            var builder = FrameBuilder()
            builder.raw(#","post":"#)
            builder.string(id)
            return builder.bytes
        }
        phase = .ramp
        rampStartNs = Monotonic.now()
        log("setup: \(postIDs.isEmpty ? "no voters, no posts needed" : "voting on \(postIDs.count) posts"); connecting \(measured) (\(rampRate > 0 ? "\(rampRate)/s" : "all at once"))")
    }

    /// A setup connection failed or was closed before it did its part.
    func setupLost(_ index: Int, reason: String) {
        guard phase == .setup, !clients[index].closedByUs else { return }
        if clients[index].role == .setup, clients[index].state == .welcomed { return }
        fail("cannot use \(config.url): \(reason)")
    }
}
