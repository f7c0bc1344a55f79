import Crypto
import Foundation
import JWTKit
import Testing
import TownhallSSO
import TownhallTransport

/// The provider's key endpoint as the verifier sees it over HTTP: the published set can
/// change (rotation), and every fetch is counted.
final class KeySet: HTTPFetching, @unchecked Sendable {
    private let lock = NSLock()
    private var json = #"{"keys":[]}"#
    private var count = 0

    func publish(_ keys: [(kid: String, key: ES256PrivateKey)]) {
        let entries = keys.map { entry in
            let (x, y) = entry.key.publicKey.parameters!
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(entry.kid)","x":"\#(x)","y":"\#(y)"}"#
        }
        lock.withLock { json = #"{"keys":[\#(entries.joined(separator: ","))]}"# }
    }

    var fetches: Int { lock.withLock { count } }

    func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        lock.withLock {
            count += 1
            return FetchResponse(status: 200, body: Array(json.utf8))
        }
    }
}

/// An ID token's claims as a provider writes them.
struct Claims: JWTPayload {
    var iss = IDTokenVerifierTests.issuer
    var sub = "u-123"
    var aud: [String] = [IDTokenVerifierTests.client]
    var exp = Int(Date().timeIntervalSince1970) + 300
    var iat = Int(Date().timeIntervalSince1970)
    var nonce: String? = "n-1"
    var azp: String?
    var name = "Ada Lovelace"
    var office = "Dublin"

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

@Suite("ID tokens from the provider")
struct IDTokenVerifierTests {
    static let issuer = "https://idp.example.com/realms/acme"
    static let client = "townhall"

    let signing = ES256PrivateKey()
    let keySet = KeySet()

    func verifier() -> IDTokenVerifier {
        IDTokenVerifier(issuer: Self.issuer, clientID: Self.client, jwksURI: "https://idp.example.com/jwks", client: keySet)
    }

    func sign(_ claims: Claims, key: ES256PrivateKey? = nil, kid: String = "k1") async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key ?? signing, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    func refusal(_ verifier: IDTokenVerifier, _ token: String, nonce: String = "n-1") async -> String? {
        do {
            _ = try await verifier.verify(token, nonce: nonce)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a token signed with a published key, for this client, with this sign-in's nonce, is accepted with its claims")
    func accepted() async throws {
        keySet.publish([("k1", signing)])
        let verified = try await verifier().verify(try await sign(Claims()), nonce: "n-1")
        #expect(verified.subject == "u-123")
        #expect(verified.claims["office"] as? String == "Dublin")
        #expect(verified.claims["name"] as? String == "Ada Lovelace")
    }

    @Test("wrong nonce, aud, iss or azp, an expired token and one issued in the future are refused, each saying why")
    func claimsRefused() async throws {
        keySet.publish([("k1", signing)])
        let verifier = verifier()
        var cases: [(Claims, String, String)] = []
        cases.append((Claims(), "n-other", "nonce"))
        var claims = Claims(); claims.aud = ["someone-else"]; cases.append((claims, "n-1", "aud"))
        claims = Claims(); claims.iss = "https://evil.example.com"; cases.append((claims, "n-1", "issued by"))
        claims = Claims(); claims.aud = [Self.client, "other"]; claims.azp = "other"; cases.append((claims, "n-1", "azp"))
        claims = Claims(); claims.exp = Int(Date().timeIntervalSince1970) - 10; cases.append((claims, "n-1", "expired"))
        claims = Claims(); claims.iat = Int(Date().timeIntervalSince1970) + 3600; cases.append((claims, "n-1", "future"))
        for (claims, nonce, words) in cases {
            let message = await refusal(verifier, try await sign(claims), nonce: nonce)
            #expect(message?.contains(words) == true, "\(words): \(message ?? "accepted")")
        }
    }

    @Test("alg none, HS256 keyed with the provider's public key, and a key the provider never published are refused")
    func forgeries() async throws {
        keySet.publish([("k1", signing)])
        let verifier = verifier()
        let payload = try JSONEncoder().encode(Claims())
        func part(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let none = part(Data(#"{"alg":"none","kid":"k1"}"#.utf8)) + "." + part(payload) + "."
        #expect(await refusal(verifier, none)?.contains("algorithm") == true)

        let header = part(Data(#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#.utf8)) + "." + part(payload)
        let secret = SymmetricKey(data: Data(signing.publicKey.pemRepresentation.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(header.utf8), using: secret)
        #expect(await refusal(verifier, header + "." + part(Data(mac)))?.contains("algorithm") == true)

        let stranger = try await sign(Claims(), key: ES256PrivateKey(), kid: "k-unknown")
        #expect(await refusal(verifier, stranger)?.contains("does not publish") == true)
        // The same kid as a published key, signed by another key: the signature fails.
        let impostor = try await sign(Claims(), key: ES256PrivateKey(), kid: "k1")
        #expect(await refusal(verifier, impostor)?.contains("signature") == true)
    }

    @Test("a key rotated in at the provider is accepted after one fetch of its key set; made-up key ids do not fetch again at once")
    func rotation() async throws {
        keySet.publish([("k1", signing)])
        let verifier = verifier()
        _ = try await verifier.verify(try await sign(Claims()), nonce: "n-1")
        #expect(keySet.fetches == 1)
        let next = ES256PrivateKey()
        keySet.publish([("k1", signing), ("k2", next)])
        let verified = try await verifier.verify(try await sign(Claims(), key: next, kid: "k2"), nonce: "n-1")
        #expect(verified.subject == "u-123")
        #expect(keySet.fetches == 2)
        for index in 0..<5 {
            let message = await refusal(verifier, try await sign(Claims(), key: ES256PrivateKey(), kid: "made-up-\(index)"))
            #expect(message?.contains("does not publish") == true)
        }
        #expect(keySet.fetches == 2, "no refetch within the interval of the last one")
    }
}
