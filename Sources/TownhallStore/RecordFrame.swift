/// How one journal record sits on disk:
///
///     0xA7 | length (u32, little-endian) | CRC-32 of length and payload (u32) | payload
///
/// The payload is one `JournalRecord` (a versioned JSON object). The marker byte and the CRC over the length
/// let a reader tell a torn tail (the process died mid-write) from damage in the middle.
package enum RecordFrame {
    package static let marker: UInt8 = 0xA7
    package static let headerSize = 9
    /// No request comes near this; a larger length means damage.
    package static let maxPayload = 1 << 20

    /// The framed bytes of one payload.
    package static func encode(_ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        let lengthBytes = withUnsafeBytes(of: length.littleEndian) { Array($0) }
        let crc = CRC32.checksum(payload, continuing: CRC32.checksum(lengthBytes))
        var frame = [marker]
        frame.reserveCapacity(headerSize + payload.count)
        frame += lengthBytes
        frame += withUnsafeBytes(of: crc.littleEndian) { Array($0) }
        frame += payload
        return frame
    }

    /// What is at `offset`: a whole, intact record (its payload range and the next
    /// offset), or nothing usable.
    package static func decode(_ bytes: [UInt8], at offset: Int) -> (payload: Range<Int>, next: Int)? {
        guard offset + headerSize <= bytes.count, bytes[offset] == marker else { return nil }
        let length = Int(readUInt32(bytes, offset + 1))
        guard length <= maxPayload, offset + headerSize + length <= bytes.count else { return nil }
        let stored = readUInt32(bytes, offset + 5)
        let payload = (offset + headerSize)..<(offset + headerSize + length)
        let crc = CRC32.checksum(bytes[payload], continuing: CRC32.checksum(bytes[(offset + 1)..<(offset + 5)]))
        guard crc == stored else { return nil }
        return (payload, payload.upperBound)
    }

    private static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }
}
