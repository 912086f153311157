import ParcCore
import Testing

@Suite struct CSVTests {
    @Test func quotedFieldsCommasNewlinesAndLineNumbers() throws {
        let text = "uai,name,commune\r\n9740979W,\"Lycée \"\"Jean-Hinglo\"\", Le Port\",Le Port\n\n6200088B,\"École\nprimaire\",Bonifacio\n"
        let table = try CSVTable(parsing: text)
        #expect(table.header == ["uai", "name", "commune"])
        #expect(table.rows.map(\.line) == [2, 4])
        #expect(table.value("name", in: table.rows[0].fields) == "Lycée \"Jean-Hinglo\", Le Port")
        #expect(table.value("name", in: table.rows[1].fields) == "École\nprimaire")
    }

    @Test func semicolonSeparatedFilesFromAFrenchSpreadsheetAreRead() throws {
        let table = try CSVTable(parsing: "\u{FEFF}UAI;Name\n9740979W;Jean-Hinglo\n")
        #expect(table.header == ["uai", "name"])
        #expect(table.value("name", in: table.rows[0].fields) == "Jean-Hinglo")
    }

    @Test(arguments: ["a,b\n\"open,1\n", "a,b\nx\"y,1\n", "a,b\n\"x\"y,1\n", ""])
    func brokenFramingIsMalformed(_ text: String) {
        #expect(throws: ParcError.self) { try CSVTable(parsing: text) }
    }

    @Test func writerQuotesOnlyWhatNeedsIt() {
        #expect(CSVWriter.line(["a", "b,c", "d\"e", ""]) == "a,\"b,c\",\"d\"\"e\",\r\n")
    }

    @Test func funderSharesRoundTrip() {
        let shares = FunderShare.parseList("Etat:50;Département de La Réunion:50")
        #expect(shares == [FunderShare(funder: "Etat", percent: 50), FunderShare(funder: "Département de La Réunion", percent: 50)])
        #expect(FunderShare.format(shares!) == "Etat:50;Département de La Réunion:50")
        #expect(FunderShare.parseList("Etat=50") == nil)
    }

    @Test func localDatesAddMonthsClampingTheDay() {
        #expect(LocalDate("2016-01-31")!.adding(months: 1).description == "2016-02-29")
        #expect(LocalDate("2016-09-15")!.adding(months: 60).description == "2021-09-15")
        #expect(LocalDate("2023-02-30") == nil)
        #expect(LocalDate("2023-2-3") == nil)
    }
}
