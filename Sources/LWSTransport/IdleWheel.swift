import TownhallTransport

/// Which WebSockets have gone quiet: a connection silent for `ping` seconds (plus its own
/// offset, under `spread`) gets a WebSocket ping, one silent for `hangup` seconds is hung
/// up on. Anything heard from a connection (a frame, a pong) only stamps it; each
/// connection waits in a one-second slot for its next look, which puts it in a later
/// slot or acts. So the cost is a
/// dictionary write per frame heard and one look per connection per `ping` seconds.
///
/// The offsets keep pings from coming as one round: a whole company connects within
/// seconds and then goes quiet together, so without them 18,000 pings and pongs would
/// fall in the same second every `ping` seconds, again and again.
///
/// It replaces lws' own idle checks (`retry_and_idle_policy`), which re-insert each
/// connection's timer into one sorted list per thread, scanned from its head
/// (lib/core-net/sorted-usec-list.c at v4.1.6): with 9,000 connections a thread, every
/// ping and every pong walked the whole list. Idle at 18,000 that cost 0.7 core for 10 s
/// in every 30, and a fifth of the server's CPU in a vote storm.
struct IdleWheel {
    enum Action: Hashable {
        case ping(ConnectionID)
        case hangUp(ConnectionID)
    }

    let ping: UInt64
    let hangup: UInt64
    /// Each connection's ping comes `id % spread` seconds after `ping` (none when 0 or 1).
    let spread: UInt64
    /// Last second heard from, per open connection, and whether it was pinged since.
    private var heard: [ConnectionID: (second: UInt64, pinged: Bool)] = [:]
    /// Second → the connections to look at then. A closed connection's entry is dropped
    /// when its slot comes; each open one is in exactly one slot.
    private var slots: [UInt64: [ConnectionID]] = [:]
    /// The last second whose slot was looked at.
    private var swept: UInt64

    init(ping: UInt64, hangup: UInt64, spread: UInt64 = 0, now: UInt64) {
        precondition(ping > 0 && hangup > ping + max(spread, 1) - 1, "hang up after the last ping")
        self.ping = ping
        self.hangup = hangup
        self.spread = spread
        swept = now
    }

    /// Open connections it watches.
    var count: Int { heard.count }

    mutating func open(_ id: ConnectionID, now: UInt64) {
        heard[id] = (now, false)
        slots[now + pingAfter(id), default: []].append(id)
    }

    /// The seconds of quiet after which `id` is pinged.
    func pingAfter(_ id: ConnectionID) -> UInt64 { spread > 1 ? ping + id % spread : ping }

    mutating func heard(_ id: ConnectionID, now: UInt64) {
        guard heard[id] != nil else { return }
        heard[id] = (now, false)
    }

    mutating func closed(_ id: ConnectionID) { heard[id] = nil }

    /// What to do now: pings for connections quiet since `pingAfter` seconds (once per quiet
    /// spell), hang-ups for those quiet since `hangup` (which it then forgets).
    mutating func due(now: UInt64) -> [Action] {
        var actions: [Action] = []
        while swept < now {
            swept += 1
            guard let ids = slots.removeValue(forKey: swept) else { continue }
            for id in ids {
                guard var entry = heard[id] else { continue }
                let quiet = now - min(entry.second, now)
                if quiet >= hangup {
                    heard[id] = nil
                    actions.append(.hangUp(id))
                } else if quiet >= pingAfter(id) {
                    if !entry.pinged {
                        entry.pinged = true
                        heard[id] = entry
                        actions.append(.ping(id))
                    }
                    slots[entry.second + hangup, default: []].append(id)
                } else {
                    slots[entry.second + pingAfter(id), default: []].append(id)
                }
            }
        }
        return actions
    }
}
