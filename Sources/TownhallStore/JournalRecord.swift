import Foundation
import TownhallCore
import TownhallJSON

/// The payload of one journal record: a `Request` in a format of the journal's own, with
/// a version, written and read here field by field. Renaming a core type, a case or a
/// wire field changes nothing on disk, and every journal ever written stays readable.
///
/// - Version 2 (written now): one flat JSON object with sorted keys, so the same request
///   is always the same bytes (written by `JSONWriter`, with no Foundation on the way): `{"actor":{…},"at":…,"type":"vote","post":"p1","value":1,"v":2}`.
/// - Version 1 (no `v`; read only): what the first releases wrote, Swift's synthesized
///   `Codable` of `Request`: `{"actor":{…},"at":…,"command":{"vote":{"post":"p1","value":1}}}`.
package enum JournalRecord {
    package static let version = 2

    /// Why a payload is not a record this build can read.
    package struct Unreadable: Error, Sendable, Equatable {
        package var reason: String
    }

    package static func encode(_ request: Request) -> [UInt8] {
        let actor = request.actor
        var fields = fields(of: request.command)
        fields += [
            ("v", .int(Int64(version))), ("at", .int(request.at)),
            ("actor", .object([("id", .text(actor.id)), ("name", .text(actor.name)), ("office", .text(actor.office)), ("role", .text(actor.role.rawValue))])),
        ]
        var json = JSONWriter()
        Value.object(fields).write(to: &json)
        return json.bytes
    }

    /// What a record's fields hold: text, integers, booleans, lists of text, objects.
    private enum Value {
        case text(String)
        case int(Int64)
        case bool(Bool)
        case texts([String])
        case ints([Int])
        case object([(key: String, value: Value)])

        /// Objects with their keys sorted (byte order), so a request is always the same bytes.
        func write(to json: inout JSONWriter) {
            switch self {
            case .text(let text): json.string(text)
            case .int(let number): json.int(number)
            case .bool(let flag): json.bool(flag)
            case .texts(let texts):
                json.beginArray()
                for text in texts { json.string(text) }
                json.endArray()
            case .ints(let numbers):
                json.beginArray()
                for number in numbers { json.int(Int64(number)) }
                json.endArray()
            case .object(let fields):
                json.beginObject()
                for (key, value) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                    json.key(key)
                    value.write(to: &json)
                }
                json.endObject()
            }
        }
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

    /// A command's type and fields; the names are the journal's, fixed forever. An absent
    /// optional is left out.
    private static func fields(of command: Command) -> [(key: String, value: Value)] {
        func with(_ type: String, _ fields: [(String, Value?)]) -> [(key: String, value: Value)] {
            [("type", .text(type))] + fields.compactMap { key, value in value.map { (key, $0) } }
        }
        func text(_ value: String?) -> Value? { value.map(Value.text) }
        switch command {
        case let .post(body, anonymous, key): return with("post", [("text", .text(body)), ("anonymous", .bool(anonymous)), ("key", text(key))])
        case let .vote(post, value): return with("vote", [("post", .text(post)), ("value", .int(Int64(value)))])
        case let .comment(body, post): return with("comment", [("text", .text(body)), ("post", text(post))])
        case let .moderate(post, status, note): return with("moderate", [("post", .text(post)), ("status", .text(status.rawValue)), ("note", text(note))])
        case let .announce(body): return with("announce", [("text", .text(body))])
        case let .townhall(state, title, stream):
            return with("townhall", [("state", .text(state.rawValue)), ("title", text(title)), ("stream", text(stream))])
        case let .closeCycle(carryOver): return with("closeCycle", [("carryOver", .bool(carryOver))])
        case let .agenda(posts): return with("agenda", [("posts", .texts(posts))])
        case let .answer(post, body, owner): return with("answer", [("post", .text(post)), ("text", .text(body)), ("owner", text(owner))])
        case let .purge(before): return with("purge", [("before", .int(before))])
        case let .forget(user): return with("forget", [("user", .text(user))])
        case let .configure(reviewPosts): return with("configure", [("reviewPosts", .bool(reviewPosts))])
        case let .openPoll(question, options, multi):
            return with("pollOpen", [("question", .text(question)), ("options", .texts(options)), ("multi", .bool(multi))])
        case let .closePoll(poll): return with("pollClose", [("poll", .text(poll))])
        case let .answerPoll(poll, choices): return with("pollAnswer", [("poll", .text(poll)), ("choices", .ints(choices))])
        case let .merge(post, into): return with("merge", [("post", .text(post)), ("into", .text(into))])
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
        case "pollOpen":
            guard let options = f.object["options"] as? [String] else { throw Unreadable(reason: "pollOpen without its options") }
            return .openPoll(question: try f.string("question"), options: options, multi: try f.bool("multi"))
        case "pollClose": return .closePoll(poll: try f.string("poll"))
        case "pollAnswer":
            guard let choices = f.object["choices"] as? [NSNumber] else { throw Unreadable(reason: "pollAnswer without its choices") }
            return .answerPoll(poll: try f.string("poll"), choices: choices.map(\.intValue))
        case "merge": return .merge(post: try f.string("post"), into: try f.string("into"))
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
