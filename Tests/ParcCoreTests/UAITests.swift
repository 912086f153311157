import ParcCore
import Testing

@Suite struct UAITests {
    /// Real UAIs from `shared/domain/uai-examples.txt`, with the département each one must yield.
    @Test(arguments: [
        ("0750654D", "75"), ("0752524L", "75"), ("0920131T", "92"), ("0130002G", "13"), ("0010001W", "1"), ("0620229M", "62"),
        ("6200088B", "2A"), ("6200001G", "2A"), ("7200009X", "2B"), ("7200011Z", "2B"), ("9740979W", "974"), ("9741051Z", "974"),
        ("9710002A", "971"), ("9720063L", "972"), ("9730001N", "973"), ("9760127J", "976"), ("0951099D", "95"),
    ])
    func validUAIsPassAndNameTheirDepartement(_ uai: String, _ departement: String) throws {
        let parsed = try UAI(validating: uai)
        #expect(parsed.value == uai)
        #expect(parsed.departement == (departement.count == 1 ? "0" + departement : departement))
    }

    @Test(arguments: [("0130002g", "0130002G"), ("0010001w", "0010001W"), (" 9740979w ", "9740979W")])
    func lowercaseAndSpacesAreNormalised(_ raw: String, _ normalised: String) throws {
        #expect(try UAI(validating: raw).value == normalised)
    }

    @Test(arguments: [
        ("0010856B", UAI.Problem.checkLetter(expected: "A")),
        ("0000856A", .unknownPrefix("000")),
        ("0351234A", .checkLetter(expected: "B")),
        ("0354321B", .checkLetter(expected: "G")),
        ("0352143C", .checkLetter(expected: "P")),
        ("0951090u1", .length),
        ("00108", .length),
        ("0960001A", .unknownPrefix("096")),
        ("9790001A", .unknownPrefix("979")),
        ("A740979W", .notDigits),
        ("2A00088B", .notDigits),
    ])
    func invalidUAIsAreRejectedWithTheReason(_ raw: String, _ problem: UAI.Problem) {
        #expect(throws: problem) { try UAI(validating: raw) }
    }

    @Test func pasDeCalaisIsNotCorsica() throws {
        #expect(try UAI(validating: "0620229M").departement == "62")
        #expect(try UAI(validating: "6200088B").departement == "2A")
    }

    @Test func checkLetterMatchesTheWorkedExamples() {
        #expect(UAI.checkLetter(for: 951099) == "D")
        #expect(UAI.checkLetter(for: 6_200_088) == "B")
        #expect(UAI.checkLetter(for: 9_740_979) == "W")
        #expect(UAI.checkLetter(for: 751234) == "J")
    }
}

@Suite struct OwnershipTests {
    @Test(arguments: [
        (Establishment.Kind.ecoleMaternelle, Collectivite.Kind.commune, "97411"),
        (.ecoleElementaire, .commune, "97411"),
        (.ecolePrimaire, .commune, "97411"),
        (.college, .departement, "974"),
        (.lyceeGeneralTechnologique, .region, "04"),
        (.lyceeProfessionnel, .region, "04"),
        (.lyceePolyvalent, .region, "04"),
        (.erea, .region, "04"),
        (.citeScolaire, .region, "04"),
    ])
    func legalCompetenceNamesTheOwner(_ kind: Establishment.Kind, _ owner: Collectivite.Kind, _ code: String) throws {
        let legal = try #require(OwnerChoice.legalOwner(of: kind, communeCode: "97411", departement: "974", regionCode: "04"))
        #expect(legal.kind == owner)
        #expect(legal.code == code)
    }

    @Test func anEstablishmentOfKindOtherNeedsAnExplicitOwner() {
        #expect(OwnerChoice.legalOwner(of: .other, communeCode: "97411", departement: "974", regionCode: "04") == nil)
        #expect(throws: ParcError.self) {
            try EstablishmentInput(uai: "9740979W", kind: "other", name: "Centre", commune: "Le Port").validate()
        }
    }

    @Test func validationReportsEveryWrongFieldAtOnce() {
        let input = EstablishmentInput(uai: "9740979A", kind: "lycee", name: " ", commune: nil, pupils: -3)
        #expect(
            throws: ParcError.validation([
                FieldError(field: "uai", reason: "check letter is wrong (expected W)"),
                FieldError(field: "kind", reason: "must be one of: " + Establishment.Kind.allCases.map(\.rawValue).joined(separator: ", ")),
                FieldError(field: "name", reason: "must not be empty"),
                FieldError(field: "commune", reason: "is required"),
                FieldError(field: "pupils", reason: "must be between 0 and 20000"),
            ])
        ) {
            try input.validate()
        }
    }
}
