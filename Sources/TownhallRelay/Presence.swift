import TownhallProtocol

/// Who is connected: distinct users, in all and per office. A user with three tabs
/// counts once.
package struct Presence: Sendable {
    private var connections: [String: (office: String, count: Int)] = [:]

    package init() {}

    package mutating func join(user: String, office: String) {
        connections[user, default: (office, 0)].count += 1
    }

    /// How many connections `user` has open.
    package func connections(of user: String) -> Int { connections[user]?.count ?? 0 }

    package mutating func leave(user: String) {
        guard let entry = connections[user] else { return }
        connections[user] = entry.count > 1 ? (entry.office, entry.count - 1) : nil
    }

    /// The wire form.
    package var snapshot: WirePresence {
        var offices: [String: Int] = [:]
        for entry in connections.values { offices[entry.office, default: 0] += 1 }
        return WirePresence(total: connections.count, offices: offices)
    }
}
