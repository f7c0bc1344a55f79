import Foundation
import TownhallCore

/// How this server signs people in through the company's OpenID provider (`townhall
/// serve --oidc-…`), and how a person's claims become a Townhall user.
package struct SignInSettings: Sendable {
    package var issuer: String
    package var clientID: String
    /// Nil for a public client (PKCE alone).
    package var clientSecret: String?
    /// The address employees open, e.g. `https://townhall.example.com`: the callback
    /// registered at the provider is this plus `/auth/callback`.
    package var publicURL: String
    package var scopes = ["openid", "profile", "email"]
    package var nameClaim = "name"
    package var officeClaim = "office"
    /// The office of someone whose token has none.
    package var defaultOffice = "Unassigned"
    package var groupsClaim = "groups"
    package var hostGroup: String?
    package var moderatorGroup: String?
    /// How long a browser stays signed in, and how long each Townhall token it is given lives.
    package var sessionSeconds: Double = 12 * 3600
    package var tokenSeconds: Double = 15 * 60

    package init(issuer: String, clientID: String, clientSecret: String?, publicURL: String) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    var redirectURI: String { publicURL + "/auth/callback" }
    /// Cookies get `Secure` when the public address is https.
    var secureCookies: Bool { publicURL.lowercased().hasPrefix("https://") }

    /// The Townhall user an ID token's claims describe: `sub` is the stable id, the name
    /// and office come from the configured claims, the role from group membership.
    func actor(subject: String, claims: [String: Any]) throws(SignInError) -> Actor {
        func text(_ name: String) -> String? {
            (claims[name] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        }
        let name = text(nameClaim) ?? text("preferred_username") ?? text("email") ?? subject
        let office = text(officeClaim) ?? defaultOffice
        let groups: [String]
        switch claims[groupsClaim] {
        case let list as [String]: groups = list
        case let one as String: groups = [one]
        default: groups = []
        }
        let role: Role = hostGroup.map(groups.contains) == true ? .host : moderatorGroup.map(groups.contains) == true ? .moderator : .employee
        guard subject.unicodeScalars.count <= 256 else { throw SignInError("the provider's subject id is longer than 256 characters") }
        return Actor(id: subject, name: String(name.prefix(100)), office: String(office.prefix(100)), role: role)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
