import Foundation
import JWTKit
import TownhallCore

/// Why a token was refused. The message is for the client and names no secret.
package struct AuthError: Error, Sendable, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

/// A verified identity and until when it holds.
package struct Identity: Sendable, Equatable {
    package var actor: Actor
    /// Seconds since the epoch.
    package var expires: Double
    /// A paired room screen's token: reads only.
    package var readOnly = false
}

/// Verifies and mints tokens with jwt-kit: HS256 with the server's own secret, and RS256
/// or ES256 from the company's identity provider.
///
/// The two live in separate key collections, chosen by the token's `alg`: an HS256
/// token is only ever checked against the server's secret, an RS/ES token only against
/// the provider's public keys (which also check the token's own algorithm), so a token
/// signed "HS256" with a public key as secret, or `alg: none`, verifies nowhere.
/// Verification is async (the collections are actors), so the relay runs it off the
/// service thread.
package final class Authenticator: Sendable {
    private let own: JWTKeyCollection
    private let sso: JWTKeyCollection?
    private let ssoConfig: SSOConfig?

    /// The secret must be at least 32 bytes (jwt-kit refuses shorter HMAC keys).
    package init(secret: [UInt8], sso: SSOConfig? = nil) async throws {
        own = JWTKeyCollection()
        await own.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        ssoConfig = sso
        guard let sso else {
            self.sso = nil
            return
        }
        let keys = JWTKeyCollection()
        if let jwks = sso.jwks { try await keys.add(jwksJSON: jwks) }
        if let pem = sso.publicKeyPEM {
            if pem.contains("BEGIN EC PUBLIC KEY") || (try? ES256PublicKey(pem: pem)) != nil {
                await keys.add(ecdsa: try ES256PublicKey(pem: pem))
            } else {
                await keys.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: .sha256)
            }
        }
        self.sso = keys
    }

    /// Checks signature, expiry, issuer and audience (SSO), and that every claim is there and sane.
    package func verify(_ token: String) async -> Result<Identity, AuthError> {
        guard token.utf8.count <= 8192 else { return .failure(AuthError("the token is too long")) }
        let claims: TownhallClaims
        do {
            switch Self.algorithm(of: token) {
            case "HS256":
                claims = try await own.verify(token, as: TownhallClaims.self)
            case "RS256", "ES256":
                guard let sso, let ssoConfig else { return .failure(AuthError("single sign-on tokens are not configured")) }
                claims = try await sso.verify(token, as: TownhallClaims.self, iteratingKeys: true)
                guard claims.iss?.value == ssoConfig.issuer else { return .failure(AuthError("the token's issuer is not accepted")) }
                guard claims.aud?.value.contains(ssoConfig.audience) == true else {
                    return .failure(AuthError("the token is not meant for this server (audience)"))
                }
            default:
                return .failure(AuthError("the token's algorithm is not accepted"))
            }
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            return .failure(AuthError("the token has expired"))
        } catch {
            return .failure(AuthError("the token is not valid"))
        }
        guard let role = Role(rawValue: claims.role) else { return .failure(AuthError("the token's role is unknown")) }
        let actor = Actor(id: claims.sub.value, name: claims.name, office: claims.office, role: role)
        guard !actor.id.isEmpty, !actor.name.isEmpty, !actor.office.isEmpty,
              actor.id.unicodeScalars.count <= 256, actor.name.unicodeScalars.count <= 100,
              actor.office.unicodeScalars.count <= 100
        else { return .failure(AuthError("the token's sub, name and office must be 1 to 100 characters")) }
        return .success(Identity(actor: actor, expires: claims.exp.value.timeIntervalSince1970, readOnly: claims.readonly == true))
    }

    /// Verifies on the calling thread, for the rare HTTP request that carries a token
    /// (exports): the caller is not a concurrency-pool thread, so waiting is safe.
    package func verifyNow(_ token: String) -> Result<Identity, AuthError> {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        Task {
            box.result = await verify(token)
            done.signal()
        }
        done.wait()
        return box.result ?? .failure(AuthError("the token could not be checked"))
    }

    /// Mints an HS256 token for `actor` that expires after `ttl` seconds.
    package func mint(_ actor: Actor, ttl: TimeInterval, readOnly: Bool = false, now: Date = Date()) async throws -> String {
        try await own.sign(TownhallClaims(actor: actor, expires: now.addingTimeInterval(ttl), readOnly: readOnly))
    }

    /// The `alg` of a token's header, read before any key is chosen.
    static func algorithm(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }
}

/// Carries a result from the verifying task to the waiting thread; the semaphore orders
/// the write before the read.
private final class ResultBox: @unchecked Sendable {
    var result: Result<Identity, AuthError>?
}
