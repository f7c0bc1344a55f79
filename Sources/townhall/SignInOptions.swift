import ArgumentParser
import Foundation
import TownhallSSO

/// `serve`'s options for signing employees in through the company's OpenID provider
/// (docs/sso.md). Without `--oidc-issuer`, sign-in is by links only (`townhall token`).
struct SignInOptions: ParsableArguments {
    @Option(name: .customLong("oidc-issuer"), help: "The OpenID provider's issuer URL (https; http only on loopback, for trials).")
    var issuer: String?
    @Option(name: .customLong("oidc-client-id"), help: "This server's client id at the provider.") var clientID: String?
    @Option(name: .customLong("oidc-client-secret-file"), help: "File holding the client secret (none: a public client, PKCE only).")
    var clientSecretFile: String?
    @Option(name: .customLong("oidc-ca-file"), help: "PEM file of the CA that signed the provider's certificate (default: the system's).")
    var caFile: String?
    @Option(name: .customLong("public-url"), help: "The address employees open, e.g. https://townhall.example.com; the redirect URI is this plus /auth/callback.")
    var publicURL: String?
    @Option(name: .customLong("oidc-scopes"), help: "Scopes to ask for, space-separated.") var scopes = "openid profile email"
    @Option(name: .customLong("oidc-name-claim"), help: "The claim with the person's display name.") var nameClaim = "name"
    @Option(name: .customLong("oidc-office-claim"), help: "The claim with the person's office (e.g. office, department).") var officeClaim = "office"
    @Option(name: .customLong("oidc-default-office"), help: "The office of someone whose token has none.") var defaultOffice = "Unassigned"
    @Option(name: .customLong("oidc-groups-claim"), help: "The claim listing the person's groups.") var groupsClaim = "groups"
    @Option(name: .customLong("oidc-host-group"), help: "Members of this group are hosts.") var hostGroup: String?
    @Option(name: .customLong("oidc-moderator-group"), help: "Members of this group are moderators.") var moderatorGroup: String?
    @Option(name: .customLong("oidc-session"), help: "How long a browser stays signed in (e.g. 12h).") var session = TTL(argument: "12h")!
    @Option(name: .customLong("oidc-token-ttl"), help: "How long each Townhall token a signed-in page is given lives; pages renew it before then (e.g. 15m).")
    var tokenTTL = TTL(argument: "15m")!

    func validate() throws {
        guard let issuer else {
            if clientID != nil || publicURL != nil { throw ValidationError("--oidc-client-id and --public-url need --oidc-issuer") }
            return
        }
        guard ProviderMetadata.acceptable(issuer) else { throw ValidationError("--oidc-issuer must be https (plain http only on loopback)") }
        guard clientID != nil, let publicURL else { throw ValidationError("--oidc-issuer needs --oidc-client-id and --public-url") }
        guard publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://") else {
            throw ValidationError("--public-url takes a scheme and host, like https://townhall.example.com")
        }
    }

    /// The settings, with the secret file read; nil without `--oidc-issuer`.
    func settings() throws -> SignInSettings? {
        guard let issuer, let clientID, let publicURL else { return nil }
        var secret: String?
        if let clientSecretFile {
            guard let data = FileManager.default.contents(atPath: clientSecretFile) else { throw ValidationError("cannot read \(clientSecretFile)") }
            secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var settings = SignInSettings(issuer: issuer, clientID: clientID, clientSecret: secret, publicURL: publicURL)
        settings.scopes = scopes.split(separator: " ").map(String.init)
        settings.nameClaim = nameClaim
        settings.officeClaim = officeClaim
        settings.defaultOffice = defaultOffice
        settings.groupsClaim = groupsClaim
        settings.hostGroup = hostGroup
        settings.moderatorGroup = moderatorGroup
        settings.sessionSeconds = session.seconds
        settings.tokenSeconds = tokenTTL.seconds
        return settings
    }
}
