import ArgumentParser
import Foundation
import TownhallCore
import TownhallStore

/// `townhall forget`: a privacy request, offline. Erases one person's posts, comments
/// and votes (counts follow), journals it, and snapshots so the older journal, which
/// still holds their words, is deleted. A running server does the same for its host
/// with `{"type":"forget","sub":…}`.
struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase one person's posts, comments and votes (the server must be stopped; hosts can do it live)."
    )

    @Option(help: "The data folder.") var data = "./data"
    @Option(help: "The user id (the token's sub) to forget.") var sub: String

    func run() throws {
        let folder = try DataFolder(path: data)
        let hold: FolderLock
        do {
            hold = try folder.lock()
        } catch {
            throw ValidationError("\(error); while it runs, a host can send {\"type\":\"forget\",\"sub\":\"\(sub)\"}")
        }
        defer { withExtendedLifetime(hold) {} }
        let recovery = try Recovery.load(folder.path)
        var townhall = recovery.rebuild(startedAt: nowMillis()).townhall
        let request = Request(actor: Townhall.system, at: nowMillis(), command: .forget(user: sub))
        let outcome = try townhall.apply(request)
        guard case let .erased(posts, comments, votes) = outcome.result, !outcome.changes.isEmpty else {
            return print("nothing to forget: \(sub) has no posts, comments or votes here")
        }
        let journal = try DiskJournal(folder: folder.path, recovery: recovery)
        defer { journal.close() }
        try JournalWait.append(request, to: journal)
        try JournalWait.snapshot(townhall, to: journal)
        print("forgot \(sub): \(posts) posts, \(comments) comments, \(votes) votes erased; the journal before it was dropped")
    }
}
