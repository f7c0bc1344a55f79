import ArgumentParser
import TownhallStore

/// `townhall repair`: cuts a damaged journal back to its last good record, keeping the
/// damaged bytes aside, so the server can start again.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Cut a damaged journal back to its last good point (damaged bytes are kept aside)."
    )

    @Option(help: "The data folder.") var data = "./data"

    func run() throws {
        let hold = try DataFolder(path: data).lock()
        defer { withExtendedLifetime(hold) {} }
        for line in try Repair.run(data) { print(line) }
    }
}
