import Foundation
import Testing
import TownhallCore
import TownhallProtocol
@testable import TownhallRelay

/// A small deterministic generator, so a failing input can be found again.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Fuzzing the decoder and the relay")
struct FuzzTests {
    static let seeds: [String] = [
        #"{"type":"hello","token":"t","resume":{"epoch":"e","seq":4}}"#,
        #"{"type":"post","text":"hi","anonymous":true,"key":"k","id":"a"}"#,
        #"{"type":"vote","post":"p1","value":-1,"id":7}"#,
        #"{"type":"comment","text":"c","post":"p1","id":8}"#,
        #"{"type":"moderate","post":"p1","status":"onair","note":"n","id":9}"#,
        #"{"type":"announce","text":"a","id":10}"#,
        #"{"type":"townhall","state":"live","title":"T","stream":"https://x.example.com","id":11}"#,
        #"{"type":"cycle","action":"close","id":12}"#,
        #"{"type":"thread","post":"p1","id":13}"#,
        #"{"type":"ping","id":14}"#,
        #"{"type":"token","token":"x","id":15}"#,
    ]

    /// Random edits of a valid frame: flipped, inserted, deleted or duplicated bytes,
    /// JSON-ish tokens spliced in, or pure noise.
    static func mutate(_ seed: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = seed
        let tokens: [[UInt8]] = ["{", "}", "[", "]", ",", ":", "\"", "\\u0000", "\\ud800", "null", "true", "1e999", "-0",
                                 "99999999999999999999", "\u{FEFF}", "\"type\"", "\"id\"", "[[[[[[[[[[", "\u{10FFFF}"].map { Array($0.utf8) }
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 2 where !bytes.isEmpty: bytes.remove(at: at)
            case 3: bytes.insert(contentsOf: tokens.randomElement(using: &random)!, at: at)
            case 4 where !bytes.isEmpty: bytes.insert(contentsOf: bytes[at...].prefix(32), at: at)
            default: bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        }
        return bytes
    }

    @Test("100,000 mutated frames: the decoder returns a frame or a bad_request, never crashes")
    func decoder() {
        var random = SplitMix(state: 20261127)
        var decoded = 0, refused = 0
        for index in 0..<100_000 {
            let input = Self.mutate(Array(Self.seeds[index % Self.seeds.count].utf8), &random)
            do {
                let frame = try ClientFrame.decode(input)
                // What decoded is what was sent: a JSON object of that type (read by the
                // same JSON parser: Foundation's disagrees on duplicate keys).
                let value = try? JSONParser.parse(input)
                guard case .object(let object)? = value, case .string(let type)? = object["type"] else {
                    Issue.record("decoded a frame that is not an object with a type")
                    continue
                }
                #expect(type == frame.message.kind)
                decoded += 1
            } catch {
                #expect(error.code == .badRequest)
                #expect(!error.message.isEmpty)
                refused += 1
            }
        }
        #expect(decoded > 1_000 && refused > 10_000, "the mutations reach both sides (\(decoded) decoded, \(refused) refused)")
    }

    @Test("20,000 mutated frames through a live relay: every reply is well-formed JSON and a bystander is unharmed")
    func relay() async throws {
        var config = RelayConfig()
        config.strikeLimit = .max
        config.rateLimits = .unlimited
        let harness = await Harness(config: config)
        var fuzzers = [await harness.signIn(Harness.host)]
        let bystander = await harness.signIn(Harness.bob)
        harness.send(fuzzers[0], ["type": "post", "text": "seed post", "id": 0])
        var random = SplitMix(state: 7)
        var closes = 0
        for index in 0..<20_000 {
            if harness.transport.closed[fuzzers[fuzzers.count - 1]] != nil {
                // Invalid UTF-8 (1007) ends a connection: go on with a fresh one.
                closes += 1
                fuzzers.append(await harness.signIn(Harness.host))
            }
            harness.sendRaw(fuzzers[fuzzers.count - 1], Self.mutate(Array(Self.seeds[index % Self.seeds.count].utf8), &random))
            if index % 100 == 0 { harness.tick() }
        }
        harness.tick()
        var replies = 0
        for connection in fuzzers {
            for frame in harness.transport.sent[connection] ?? [] {
                replies += 1
                #expect((try? JSONSerialization.jsonObject(with: Data(frame.payload))) is [String: Any])
            }
        }
        #expect(replies > 10_000, "\(replies) replies over \(fuzzers.count) connections, \(closes) closed")
        harness.send(bystander, ["type": "ping", "id": 1])
        #expect(harness.reply(bystander, id: 1)?["type"] as? String == "pong")
        #expect(harness.transport.closed[bystander] == nil)
    }
}
