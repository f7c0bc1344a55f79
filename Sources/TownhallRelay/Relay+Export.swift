import Foundation
import TownhallCore
import TownhallProtocol
import TownhallReports
import TownhallTransport

extension Relay {
    /// `GET /api/export?cycle=ID&format=json|csv` for hosts and moderators (bearer token).
    /// The checks run here; the report is built and encoded off the service thread from
    /// a copy of the state.
    func export(_ request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) {
        let export: ExportRequest
        switch checkExport(request) {
        case .failure(let refusal): return reply(refusal.response)
        case .success(let checked): export = checked
        }
        let state = core, timeZone = config.timeZone, now = clock.wallMillis()
        offLoop({ () -> HTTPResponse in
            guard let report = CycleReport(townhall: state, cycle: export.cycle, timeZone: timeZone, generatedAt: now) else {
                return ExportRefusal(404, "not_found", "no such cycle").response
            }
            return export.format == "csv"
                ? HTTPResponse(status: 200, contentType: "text/csv; charset=utf-8", body: Array(report.csv().utf8))
                : HTTPResponse(status: 200, contentType: "application/json", body: report.json())
        }, then: reply)
    }

    /// What an export asks for, once its token, role and query checked out.
    struct ExportRequest: Sendable {
        var cycle: Int
        var format: String
    }

    /// A refused export, as its HTTP reply.
    struct ExportRefusal: Error {
        var response: HTTPResponse

        init(_ status: Int, _ code: String, _ message: String) {
            response = HTTPResponse(status: status, contentType: "application/json",
                                    body: FrameEncoder().encode(["error": code, "message": message]))
        }
    }

    func checkExport(_ request: HTTPRequest) -> Result<ExportRequest, ExportRefusal> {
        guard let header = request.authorization, header.lowercased().hasPrefix("bearer ") else {
            return .failure(ExportRefusal(401, "unauthorized", "send a host or moderator token as Authorization: Bearer"))
        }
        let identity: Identity
        switch authenticator.verifyNow(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) {
        case .failure(let error): return .failure(ExportRefusal(401, "unauthorized", error.message))
        case .success(let verified): identity = verified
        }
        guard identity.actor.role.isStaff else { return .failure(ExportRefusal(403, "forbidden", "exports are for hosts and moderators")) }
        let query = Self.queryItems(request.query)
        guard let cycle = query["cycle"].flatMap(Int.init) else { return .failure(ExportRefusal(400, "bad_request", "give cycle=ID")) }
        let format = query["format"] ?? "json"
        guard format == "json" || format == "csv" else { return .failure(ExportRefusal(400, "bad_request", "format is json or csv")) }
        guard core.cycleInfo(cycle) != nil else { return .failure(ExportRefusal(404, "not_found", "no such cycle")) }
        logger.info("export.served", metadata: ["cycle": "\(cycle)", "format": "\(format)", "role": "\(identity.actor.role.rawValue)"])
        return .success(ExportRequest(cycle: cycle, format: format))
    }

    /// `a=1&b=2` as a dictionary (last one wins), percent-decoded.
    static func queryItems(_ query: String) -> [String: String] {
        var items: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if let key = parts.first { items[key] = parts.count > 1 ? parts[1] : "" }
        }
        return items
    }
}
