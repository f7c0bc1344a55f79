import Foundation
import JWTKit
import TownhallCore

/// The claims of a Townhall token (PROTOCOL.md §2). `sub`, `name`, `office`, `role` and
/// `exp` are required; `iss` and `aud` are checked for the company's SSO tokens.
package struct TownhallClaims: JWTPayload, Equatable {
    package var sub: SubjectClaim
    package var name: String
    package var office: String
    package var role: String
    package var exp: ExpirationClaim
    package var iss: IssuerClaim?
    package var aud: AudienceClaim?
    /// A paired room screen: it may read, never change anything.
    package var readonly: Bool?

    package init(actor: Actor, expires: Date, issuer: String? = nil, audience: String? = nil, readOnly: Bool = false) {
        sub = SubjectClaim(value: actor.id)
        name = actor.name
        office = actor.office
        role = actor.role.rawValue
        exp = ExpirationClaim(value: expires)
        iss = issuer.map { IssuerClaim(value: $0) }
        aud = audience.map { AudienceClaim(value: [$0]) }
        readonly = readOnly ? true : nil
    }

    package func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
