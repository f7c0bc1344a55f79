import Foundation
import TownhallCore
import TownhallRelay
import TownhallStore

extension LoadTokens {
    /// Mints this shard's tokens with the server's own secret (HS256, as `townhall token`
    /// does): one per simulated user, the setup user, and on shard 0 the authors. Without
    /// a `secret.key` in the data folder a throwaway secret is used (and said): only a
    /// server that ignores tokens, like the plain-C peer, will accept them.
    package static func mint(for config: LoadConfig, log: @Sendable (String) -> Void) async throws(LoadError) -> LoadTokens {
        let file = (config.data as NSString).appendingPathComponent("secret.key")
        var secret: [UInt8]
        if FileManager.default.fileExists(atPath: file) {
            do {
                secret = try DataFolder(path: config.data).secret()
            } catch {
                throw LoadError("cannot read the signing secret: \(error.description)")
            }
        } else {
            log("no \(file): minting with a throwaway secret; only a server that ignores tokens will accept them")
            var generator = SystemRandomNumberGenerator()
            secret = (0..<32).map { _ in generator.next() }
        }
        let authenticator: Authenticator
        do {
            authenticator = try await Authenticator(secret: secret)
        } catch {
            throw LoadError("cannot set up token signing: \(error)")
        }
        // Long enough that no token expires mid-run (the server closes those with 4001).
        let ttl = max(8 * 3600, config.idle + config.duration + config.drain + 2 * 3600)
        let plan = LoadPlan(config: config)
        func mint(_ actor: Actor) async throws(LoadError) -> String {
            do {
                return try await authenticator.mint(actor, ttl: ttl)
            } catch {
                throw LoadError("cannot mint a token: \(error)")
            }
        }
        var clients: [String] = []
        let globals = plan.globals
        clients.reserveCapacity(globals.count)
        for (local, global) in globals.enumerated() {
            let user = plan.user(global: global, local: local)
            clients.append(try await mint(Actor(id: user.sub, name: user.name, office: user.office, role: user.role == .host ? .host : .employee)))
        }
        let setup = try await mint(Actor(id: "load-setup-\(config.shard)", name: "Load setup \(config.shard)", office: "Dublin", role: .employee))
        var authors: [String] = []
        if config.shard == 0 {
            for author in 0..<config.posts {
                let office = LoadPlan.offices[author % LoadPlan.offices.count]
                authors.append(try await mint(Actor(id: "load-author-\(author)", name: "Load author \(author)", office: office, role: .employee)))
            }
        }
        return LoadTokens(clients: clients, setup: setup, authors: authors)
    }
}
