import Foundation
import JWTKit
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay

@Suite("Tokens: own, single sign-on, and what is refused")
struct AuthTests {
    static let issuer = "https://idp.example.com"
    static let audience = "townhall"

    /// An identity provider: an EC key and an RSA key, published as PEM and JWKS.
    struct Provider {
        let ec = ES256PrivateKey()
        let keys = JWTKeyCollection()

        func token(_ actor: Actor, alg: String, issuer: String = AuthTests.issuer, audience: String = AuthTests.audience,
                   ttl: Double = 600) async throws -> String {
            let claims = TownhallClaims(actor: actor, expires: Date().addingTimeInterval(ttl), issuer: issuer, audience: audience)
            return try await keys.sign(claims, kid: JWKIdentifier(string: alg))
        }

        static func make() async throws -> Provider {
            let provider = Provider()
            await provider.keys.add(ecdsa: provider.ec, kid: "ES256")
            await provider.keys.add(rsa: try Insecure.RSA.PrivateKey(pem: TestKeys.rsaPrivate), digestAlgorithm: .sha256, kid: "RS256")
            return provider
        }
    }

    func harness(_ provider: Provider, jwks: Bool) async throws -> Harness {
        let sso: SSOConfig
        if jwks {
            let rsa = try Insecure.RSA.PublicKey(pem: TestKeys.rsaPublic)
            let parameters = try rsa.getKeyPrimitives()
            let (n, e) = ([UInt8](parameters.modulus).base64URL, [UInt8](parameters.publicExponent).base64URL)
            let json = #"{"keys":[{"kty":"RSA","alg":"RS256","kid":"RS256","n":"\#(n)","e":"\#(e)"}]}"#
            sso = SSOConfig(jwks: json, issuer: Self.issuer, audience: Self.audience)
        } else {
            sso = SSOConfig(publicKeyPEM: provider.ec.publicKey.pemRepresentation, issuer: Self.issuer, audience: Self.audience)
        }
        return await Harness(sso: sso)
    }

    /// Says hello with `token`; returns whether it was welcomed, and the error message if not.
    func hello(_ harness: Harness, _ token: String) async -> (welcomed: Bool, error: String?) {
        let connection = harness.open()
        harness.send(connection, ["type": "hello", "token": token])
        await harness.settle(connection)
        let welcomed = !harness.messages(connection, type: "welcome").isEmpty
        if !welcomed { #expect(harness.transport.closed[connection] == .unauthorized) }
        return (welcomed, harness.messages(connection, type: "error").first?["message"] as? String)
    }

    @Test("ES256 (PEM) and RS256 (JWKS) tokens from the identity provider sign in; own HS256 tokens still do")
    func accepted() async throws {
        let provider = try await Provider.make()
        let pem = try await harness(provider, jwks: false)
        #expect(await hello(pem, try await provider.token(Harness.alice, alg: "ES256")).welcomed)
        #expect(await hello(pem, await pem.token(Harness.bob)).welcomed)
        let jwks = try await harness(provider, jwks: true)
        #expect(await hello(jwks, try await provider.token(Harness.alice, alg: "RS256")).welcomed)
    }

    @Test("wrong issuer, wrong audience, expired, or SSO not configured: unauthorized")
    func claimsChecked() async throws {
        let provider = try await Provider.make()
        let harness = try await harness(provider, jwks: false)
        let wrongIssuer = await hello(harness, try await provider.token(Harness.alice, alg: "ES256", issuer: "https://evil.example.com"))
        #expect(!wrongIssuer.welcomed && wrongIssuer.error?.contains("issuer") == true)
        let wrongAudience = await hello(harness, try await provider.token(Harness.alice, alg: "ES256", audience: "payroll"))
        #expect(!wrongAudience.welcomed && wrongAudience.error?.contains("audience") == true)
        #expect(await !hello(harness, try await provider.token(Harness.alice, alg: "ES256", ttl: -10)).welcomed)
        let plain = await Harness()
        #expect(await !hello(plain, try await provider.token(Harness.alice, alg: "ES256")).welcomed)
    }

    @Test("alg none, and HS256 signed with the provider's public key, verify nowhere")
    func algorithmConfusion() async throws {
        let provider = try await Provider.make()
        let harness = try await harness(provider, jwks: true)
        func base64URL(_ text: String) -> String { Array(text.utf8).base64URL }
        let claims = #"{"sub":"mallory","name":"Mallory","office":"Dublin","role":"host","exp":\#(Int(Date().timeIntervalSince1970) + 600),"iss":"\#(Self.issuer)","aud":"\#(Self.audience)"}"#
        let none = base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + base64URL(claims) + "."
        #expect(await !hello(harness, none).welcomed)
        let confused = JWTKeyCollection()
        await confused.add(hmac: HMACKey(from: Array(TestKeys.rsaPublic.utf8)), digestAlgorithm: .sha256)
        let actor = Actor(id: "mallory", name: "Mallory", office: "Dublin", role: .host)
        let forged = try await confused.sign(TownhallClaims(actor: actor, expires: Date().addingTimeInterval(600), issuer: Self.issuer, audience: Self.audience),
                                             kid: "RS256")
        #expect(await !hello(harness, forged).welcomed)
    }

    @Test("a connection whose token expires is closed with 4001, unless it sent a fresh token")
    func expiry() async throws {
        let harness = await Harness()
        let stale = harness.open()
        harness.send(stale, ["type": "hello", "token": try await harness.authenticator.mint(Harness.alice, ttl: 60)])
        await harness.settle(stale)
        let renewed = harness.open()
        harness.send(renewed, ["type": "hello", "token": try await harness.authenticator.mint(Harness.bob, ttl: 60)])
        await harness.settle(renewed)
        harness.send(renewed, ["type": "token", "token": try await harness.authenticator.mint(Harness.bob, ttl: 3600), "id": 1])
        for _ in 0..<2000 where harness.reply(renewed, id: 1) == nil {
            harness.executor.drain()
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(harness.reply(renewed, id: 1)?["type"] as? String == "ack")
        harness.send(renewed, ["type": "token", "token": try await harness.authenticator.mint(Harness.alice, ttl: 3600), "id": 2])
        for _ in 0..<2000 where harness.reply(renewed, id: 2) == nil {
            harness.executor.drain()
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(harness.reply(renewed, id: 2)?["code"] as? String == "unauthorized", "another user's token does not carry over")
        harness.clock.advance(millis: 61_000)
        harness.tick()
        #expect(harness.transport.closed[stale] == .unauthorized)
        #expect(harness.messages(stale, type: "error").last?["code"] as? String == "unauthorized")
        #expect(harness.transport.closed[renewed] == nil)
    }

    @Test("one user may hold at most 20 connections; the 21st is closed with 4008")
    func perUserCap() async throws {
        let harness = await Harness()
        for _ in 0..<20 { _ = await harness.signIn(Harness.alice) }
        let extra = harness.open()
        harness.send(extra, ["type": "hello", "token": await harness.token(Harness.alice)])
        await harness.settle(extra)
        #expect(harness.transport.closed[extra] == .policy)
        #expect(harness.messages(extra, type: "welcome").isEmpty)
        let other = await harness.signIn(Harness.bob)
        #expect(!harness.messages(other, type: "welcome").isEmpty)
    }
}

extension Array where Element == UInt8 {
    /// Base64url without padding, as JWTs use.
    var base64URL: String {
        Data(self).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
