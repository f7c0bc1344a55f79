import Foundation
import TownhallCore

/// The payload of one journal record: a `Request` in a format of the journal's own, with
/// a version, written and read here field by field. Renaming a core type, a case or a
/// wire field changes nothing on disk, and every journal ever written stays readable.
///
/// - Version 2 (written now): one flat JSON object with sorted keys, so the same request
///   is always the same bytes: `{"actor":{…},"at":…,"type":"vote","post":"p1","value":1,"v":2}`.
/// - Version 1 (no `v`; read only): what the first releases wrote, Swift's synthesized
///   `Codable` of `Request`: `{"actor":{…},"at":…,"command":{"vote":{"post":"p1","value":1}}}`.
package enum JournalRecord {
    package static let version = 2

    /// Why a payload is not a record this build can read.
    package struct Unreadable: Error, Sendable, Equatable {
        package var reason: String
    }

    package static func encode(_ request: Request) -> [UInt8] {
        var object = fields(of: request.command)
        object["v"] = version
        object["at"] = request.at
        object["actor"] = [
            "id": request.actor.id, "name": request.actor.name, "office": request.actor.office, "role": request.actor.role.rawValue,
        ]
        // Only strings, numbers, booleans and nested objects of them: this cannot throw.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }

    package static func decode(_ bytes: some Collection<UInt8>) throws(Unreadable) -> Request {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw Unreadable(reason: "not a JSON object")
        }
        let fields = Fields(object: object)
        let actor = try fields.actor("actor")
        let at = try fields.int("at")
        switch object["v"] {
        case nil:
            guard let command = object["command"] as? [String: Any], command.count == 1, let (name, body) = command.first,
                  let body = body as? [String: Any]
            else { throw Unreadable(reason: "a version 1 record without its command") }
            return Request(actor: actor, at: at, command: try Self.command(name, Fields(object: body)))
        case let v as Int where v == version:
            return Request(actor: actor, at: at, command: try Self.command(try fields.string("type"), fields))
        default:
            throw Unreadable(reason: "a record of an unknown version (\(object["v"] ?? "?")): written by a newer release?")
        }
    }

    /// A command's type and fields; the names are the journal's, fixed forever.
    private static func fields(of command: Command) -> [String: Any] {
        func with(_ type: String, _ fields: [String: Any?]) -> [String: Any] {
            fields.compactMapValues { $0 }.merging(["type": type]) { $1 }
        }
        switch command {
        case let .post(text, anonymous, key): return with("post", ["text": text, "anonymous": anonymous, "key": key])
        case let .vote(post, value): return with("vote", ["post": post, "value": value])
        case let .comment(text, post): return with("comment", ["text": text, "post": post])
        case let .moderate(post, status, note): return with("moderate", ["post": post, "status": status.rawValue, "note": note])
        case let .announce(text): return with("announce", ["text": text])
        case let .townhall(state, title, stream): return with("townhall", ["state": state.rawValue, "title": title, "stream": stream])
        case let .closeCycle(carryOver): return with("closeCycle", ["carryOver": carryOver])
        case let .agenda(posts): return with("agenda", ["posts": posts])
        case let .answer(post, text, owner): return with("answer", ["post": post, "text": text, "owner": owner])
        case let .purge(before): return with("purge", ["before": before])
        case let .forget(user): return with("forget", ["user": user])
        case let .configure(reviewPosts): return with("configure", ["reviewPosts": reviewPosts])
        }
    }

    /// The command named `type` (the same names in both versions) from its fields.
    private static func command(_ type: String, _ f: Fields) throws(Unreadable) -> Command {
        switch type {
        case "post": return .post(text: try f.string("text"), anonymous: try f.bool("anonymous"), key: try f.optionalString("key"))
        case "vote": return .vote(post: try f.string("post"), value: Int(try f.int("value")))
        case "comment": return .comment(text: try f.string("text"), post: try f.optionalString("post"))
        case "moderate":
            guard let status = PostStatus(rawValue: try f.string("status")) else { throw Unreadable(reason: "an unknown status") }
            return .moderate(post: try f.string("post"), status: status, note: try f.optionalString("note"))
        case "announce": return .announce(text: try f.string("text"))
        case "townhall":
            guard let state = LiveState(rawValue: try f.string("state")) else { throw Unreadable(reason: "an unknown stage state") }
            return .townhall(state: state, title: try f.optionalString("title"), stream: try f.optionalString("stream"))
        case "closeCycle": return .closeCycle(carryOver: try f.bool("carryOver"))
        case "agenda":
            guard let posts = f.object["posts"] as? [String] else { throw Unreadable(reason: "agenda without its posts") }
            return .agenda(posts: posts)
        case "answer": return .answer(post: try f.string("post"), text: try f.string("text"), owner: try f.optionalString("owner"))
        case "purge": return .purge(before: try f.int("before"))
        case "forget": return .forget(user: try f.string("user"))
        case "configure": return .configure(reviewPosts: try f.bool("reviewPosts"))
        default: throw Unreadable(reason: "an unknown command '\(type)'")
        }
    }

    /// Typed reads of one JSON object's fields.
    private struct Fields {
        let object: [String: Any]

        func string(_ name: String) throws(Unreadable) -> String {
            guard let value = object[name] as? String else { throw Unreadable(reason: "no text field '\(name)'") }
            return value
        }

        func optionalString(_ name: String) throws(Unreadable) -> String? {
            guard let value = object[name], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw Unreadable(reason: "field '\(name)' is not text") }
            return text
        }

        func int(_ name: String) throws(Unreadable) -> Int64 {
            guard let number = object[name] as? NSNumber, !Self.isBool(number), let value = Int64(number.stringValue)
            else { throw Unreadable(reason: "no integer field '\(name)'") }
            return value
        }

        func bool(_ name: String) throws(Unreadable) -> Bool {
            guard let number = object[name] as? NSNumber, Self.isBool(number) else { throw Unreadable(reason: "no boolean field '\(name)'") }
            return number.boolValue
        }

        func actor(_ name: String) throws(Unreadable) -> Actor {
            guard let body = object[name] as? [String: Any] else { throw Unreadable(reason: "no actor") }
            let fields = Fields(object: body)
            guard let role = Role(rawValue: try fields.string("role")) else { throw Unreadable(reason: "an unknown role") }
            return Actor(id: try fields.string("id"), name: try fields.string("name"), office: try fields.string("office"), role: role)
        }

        /// JSON's true and false come back as boolean numbers (type "c"), never as the
        /// integers JSON numbers parse to.
        private static func isBool(_ number: NSNumber) -> Bool {
            String(cString: number.objCType) == "c"
        }
    }
}
