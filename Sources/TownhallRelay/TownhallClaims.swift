import Foundation
import JWTKit
import TownhallCore

/// The claims of a Townhall token (PROTOCOL.md §2). Every claim is required.
package struct TownhallClaims: JWTPayload, Equatable {
    package var sub: SubjectClaim
    package var name: String
    package var office: String
    package var role: String
    package var exp: ExpirationClaim

    package init(actor: Actor, expires: Date) {
        sub = SubjectClaim(value: actor.id)
        name = actor.name
        office = actor.office
        role = actor.role.rawValue
        exp = ExpirationClaim(value: expires)
    }

    package func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
