/// Why a sign-in was refused, in words for the person and the log. Nothing is changed by
/// a refused sign-in: no session, no cookie.
package struct SignInError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
