import Configuration
import ParcServer
import ParcStore
import ParcTestSupport
import Testing

/// A present but unreadable value stops the start, naming the key as written in `Config/parc.yaml` or as
/// the suffix of its `PARC_*` variable, never silently falling back to the default.
@Suite struct ConfigurationTests {
    @Test(arguments: [
        ("http.port", "abc", "'abc' is not a whole number"),
        ("http.port", "70000", "70000 is outside 0…65535"),
        ("http.benchmarkRoutes", "maybe", "'maybe' is not true or false"),
        ("store.backend", "oracle", "'oracle' is not one of sqlite, postgres"),
        ("store.sqlite.checkpointPages", "10", "10 is outside 100…1000000"),
        ("store.postgres.port", "x", "'x' is not a whole number"),
        ("ingest.queueCapacity", "5", "5 is outside 100…10000000"),
    ])
    func anUnreadableValueNamesItsKey(key: String, value: String, reason: String) throws {
        let error = #expect(throws: ConfigurationError.self) { try testConfiguration(.sqlite, [key: value]) }
        #expect(error?.key == key)
        #expect(error.map { "\($0)".contains(reason) } == true, "\(String(describing: error))")
    }

    @Test func readableValuesAreTaken() throws {
        let configuration = try testConfiguration(.sqlite, ["store.sqlite.checkpointPages": "2000", "http.port": "8123"])
        #expect(configuration.store.checkpointPages == 2000 && configuration.port == 8123)
    }
}
