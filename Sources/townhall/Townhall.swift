import ArgumentParser

/// The `townhall` command line. Operators and scripts rely on these exact spellings.
@main
struct TownhallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "townhall",
        abstract: "A self-hosted relay for company townhalls: posts, votes, comments and the live Q&A.",
        subcommands: [Serve.self, TokenCommand.self, RepairCommand.self, ForgetCommand.self, ExportCommand.self, LoadCommand.self, SSOCheckCommand.self]
    )
}
