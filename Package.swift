// swift-tools-version: 6.2
import PackageDescription

/// One set of settings for every target: Swift 6 language mode, strict concurrency.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "townhall",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "townhall", targets: ["townhall"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.0.0"),
        // Already built for jwt-kit; sign-in uses its SHA-256 (PKCE) and HMAC (session cookies).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev", "libssl-dev"])]
        ),
        .systemLibrary(name: "CLibEV", providers: [.apt(["libev-dev", "libwebsockets-evlib-ev"])]),
        .target(name: "TownhallCore", swiftSettings: swiftSettings),
        .target(name: "TownhallJSON", swiftSettings: swiftSettings),
        .target(name: "TownhallProtocol", dependencies: ["TownhallCore", "TownhallJSON"], swiftSettings: swiftSettings),
        .systemLibrary(name: "CMalloc"),
        .target(name: "TownhallStore", dependencies: ["TownhallCore", "TownhallJSON", "CMalloc"], swiftSettings: swiftSettings),
        .target(
            name: "TownhallTransport",
            dependencies: [
                "TownhallProtocol",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sign-in through the company's OpenID provider: discovery, its keys, ID tokens.
        .target(
            name: "TownhallSSO",
            dependencies: [
                "TownhallCore", "TownhallTransport",
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TownhallRelay",
            dependencies: [
                "TownhallCore", "TownhallProtocol", "TownhallStore", "TownhallReports", "TownhallTransport", "TownhallSimilar",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LWSTransport",
            dependencies: [
                "CLibWebSockets", "CLibEV", "TownhallProtocol", "TownhallTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load generator shares the machine with the server it measures, so its own
        // per-frame work is optimized even in debug builds.
        .target(
            name: "TownhallLoad",
            dependencies: ["CLibWebSockets", "TownhallCore", "TownhallRelay", "TownhallStore"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"])]
        ),
        .executableTarget(
            name: "townhall",
            dependencies: [
                "TownhallRelay", "LWSTransport", "TownhallStore", "TownhallReports", "TownhallTransport", "TownhallLoad", "TownhallSSO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "JournalBench", dependencies: ["TownhallStore"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "StallBench",
            dependencies: [
                "TownhallCore", "TownhallProtocol", "TownhallRelay", "TownhallReports", "TownhallStore", "TownhallTransport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "TownhallReports", dependencies: ["TownhallCore"], swiftSettings: swiftSettings),
        // "Already asked": the cycle's questions indexed for similarity, with no outside service.
        .target(name: "TownhallSimilar", swiftSettings: swiftSettings),
        .executableTarget(name: "SimilarBench", dependencies: ["TownhallSimilar"], swiftSettings: swiftSettings),
        .target(name: "TownhallTestSupport", dependencies: ["TownhallCore"], path: "Tests/TownhallTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "TownhallCoreTests", dependencies: ["TownhallCore", "TownhallTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TownhallProtocolTests", dependencies: ["TownhallProtocol"], swiftSettings: swiftSettings),
        .testTarget(name: "TownhallStoreTests", dependencies: ["TownhallStore", "TownhallTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TownhallRelayTests",
            dependencies: ["TownhallRelay", "TownhallTransport", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TownhallSSOTests",
            dependencies: ["TownhallSSO", "TownhallTransport", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LWSTransportTests", dependencies: ["LWSTransport", "TownhallTransport"], swiftSettings: swiftSettings),
        .testTarget(name: "TownhallReportsTests", dependencies: ["TownhallReports"], swiftSettings: swiftSettings),
        .testTarget(name: "TownhallSimilarTests", dependencies: ["TownhallSimilar"], swiftSettings: swiftSettings),
    ]
)
