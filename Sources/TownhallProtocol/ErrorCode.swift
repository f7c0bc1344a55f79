/// The wire's error codes (PROTOCOL.md §8). An open set of values, so a struct.
package struct ErrorCode: RawRepresentable, Hashable, Sendable, Encodable {
    package var rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let badRequest = ErrorCode(rawValue: "bad_request")
    package static let unauthorized = ErrorCode(rawValue: "unauthorized")
    package static let forbidden = ErrorCode(rawValue: "forbidden")
    package static let notFound = ErrorCode(rawValue: "not_found")
    package static let rateLimited = ErrorCode(rawValue: "rate_limited")
    package static let tooLarge = ErrorCode(rawValue: "too_large")
    package static let invalidText = ErrorCode(rawValue: "invalid_text")
    package static let conflict = ErrorCode(rawValue: "conflict")
    package static let unavailable = ErrorCode(rawValue: "unavailable")
    package static let `internal` = ErrorCode(rawValue: "internal")

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// WebSocket close codes the server uses (PROTOCOL.md §8).
package struct CloseCode: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt16
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Server going away (shutdown).
    package static let goingAway = CloseCode(rawValue: 1001)
    package static let invalidUTF8 = CloseCode(rawValue: 1007)
    package static let tooLarge = CloseCode(rawValue: 1009)
    package static let unauthorized = CloseCode(rawValue: 4001)
    package static let policy = CloseCode(rawValue: 4008)
    package static let tooSlow = CloseCode(rawValue: 4009)
}

/// A request the decoder refused: the `error` reply it deserves, with the request's id
/// when one could be read.
package struct ProtocolError: Error, Sendable, Equatable {
    package var id: JSONValue?
    package var code: ErrorCode
    package var message: String

    package init(id: JSONValue? = nil, _ code: ErrorCode, _ message: String) {
        self.id = id
        self.code = code
        self.message = message
    }
}
