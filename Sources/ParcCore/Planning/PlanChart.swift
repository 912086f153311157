import Foundation

/// A refresh plan drawn as a standalone SVG a collectivité can paste into a report: cost per year stacked by
/// funder (left axis, euros), the year's budget as a tick, and the backlog of devices as a line (right axis).
public enum PlanChart {
    static let palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
    static let ownColour = "#ff7f0e"
    static let backlogColour = "#d62728"

    public static func svg(_ plan: RefreshPlan, title: String? = nil) -> String {
        let width = 760.0
        var entries = plan.funders.enumerated().map { (label($1), index: $0, kind: "rect") }
        entries.append(("Budget voté", -1, "dash"))
        entries.append(("Retard (appareils)", -2, "line"))
        // The legend wraps when an entry would run off the drawing; the drawing grows to hold its lines.
        var placed: [(x: Double, row: Int)] = []
        var cursor = 80.0
        var row = 0
        for entry in entries {
            let entryWidth = 24 + Double(entry.0.count) * 6.5
            if cursor > 80, cursor + entryWidth > width - 10 {
                cursor = 80
                row += 1
            }
            placed.append((cursor, row))
            cursor += entryWidth
        }
        let height = 420.0 + 18 * Double(row)
        let left = 80.0
        let right = 70.0
        let top = 50.0
        let plotWidth = width - left - right
        let plotHeight = 280.0
        let euros = plan.years.map { Double(max($0.totalCents, $0.budgetCents)) / 100 }
        let costScale = niceCeiling(euros.max() ?? 0)
        let backlogScale = niceCeiling(Double(plan.years.map(\.backlogDevices).max() ?? 0))
        let slot = plotWidth / Double(max(plan.years.count, 1))
        let barWidth = slot * 0.6
        func y(_ value: Double, _ scale: Double) -> Double { top + plotHeight - (scale > 0 ? value / scale * plotHeight : 0) }
        func colour(_ index: Int) -> String { index == plan.funders.count - 1 ? ownColour : palette[index % palette.count] }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
            font-family="sans-serif" font-size="12" role="img">
            <title>\(escape(title ?? plan.name))</title>
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(f(width / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title ?? plan.name))</text>

            """
        for step in 0...4 {
            let value = costScale * Double(step) / 4
            let yy = y(value, costScale)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(yy))\" x2=\"\(f(width - right))\" y2=\"\(f(yy))\" stroke=\"#dddddd\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\">\(escape(money(value)))</text>\n"
            if backlogScale > 0 {
                let devices = backlogScale * Double(step) / 4
                out += "<text x=\"\(f(width - right + 6))\" y=\"\(f(yy + 4))\" fill=\"\(backlogColour)\">\(Int(devices))</text>\n"
            }
        }
        out +=
            "<text x=\"16\" y=\"\(f(top + plotHeight / 2))\" transform=\"rotate(-90 16 \(f(top + plotHeight / 2)))\" text-anchor=\"middle\">Coût par an (€)</text>\n"
        out +=
            "<text x=\"\(f(width - 12))\" y=\"\(f(top + plotHeight / 2))\" transform=\"rotate(90 \(f(width - 12)) \(f(top + plotHeight / 2)))\" text-anchor=\"middle\" fill=\"\(backlogColour)\">Appareils en retard de renouvellement</text>\n"

        var backlogPoints: [String] = []
        for (i, year) in plan.years.enumerated() {
            let x = left + slot * Double(i) + (slot - barWidth) / 2
            var base = 0.0
            // The collectivité's own share sits at the bottom, so it meets the budget line when the budget covers it.
            let stack = Array(year.funders.enumerated()).suffix(1) + Array(year.funders.enumerated()).dropLast()
            for (j, amount) in stack where amount.cents > 0 {
                let value = Double(amount.cents) / 100
                let y0 = y(base + value, costScale)
                let h = y(base, costScale) - y0
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y0))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" fill=\"\(colour(j))\"><title>\(year.year) — \(escape(label(amount.funder))) : \(escape(money(value)))</title></rect>\n"
                base += value
            }
            let budgetY = y(Double(year.budgetCents) / 100, costScale)
            out +=
                "<line x1=\"\(f(x - 4))\" y1=\"\(f(budgetY))\" x2=\"\(f(x + barWidth + 4))\" y2=\"\(f(budgetY))\" stroke=\"#000000\" stroke-width=\"2\" stroke-dasharray=\"4 2\"><title>Budget \(year.year) : \(escape(money(Double(year.budgetCents) / 100)))</title></line>\n"
            out += "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(year.year)</text>\n"
            backlogPoints.append("\(f(x + barWidth / 2)),\(f(y(Double(year.backlogDevices), backlogScale)))")
        }
        if backlogScale > 0 {
            out += "<polyline points=\"\(backlogPoints.joined(separator: " "))\" fill=\"none\" stroke=\"\(backlogColour)\" stroke-width=\"2\"/>\n"
            for point in backlogPoints {
                let xy = point.split(separator: ",")
                out += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(backlogColour)\"/>\n"
            }
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotHeight))\" stroke=\"#333333\"/>\n"

        for (entry, place) in zip(entries, placed) {
            let x = place.x
            let y = top + plotHeight + 42 + 18 * Double(place.row)
            let fill = entry.index >= 0 ? colour(entry.index) : entry.index == -1 ? "#000000" : backlogColour
            switch entry.kind {
            case "rect": out += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"12\" height=\"12\" fill=\"\(fill)\"/>\n"
            default:
                let dash = entry.kind == "dash" ? " stroke-dasharray=\"4 2\"" : ""
                out +=
                    "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 12))\" y2=\"\(f(y - 4))\" stroke=\"\(fill)\" stroke-width=\"2\"\(dash)/>\n"
            }
            out += "<text x=\"\(f(x + 16))\" y=\"\(f(y))\">\(escape(entry.0))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    static func label(_ funder: String) -> String { funder == RefreshPlan.ownShareFunder ? "Collectivité (part propre)" : funder }

    /// 1, 2 or 5 times a power of ten, at or above the value: axis ends people can read.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 0 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func money(_ euros: Double) -> String {
        if euros >= 1_000_000 { return "\(trim(euros / 1_000_000)) M€" }
        if euros >= 1_000 { return "\(trim(euros / 1_000)) k€" }
        return "\(Int(euros.rounded())) €"
    }

    static func trim(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded).replacingOccurrences(of: ".", with: ",")
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
