// swift-tools-version:6.2
import PackageDescription

// Swift 6 language mode everywhere; library targets also keep their imports internal,
// so GRDB, PostgresNIO and Hummingbird types never leak through ParcCore's or ParcStore's API.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
let library = strict + [.enableUpcomingFeature("InternalImportsByDefault")]

let package = Package(
    name: "parc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "parc", targets: ["parc"]),
        .library(name: "ParcCore", targets: ["ParcCore"]),
        .library(name: "ParcStore", targets: ["ParcStore"]),
        .library(name: "ParcServer", targets: ["ParcServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "ParcCore",
            swiftSettings: library
        ),
        .target(
            name: "ParcStore",
            dependencies: [
                "ParcCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: library
        ),
        .target(
            name: "ParcServer",
            dependencies: [
                "ParcCore",
                "ParcStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: library
        ),
        .executableTarget(
            name: "parc",
            dependencies: [
                "ParcCore",
                "ParcStore",
                "ParcServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Shared by the test targets: the throwaway PostgreSQL and per-test databases on both backends.
        .target(
            name: "ParcTestSupport",
            dependencies: [
                "ParcStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ParcTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ParcCoreTests",
            dependencies: ["ParcCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ParcStoreTests",
            dependencies: [
                "ParcCore",
                "ParcStore",
                "ParcTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ParcServerTests",
            dependencies: [
                "ParcCore",
                "ParcStore",
                "ParcServer",
                "ParcTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
