/// The company identity provider's keys and the claims its tokens must carry.
package struct SSOConfig: Sendable {
    /// A JWKS document (RS256 and ES256 keys), and/or one PEM public key.
    package var jwks: String?
    package var publicKeyPEM: String?
    /// The `iss` SSO tokens must have.
    package var issuer: String
    /// A value SSO tokens' `aud` must contain.
    package var audience: String

    package init(jwks: String? = nil, publicKeyPEM: String? = nil, issuer: String, audience: String) {
        self.jwks = jwks
        self.publicKeyPEM = publicKeyPEM
        self.issuer = issuer
        self.audience = audience
    }
}
