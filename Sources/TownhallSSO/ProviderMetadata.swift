import Foundation
import TownhallTransport

/// What the provider's discovery document (`/.well-known/openid-configuration`) says,
/// the parts sign-in uses.
package struct ProviderMetadata: Sendable, Equatable {
    package var issuer: String
    package var authorizationEndpoint: String
    package var tokenEndpoint: String
    package var jwksURI: String
    /// RP-initiated logout, where the provider offers it.
    package var endSessionEndpoint: String?

    /// Parses and checks a discovery document fetched for `issuer`: its `issuer` must be
    /// that exact string (OpenID Connect Discovery §4.3), and every endpoint https (http
    /// only on loopback, for trials).
    package init(json: [UInt8], expectedIssuer: String) throws(SignInError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw SignInError("the provider's discovery document is not a JSON object")
        }
        func field(_ name: String) throws(SignInError) -> String {
            guard let value = object[name] as? String, !value.isEmpty else {
                throw SignInError("the provider's discovery document has no \(name)")
            }
            return value
        }
        issuer = try field("issuer")
        guard issuer == expectedIssuer else {
            throw SignInError("the provider calls itself \(issuer), not \(expectedIssuer) (check --oidc-issuer, trailing slash included)")
        }
        authorizationEndpoint = try field("authorization_endpoint")
        tokenEndpoint = try field("token_endpoint")
        jwksURI = try field("jwks_uri")
        endSessionEndpoint = object["end_session_endpoint"] as? String
        for url in [authorizationEndpoint, tokenEndpoint, jwksURI] + [endSessionEndpoint].compactMap({ $0 }) {
            guard Self.acceptable(url) else { throw SignInError("the provider's endpoint \(url) is not https (plain http only on loopback)") }
        }
    }

    /// https anywhere; http only to a loopback host.
    package static func acceptable(_ url: String) -> Bool {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && (host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]")
    }

    /// Fetches and checks the discovery document.
    package static func discover(_ issuer: String, with client: any HTTPFetching) async throws(SignInError) -> ProviderMetadata {
        guard acceptable(issuer) else { throw SignInError("the issuer \(issuer) is not https (plain http only on loopback)") }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let response: FetchResponse
        do {
            response = try await client.fetch(FetchRequest(url: base + "/.well-known/openid-configuration", headers: [("accept", "application/json")]))
        } catch {
            throw SignInError("the provider cannot be reached: \(error.description)")
        }
        guard response.status == 200 else { throw SignInError("the provider's discovery document answered HTTP \(response.status)") }
        return try ProviderMetadata(json: response.body, expectedIssuer: issuer)
    }
}
