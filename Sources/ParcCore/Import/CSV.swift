import Foundation

/// RFC 4180 CSV: comma-separated, double-quoted fields with doubled quotes inside, CRLF or LF line ends.
/// Supplier manifests and establishment lists come in this form; a semicolon-separated file (Excel in a
/// French locale) is detected from its header line.
public struct CSVTable: Equatable, Sendable {
    public var header: [String]
    /// Data rows with their 1-based line number in the file (the header is line 1), for error reports.
    public var rows: [(line: Int, fields: [String])]

    public static func == (lhs: CSVTable, rhs: CSVTable) -> Bool {
        lhs.header == rhs.header && lhs.rows.map(\.line) == rhs.rows.map(\.line) && lhs.rows.map(\.fields) == rhs.rows.map(\.fields)
    }

    public init(parsing text: String) throws(ParcError) {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        let firstLine = body.prefix { $0 != "\n" && $0 != "\r\n" }
        let separator: Character = firstLine.filter { $0 == ";" }.count > firstLine.filter { $0 == "," }.count ? ";" : ","
        let records = try CSVTable.records(body, separator: separator)
        guard let head = records.first else { throw .malformed("the CSV file is empty") }
        header = head.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        rows = records.dropFirst().filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }.map { ($0.line, $0.fields) }
    }

    /// The value of `column` in a row, trimmed; nil when the column is absent or the cell is empty.
    public func value(_ column: String, in fields: [String]) -> String? {
        guard let index = header.firstIndex(of: column), index < fields.count else { return nil }
        let value = fields[index].trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// Rejects a file that lacks required columns, naming them, before any row is looked at.
    public func requireColumns(_ columns: [String]) throws(ParcError) {
        let missing = columns.filter { !header.contains($0) }
        if !missing.isEmpty {
            throw .validation(missing.map { FieldError(row: 1, field: $0, reason: "column is missing from the header") })
        }
    }

    static func records(_ text: Substring, separator: Character) throws(ParcError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var index = text.startIndex
        var fieldWasQuoted = false
        while index < text.endIndex {
            let c = text[index]
            if inQuotes {
                if c == "\"" {
                    let next = text.index(after: index)
                    if next < text.endIndex, text[next] == "\"" {
                        field.append("\"")
                        index = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" {
                guard field.isEmpty, !fieldWasQuoted else { throw .malformed("line \(line): a quote inside an unquoted field") }
                inQuotes = true
                fieldWasQuoted = true
            } else if c == separator {
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                fields.append(field)
                records.append((recordLine, fields))
                fields = []
                field = ""
                fieldWasQuoted = false
                line += 1
                recordLine = line
            } else {
                guard !fieldWasQuoted else { throw .malformed("line \(line): text after a closing quote") }
                field.append(c)
            }
            index = text.index(after: index)
        }
        if inQuotes { throw .malformed("line \(recordLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return records
    }
}

/// Writes CSV rows, quoting only the fields that need it.
public enum CSVWriter {
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }.joined(separator: ",") + "\r\n"
    }
}
