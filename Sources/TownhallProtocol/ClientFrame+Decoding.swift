import Foundation
import TownhallCore

extension ClientFrame {
    /// Decodes one text frame. Every refusal is a `ProtocolError` naming what was wrong,
    /// carrying the request's `id` when the frame was an object with one.
    package static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> ClientFrame {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw ProtocolError(.badRequest, "the frame is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw ProtocolError(.badRequest, "a frame must be a JSON object")
        }
        var fields = Fields(object: object, id: nil)
        let id = object["id"]
        if let id {
            switch id {
            case .string, .int: fields.id = id
            default: throw ProtocolError(.badRequest, "field 'id' must be a string or an integer")
            }
        }
        let type = try fields.string("type")
        return ClientFrame(id: id, message: try fields.message(ofType: type))
    }
}

/// Typed access to a request's fields, throwing a clear `bad_request` per field.
private struct Fields {
    var object: [String: JSONValue]
    var id: JSONValue?

    func fail(_ message: String) -> ProtocolError { ProtocolError(id: id, .badRequest, message) }

    func string(_ name: String) throws(ProtocolError) -> String {
        guard let value = object[name] else { throw fail("missing field '\(name)'") }
        guard case .string(let string) = value else { throw fail("field '\(name)' must be a string, not \(value.kind)") }
        return string
    }

    func optionalString(_ name: String) throws(ProtocolError) -> String? {
        switch object[name] {
        case nil, .null?: return nil
        case .string(let string)?: return string
        case let value?: throw fail("field '\(name)' must be a string, not \(value.kind)")
        }
    }

    func optionalBool(_ name: String) throws(ProtocolError) -> Bool? {
        switch object[name] {
        case nil, .null?: return nil
        case .bool(let bool)?: return bool
        case let value?: throw fail("field '\(name)' must be a boolean, not \(value.kind)")
        }
    }

    func optionalInt(_ name: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int? {
        switch object[name] {
        case nil, .null?: return nil
        case .int(let value)? where value >= Int64(range.lowerBound) && value <= Int64(range.upperBound): return Int(value)
        case let value?: throw fail("field '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound), not \(value.kind)")
        }
    }

    func message(ofType type: String) throws(ProtocolError) -> ClientMessage {
        switch type {
        case "hello":
            return .hello(token: try string("token"), resume: try resume(), form: try updateForm())
        case "post":
            return .command(.post(text: try string("text"), anonymous: try optionalBool("anonymous") ?? false, key: try optionalString("key")))
        case "vote":
            guard case .int(let value)? = object["value"], (-1...1).contains(value) else {
                throw fail("field 'value' must be 1, -1 or 0")
            }
            return .command(.vote(post: try string("post"), value: Int(value)))
        case "comment":
            return .command(.comment(text: try string("text"), post: try optionalString("post")))
        case "moderate":
            let raw = try string("status")
            guard let status = PostStatus(rawValue: raw) else {
                throw fail("field 'status' must be one of \(PostStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .command(.moderate(post: try string("post"), status: status, note: try optionalString("note")))
        case "announce":
            return .command(.announce(text: try string("text")))
        case "townhall":
            guard let state = LiveState(rawValue: try string("state")) else {
                throw fail("field 'state' must be \"live\" or \"ended\"")
            }
            return .command(.townhall(state: state, title: try optionalString("title"), stream: try optionalString("stream")))
        case "cycle":
            guard try string("action") == "close" else { throw fail("field 'action' must be \"close\"") }
            return .command(.closeCycle(carryOver: try optionalBool("carryOver") ?? true))
        case "agenda":
            guard case .array(let items)? = object["posts"] else { throw fail("field 'posts' must be an array of post ids") }
            let posts = items.compactMap { item -> String? in if case .string(let id) = item { id } else { nil } }
            guard posts.count == items.count, posts.count <= 200 else { throw fail("field 'posts' must be at most 200 post ids") }
            return .command(.agenda(posts: posts))
        case "answer" where object["poll"] != nil:
            // §9's poll answer; the written follow-up to a post (also `answer`) names a `post`.
            guard case .array(let items)? = object["choices"], items.count <= 10 else {
                throw fail("field 'choices' must be an array of option indexes")
            }
            let choices = items.compactMap { item -> Int? in if case .int(let index) = item, (0...9).contains(index) { Int(index) } else { nil } }
            guard choices.count == items.count else { throw fail("field 'choices' must hold option indexes (0 to 9)") }
            return .command(.answerPoll(poll: try string("poll"), choices: choices))
        case "answer":
            return .command(.answer(post: try string("post"), text: try string("text"), owner: try optionalString("owner")))
        case "poll":
            switch try string("action") {
            case "open":
                guard case .array(let items)? = object["options"] else { throw fail("field 'options' must be an array of 2 to 10 strings") }
                let options = items.compactMap { item -> String? in if case .string(let text) = item { text } else { nil } }
                guard options.count == items.count, Townhall.pollOptions.contains(options.count) else {
                    throw fail("field 'options' must be an array of 2 to 10 strings")
                }
                return .command(.openPoll(question: try string("question"), options: options, multi: try optionalBool("multi") ?? false))
            case "close":
                return .command(.closePoll(poll: try string("poll")))
            default:
                throw fail("field 'action' must be \"open\" or \"close\"")
            }
        case "similar":
            return .similar(text: try string("text"))
        case "merge":
            return .command(.merge(post: try string("post"), into: try string("into")))
        case "archive":
            guard case .int(let cycle)? = object["cycle"], cycle > 0, cycle <= Int64(Int32.max) else {
                throw fail("field 'cycle' must be a cycle id (a positive integer)")
            }
            let after = try optionalInt("after", in: 0...Int(Int32.max)) ?? 0
            let limit = try optionalInt("limit", in: 1...ClientMessage.archivePageMax) ?? ClientMessage.archivePageDefault
            return .archive(cycle: Int(cycle), after: after, limit: limit)
        case "forget":
            return .command(.forget(user: try string("sub")))
        case "thread":
            return .thread(post: try string("post"))
        case "ping":
            return .ping
        case "react":
            guard let reaction = Reaction(emoji: try string("emoji")) else {
                throw fail("field 'emoji' must be one of \(Reaction.allCases.map(\.rawValue).joined(separator: " "))")
            }
            return .react(reaction)
        case "token":
            return .refresh(token: try string("token"))
        default:
            throw fail("unknown message type '\(type.prefix(40))'")
        }
    }

    func updateForm() throws(ProtocolError) -> UpdateForm {
        var form = UpdateForm.full
        if let raw = try optionalString("ranks") {
            guard let ranks = RankEncoding(rawValue: raw) else { throw fail("field 'ranks' must be \"full\" or \"changes\"") }
            form.ranks = ranks
        }
        if let raw = try optionalString("posts") {
            guard let posts = PostEncoding(rawValue: raw) else { throw fail("field 'posts' must be \"full\" or \"counts\"") }
            form.posts = posts
        }
        return form
    }

    func resume() throws(ProtocolError) -> ResumePoint? {
        switch object["resume"] {
        case nil, .null?:
            return nil
        case .object(let resume)?:
            guard case .string(let epoch)? = resume["epoch"], case .int(let seq)? = resume["seq"] else {
                throw fail("field 'resume' must be {epoch: string, seq: integer}")
            }
            return ResumePoint(epoch: epoch, seq: seq)
        case let value?:
            throw fail("field 'resume' must be an object, not \(value.kind)")
        }
    }
}
