import ArgumentParser
import Foundation
import LWSTransport
import TownhallSSO

/// `townhall sso-check`: what an IT admin runs first. It reaches the provider the way
/// the server will (libwebsockets' client, the same CA file), reads its discovery
/// document and key set, and, given an ID token, verifies it as sign-in would.
struct SSOCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sso-check", abstract: "Check that the OpenID provider is reachable and trusted, and optionally verify an ID token."
    )

    @Option(name: .customLong("oidc-issuer"), help: "The provider's issuer URL, exactly as its discovery document names it.") var issuer: String
    @Option(name: .customLong("oidc-client-id"), help: "This server's client id at the provider (for --id-token).") var clientID: String?
    @Option(name: .customLong("oidc-ca-file"), help: "PEM file of the CA that signed the provider's certificate (default: the system's).") var caFile: String?
    @Option(name: .customLong("id-token"), help: "An ID token to verify (signature, iss, aud, azp, exp, iat, nonce).") var idToken: String?
    @Option(help: "The nonce the ID token must carry.") var nonce: String?

    func run() async throws {
        let client: LWSHTTPClient
        do {
            client = try LWSHTTPClient(caFile: caFile)
        } catch {
            throw ValidationError(error.description)
        }
        defer { client.shutdown() }
        do {
            let provider = try await ProviderMetadata.discover(issuer, with: client)
            print("issuer \(provider.issuer)")
            print("authorization_endpoint \(provider.authorizationEndpoint)")
            print("token_endpoint \(provider.tokenEndpoint)")
            print("jwks_uri \(provider.jwksURI)")
            print("end_session_endpoint \(provider.endSessionEndpoint ?? "(none: sign-out ends the Townhall session only)")")
            guard let idToken else { return }
            guard let clientID, let nonce else { throw ValidationError("--id-token needs --oidc-client-id and --nonce") }
            let verifier = IDTokenVerifier(issuer: provider.issuer, clientID: clientID, jwksURI: provider.jwksURI, client: client)
            let verified = try await verifier.verify(idToken, nonce: nonce)
            print("id_token valid: sub \(verified.subject), expires \(ISO8601DateFormatter().string(from: verified.expires))")
            for key in verified.claims.keys.sorted() { print("claim \(key) \(verified.claims[key].map { "\($0)" } ?? "")") }
        } catch let error as SignInError {
            FileHandle.standardError.write(Data("sso-check: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
