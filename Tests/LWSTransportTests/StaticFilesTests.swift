import Foundation
import Testing
@testable import LWSTransport

@Suite("Static files stay inside the Web folder")
struct StaticFilesTests {
    /// A Web folder with a page, a script, a hidden file, and a secret beside it.
    func makeRoot() throws -> (files: StaticFiles, base: String) {
        let base = NSTemporaryDirectory() + "townhall-static-\(UUID().uuidString)"
        let web = base + "/Web"
        try FileManager.default.createDirectory(atPath: web + "/js", withIntermediateDirectories: true)
        for (path, text) in [("/index.html", "<p>hi"), ("/host.html", "host"), ("/screen.html", "screen"),
                             ("/js/app.js", "1"), ("/.env", "SECRET"), ("/notes.exe", "x")] {
            try text.write(toFile: web + path, atomically: true, encoding: .utf8)
        }
        try "SECRET".write(toFile: base + "/secret.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: web + "/link.txt", withDestinationPath: base + "/secret.txt")
        return (try #require(StaticFiles(root: web)), base)
    }

    @Test("the three pages and files by path, with their types")
    func served() throws {
        let (files, _) = try makeRoot()
        #expect(files.resolve("/")?.file.hasSuffix("/index.html") == true)
        #expect(files.resolve("/host")?.file.hasSuffix("/host.html") == true)
        #expect(files.resolve("/screen")?.contentType == "text/html; charset=utf-8")
        #expect(files.resolve("/js/app.js")?.contentType == "text/javascript; charset=utf-8")
        #expect(files.resolve("/js/%61pp.js")?.file.hasSuffix("/js/app.js") == true)
    }

    @Test("escapes, hidden files, unknown types, links out and folders are not found", arguments: [
        "/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fsecret.txt", "/.env", "/js/..", "/notes.exe", "/link.txt", "/js", "/js/", "/missing.html",
        "/js\\app.js", "/js/app.js%00.html", "",
    ])
    func refused(path: String) throws {
        let (files, _) = try makeRoot()
        #expect(files.resolve(path) == nil)
    }
}
