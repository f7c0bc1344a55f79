import Foundation
import TownhallCore
import TownhallTransport

/// Room screens cannot type a password: a screen asks for a short code and shows it, a
/// host enters it in the host console with the room's office and name, and the screen's
/// next look gets a read-only session for that room. A code lives 10 minutes and pairs
/// once; only the browser that asked for it (its `th_pair` cookie) can collect it.
struct ScreenPairing {
    struct Pending {
        var device: String
        var created: Date
        /// Set by the host's confirmation: who the screen will be.
        var screen: Actor?
    }

    static let lifetime: Double = 600
    static let maxPending = 1_000
    /// No 0/O, 1/I/L: read aloud across a meeting room.
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    private(set) var pending: [String: Pending] = [:]

    /// A new code for a device, or nil when too many are waiting.
    mutating func start(device: String, now: Date) -> String? {
        pending = pending.filter { now.timeIntervalSince($0.value.created) < Self.lifetime }
        guard pending.count < Self.maxPending else { return nil }
        var generator = SystemRandomNumberGenerator()
        var code: String
        repeat {
            let letters = (0..<8).map { _ in Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)] }
            code = String(letters[0..<4]) + "-" + String(letters[4...])
        } while pending[code] != nil
        pending[code] = Pending(device: device, created: now)
        return code
    }

    /// A code as typed: upper case, the dash optional, spaces ignored.
    static func normalize(_ typed: String) -> String {
        let letters = typed.uppercased().filter { alphabet.contains($0) }
        guard letters.count == 8 else { return typed }
        return String(letters.prefix(4)) + "-" + String(letters.suffix(4))
    }

    /// The host's confirmation; false for an unknown or expired code, or one already confirmed.
    mutating func confirm(_ typed: String, as screen: Actor, now: Date) -> Bool {
        let code = Self.normalize(typed)
        guard var entry = pending[code], now.timeIntervalSince(entry.created) < Self.lifetime, entry.screen == nil else { return false }
        entry.screen = screen
        pending[code] = entry
        return true
    }

    /// The screen's look: its room once confirmed (and the code is used up then).
    mutating func collect(device: String, now: Date) -> (waiting: Bool, screen: Actor?) {
        guard let (code, entry) = pending.first(where: { $0.value.device == device }),
              now.timeIntervalSince(entry.created) < Self.lifetime
        else { return (false, nil) }
        guard let screen = entry.screen else { return (true, nil) }
        pending[code] = nil
        return (false, screen)
    }
}

extension WebSignIn {
    /// How long a paired screen stays signed in: a room screen runs all week.
    static let screenSessionSeconds: Double = 8 * 24 * 3600

    func pairNew() -> HTTPResponse {
        let device = RandomText.make()
        guard let code = pairings.start(device: device, now: Date()) else {
            return json(503, ["error": "busy", "message": "Too many screens are waiting to be paired; try again in a few minutes."])
        }
        var response = json(200, ["code": code, "expiresIn": Int(ScreenPairing.lifetime)])
        response.headers.append(cookie("th_pair", device, path: "/auth/pair/", maxAge: Int(ScreenPairing.lifetime)))
        return response
    }

    func pairWait(_ request: HTTPRequest) async -> HTTPResponse {
        guard let device = request.cookie("th_pair") else { return json(404, ["error": "not_found", "message": "This screen has no pairing code."]) }
        let (waiting, screen) = pairings.collect(device: device, now: Date())
        guard let screen else {
            return waiting ? json(202, ["paired": false]) : json(404, ["error": "expired", "message": "The pairing code has expired."])
        }
        do {
            let session = try await sessionCookie(screen, seconds: Self.screenSessionSeconds, readOnly: true)
            logger.info("sso.screen_paired", metadata: ["office": "\(screen.office)"])
            var response = json(200, ["paired": true])
            response.headers += [session.cookie, cookie("th_pair", "", path: "/auth/pair/", maxAge: 0)]
            return response
        } catch {
            return json(500, ["error": "unavailable"])
        }
    }

    /// `?code=…&office=…&name=…`, by a host or moderator, with their Townhall token as
    /// `Authorization: Bearer` (the console sends the one it connects with). The session
    /// cookie is not enough: a browser sends it on a link from another site too (SameSite
    /// Lax), and such a link would pair the attacker's screen; a header it cannot add.
    func pairConfirm(_ request: HTTPRequest) async -> HTTPResponse {
        var host: Actor?
        if let header = request.authorization, header.hasPrefix("Bearer ") {
            host = await verify(String(header.dropFirst(7)))
        }
        guard let host else { return json(401, ["error": "unauthorized", "message": "Sign in as a host to pair a screen."]) }
        guard host.role.isStaff else { return json(403, ["error": "forbidden", "message": "Only hosts and moderators pair room screens."]) }
        guard let code = request.parameter("code") else { return json(400, ["error": "bad_request", "message": "Give the code the screen shows."]) }
        let office = request.parameter("office")?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? host.office
        let name = request.parameter("name")?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? "Room screen, \(office)"
        guard office.count <= 100, name.count <= 100 else { return json(400, ["error": "bad_request", "message": "The office and name are at most 100 characters."]) }
        let screen = Actor(id: "screen-" + RandomText.make(bytes: 9), name: name, office: office, role: .employee)
        guard pairings.confirm(code, as: screen, now: Date()) else {
            return json(404, ["error": "not_found", "message": "No screen is waiting with that code (it may have expired)."])
        }
        logger.info("sso.screen_confirmed", metadata: ["office": "\(office)"])
        return json(200, ["paired": true, "office": office, "name": name])
    }
}
