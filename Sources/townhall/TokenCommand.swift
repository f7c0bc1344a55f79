import ArgumentParser
import TownhallCore
import TownhallRelay
import TownhallStore

/// `townhall token`: mints one HS256 token with the server's secret and prints only it.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a signed token for one user.")

    @Option(help: "The data folder (holds the signing secret).") var data = "./data"
    @Option(help: "Stable user id.") var sub: String
    @Option(help: "Display name.") var name: String
    @Option(help: "Office or region, e.g. Dublin.") var office: String
    @Option(help: "employee, moderator or host.") var role: String
    @Option(help: "Lifetime: 90s, 15m, 8h, 7d.") var ttl: TTL = .eightHours

    func validate() throws {
        guard Role(rawValue: role) != nil else { throw ValidationError("--role must be employee, moderator or host") }
        for (flag, value) in [("--sub", sub), ("--name", name), ("--office", office)] where value.isEmpty || value.count > 100 {
            throw ValidationError("\(flag) must be 1 to 100 characters")
        }
    }

    func run() async throws {
        let folder = try DataFolder(path: data)
        let authenticator = try await Authenticator(secret: try folder.secret())
        let actor = Actor(id: sub, name: name, office: office, role: Role(rawValue: role)!)
        print(try await authenticator.mint(actor, ttl: ttl.seconds))
    }
}
