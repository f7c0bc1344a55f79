import Foundation
import JWTKit
import TownhallCore

/// What the browser's session cookie holds, signed with a key of its own (the data
/// folder's secret with a suffix), so a cookie is never a Townhall token and a Townhall
/// token is never a cookie. It names the user and expires; signing out revokes its `sid`.
struct SessionClaims: JWTPayload {
    var sid: String
    var sub: SubjectClaim
    var name: String
    var office: String
    var role: String
    var exp: ExpirationClaim
    /// A paired room screen's session: its tokens are read-only.
    var ro: Bool?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }

    var actor: Actor? {
        Role(rawValue: role).map { Actor(id: sub.value, name: name, office: office, role: $0) }
    }
}

/// Session ids signed out before their cookie expires, kept in a small file so a copied
/// cookie opens nothing after a restart either. Expired entries are dropped.
struct SignedOut {
    private(set) var ids: [String: Double] = [:]
    let file: String?

    init(file: String?, now: Double) {
        self.file = file
        guard let file, let data = FileManager.default.contents(atPath: file),
              let stored = try? JSONDecoder().decode([String: Double].self, from: data)
        else { return }
        ids = stored.filter { $0.value > now }
    }

    func contains(_ sid: String) -> Bool { ids[sid] != nil }

    /// Records a sign-out (and writes the file, replacing it atomically).
    mutating func add(_ sid: String, until expires: Double, now: Double) {
        ids = ids.filter { $0.value > now }
        ids[sid] = expires
        guard let file, let data = try? JSONEncoder().encode(ids) else { return }
        try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}

/// Random ids and secrets, URL-safe.
enum RandomText {
    static func make(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(raw).base64URL
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
