import TownhallCore
import TownhallJSON

/// A message or object that writes its own JSON: the frames sent most (acks, updates,
/// errors, pongs, and what they carry) skip Foundation's encoder. The same fields and
/// values as their `Encodable` forms, keys in sorted order; a test holds the two equal.
package protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

extension JSONWriter {
    mutating func field(_ name: String, _ value: some JSONWritable) {
        key(name)
        value.write(to: &self)
    }

    mutating func field(_ name: String, _ values: [some JSONWritable]) {
        key(name)
        beginArray()
        for value in values { value.write(to: &self) }
        endArray()
    }

    mutating func field(_ name: String, _ texts: [String]) {
        key(name)
        beginArray()
        for text in texts { string(text) }
        endArray()
    }
}

extension JSONValue: JSONWritable {
    package func write(to json: inout JSONWriter) {
        switch self {
        case .null: json.null()
        case .bool(let flag): json.bool(flag)
        case .int(let number): json.int(number)
        case .double(let number): json.raw(Array("\(number)".utf8))
        case .string(let text): json.string(text)
        case .array(let values):
            json.beginArray()
            for value in values { value.write(to: &json) }
            json.endArray()
        case .object(let members):
            json.beginObject()
            for (key, value) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { json.field(key, value) }
            json.endObject()
        }
    }
}

extension WirePost: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        if let answer = post.answer {
            json.key("answer")
            json.beginObject()
            json.field("at", answer.at)
            if let owner = answer.owner { json.field("owner", owner) }
            json.field("text", answer.text)
            json.endObject()
        } else {
            json.key("answer")
            json.null()
        }
        json.key("author")
        if post.anonymous {
            json.null()
        } else {
            json.beginObject()
            json.field("name", post.author.name)
            json.field("office", post.author.office)
            json.endObject()
        }
        json.key("carriedFrom")
        if let carriedFrom = post.carriedFrom { json.int(carriedFrom) } else { json.null() }
        json.field("comments", post.comments)
        json.field("createdAt", post.createdAt)
        json.field("cycle", post.cycle)
        json.field("down", post.down)
        json.field("id", post.id)
        if let mergedInto = post.mergedInto { json.field("mergedInto", mergedInto) }
        if audience == .staff { json.fieldOrNull("note", post.note) }
        json.field("office", post.office)
        json.field("score", post.score)
        if let similarity { json.field("similarity", JSONValue.double(similarity)) }
        json.field("status", post.status.rawValue)
        if audience == .staff { json.support(post.support) }
        json.field("text", post.text)
        json.field("up", post.up)
        json.endObject()
    }
}

extension WireCounts: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("comments", post.comments)
        json.field("down", post.down)
        json.field("score", post.score)
        if audience == .staff { json.support(post.support) }
        json.field("up", post.up)
        json.endObject()
    }
}

extension JSONWriter {
    /// A post's `support` (staff only): office → {down, up, voters}, offices in order.
    mutating func support(_ support: [String: Support]) {
        key("support")
        beginObject()
        for (office, tally) in support.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key(office)
            beginObject()
            field("down", tally.down)
            field("up", tally.up)
            field("voters", tally.voters)
            endObject()
        }
        endObject()
    }
}

extension WirePoll: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("closedAt")
        if let closedAt = poll.closedAt { json.int(closedAt) } else { json.null() }
        json.field("createdAt", poll.createdAt)
        json.field("cycle", poll.cycle)
        json.field("id", poll.id)
        json.field("multi", poll.multi)
        json.key("options")
        json.beginArray()
        for (text, votes) in zip(poll.options, poll.votes) {
            json.beginObject()
            json.field("text", text)
            json.field("votes", votes)
            json.endObject()
        }
        json.endArray()
        json.field("question", poll.question)
        json.field("state", poll.state.rawValue)
        json.field("voters", poll.voters)
        json.endObject()
    }
}

