import Crypto
import Foundation
import JWTKit
import Logging
import TownhallCore
import TownhallTransport

/// Sign-in through the company's OpenID provider, for browsers: the authorization code
/// flow with PKCE, `state` and `nonce` (OpenID Connect Core §3.1), a signed session
/// cookie, and short-lived Townhall tokens handed to the pages.
///
/// - `GET /auth/login?next=/host`: to the provider's login, back to `next` afterwards.
/// - `GET /auth/callback`: the provider's answer; the code is exchanged and the ID token
///   verified, then the session cookie is set.
/// - `GET /auth/token`: a Townhall token for the session (JSON), or `signedIn: false`.
/// - `GET /auth/logout`: ends the session here, then at the provider where it offers that.
/// - `GET /auth/status`: whether the provider can be reached, for the pages' sign-in notice.
/// - `GET /auth/pair/new`, `/auth/pair/wait`, `/auth/pair/confirm`: a room screen shows a
///   code, a host enters it (confirming with their Townhall token, never the cookie alone),
///   the screen gets a read-only session (`ScreenPairing`).
package actor WebSignIn: HTTPRoutes {
    /// One sign-in under way, between the redirect to the provider and its answer.
    struct Flow {
        var nonce: String
        var verifier: String
        var next: String
        var started: Date
    }

    let settings: SignInSettings
    let client: any HTTPFetching
    /// A Townhall token for a user, lasting so many seconds, read-only or not.
    let mint: @Sendable (Actor, Double, Bool) async throws -> String
    /// The user a Townhall token names, if it is valid (a host pairing a screen with a link token).
    let verify: @Sendable (String) async -> Actor?
    let logger: Logger
    var pairings = ScreenPairing()
    private let sessionKeys = JWTKeyCollection()
    private var provider: ProviderMetadata?
    private var verifier: IDTokenVerifier?
    /// The last failed look at the provider, and when the last good one was.
    private var lastDiscovery: (at: Date, error: SignInError)?
    private var checkedAt = Date.distantPast
    private var flows: [String: Flow] = [:]
    private var signedOut: SignedOut
    /// ID tokens by session, for the provider's logout (`id_token_hint`); lost on restart.
    /// Expired ones go when the map has doubled since the last look (amortized O(1)).
    private var idTokens: [String: (token: String, expires: Date)] = [:]
    private var idTokensPruneAt = 1_024

    static let flowSeconds: Double = 600
    static let maxFlows = 20_000

    /// `sessionSecret`: at least 32 bytes; `signedOutFile`: where sign-outs are kept.
    package init(
        settings: SignInSettings, client: any HTTPFetching, sessionSecret: [UInt8], signedOutFile: String?,
        logger: Logger, mint: @escaping @Sendable (Actor, Double, Bool) async throws -> String,
        verify: @escaping @Sendable (String) async -> Actor?
    ) async {
        self.settings = settings
        self.client = client
        self.mint = mint
        self.verify = verify
        self.logger = logger
        signedOut = SignedOut(file: signedOutFile, now: Date().timeIntervalSince1970)
        await sessionKeys.add(hmac: HMACKey(from: sessionSecret + Array("townhall-session".utf8)), digestAlgorithm: .sha256)
    }

    package nonisolated func handles(_ path: String) -> Bool { path.hasPrefix("/auth/") }

    package func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch request.path {
        case "/auth/login": return await login(request)
        case "/auth/callback": return await callback(request)
        case "/auth/token": return await token(request)
        case "/auth/logout": return await logout(request)
        case "/auth/signed-out": return page(200, "Signed out", "You have signed out of Townhall.", link: ("Sign in again", "/auth/login"))
        case "/auth/status": return await status()
        case "/auth/pair/new": return pairNew()
        case "/auth/pair/wait": return await pairWait(request)
        case "/auth/pair/confirm": return await pairConfirm(request)
        default: return page(404, "Not found", "There is nothing at \(request.path).", link: nil)
        }
    }

    /// Reads the provider's discovery document once it can; when the provider is down,
    /// tries again at most every 5 s (each sign-in asks), so the server starts anyway.
    /// `recheck`: a sign-in about to send someone to the provider looks again when the last
    /// look is over 5 s old, so a provider that went away is said here, not as the
    /// browser's own error page.
    package func discover(recheck: Bool = false) async -> Result<(ProviderMetadata, IDTokenVerifier), SignInError> {
        let now = Date()
        if let provider, let verifier, !recheck { return .success((provider, verifier)) }
        if let last = lastDiscovery, now.timeIntervalSince(last.at) < 5 { return .failure(last.error) }
        if let provider, let verifier, now.timeIntervalSince(checkedAt) < 5 { return .success((provider, verifier)) }
        do {
            let found = try await ProviderMetadata.discover(settings.issuer, with: client)
            if found != provider || verifier == nil {
                verifier = IDTokenVerifier(issuer: found.issuer, clientID: settings.clientID, jwksURI: found.jwksURI, client: client)
                logger.notice("sso.provider_found", metadata: ["issuer": "\(found.issuer)"])
            } else if lastDiscovery != nil || provider == nil {
                logger.notice("sso.provider_back", metadata: ["issuer": "\(found.issuer)"])
            }
            provider = found
            checkedAt = now
            lastDiscovery = nil
            return .success((found, verifier!))
        } catch {
            if lastDiscovery == nil { logger.error("sso.provider_unreachable", metadata: ["issuer": "\(settings.issuer)", "error": "\(error.description)"]) }
            lastDiscovery = (now, error)
            return .failure(error)
        }
    }

    func status() async -> HTTPResponse {
        switch await discover(recheck: true) {
        case .success: return json(200, ["signIn": "oidc", "provider": "ok"])
        case .failure(let error):
            return json(200, ["signIn": "oidc", "provider": "unreachable", "message": "The company sign-in cannot be reached right now (\(error.description)). Try again in a minute."])
        }
    }

    func login(_ request: HTTPRequest) async -> HTTPResponse {
        let provider: ProviderMetadata
        switch await discover(recheck: true) {
        case .success(let found): provider = found.0
        case .failure(let error):
            return page(503, "Sign-in unavailable", "The company sign-in cannot be reached right now (\(error.description)). Try again in a minute.", link: ("Try again", "/auth/login?next=" + Self.encode(Self.safeNext(request.parameter("next")))))
        }
        let now = Date()
        flows = flows.filter { now.timeIntervalSince($0.value.started) < Self.flowSeconds }
        guard flows.count < Self.maxFlows else { return page(503, "Busy", "Too many sign-ins are under way; try again in a minute.", link: nil) }
        let state = RandomText.make(), flow = Flow(nonce: RandomText.make(), verifier: RandomText.make(bytes: 48), next: Self.safeNext(request.parameter("next")), started: now)
        flows[state] = flow
        let challenge = Data(SHA256.hash(data: Data(flow.verifier.utf8))).base64URL
        let query = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", settings.redirectURI),
            ("scope", settings.scopes.joined(separator: " ")), ("state", state), ("nonce", flow.nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ].map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        let separator = provider.authorizationEndpoint.contains("?") ? "&" : "?"
        return redirect(provider.authorizationEndpoint + separator + query, cookies: [cookie("th_flow", state, path: "/auth/", maxAge: Int(Self.flowSeconds))])
    }

    func callback(_ request: HTTPRequest) async -> HTTPResponse {
        let again = ("Sign in again", "/auth/login")
        if let error = request.parameter("error") {
            let detail = request.parameter("error_description").map { ": \($0)" } ?? ""
            return page(400, "Sign-in refused", "The company sign-in said \(error)\(detail).", link: again)
        }
        guard let state = request.parameter("state"), let code = request.parameter("code") else {
            return page(400, "Sign-in failed", "The answer from the company sign-in has no code or state.", link: again)
        }
        // The state must be one this server started, for this browser, not used before.
        guard request.cookie("th_flow") == state, let flow = flows.removeValue(forKey: state),
              Date().timeIntervalSince(flow.started) < Self.flowSeconds
        else {
            logger.warning("sso.state_refused")
            return page(400, "Sign-in failed", "This sign-in link is not one this browser started, or it was already used or is too old.", link: again)
        }
        let found: (ProviderMetadata, IDTokenVerifier)
        switch await discover() {
        case .success(let pair): found = pair
        case .failure(let error): return page(503, "Sign-in unavailable", error.description, link: again)
        }
        do {
            let idToken = try await exchange(code, verifier: flow.verifier, at: found.0.tokenEndpoint)
            let verified = try await found.1.verify(idToken, nonce: flow.nonce)
            let actor = try settings.actor(subject: verified.subject, claims: verified.claims)
            let session = try await sessionCookie(actor, seconds: settings.sessionSeconds, readOnly: false)
            keepForLogout(idToken, sid: session.sid)
            logger.info("sso.signed_in", metadata: ["role": "\(actor.role.rawValue)"])
            return redirect(flow.next, cookies: [session.cookie, cookie("th_flow", "", path: "/auth/", maxAge: 0)])
        } catch let error as SignInError {
            logger.warning("sso.refused", metadata: ["reason": "\(error.description)"])
            return page(400, "Sign-in failed", error.description, link: again)
        } catch {
            return page(500, "Sign-in failed", "The session could not be made (\(error)).", link: again)
        }
    }

    /// The code for tokens at the provider's token endpoint (client_secret_basic when
    /// there is a secret, else a public client with PKCE alone).
    func exchange(_ code: String, verifier: String, at endpoint: String) async throws(SignInError) -> String {
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI), ("code_verifier", verifier)]
        var headers = [(name: "content-type", value: "application/x-www-form-urlencoded"), (name: "accept", value: "application/json")]
        if let secret = settings.clientSecret {
            let pair = Self.encode(settings.clientID) + ":" + Self.encode(secret)
            headers.append((name: "authorization", value: "Basic " + Data(pair.utf8).base64EncodedString()))
        } else {
            form.append(("client_id", settings.clientID))
        }
        let body = form.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        let response: FetchResponse
        do {
            response = try await client.fetch(FetchRequest(method: "POST", url: endpoint, headers: headers, body: Array(body.utf8)))
        } catch {
            throw SignInError("the company sign-in's token endpoint cannot be reached: \(error.description)")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 200 else {
            let reason = (object?["error_description"] as? String) ?? (object?["error"] as? String) ?? "HTTP \(response.status)"
            throw SignInError("the company sign-in refused the code (\(reason))")
        }
        guard let idToken = object?["id_token"] as? String else { throw SignInError("the company sign-in sent no ID token") }
        return idToken
    }

    func keepForLogout(_ idToken: String, sid: String) {
        idTokens[sid] = (idToken, Date().addingTimeInterval(settings.sessionSeconds))
        guard idTokens.count >= idTokensPruneAt else { return }
        let now = Date()
        idTokens = idTokens.filter { $0.value.expires > now }
        idTokensPruneAt = max(1_024, idTokens.count * 2)
    }

    /// The session's user, if its cookie is ours, unexpired and not signed out.
    func session(_ request: HTTPRequest) async -> (sid: String, actor: Actor, expires: Date, readOnly: Bool)? {
        guard let value = request.cookie("th_session"),
              let claims = try? await sessionKeys.verify(value, as: SessionClaims.self),
              !signedOut.contains(claims.sid), let actor = claims.actor
        else { return nil }
        return (claims.sid, actor, claims.exp.value, claims.ro == true)
    }

    /// A new session cookie for `actor`.
    func sessionCookie(_ actor: Actor, seconds: Double, readOnly: Bool) async throws -> (sid: String, cookie: (name: String, value: String)) {
        let sid = RandomText.make(bytes: 18)
        let value = try await sessionKeys.sign(SessionClaims(
            sid: sid, sub: SubjectClaim(value: actor.id), name: actor.name, office: actor.office, role: actor.role.rawValue,
            exp: ExpirationClaim(value: Date().addingTimeInterval(seconds)), ro: readOnly ? true : nil
        ))
        return (sid, cookie("th_session", value, path: "/", maxAge: Int(seconds)))
    }

    func token(_ request: HTTPRequest) async -> HTTPResponse {
        // Not signed in is an answer, not an error (a page asks before it knows).
        guard let session = await session(request) else {
            return json(200, ["signIn": "oidc", "signedIn": false, "login": "/auth/login"])
        }
        let seconds = min(settings.tokenSeconds, max(60, session.expires.timeIntervalSinceNow))
        do {
            let token = try await mint(session.actor, seconds, session.readOnly)
            return json(200, [
                "signIn": "oidc", "signedIn": true, "token": token, "expiresIn": Int(seconds), "readOnly": session.readOnly,
                "user": ["id": session.actor.id, "name": session.actor.name, "office": session.actor.office, "role": session.actor.role.rawValue],
            ])
        } catch {
            return json(500, ["error": "unavailable"])
        }
    }

    func logout(_ request: HTTPRequest) async -> HTTPResponse {
        var target = "/auth/signed-out"
        if let session = await session(request) {
            signedOut.add(session.sid, until: session.expires.timeIntervalSince1970, now: Date().timeIntervalSince1970)
            let hint = idTokens.removeValue(forKey: session.sid)?.token
            logger.info("sso.signed_out")
            if let endpoint = provider?.endSessionEndpoint {
                var query = [("post_logout_redirect_uri", settings.publicURL + "/auth/signed-out"), ("client_id", settings.clientID)]
                if let hint { query.append(("id_token_hint", hint)) }
                target = endpoint + (endpoint.contains("?") ? "&" : "?") + query.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
            }
        }
        return redirect(target, cookies: [cookie("th_session", "", path: "/", maxAge: 0)])
    }

    // MARK: - Responses

    func cookie(_ name: String, _ value: String, path: String, maxAge: Int) -> (name: String, value: String) {
        // Lax, not Strict: the session cookie must come back on the provider's redirect
        // to the callback (a top-level navigation from another site).
        var text = "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
        if settings.secureCookies { text += "; Secure" }
        return (name: "set-cookie", value: text)
    }

    func redirect(_ location: String, cookies: [(name: String, value: String)]) -> HTTPResponse {
        HTTPResponse(status: 302, contentType: "text/plain; charset=utf-8", body: Array("see \(location)".utf8), headers: [(name: "location", value: location)] + cookies)
    }

    func json(_ status: Int, _ object: [String: Any]) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return HTTPResponse(status: status, contentType: "application/json", body: Array(data))
    }

    func page(_ status: Int, _ title: String, _ text: String, link: (String, String)?) -> HTTPResponse {
        func escape(_ value: String) -> String {
            value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var html = "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>\(escape(title)) · Townhall</title>"
        html += "<link rel=stylesheet href=\"/css/townhall.css\"><main class=\"auth-page\"><h1>\(escape(title))</h1><p id=\"auth-message\">\(escape(text))</p>"
        if let link { html += "<p><a id=\"auth-link\" href=\"\(escape(link.1))\">\(escape(link.0))</a></p>" }
        html += "</main>"
        return HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(html.utf8))
    }

    /// Only a path on this server: never another site (an open redirect).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), !next.hasPrefix("/auth/") else { return "/" }
        return next
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
