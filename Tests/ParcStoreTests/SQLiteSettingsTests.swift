import Foundation
import ParcStore
import Testing

/// The on-disk SQLite settings are applied on the writer connection, where they matter, and survive GRDB's
/// switch to WAL (which resets `synchronous`).
@Suite struct SQLiteSettingsTests {
    @Test(arguments: [
        (SQLiteDatabase.Synchronous.full, 2, SQLiteDatabase.defaultCheckpointPages),
        (SQLiteDatabase.Synchronous.normal, 1, 1234),
    ])
    func theWriterRunsWithTheConfiguredSettings(synchronous: SQLiteDatabase.Synchronous, level: Int, checkpointPages: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parc-sqlite-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try SQLiteDatabase(directory: directory, synchronous: synchronous, checkpointPages: checkpointPages)
        let rows = try await database.write(
            WriteBatch([
                WriteStatement("PRAGMA synchronous"), WriteStatement("PRAGMA wal_autocheckpoint"), WriteStatement("PRAGMA journal_mode"),
            ]))
        #expect(try rows[0].first?.int("synchronous") == level)
        #expect(try rows[1].first?.int("wal_autocheckpoint") == checkpointPages)
        #expect(try rows[2].first?.string("journal_mode") == "wal")
        try await database.close()
    }
}
