import Foundation

/// Maps request paths onto files in the Web folder. Anything that could step outside
/// it (`..`, encoded or not, hidden files, backslashes, NUL) is not found.
struct StaticFiles: Sendable {
    /// The Web folder, resolved (no symlinks), without a trailing slash.
    let root: String

    /// Pages with their own paths (PROTOCOL.md §1).
    static let pages = ["/": "index.html", "/host": "host.html", "/screen": "screen.html"]

    init?(root: String) {
        guard let resolved = realpath(root, nil) else { return nil }
        defer { free(resolved) }
        self.root = String(cString: resolved)
    }

    /// The file to serve and its content type, or nil for a 404.
    func resolve(_ path: String) -> (file: String, contentType: String)? {
        let relative: String
        if let page = Self.pages[path] {
            relative = page
        } else {
            guard let decoded = path.removingPercentEncoding, decoded.hasPrefix("/"),
                  !decoded.contains("\0"), !decoded.contains("\\")
            else { return nil }
            let parts = decoded.split(separator: "/", omittingEmptySubsequences: true)
            guard !parts.isEmpty, !parts.contains(where: { $0.hasPrefix(".") }) else { return nil }
            relative = parts.joined(separator: "/")
        }
        guard let contentType = Self.contentType(of: relative),
              let resolved = realpath(root + "/" + relative, nil)
        else { return nil }
        defer { free(resolved) }
        let file = String(cString: resolved)
        var info = stat()
        guard file.hasPrefix(root + "/"), stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (file, contentType)
    }

    /// Only known kinds of file are served.
    static func contentType(of name: String) -> String? {
        switch name.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json", "webmanifest": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: nil
        }
    }
}
