import Foundation
import TownhallCore
import TownhallReports

extension Relay {
    /// `GET /api/export?cycle=ID&format=json|csv` for hosts and moderators (bearer token).
    func export(_ request: HTTPRequest) -> HTTPResponse {
        func refuse(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
            HTTPResponse(status: status, contentType: "application/json",
                         body: encoder.encode(["error": code, "message": message]))
        }
        guard let header = request.authorization, header.lowercased().hasPrefix("bearer ") else {
            return refuse(401, "unauthorized", "send a host or moderator token as Authorization: Bearer")
        }
        let identity: Identity
        switch authenticator.verifyNow(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) {
        case .failure(let error): return refuse(401, "unauthorized", error.message)
        case .success(let verified): identity = verified
        }
        guard identity.actor.role.isStaff else { return refuse(403, "forbidden", "exports are for hosts and moderators") }
        let query = Self.queryItems(request.query)
        guard let cycle = query["cycle"].flatMap(Int.init) else { return refuse(400, "bad_request", "give cycle=ID") }
        let format = query["format"] ?? "json"
        guard format == "json" || format == "csv" else { return refuse(400, "bad_request", "format is json or csv") }
        guard let report = CycleReport(townhall: core, cycle: cycle, timeZone: config.timeZone, generatedAt: clock.wallMillis()) else {
            return refuse(404, "not_found", "no such cycle")
        }
        logger.info("export.served", metadata: ["cycle": "\(cycle)", "format": "\(format)", "role": "\(identity.actor.role.rawValue)"])
        return format == "csv"
            ? HTTPResponse(status: 200, contentType: "text/csv; charset=utf-8", body: Array(report.csv().utf8))
            : HTTPResponse(status: 200, contentType: "application/json", body: report.json())
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
