import ArgumentParser
import Foundation
import TownhallReports
import TownhallStore

/// `townhall export`: a cycle's report from the data folder, as JSON, CSV or a Markdown
/// summary. Reads only; works beside a running server.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Print a cycle's report (json, csv or md).")

    @Option(help: "The data folder.") var data = "./data"
    @Option(help: "The cycle id.") var cycle: Int
    @Option(help: "json, csv or md.") var format = "json"
    @Option(help: "The company's time zone, for week labels and times.") var timezone = TimeZone.current.identifier

    func validate() throws {
        guard ["json", "csv", "md"].contains(format) else { throw ValidationError("--format must be json, csv or md") }
        guard TimeZone(identifier: timezone) != nil else { throw ValidationError("--timezone \(timezone) is not a known time zone") }
    }

    func run() throws {
        let townhall = try Recovery.load(data).rebuild(startedAt: nowMillis()).townhall
        guard let report = CycleReport(townhall: townhall, cycle: cycle, timeZone: TimeZone(identifier: timezone) ?? .current,
                                       generatedAt: nowMillis())
        else { throw ValidationError("there is no cycle \(cycle) in \(data)") }
        switch format {
        case "csv": FileHandle.standardOutput.write(Data(report.csv().utf8))
        case "md": FileHandle.standardOutput.write(Data(report.markdown().utf8))
        default: FileHandle.standardOutput.write(Data(report.json() + [10]))
        }
    }
}