extension WireComment: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("author")
        json.beginObject()
        json.field("name", comment.author.name)
        json.field("office", comment.author.office)
        json.endObject()
        json.field("createdAt", comment.createdAt)
        json.field("id", comment.id)
        json.fieldOrNull("post", comment.post)
        json.field("text", comment.text)
        json.endObject()
    }
}

extension Announcement: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("createdAt", createdAt)
        json.field("id", id)
        json.field("text", text)
        json.endObject()
    }
}

extension Cycle: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        json.field("startedAt", startedAt)
        json.endObject()
    }
}

extension WireStage: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.fieldOrNull("onAir", stage.onAir)
        json.field("state", stage.state.rawValue)
        json.fieldOrNull("stream", stage.stream)
        json.fieldOrNull("title", stage.title)
        json.endObject()
    }
}

extension WirePresence: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("offices")
        json.beginObject()
        for (office, count) in offices.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { json.field(office, count) }
        json.endObject()
        json.field("total", total)
        json.endObject()
    }
}

extension WireRanks: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        if let best { json.field("best", best) }
        if let hot { json.field("hot", hot) }
        if let new { json.field("new", new) }
        if let top { json.field("top", top) }
        json.endObject()
    }
}

extension Update: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        if let agenda { json.field("agenda", agenda) }
        if let announcements { json.field("announcements", announcements) }
        if let comments { json.field("comments", comments) }
        if let counts {
            json.key("counts")
            json.beginObject()
            for (id, count) in counts.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { json.field(id, count) }
            json.endObject()
        }
        if let cycle { json.field("cycle", cycle) }
        if let merged {
            json.key("merged")
            json.beginObject()
            for (duplicate, target) in merged.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { json.field(duplicate, target) }
            json.endObject()
        }
        if let polls { json.field("polls", polls) }
        if let posts { json.field("posts", posts) }
        if let presence { json.field("presence", presence) }
        if let ranks { json.field("ranks", ranks) }
        if let reactions {
            json.key("reactions")
            json.beginObject()
            for reaction in Reaction.allCases { if let count = reactions[reaction.rawValue], count > 0 { json.field(reaction.rawValue, count) } }
            json.endObject()
        }
        if let removed { json.field("removed", removed) }
        if let removedAnnouncements { json.field("removedAnnouncements", removedAnnouncements) }
        if let removedComments { json.field("removedComments", removedComments) }
        json.field("seq", seq)
        if let townhall { json.field("townhall", townhall) }
        json.field("type", type)
        json.endObject()
    }
}

extension Ack: JSONWritable {
    /// The payloads sent often; the rest (threads, archive pages, erasures) are rare
    /// enough for the Encodable form.
    var isWritable: Bool {
        switch payload {
        case .none, .post, .vote, .comment, .announcement, .cycle, .poll, .pollAnswer: true
        case .thread, .archive, .erased, .similar: false
        }
    }

    package func write(to json: inout JSONWriter) {
        json.beginObject()
        switch payload {
        case .announcement(let announcement): json.field("announcement", announcement)
        case .comment(let comment): json.field("comment", comment)
        case .cycle(let cycle): json.field("cycle", cycle)
        case .pollAnswer(_, let choices):
            json.key("choices")
            json.beginArray()
            for choice in choices { json.int(Int64(choice)) }
            json.endArray()
        default: break
        }
        json.field("id", id)
        switch payload {
        case .poll(let poll), .pollAnswer(let poll, _): json.field("poll", poll)
        default: break
        }
        switch payload {
        case .post(let post): json.field("post", post)
        case .vote(let post, _): json.field("post", post)
        default: break
        }
        json.field("type", "ack")
        if case .vote(_, let value) = payload { json.field("value", value) }
        json.endObject()
    }
}

extension ErrorReply: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("code", code.rawValue)
        if let id { json.field("id", id) }
        json.field("message", message)
        json.field("type", type)
        json.endObject()
    }
}

extension Pong: JSONWritable {
    package func write(to json: inout JSONWriter) {
        json.beginObject()
        if let id { json.field("id", id) }
        json.field("type", type)
        json.endObject()
    }
}
