/// Who a view is built for: employees, or staff (moderators and hosts), who also see
/// pending and hidden posts.
package enum Audience: Int, Sendable, CaseIterable {
    case employees, staff

    package init(_ role: Role) { self = role.isStaff ? .staff : .employees }
}

/// The four orderings of PROTOCOL.md §7.
package enum Ordering: String, Sendable, CaseIterable {
    case top, hot, best, new
}

/// For each ordering, the ids of the current cycle's top posts an audience may see.
package struct Ranks: Sendable, Equatable {
    package var top: [String] = []
    package var hot: [String] = []
    package var best: [String] = []
    package var new: [String] = []

    package init(top: [String] = [], hot: [String] = [], best: [String] = [], new: [String] = []) {
        self.top = top
        self.hot = hot
        self.best = best
        self.new = new
    }

    /// Every post named in any ordering.
    package var ids: Set<String> { Set(top).union(hot).union(best).union(new) }

    package subscript(ordering: Ordering) -> [String] {
        get {
            switch ordering {
            case .top: top
            case .hot: hot
            case .best: best
            case .new: new
            }
        }
        set {
            switch ordering {
            case .top: top = newValue
            case .hot: hot = newValue
            case .best: best = newValue
            case .new: new = newValue
            }
        }
    }
}
