import Foundation
import Testing
@testable import TownhallProtocol

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? { try? JSONParser.parse(Array(text.utf8)) }

    @Test("values of every kind, escapes and surrogate pairs, whitespace around")
    func values() {
        #expect(parse(#" {"a":[1,-2,3.5,1e3,-0,true,false,null],"b":{"c":"d"}} "#) == .object([
            "a": .array([.int(1), .int(-2), .double(3.5), .double(1000), .int(0), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]),
        ]))
        #expect(parse(#""tab\there \"q\" \\ \/ \b\f\n\r \u00e9 \ud83d\ude00 é""#) == .string("tab\there \"q\" \\ / \u{08}\u{0C}\n\r é 😀 é"))
        #expect(parse("9223372036854775807") == .int(.max))
        #expect(parse("9223372036854775808") == .double(9223372036854775808))
        #expect(parse(#"{"k":1,"k":2}"#) == .object(["k": .int(2)]), "a repeated key keeps its last value")
        #expect(parse("[]") == .array([]) && parse("{}") == .object([:]))
    }

    @Test("what is not JSON is refused", arguments: [
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "'a'", "01", "1.", ".5", "-",
        "1e", "+1", "tru", "nulll", "\"open", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "\"a\u{01}b\"", "[1] [2]", "{\"a\":1}x", "1e999", "NaN", "[" + String(repeating: "[", count: 100) + "]",
    ])
    func refused(_ text: String) {
        #expect(parse(text) == nil, "\(text.debugDescription) should be refused")
    }

    @Test("agrees with Foundation on 2,000 random documents")
    func agreesWithFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
            case 0: return NSNull()
            case 1: return Bool.random(using: &generator)
            case 2: return Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator)
            case 3: return Double(Int.random(in: -100_000...100_000, using: &generator)) / 8 + 0.5
            case 4: return String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in "aé\"\\\n😀 z/\u{01}".randomElement(using: &generator)! })
            case 5: return (0..<Int.random(in: 0..<5, using: &generator)).map { _ in random(depth + 1) }
            default:
                return Dictionary((0..<Int.random(in: 0..<5, using: &generator)).map { ("k\($0)", random(depth + 1)) }) { a, _ in a }
            }
        }
        for _ in 0..<2000 {
            let document = ["v": random(0)]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed])
            let ours = try JSONParser.parse(Array(data))
            let theirs = try JSONDecoder().decode(JSONValue.self, from: data)
            #expect(ours == theirs, "\(String(decoding: data, as: UTF8.self))")
        }
    }
}
