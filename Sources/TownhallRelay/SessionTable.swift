import TownhallCore
import TownhallProtocol
import TownhallTransport

/// Every connection the relay knows, the signed-in users among them (presence), the
/// audience each signed-in connection receives updates with, and when each is next due
/// for a look (hello timeout, token expiry). Opening, signing in and leaving go through
/// here and keep the four together: a connection is counted in presence and in its
/// audience exactly while it is signed in, and has a deadline only while it is open,
/// however it ends.
struct SessionTable {
    private var sessions: [ConnectionID: Session] = [:]
    private(set) var presence = Presence()
    /// Signed-in connections per audience and update form, at `slot(_:_:)`.
    private var members: [Set<ConnectionID>] = Array(repeating: [], count: Audience.allCases.count * UpdateForm.allCases.count)
    /// Signed-in connections by user id.
    private var byUser: [String: Set<ConnectionID>] = [:]
    private var deadlines = Deadlines()
    /// Presence as last sent, the version it was read at, and when.
    private var lastPresence = WirePresence(total: 0, offices: [:])
    private var lastPresenceVersion = 0
    private var lastPresenceAt: Int64 = .min / 2

    /// A session's fields; signing in and leaving are `signIn` and `leave`.
    subscript(_ connection: ConnectionID) -> Session? {
        get { sessions[connection] }
        set {
            precondition(newValue?.actor == sessions[connection]?.actor, "sign in and leave through the table")
            sessions[connection] = newValue
        }
    }

    var count: Int { sessions.count }

    /// Signed-in connections of one user.
    func connections(of user: String) -> Set<ConnectionID> { byUser[user] ?? [] }

    /// Signed-in connections of one audience that take updates in `form`.
    func members(of audience: Audience, _ form: UpdateForm) -> Set<ConnectionID> { members[Self.slot(audience, form)] }

    private static func slot(_ audience: Audience, _ form: UpdateForm) -> Int {
        audience.rawValue * UpdateForm.allCases.count + form.index
    }

    /// A new connection, which must say hello by `helloDue` (monotonic ms).
    mutating func open(_ session: Session, helloDue: Int64) {
        sessions[session.id] = session
        deadlines.schedule(session.id, at: helloDue)
    }

    /// The connection is signed in as `actor` until `expires` (wall seconds), which the
    /// monotonic clock reaches at `expiryDue` (ms).
    mutating func signIn(_ connection: ConnectionID, as actor: Actor, expires: Double, expiryDue: Int64) {
        guard var session = sessions[connection], session.actor == nil else { return }
        session.phase = .ready(actor)
        session.expires = expires
        session.early = []
        sessions[connection] = session
        members[Self.slot(Audience(actor.role), session.form)].insert(connection)
        presence.join(user: actor.id, office: actor.office)
        byUser[actor.id, default: []].insert(connection)
        deadlines.schedule(connection, at: expiryDue)
    }

    /// A fresh token moved a signed-in connection's expiry.
    mutating func extend(_ connection: ConnectionID, expires: Double, expiryDue: Int64) {
        guard sessions[connection]?.actor != nil else { return }
        sessions[connection]?.expires = expires
        deadlines.schedule(connection, at: expiryDue)
    }

    /// Takes a signed-in connection out of its audience and of presence, and marks it
    /// closing; nothing for one that is not signed in.
    mutating func leave(_ connection: ConnectionID) {
        deadlines.cancel(connection)
        guard let session = sessions[connection], let actor = session.actor else { return }
        members[Self.slot(Audience(actor.role), session.form)].remove(connection)
        presence.leave(user: actor.id)
        byUser[actor.id]?.remove(connection)
        if byUser[actor.id]?.isEmpty == true { byUser[actor.id] = nil }
        sessions[connection]?.phase = .closing
    }

    /// The connection is gone.
    mutating func remove(_ connection: ConnectionID) {
        leave(connection)
        sessions[connection] = nil
    }

    /// Connections whose deadline has come: each is looked at once, then has none.
    mutating func due(now: Int64) -> [ConnectionID] { deadlines.take(now: now) }

    /// Presence to send now, if it changed and the last went out at least `interval` ago.
    mutating func presenceDue(now: Int64, interval: Int64) -> WirePresence? {
        guard presence.version != lastPresenceVersion, now - lastPresenceAt >= interval else { return nil }
        lastPresenceVersion = presence.version
        let current = presence.snapshot
        guard current != lastPresence else { return nil }
        lastPresence = current
        lastPresenceAt = now
        return current
    }
}
