import Foundation
import JWTKit
import TownhallCore

/// Why a token was refused. The message is for the client and names no secret.
package struct AuthError: Error, Sendable, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

/// Verifies and mints tokens with jwt-kit. HS256 with the server's own secret today;
/// the company's SSO keys join the same key collection later.
///
/// Verification is async (jwt-kit's key collection is an actor), so the relay runs it
/// off the service thread and a slow signature check never stalls the fan-out.
package final class Authenticator: Sendable {
    private let keys: JWTKeyCollection

    /// The secret must be at least 32 bytes (jwt-kit refuses shorter HMAC keys).
    package init(secret: [UInt8]) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// Checks signature and expiry, and that every claim is there and sane.
    package func verify(_ token: String) async -> Result<Actor, AuthError> {
        guard token.utf8.count <= 8192 else { return .failure(AuthError("the token is too long")) }
        let claims: TownhallClaims
        do {
            claims = try await keys.verify(token, as: TownhallClaims.self)
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
        return .success(actor)
    }

    /// Mints a token for `actor` that expires after `ttl` seconds.
    package func mint(_ actor: Actor, ttl: TimeInterval, now: Date = Date()) async throws -> String {
        try await keys.sign(TownhallClaims(actor: actor, expires: now.addingTimeInterval(ttl)))
    }
}
