/// An outgoing HTTP request: sign-in talks to the identity provider with these
/// (discovery, its keys, the token endpoint).
package struct FetchRequest: Sendable {
    package var method: String
    package var url: String
    /// Extra headers (`Content-Type`, `Authorization`, `Accept`).
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A complete answer: the status and the body (bounded by the client).
package struct FetchResponse: Sendable {
    package var status: Int
    package var body: [UInt8]

    package init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why a request got no answer: the words say what to check (address, certificate, time).
package struct FetchError: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Something that makes HTTP(S) requests off the service thread.
package protocol HTTPFetching: Sendable {
    func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse
}
