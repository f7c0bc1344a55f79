import TownhallCore
import TownhallProtocol
import TownhallTransport

/// Every connection the relay knows, the signed-in users among them (presence) and the
/// audience each signed-in connection receives updates with. Signing in and leaving go
/// through here and keep the three together: a connection is counted in presence and in
/// its audience exactly while it is signed in, however it ends.
struct SessionTable {
    private var sessions: [ConnectionID: Session] = [:]
    private(set) var presence = Presence()
    private var members: [Set<ConnectionID>] = Audience.allCases.map { _ in [] }
    /// Presence as last sent, and when.
    private var lastPresence = WirePresence(total: 0, offices: [:])
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
    var all: Dictionary<ConnectionID, Session>.Values { sessions.values }

    /// Signed-in connections of one audience.
    func members(of audience: Audience) -> Set<ConnectionID> { members[audience.rawValue] }

    mutating func open(_ session: Session) {
        sessions[session.id] = session
    }

    /// The connection is signed in as `actor` until `expires`.
    mutating func signIn(_ connection: ConnectionID, as actor: Actor, expires: Double) {
        guard var session = sessions[connection], session.actor == nil else { return }
        session.phase = .ready(actor)
        session.expires = expires
        session.early = []
        sessions[connection] = session
        members[Audience(actor.role).rawValue].insert(connection)
        presence.join(user: actor.id, office: actor.office)
    }

    /// Takes a signed-in connection out of its audience and of presence, and marks it
    /// closing; nothing for one that is not signed in.
    mutating func leave(_ connection: ConnectionID) {
        guard let actor = sessions[connection]?.actor else { return }
        members[Audience(actor.role).rawValue].remove(connection)
        presence.leave(user: actor.id)
        sessions[connection]?.phase = .closing
    }

    /// The connection is gone.
    mutating func remove(_ connection: ConnectionID) {
        leave(connection)
        sessions[connection] = nil
    }

    /// Presence to send now, if it changed and the last went out at least `interval` ago.
    mutating func presenceDue(now: Int64, interval: Int64) -> WirePresence? {
        let current = presence.snapshot
        guard current != lastPresence, now - lastPresenceAt >= interval else { return nil }
        lastPresence = current
        lastPresenceAt = now
        return current
    }
}
