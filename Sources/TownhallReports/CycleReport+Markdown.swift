extension CycleReport {
    /// How many open posts "Top unanswered" lists.
    static let topUnansweredCount = 5

    /// A readable weekly summary for a communications team to send round: the totals,
    /// what was answered and by whom it is followed up, what is shortlisted, the top open
    /// questions, and how each office took part. All user text is escaped
    /// (`MarkdownText`), and anonymous posts show their office only.
    ///
    /// The totals are the report's, so they count every post staff could see, including
    /// any a moderator hid; the lists show only posts employees saw.
    package func markdown() -> String {
        let zone = timeZone
        var out = "# Townhall — week \(cycle.week) (\(ReportCalendar.weekSpan(cycle.startedAt, in: zone)))\n\n"
        out += summaryLine + "\n"

        out += "\n## Answered\n\n"
        let answered = posts.filter { $0.status == .answered }
        if answered.isEmpty { out += "No answers this week.\n" }
        for post in answered {
            out += MarkdownText.quote(post.text) + "\n>\n> — " + byline(post) + "\n\n"
            if let answer = post.answer {
                out += MarkdownText.paragraph(answer.text) + "\n"
                if let owner = answer.owner { out += "\n**Owner:** " + MarkdownText.cell(owner) + "\n" }
            } else {
                out += "Answered live at the townhall.\n"
            }
            out += "\n"
        }
        if !answered.isEmpty { out.removeLast() }

        out += "\n## Shortlisted, carried to next week\n\n"
        out += list(posts.filter { $0.status == .shortlisted } + carriedOver, empty: "Nothing shortlisted.")

        out += "\n## Top unanswered\n\n"
        out += list(Array(posts.filter { $0.status == .open }.prefix(Self.topUnansweredCount)), empty: "No open questions.")

        if !polls.isEmpty {
            out += "\n## Polls\n\n"
            for poll in polls { out += pollSection(poll) }
        }

        out += "\n## Office participation\n\n"
        out += "| Office | Posts | Voters | Comments |\n| --- | ---: | ---: | ---: |\n"
        for (office, activity) in rankedOffices {
            out += "| \(MarkdownText.cell(office)) | \(Self.grouped(activity.posts)) | \(Self.grouped(activity.voters)) | \(Self.grouped(activity.comments)) |\n"
        }
        return out
    }

    /// A poll's question, then each option with its count and share of the people who answered.
    func pollSection(_ poll: ReportPoll) -> String {
        var out = "**" + MarkdownText.cell(poll.question) + "** (" + Self.count(poll.voters, "person", "people")
            + (poll.multi ? ", several choices each" : "") + ")\n\n"
        for option in poll.options {
            let share = poll.voters == 0 ? 0 : (option.votes * 100 + poll.voters / 2) / poll.voters
            out += "- " + MarkdownText.cell(option.text) + ": " + Self.grouped(option.votes) + " (\(share)%)\n"
        }
        return out + "\n"
    }

    /// "42 questions from 7 offices, 1,284 votes from 310 people, 57 comments, 5 answered."
    var summaryLine: String {
        let askingOffices = offices.values.count { $0.posts > 0 }
        return Self.count(totals.posts, "question", "questions") + " from "
            + Self.count(askingOffices, "office", "offices") + ", "
            + Self.count(totals.votes, "vote", "votes") + " from "
            + Self.count(totals.voters, "person", "people") + ", "
            + Self.count(totals.comments, "comment", "comments") + ", "
            + "\(Self.grouped(totals.answered)) answered."
    }

    /// Offices by how many people took part (voters, then posts, then comments), then by name.
    var rankedOffices: [(String, OfficeActivity)] {
        offices.sorted { a, b in
            let x = a.value, y = b.value
            if x.voters != y.voters { return x.voters > y.voters }
            if x.posts != y.posts { return x.posts > y.posts }
            if x.comments != y.comments { return x.comments > y.comments }
            return a.key < b.key
        }
    }

    /// Who asked and how it fared: "Alice, Dublin · score +12 · 15 votes"; anonymous posts
    /// say "Anonymous" and keep only their office (PROTOCOL.md §6).
    func byline(_ post: ReportPost) -> String {
        let who = post.author.map { MarkdownText.cell($0.name) + ", " } ?? "Anonymous, "
        let score = post.score > 0 ? "+\(Self.grouped(post.score))" : Self.grouped(post.score)
        return who + MarkdownText.cell(post.office) + " · score " + score + " · "
            + Self.count(post.voters, "vote", "votes")
    }

    /// A numbered list of posts, each its text then its byline, or `empty` when there are none.
    func list(_ posts: [ReportPost], empty: String) -> String {
        guard !posts.isEmpty else { return empty + "\n" }
        var out = ""
        for (index, post) in posts.enumerated() {
            let marker = "\(index + 1). "
            let indent = String(repeating: " ", count: marker.count)
            out += marker + MarkdownText.paragraph(post.text, indent: indent) + "  \n" + indent + "*" + byline(post) + "*\n"
        }
        return out
    }

    /// "1 vote", "1,284 votes".
    static func count(_ n: Int, _ one: String, _ many: String) -> String {
        "\(grouped(n)) \(n == 1 ? one : many)"
    }

    /// `n` with commas between thousands, the same whatever the server's locale.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }
}
