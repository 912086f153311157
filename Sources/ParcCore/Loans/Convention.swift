public import Foundation

/// The guardian's signature at the desk: a drawn image (PNG from the tablet's signature pad) or the typed name.
public struct Signature: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case drawn, typed
    }

    public var kind: Kind
    public var signerName: String
    /// The PNG of a drawn signature.
    public var image: [UInt8]?

    public init(kind: Kind, signerName: String, image: [UInt8]?) {
        self.kind = kind
        self.signerName = signerName
        self.image = image
    }
}

public struct SignatureInput: Codable, Sendable {
    public var kind: String?
    public var signerName: String?
    /// A drawn signature as base64 PNG (a `data:image/png;base64,` prefix is accepted).
    public var imagePng: String?

    public init(kind: String?, signerName: String?, imagePng: String?) {
        self.kind = kind
        self.signerName = signerName
        self.imagePng = imagePng
    }

    public static let maxImageBytes = 512 * 1024

    public func validate(into v: inout Validator, field: String) -> Signature? {
        let kind = v.enumValue(self.kind, "\(field).kind", as: Signature.Kind.self)
        let name = v.requireText(signerName, "\(field).signer_name", maxLength: 120)
        var image: [UInt8]?
        if kind == .drawn {
            let text = (imagePng ?? "").replacingOccurrences(of: "data:image/png;base64,", with: "")
            if let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !data.isEmpty {
                let bytes = [UInt8](data)
                if TicketAttachment.sniff(bytes) != "image/png" {
                    v.fail("\(field).image_png", "must be a PNG image")
                } else if bytes.count > SignatureInput.maxImageBytes {
                    v.fail("\(field).image_png", "must be at most \(SignatureInput.maxImageBytes / 1024) KiB")
                } else {
                    image = bytes
                }
            } else {
                v.fail("\(field).image_png", "a drawn signature needs its image, base64 PNG")
            }
        } else if kind == .typed, imagePng != nil {
            v.fail("\(field).image_png", "a typed signature has no image")
        }
        guard let kind, let name, kind == .typed || image != nil else { return nil }
        return Signature(kind: kind, signerName: name, image: image)
    }
}

