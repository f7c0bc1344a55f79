import TownhallProtocol

/// Who is connected: distinct users, in all and per office. A user with three tabs
/// counts once. Kept up to date at every join and leave, so reading it costs nothing
/// that grows with the company.
package struct Presence: Sendable {
    private var connections: [String: (office: String, count: Int)] = [:]
    private var offices: [String: Int] = [:]
    /// Rises with every change of the counts, so "changed since" is one comparison.
    package private(set) var version = 0

    package init() {}

    package mutating func join(user: String, office: String) {
        let entry = connections[user, default: (office, 0)]
        connections[user] = (entry.office, entry.count + 1)
        guard entry.count == 0 else { return }
        offices[entry.office, default: 0] += 1
        version += 1
    }

    /// How many connections `user` has open.
    package func connections(of user: String) -> Int { connections[user]?.count ?? 0 }

    package mutating func leave(user: String) {
        guard let entry = connections[user] else { return }
        guard entry.count == 1 else {
            connections[user] = (entry.office, entry.count - 1)
            return
        }
        connections[user] = nil
        let left = (offices[entry.office] ?? 1) - 1
        offices[entry.office] = left > 0 ? left : nil
        version += 1
    }

    /// The wire form.
    package var snapshot: WirePresence { WirePresence(total: connections.count, offices: offices) }
}
