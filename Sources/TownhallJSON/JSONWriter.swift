/// Writes JSON text straight into bytes, for the hot paths (acks, updates, journal
/// records) where Foundation's encoders cost more than the work they describe: no
/// intermediate values, no dynamic casts, no key sorting at run time (callers write keys
/// in the order they want, sorted where the bytes must be the same every time).
///
/// Strings are escaped as JSONSerialization does with `.withoutEscapingSlashes`: `"`
/// and `\`, the short forms `\b \f \n \r \t`, other controls as `\u00XX`; everything
/// else as UTF-8.
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether it has a member yet (a comma goes before the next).
    private var filled: [Bool] = []

    package init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    package mutating func beginObject() { value(); bytes.append(UInt8(ascii: "{")); filled.append(false) }
    package mutating func endObject() { filled.removeLast(); bytes.append(UInt8(ascii: "}")) }
    package mutating func beginArray() { value(); bytes.append(UInt8(ascii: "[")); filled.append(false) }
    package mutating func endArray() { filled.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// A member's key; its value is written next.
    package mutating func key(_ name: String) {
        separate()
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
        pendingValue = true
    }

    package mutating func string(_ text: String) { value(); quoted(text) }
    package mutating func int(_ number: Int64) { value(); bytes.append(contentsOf: String(number).utf8) }
    package mutating func int(_ number: Int) { int(Int64(number)) }
    package mutating func bool(_ flag: Bool) { value(); bytes.append(contentsOf: (flag ? "true" : "false").utf8) }
    package mutating func null() { value(); bytes.append(contentsOf: "null".utf8) }

    /// Bytes that are already one JSON value (an encoding made elsewhere).
    package mutating func raw(_ json: some Collection<UInt8>) { value(); bytes.append(contentsOf: json) }

    package mutating func string(_ text: String?) { if let text { string(text) } else { null() } }

    /// Convenience: `"name": value` for the common kinds.
    package mutating func field(_ name: String, _ text: String) { key(name); string(text) }
    package mutating func field(_ name: String, _ number: Int64) { key(name); int(number) }
    package mutating func field(_ name: String, _ number: Int) { key(name); int(number) }
    package mutating func field(_ name: String, _ flag: Bool) { key(name); bool(flag) }
    package mutating func fieldOrNull(_ name: String, _ text: String?) { key(name); string(text) }

    // MARK: Commas

    /// Set by `key`: the value that follows needs no comma of its own.
    private var pendingValue = false

    private mutating func value() {
        if pendingValue {
            pendingValue = false
        } else {
            separate()
        }
    }

    private mutating func separate() {
        guard let last = filled.indices.last else { return }
        if filled[last] { bytes.append(UInt8(ascii: ",")) } else { filled[last] = true }
    }

    private mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