/// A versioned text of the collectivité's convention de prêt (or return receipt), with `{{placeholders}}`.
/// Versions are never changed: a new text is a new version, and every signed document keeps the exact text.
public struct ConventionTemplate: Codable, Equatable, Sendable, Identifiable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case convention
        case returnReceipt = "return_receipt"
    }

    public var id: UUID
    /// Nil for the built-in texts used until a collectivité writes its own.
    public var collectiviteID: UUID?
    public var kind: Kind
    public var version: Int
    public var title: String
    public var body: String
    public var createdBy: String
    public var createdAt: Date

    public init(id: UUID, collectiviteID: UUID?, kind: Kind, version: Int, title: String, body: String, createdBy: String, createdAt: Date) {
        self.id = id
        self.collectiviteID = collectiviteID
        self.kind = kind
        self.version = version
        self.title = title
        self.body = body
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// What a convention may name. Every placeholder of a template must be one of these.
    public static let placeholders: [Kind: [String]] = {
        let common = [
            "collectivite", "establishment", "establishment_uai", "guardians", "guardian_addresses", "pupil_reference", "kit_name", "kit_asset_tag",
            "kit_items", "sim_line", "purpose", "start_date", "due_date", "loan_reference", "staff_name", "today",
        ]
        return [.convention: common, .returnReceipt: common + ["return_items", "condition", "fees", "returned_on"]]
    }()

    /// The `{{name}}` placeholders of a text, in order of appearance.
    public static func placeholders(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            found.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// The text with every placeholder replaced; a placeholder without a value becomes an empty string.
    public static func render(_ text: String, values: [String: String]) -> String {
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            output += values[rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)] ?? ""
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// The texts every collectivité starts from (circulaire 2001-221: who, what with inventory numbers, how long,
    /// for what use, and the borrower's duty of care under art. 1880 of the Code civil).
    public static func builtIn(_ kind: Kind) -> ConventionTemplate {
        switch kind {
        case .convention:
            ConventionTemplate(
                id: UUID(uuidString: "00000000-0000-0000-0000-00000000c0a1")!, collectiviteID: nil, kind: .convention, version: 1,
                title: "Convention de prêt de matériel informatique",
                body: """
                    Entre {{collectivite}}, propriétaire du matériel, l'établissement {{establishment}} (UAI {{establishment_uai}}), et {{guardians}}, représentant(s) légal(aux) de l'élève référencé {{pupil_reference}} par l'établissement.
                    Domicile(s) : {{guardian_addresses}}

                    Article 1 — Objet. Le matériel suivant (lot {{kit_name}}, étiquette {{kit_asset_tag}}) est prêté gratuitement :
                    {{kit_items}}
                    Ligne de données : {{sim_line}}

                    Article 2 — Usage. {{purpose}}

                    Article 3 — Durée. Le prêt court du {{start_date}} au {{due_date}}. Le matériel est rendu à l'établissement à cette date, ou plus tôt si l'élève quitte l'établissement.

                    Article 4 — Obligations de l'emprunteur (article 1880 du Code civil). L'emprunteur veille à la garde et à la conservation du matériel en personne raisonnable, ne l'emploie qu'à l'usage prévu, ne le prête ni ne le cède. Toute perte, vol (avec dépôt de plainte) ou détérioration est signalé sans délai à l'établissement. La connexion Internet du domicile reste à la charge de la famille, hors ligne de données fournie.

                    Article 5 — Données personnelles. Les données nécessaires au prêt sont traitées pour une mission d'intérêt public, consultées par l'établissement seul, et effacées selon les durées de conservation affichées par l'établissement. Droit d'accès, de rectification et d'effacement auprès de l'établissement.

                    Prêt n° {{loan_reference}}, remis le {{today}} en présence de {{staff_name}}.
                    """, createdBy: "Parc", createdAt: Date(timeIntervalSince1970: 0))
        case .returnReceipt:
            ConventionTemplate(
                id: UUID(uuidString: "00000000-0000-0000-0000-00000000c0a2")!, collectiviteID: nil, kind: .returnReceipt, version: 1,
                title: "Attestation de restitution et d'effacement des données",
                body: """
                    L'établissement {{establishment}} (UAI {{establishment_uai}}) atteste avoir reçu le {{returned_on}}, de {{guardians}}, le lot {{kit_name}} (étiquette {{kit_asset_tag}}) prêté le {{start_date}} (prêt n° {{loan_reference}}).

                    État constaté, élément par élément :
                    {{return_items}}

                    État général : {{condition}}
                    Frais retenus : {{fees}}

                    Les données personnelles présentes sur les appareils ont été effacées comme indiqué ci-dessus avant toute remise en service.
                    Restitution enregistrée par {{staff_name}} le {{today}}.
                    """, createdBy: "Parc", createdAt: Date(timeIntervalSince1970: 0))
        }
    }
}

public struct ConventionTemplateInput: Codable, Sendable {
    public var collectiviteID: UUID?
    public var kind: String?
    public var title: String?
    public var body: String?

    public init(collectiviteID: UUID?, kind: String?, title: String?, body: String?) {
        self.collectiviteID = collectiviteID
        self.kind = kind
        self.title = title
        self.body = body
    }

    public func validate() throws(ParcError) -> (collectiviteID: UUID, kind: ConventionTemplate.Kind, title: String, body: String) {
        var v = Validator()
        let collectivite = v.require(collectiviteID, "collectivite_id")
        let kind = v.enumValue(self.kind, "kind", as: ConventionTemplate.Kind.self)
        let title = v.requireText(title, "title", maxLength: 200)
        let body = v.requireText(body, "body", maxLength: 50_000)
        if let body, let kind {
            let allowed = ConventionTemplate.placeholders[kind] ?? []
            let unknown = ConventionTemplate.placeholders(in: body).filter { !allowed.contains($0) }
            if !unknown.isEmpty {
                v.fail("body", "unknown placeholders \(unknown.map { "{{\($0)}}" }.joined(separator: ", ")); use \(allowed.joined(separator: ", "))")
            }
            if kind == .convention, !body.contains("{{kit_items}}") {
                v.fail("body", "a convention lists what is lent: include {{kit_items}}")
            }
        }
        try v.check()
        return (collectivite!, kind!, title!, body!)
    }
}

/// A convention or return receipt as signed at the desk: the exact text, which template version it came from, who
/// signed, who was present. Stored once and never changed; the digest lets anyone check a printed copy.
public struct SignedDocument: Codable, Equatable, Sendable, Identifiable {
    public var id: UUID
    public var loanID: UUID
    public var establishmentID: UUID
    public var kind: ConventionTemplate.Kind
    public var templateID: UUID
    public var templateVersion: Int
    public var title: String
    public var text: String
    public var signatureKind: Signature.Kind
    public var signerName: String
    public var hasSignatureImage: Bool
    public var signedAt: Date
    public var staffID: UUID?
    public var staffName: String
    /// SHA-256 of the text, signer, time and signature image: `SignedDocument.digest`.
    public var sha256: String
    /// When the legal retention period ends and the document is deleted.
    public var keepUntil: LocalDate

    public init(
        id: UUID, loanID: UUID, establishmentID: UUID, kind: ConventionTemplate.Kind, templateID: UUID, templateVersion: Int, title: String,
        text: String, signatureKind: Signature.Kind, signerName: String, hasSignatureImage: Bool, signedAt: Date, staffID: UUID?, staffName: String,
        sha256: String, keepUntil: LocalDate
    ) {
        self.id = id
        self.loanID = loanID
        self.establishmentID = establishmentID
        self.kind = kind
        self.templateID = templateID
        self.templateVersion = templateVersion
        self.title = title
        self.text = text
        self.signatureKind = signatureKind
        self.signerName = signerName
        self.hasSignatureImage = hasSignatureImage
        self.signedAt = signedAt
        self.staffID = staffID
        self.staffName = staffName
        self.sha256 = sha256
        self.keepUntil = keepUntil
    }

    /// The bytes the digest covers, in a fixed layout.
    public static func digestInput(text: String, signerName: String, signedAt: Date, image: [UInt8]?) -> [UInt8] {
        let stamp = ISO8601DateFormatter().string(from: signedAt)
        return Array("\(text)\n--\n\(signerName)\n\(stamp)\n".utf8) + (image ?? [])
    }

    /// A printable page: the text, then the signature block. Everything taken from the stored document is escaped.
    public func html(signatureImage: [UInt8]?) -> String {
        let paragraphs = text.components(separatedBy: "\n").map { line in
            line.trimmingCharacters(in: .whitespaces).isEmpty ? "" : "<p>\(SignedDocument.escape(line))</p>"
        }.joined(separator: "\n")
        let signedOn = ISO8601DateFormatter().string(from: signedAt)
        let signature =
            if let signatureImage, signatureKind == .drawn {
                "<img alt=\"Signature\" style=\"max-height:6em\" src=\"data:image/png;base64,\(Data(signatureImage).base64EncodedString())\">"
            } else {
                "<p><em>Signé par saisie du nom : \(SignedDocument.escape(signerName))</em></p>"
            }
        return """
            <!DOCTYPE html>
            <html lang="fr"><head><meta charset="utf-8"><title>\(SignedDocument.escape(title))</title>
            <style>body{font-family:serif;max-width:42em;margin:2em auto;line-height:1.4}footer{margin-top:2em;border-top:1px solid #999;font-size:.85em}</style>
            </head><body>
            <h1>\(SignedDocument.escape(title))</h1>
            \(paragraphs)
            <section><h2>Signature</h2><p>\(SignedDocument.escape(signerName)), le \(signedOn)</p>\(signature)
            <p>En présence de \(SignedDocument.escape(staffName)).</p></section>
            <footer>Document n° \(id.uuidString.lowercased()) — modèle version \(templateVersion) — empreinte SHA-256 \(sha256)</footer>
            </body></html>
            """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
