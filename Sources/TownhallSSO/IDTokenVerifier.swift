import Foundation
import JWTKit
import TownhallTransport

/// The standard claims of an ID token that jwt-kit decodes; the rest (name, office,
/// groups, under configurable names) are read from the verified payload as JSON.
struct IDTokenClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nonce: String?
    var azp: String?

    /// Signature first, then this: expiry (the other checks need the expected values).
    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// A verified ID token: who it names and every claim it carries.
package struct VerifiedIDToken: @unchecked Sendable {
    package var subject: String
    package var expires: Date
    /// The whole payload, for the configured name, office and groups claims.
    package var claims: [String: Any]
}

/// Checks ID tokens against the provider's published keys (its `jwks_uri`), fetched
/// once and cached. A token naming a key id the cache does not have fetches the set
/// again, at most once per `refetchInterval`, so a key rotated at the provider is
/// accepted without a restart and a flood of made-up key ids costs one fetch.
package actor IDTokenVerifier {
    let issuer: String
    let clientID: String
    let jwksURI: String
    let client: any HTTPFetching
    let refetchInterval: TimeInterval
    /// Accepted difference between the provider's clock and ours.
    let skew: TimeInterval = 300
    private var keys = JWTKeyCollection()
    private var kids: Set<String> = []
    /// When the set was last fetched for a key id it lacked.
    private var refetchedAt: Date?

    package init(issuer: String, clientID: String, jwksURI: String, client: any HTTPFetching, refetchInterval: TimeInterval = 10) {
        self.issuer = issuer
        self.clientID = clientID
        self.jwksURI = jwksURI
        self.client = client
        self.refetchInterval = refetchInterval
    }

    /// Algorithms a provider signs ID tokens with; `none` and HMAC (which would make the
    /// provider's public key a shared secret) are never accepted.
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]

    /// Verifies signature, `iss`, `aud`, `azp`, `exp`, `iat` and `nonce` (OpenID Connect
    /// Core §3.1.3.7).
    package func verify(_ token: String, nonce: String, now: Date = Date()) async throws(SignInError) -> VerifiedIDToken {
        guard token.utf8.count <= 16_384 else { throw SignInError("the ID token is too long") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), let payload = Self.json(parts[1]) else {
            throw SignInError("the ID token is not a signed JWT")
        }
        guard let alg = header["alg"] as? String, Self.algorithms.contains(alg) else {
            throw SignInError("the ID token's algorithm \((header["alg"] as? String) ?? "(none)") is not accepted")
        }
        let kid = header["kid"] as? String
        if kids.isEmpty {
            try await fetchKeys()
        } else if let kid, !kids.contains(kid), refetchedAt.map({ now.timeIntervalSince($0) >= refetchInterval }) ?? true {
            refetchedAt = now
            try await fetchKeys()
        }
        if let kid, !kids.contains(kid) { throw SignInError("the ID token is signed with a key the provider does not publish") }
        let claims: IDTokenClaims
        do {
            claims = try await keys.verify(token, as: IDTokenClaims.self, iteratingKeys: kid == nil)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw SignInError("the ID token has expired")
        } catch {
            throw SignInError("the ID token's signature does not verify with the provider's keys")
        }
        guard claims.iss.value == issuer else { throw SignInError("the ID token was issued by \(claims.iss.value), not \(issuer)") }
        guard claims.aud.value.contains(clientID) else { throw SignInError("the ID token is not meant for this server (aud)") }
        if claims.aud.value.count > 1 || claims.azp != nil {
            guard claims.azp == clientID else { throw SignInError("the ID token was issued to another party (azp)") }
        }
        guard claims.iat.value.timeIntervalSince(now) <= skew else { throw SignInError("the ID token is issued in the future (iat)") }
        guard claims.nonce == nonce else { throw SignInError("the ID token's nonce does not match this sign-in") }
        guard !claims.sub.value.isEmpty else { throw SignInError("the ID token has no subject") }
        return VerifiedIDToken(subject: claims.sub.value, expires: claims.exp.value, claims: payload)
    }

    /// Fetches the provider's key set and replaces the cached one.
    private func fetchKeys() async throws(SignInError) {
        let response: FetchResponse
        do {
            response = try await client.fetch(FetchRequest(url: jwksURI, headers: [("accept", "application/json")]))
        } catch {
            throw SignInError("the provider's keys cannot be fetched: \(error.description)")
        }
        guard response.status == 200 else { throw SignInError("the provider's keys (\(jwksURI)) answered HTTP \(response.status)") }
        let text = String(decoding: response.body, as: UTF8.self)
        let fresh = JWTKeyCollection()
        do {
            try await fresh.add(jwksJSON: text)
        } catch {
            throw SignInError("the provider's key set cannot be read: \(error)")
        }
        keys = fresh
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        kids = Set(((object?["keys"] as? [[String: Any]]) ?? []).compactMap { $0["kid"] as? String })
        if kids.isEmpty { kids = [""] }
    }

    static func json(_ part: Substring) -> [String: Any]? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
