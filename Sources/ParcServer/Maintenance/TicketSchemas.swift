import Foundation
import ParcCore
import ParcStore

extension ParcApplication {
    /// Schemas of the maintenance routes, from fully populated examples (absent optionals would hide fields).
    static let ticketSchemas: [String: JSONValue] = {
        let epoch = Date(timeIntervalSince1970: 0)
        let clock = SLAState.Clock(targetMinutes: 480, elapsedMinutes: 95, phase: .running, dueAt: epoch, metAt: epoch, breachedAt: epoch)
        let ticket = Ticket(
            id: UUID(), number: 42, establishmentID: UUID(), ownerID: UUID(), academieCode: "28", category: .wifi, urgency: .high, impact: .medium,
            priority: .high, priorityOverridden: false, title: "Pas de Wi-Fi en salle B12", description: "Les tablettes ne se connectent plus.",
            reporterID: UUID(), reporterName: "Direction Bourbon", assigneeID: UUID(), status: .pending, pendingReason: .supplier, level: 3,
            supplierCase: Ticket.SupplierCase(supplier: "Constructeur", rmaNumber: "RMA-2026-1182", deadline: LocalDate("2026-12-04")),
            deviceID: UUID(), modelID: UUID(), cartID: UUID(), accessPointID: UUID(), internetLinkID: UUID(), roomID: UUID(), source: .rule,
            rule: "off_cart", dedupKey: "off_cart:…", slaPolicyID: UUID(),
            sla: SLAState(policyID: UUID(), priority: .high, intervention: clock, restoration: clock, escalateAt: epoch), openedAt: epoch,
            resolvedAt: epoch, closedAt: epoch, createdAt: epoch, updatedAt: epoch)
        var schemas: [String: JSONValue] = [:]
        schemas["Ticket"] = OpenAPIDocument.schema(example: ticket)
        schemas["TicketInput"] = OpenAPIDocument.schema(
            example: TicketInput(
                establishmentID: UUID(), assetTag: "974-CLG-0001234", category: "wifi", urgency: "high", impact: "medium", priority: 2,
                title: "Pas de Wi-Fi en salle B12", description: "…", deviceID: UUID(), cartID: UUID(), accessPointID: UUID(), internetLinkID: UUID(),
                roomID: UUID(), assigneeID: UUID(), slaPolicyID: UUID()))
        schemas["TicketEdit"] = OpenAPIDocument.schema(
            example: TicketService.EditInput(
                title: "…", description: "…", category: "hardware", urgency: "low", impact: "low", priority: 3, deviceID: UUID(), cartID: UUID(),
                accessPointID: UUID(), internetLinkID: UUID(), roomID: UUID(), slaPolicyID: UUID()))
        schemas["TransitionInput"] = OpenAPIDocument.schema(example: TransitionInput(to: "pending", reason: "supplier", comment: "Pièce commandée"))
        schemas["AssignInput"] = OpenAPIDocument.schema(example: AssignInput(technicianID: UUID()))
        schemas["EscalationInput"] = OpenAPIDocument.schema(
            example: EscalationInput(level: 3, supplier: "Constructeur", rmaNumber: "RMA-2026-1182", supplierDeadline: "2026-12-04", note: "…"))
        schemas["CommentInput"] = OpenAPIDocument.schema(example: CommentInput(body: "Passage prévu jeudi."))
        schemas["TimeInput"] = OpenAPIDocument.schema(example: TimeInput(minutes: 45, note: "Réinstallation"))
        schemas["TicketEvent"] = OpenAPIDocument.schema(
            example: TicketEvent(
                seq: 7, ticketID: UUID(), at: epoch, actorID: UUID(), actorName: "Agent de maintenance", kind: .status, from: "in_progress",
                to: "pending", body: "supplier", minutes: 30))
        schemas["TicketAttachment"] = OpenAPIDocument.schema(
            example: TicketAttachment(
                id: UUID(), ticketID: UUID(), filename: "ecran.jpg", contentType: "image/jpeg", size: 182_331, sha256: "9f86d0…", uploadedBy: UUID(),
                uploadedByName: "Agent de maintenance", uploadedAt: epoch))
        schemas["SLABreach"] = OpenAPIDocument.schema(
            example: SLABreach(ticketID: UUID(), clock: .restoration, dueAt: epoch, detectedAt: epoch, priority: .high, policyID: UUID()))
        schemas["TicketReportRow"] = OpenAPIDocument.schema(
            example: TicketReport.Row(
                key: UUID(), label: "9749011B Collège Bourbon", opened: 120, closed: 104, openNow: 16, interventionCompliance: 93.5,
                restorationCompliance: 88.2, meanRestoreMinutes: 412.5, p90RestoreMinutes: 960, backlogMeanAgeDays: 6.2, backlogMaxAgeDays: 41,
                devices: 850, ticketsPer100Devices: 14.1))
        schemas["MaintenanceRun"] = OpenAPIDocument.schema(
            example: MaintenanceRun(
                pass: .init(ran: true, looked: 3, breaches: 1, escalated: 1, closed: 2),
                rules: .init(ran: true, devices: 3891, links: 60, opened: 4, resolved: 1, annotated: 0, stillOpen: 12)))
        return schemas
    }()
}
