/// Why the core refused a request. The relay maps `code` onto the wire's error codes.
package struct CoreError: Error, Sendable, Equatable {
    package enum Code: String, Sendable, Equatable {
        case badRequest, forbidden, notFound, invalidText, tooLarge, conflict
    }

    package var code: Code
    /// Plain words for the user; never contains other users' text.
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
