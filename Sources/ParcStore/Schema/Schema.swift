/// One named, append-only schema step. The same ordered list drives both backends, so their schemas cannot
/// drift; column types are written as `{uuid}`, `{ts}`, `{bool}`, `{int}`, `{real}`, `{seq}` (see `SQLDialect.ddl`).
/// Never edit a released migration: add a new one.
struct Migration: Sendable {
    let name: String
    let statements: [String]
}

enum Schema {
    /// Soft-deletable aggregate columns: optimistic version, timestamps, tombstone.
    static let lifecycle = "version {int} NOT NULL, created_at {ts} NOT NULL, updated_at {ts} NOT NULL, deleted_at {ts}"

    /// The measurement columns shared by the latest state and the history, in `TelemetryColumns.names` order.
    static let telemetryColumns = """
        seq {int} NOT NULL, observed_ms {int} NOT NULL, received_ms {int} NOT NULL, battery_level {real}, battery_health {real},
        battery_cycles {int}, charging {bool}, storage_free {int}, storage_total {int}, os_name TEXT, os_version TEXT,
        agent_version TEXT, uptime_s {int}, ssid TEXT, bssid TEXT, rssi {int}, band TEXT, link_mbps {real}, ip TEXT,
        down_mbps {real}, up_mbps {real}, cart_id {uuid}, cart_slot {int}
        """

    static let migrations: [Migration] = [
        Migration(
            name: "0001 territory",
            statements: [
                """
                CREATE TABLE academies (code TEXT PRIMARY KEY, name TEXT NOT NULL, region_academique TEXT NOT NULL, region_code TEXT)
                """,
                """
                CREATE TABLE departements (code TEXT PRIMARY KEY, name TEXT NOT NULL, academie_code TEXT NOT NULL, region_code TEXT)
                """,
                """
                CREATE TABLE collectivites (id {uuid} PRIMARY KEY, kind TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
                  academie_code TEXT, contact_email TEXT, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX collectivites_kind_code_key ON collectivites (kind, code) WHERE deleted_at IS NULL",
                """
                CREATE TABLE establishments (id {uuid} PRIMARY KEY, uai TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
                  commune TEXT NOT NULL, commune_code TEXT, departement TEXT NOT NULL, academie_code TEXT,
                  pupils {int} NOT NULL, teachers {int} NOT NULL, owner_id {uuid} NOT NULL REFERENCES collectivites (id),
                  owner_overridden {bool} NOT NULL, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX establishments_uai_key ON establishments (uai) WHERE deleted_at IS NULL",
                "CREATE INDEX establishments_owner_idx ON establishments (owner_id, id)",
                "CREATE INDEX establishments_academie_idx ON establishments (academie_code, id)",
            ]),
        Migration(
            name: "0002 inventory",
            statements: [
                """
                CREATE TABLE buildings (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  name TEXT NOT NULL, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX buildings_name_key ON buildings (establishment_id, name) WHERE deleted_at IS NULL",
                """
                CREATE TABLE rooms (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  building_id {uuid} REFERENCES buildings (id), name TEXT NOT NULL, kind TEXT NOT NULL, teaching {bool} NOT NULL,
                  floor {int}, wifi_coverage TEXT, coverage_source TEXT, coverage_assessed_on TEXT, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX rooms_name_key ON rooms (establishment_id, name) WHERE deleted_at IS NULL",
                "CREATE INDEX rooms_establishment_idx ON rooms (establishment_id, id)",
                """
                CREATE TABLE device_models (id {uuid} PRIMARY KEY, kind TEXT NOT NULL, manufacturer TEXT NOT NULL,
                  manufacturer_key TEXT NOT NULL, name TEXT NOT NULL, lifespan_months {int} NOT NULL, unit_price_cents {int}, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX device_models_name_key ON device_models (manufacturer_key, name) WHERE deleted_at IS NULL",
                """
                CREATE TABLE access_points (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  room_id {uuid} REFERENCES rooms (id), name TEXT NOT NULL, manufacturer TEXT, model TEXT, bands TEXT NOT NULL,
                  standard TEXT, max_clients {int}, poe {bool} NOT NULL, switchable {bool} NOT NULL, schedule TEXT,
                  conseil_ecole_informed_on TEXT, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX access_points_name_key ON access_points (establishment_id, name) WHERE deleted_at IS NULL",
                "CREATE INDEX access_points_room_idx ON access_points (room_id)",
                """
                CREATE TABLE mobile_carts (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  name TEXT NOT NULL, capacity {int} NOT NULL, home_room_id {uuid} REFERENCES rooms (id),
                  access_point_id {uuid} REFERENCES access_points (id), built_in_access_point {bool} NOT NULL, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX mobile_carts_name_key ON mobile_carts (establishment_id, name) WHERE deleted_at IS NULL",
                """
                CREATE TABLE devices (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  owner_id {uuid} NOT NULL, academie_code TEXT, model_id {uuid} NOT NULL REFERENCES device_models (id),
                  kind TEXT NOT NULL, manufacturer TEXT NOT NULL, manufacturer_key TEXT NOT NULL, serial_number TEXT NOT NULL,
                  asset_tag TEXT, room_id {uuid} REFERENCES rooms (id), cart_id {uuid} REFERENCES mobile_carts (id),
                  status TEXT NOT NULL, purchase_date TEXT, purchase_price_cents {int}, funding_programme TEXT,
                  funder_shares TEXT NOT NULL, warranty_end TEXT, planned_end_of_life TEXT, planned_refresh TEXT, notes TEXT, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX devices_serial_key ON devices (manufacturer_key, serial_number) WHERE deleted_at IS NULL",
                "CREATE UNIQUE INDEX devices_asset_tag_key ON devices (asset_tag) WHERE deleted_at IS NULL AND asset_tag IS NOT NULL",
                // Keyset pagination: every scoped list is "WHERE <scope column> = ? AND id > ? ORDER BY id".
                "CREATE INDEX devices_establishment_idx ON devices (establishment_id, id)",
                "CREATE INDEX devices_owner_idx ON devices (owner_id, id)",
                "CREATE INDEX devices_academie_idx ON devices (academie_code, id)",
                "CREATE INDEX devices_model_idx ON devices (model_id)",
                "CREATE INDEX devices_room_idx ON devices (room_id)",
                "CREATE INDEX devices_cart_idx ON devices (cart_id)",
                """
                CREATE TABLE internet_links (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  technology TEXT NOT NULL, provider TEXT, down_mbps {real} NOT NULL, up_mbps {real} NOT NULL,
                  filtering {bool} NOT NULL, \(lifecycle))
                """,
                "CREATE INDEX internet_links_establishment_idx ON internet_links (establishment_id, id)",
                """
                CREATE TABLE throughput_samples (id {uuid} PRIMARY KEY, link_id {uuid} NOT NULL REFERENCES internet_links (id),
                  establishment_id {uuid} NOT NULL, measured_at {ts} NOT NULL, down_mbps {real} NOT NULL, up_mbps {real},
                  source TEXT NOT NULL)
                """,
                "CREATE INDEX throughput_samples_link_idx ON throughput_samples (link_id, measured_at)",
                "CREATE INDEX throughput_samples_establishment_idx ON throughput_samples (establishment_id, measured_at)",
            ]),
        Migration(
            name: "0003 access and audit",
            statements: [
                """
                CREATE TABLE principals (id {uuid} PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, academie_code TEXT,
                  collectivite_id {uuid} REFERENCES collectivites (id), created_at {ts} NOT NULL, disabled_at {ts})
                """,
                """
                CREATE TABLE principal_establishments (principal_id {uuid} NOT NULL REFERENCES principals (id),
                  establishment_id {uuid} NOT NULL REFERENCES establishments (id), PRIMARY KEY (principal_id, establishment_id))
                """,
                """
                CREATE TABLE api_tokens (id {uuid} PRIMARY KEY, principal_id {uuid} NOT NULL REFERENCES principals (id),
                  token_hash TEXT NOT NULL, prefix TEXT NOT NULL, label TEXT, created_at {ts} NOT NULL, created_by {uuid},
                  expires_at {ts}, revoked_at {ts})
                """,
                "CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash)",
                "CREATE INDEX api_tokens_principal_idx ON api_tokens (principal_id)",
                """
                CREATE TABLE audit_events (seq {seq}, id {uuid} NOT NULL, at {ts} NOT NULL, principal_id {uuid},
                  principal_name TEXT NOT NULL, change TEXT NOT NULL, object_type TEXT NOT NULL, object_id {uuid} NOT NULL,
                  establishment_id {uuid}, before_json TEXT, after_json TEXT)
                """,
                "CREATE INDEX audit_events_object_idx ON audit_events (object_id, seq)",
                "CREATE INDEX audit_events_establishment_idx ON audit_events (establishment_id, seq)",
            ]),
        Migration(
            name: "0004 telemetry",
            statements: [
                """
                CREATE TABLE enrollment_tokens (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  token_hash TEXT NOT NULL, prefix TEXT NOT NULL, label TEXT, max_uses {int} NOT NULL, uses {int} NOT NULL,
                  expires_at {ts} NOT NULL, revoked_at {ts}, created_at {ts} NOT NULL, created_by {uuid})
                """,
                "CREATE UNIQUE INDEX enrollment_tokens_hash_key ON enrollment_tokens (token_hash)",
                "CREATE INDEX enrollment_tokens_establishment_idx ON enrollment_tokens (establishment_id)",
                // One row per enrolled device. `device_key` is the compact integer the telemetry tables are keyed
                // on: it keeps their B-trees small and their upserts cheap. Re-enrolling replaces the token in place.
                """
                CREATE TABLE agent_devices (device_key {seq}, device_id {uuid} NOT NULL UNIQUE REFERENCES devices (id),
                  token_hash TEXT NOT NULL, enrolled_at {ts} NOT NULL, enrollment_token_id {uuid}, mac_addresses TEXT,
                  agent_version TEXT, revoked_at {ts})
                """,
                "CREATE UNIQUE INDEX agent_devices_hash_key ON agent_devices (token_hash)",
                """
                CREATE TABLE agent_settings (establishment_id {uuid} PRIMARY KEY REFERENCES establishments (id),
                  checkin_interval_seconds {int} NOT NULL, updated_at {ts} NOT NULL)
                """,
                """
                CREATE TABLE access_point_bssids (bssid TEXT PRIMARY KEY, access_point_id {uuid} NOT NULL REFERENCES access_points (id))
                """,
                "CREATE INDEX access_point_bssids_ap_idx ON access_point_bssids (access_point_id)",
                // Telemetry times are epoch milliseconds (integers) on both backends: compared and bucketed by day cheaply.
                """
                CREATE TABLE device_state (device_key {int} PRIMARY KEY, \(telemetryColumns))
                """,
                // The history appends in arrival order (a rowid table on SQLite, a heap on PostgreSQL); the narrow unique
                // index makes retries idempotent, and one device's batch lands in one place of it.
                """
                CREATE TABLE heartbeats (device_key {int} NOT NULL, \(telemetryColumns))
                """,
                "CREATE UNIQUE INDEX heartbeats_device_seq_key ON heartbeats (device_key, seq)",
                // Retention deletes by arrival time; arrivals are increasing, so this index only ever appends.
                "CREATE INDEX heartbeats_received_idx ON heartbeats (received_ms)",
                """
                CREATE TABLE heartbeat_daily (device_key {int} NOT NULL, day {int} NOT NULL, heartbeats {int} NOT NULL,
                  first_ms {int} NOT NULL, last_ms {int} NOT NULL, battery_level_min {real}, battery_health_min {real},
                  storage_free_min {int}, rssi_avg {real}, rssi_min {int}, down_avg {real}, up_avg {real},
                  PRIMARY KEY (device_key, day)) {without_rowid}
                """,
                "CREATE TABLE maintenance_runs (job TEXT PRIMARY KEY, last_run_at {ts} NOT NULL, detail TEXT)",
            ]),
        Migration(
            name: "0005 maintenance",
            statements: [
                // Contract targets, week hours and lot perimeter are small documents read whole: JSON text.
                """
                CREATE TABLE sla_policies (id {uuid} PRIMARY KEY, collectivite_id {uuid} NOT NULL REFERENCES collectivites (id),
                  name TEXT NOT NULL, lot TEXT, establishment_ids TEXT NOT NULL, targets TEXT NOT NULL, pausing_reasons TEXT NOT NULL,
                  hours TEXT NOT NULL, exclude_school_holidays {bool} NOT NULL, escalate_at_percent {int} NOT NULL, \(lifecycle))
                """,
                "CREATE INDEX sla_policies_collectivite_idx ON sla_policies (collectivite_id)",
                """
                CREATE TABLE rounds (id {uuid} PRIMARY KEY, collectivite_id {uuid} NOT NULL REFERENCES collectivites (id),
                  technician_id {uuid} NOT NULL REFERENCES principals (id), name TEXT NOT NULL, establishment_ids TEXT NOT NULL,
                  weekdays TEXT NOT NULL, \(lifecycle))
                """,
                "CREATE INDEX rounds_technician_idx ON rounds (technician_id)",
                "CREATE INDEX rounds_collectivite_idx ON rounds (collectivite_id)",
                // The round's establishments again as rows: a technician's scope is read through this table at every request.
                """
                CREATE TABLE round_establishments (round_id {uuid} NOT NULL REFERENCES rounds (id),
                  establishment_id {uuid} NOT NULL REFERENCES establishments (id), PRIMARY KEY (round_id, establishment_id))
                """,
                "CREATE INDEX round_establishments_establishment_idx ON round_establishments (establishment_id)",
                "CREATE TABLE ticket_counters (establishment_id {uuid} PRIMARY KEY REFERENCES establishments (id), last_number {int} NOT NULL)",
                // The SLA state is kept whole as JSON for reads, and its due dates, flags and restore time as
                // columns for the queues, the escalation pass and the reports.
                """
                CREATE TABLE tickets (id {uuid} PRIMARY KEY, number {int} NOT NULL,
                  establishment_id {uuid} NOT NULL REFERENCES establishments (id), owner_id {uuid} NOT NULL, academie_code TEXT,
                  category TEXT NOT NULL, urgency TEXT NOT NULL, impact TEXT NOT NULL, priority {int} NOT NULL,
                  priority_overridden {bool} NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, reporter_id {uuid},
                  reporter_name TEXT NOT NULL, assignee_id {uuid}, status TEXT NOT NULL, is_open {bool} NOT NULL, pending_reason TEXT,
                  level {int} NOT NULL, supplier TEXT, rma_number TEXT, supplier_deadline TEXT, device_id {uuid}, model_id {uuid},
                  cart_id {uuid}, access_point_id {uuid}, internet_link_id {uuid}, room_id {uuid}, source TEXT NOT NULL, rule TEXT,
                  dedup_key TEXT, rule_cleared_at {ts}, sla_policy_id {uuid}, sla TEXT, gti_due_at {ts}, gtr_due_at {ts},
                  escalate_at {ts}, gti_met {bool}, gtr_met {bool}, gti_breached {bool} NOT NULL, gtr_breached {bool} NOT NULL,
                  restore_minutes {int}, opened_at {ts} NOT NULL, resolved_at {ts}, closed_at {ts}, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX tickets_number_key ON tickets (establishment_id, number)",
                // One open ticket per device (or link) and rule, even with several nodes evaluating rules.
                "CREATE UNIQUE INDEX tickets_dedup_key ON tickets (dedup_key) WHERE is_open AND dedup_key IS NOT NULL",
                // Queues: an establishment's or a technician's open tickets, soonest due first. `is_open` is an
                // equality column rather than a partial-index predicate, so SQLite picks these without statistics.
                "CREATE INDEX tickets_queue_establishment_idx ON tickets (establishment_id, is_open, gtr_due_at)",
                "CREATE INDEX tickets_queue_assignee_idx ON tickets (assignee_id, is_open, gtr_due_at)",
                // The escalation pass looks only at open tickets whose next deadline passed.
                "CREATE INDEX tickets_open_gti_idx ON tickets (gti_due_at) WHERE is_open",
                "CREATE INDEX tickets_open_gtr_idx ON tickets (gtr_due_at) WHERE is_open",
                "CREATE INDEX tickets_open_escalate_idx ON tickets (escalate_at) WHERE is_open",
                "CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) WHERE status = 'resolved'",
                // Reports read a scope's tickets of a period from the index alone (covering: no table lookup), and
                // a scope's backlog likewise.
                """
                CREATE INDEX tickets_report_owner_idx ON tickets (owner_id, opened_at, establishment_id, assignee_id, model_id, is_open,
                  gti_met, gtr_met, restore_minutes)
                """,
                """
                CREATE INDEX tickets_report_establishment_idx ON tickets (establishment_id, opened_at, owner_id, assignee_id, model_id,
                  is_open, gti_met, gtr_met, restore_minutes)
                """,
                """
                CREATE INDEX tickets_report_academie_idx ON tickets (academie_code, opened_at, owner_id, establishment_id, assignee_id,
                  model_id, is_open, gti_met, gtr_met, restore_minutes)
                """,
                "CREATE INDEX tickets_backlog_owner_idx ON tickets (owner_id, is_open, opened_at, establishment_id, assignee_id, model_id)",
                "CREATE INDEX tickets_device_idx ON tickets (device_id)",
                """
                CREATE TABLE ticket_events (seq {seq}, ticket_id {uuid} NOT NULL REFERENCES tickets (id), at {ts} NOT NULL,
                  actor_id {uuid}, actor_name TEXT NOT NULL, kind TEXT NOT NULL, from_value TEXT, to_value TEXT, body TEXT, minutes {int})
                """,
                "CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, seq)",
                """
                CREATE TABLE ticket_attachments (id {uuid} PRIMARY KEY, ticket_id {uuid} NOT NULL REFERENCES tickets (id),
                  filename TEXT NOT NULL, content_type TEXT NOT NULL, size {int} NOT NULL, sha256 TEXT NOT NULL, content {blob} NOT NULL,
                  uploaded_by {uuid}, uploaded_by_name TEXT NOT NULL, uploaded_at {ts} NOT NULL)
                """,
                "CREATE INDEX ticket_attachments_ticket_idx ON ticket_attachments (ticket_id)",
                // Breaches are facts: written once when seen, never removed by a later recomputation.
                """
                CREATE TABLE sla_breaches (ticket_id {uuid} NOT NULL REFERENCES tickets (id), clock TEXT NOT NULL,
                  due_at {ts} NOT NULL, detected_at {ts} NOT NULL, priority {int} NOT NULL, policy_id {uuid} NOT NULL,
                  PRIMARY KEY (ticket_id, clock))
                """,
            ]),
        Migration(
            name: "0006 planning and indicators",
            statements: [
                // A saved refresh plan: its request and its figures as JSON (read whole), headline numbers as columns
                // for lists, and its lines in their own table (a région's plan has hundreds of thousands).
                """
                CREATE TABLE refresh_scenarios (id {uuid} PRIMARY KEY, name TEXT NOT NULL, collectivite_id {uuid} REFERENCES collectivites (id),
                  academie_code TEXT, created_by {uuid}, created_by_name TEXT NOT NULL, created_at {ts} NOT NULL, input TEXT NOT NULL,
                  plan TEXT NOT NULL, total_cents {int} NOT NULL, backlog_devices {int} NOT NULL, line_count {int} NOT NULL)
                """,
                // The fleet a plan or an indicator table reads, from the index alone: a collectivité's devices by
                // `owner_id`, everyone's by a scan of this index rather than of the wide table. `deleted_at` is listed
                // so SQLite sees the index as covering.
                """
                CREATE INDEX devices_plan_idx ON devices (owner_id, academie_code, establishment_id, status, kind, model_id, purchase_date,
                  warranty_end, planned_refresh, id, deleted_at) WHERE deleted_at IS NULL
                """,
                "CREATE INDEX refresh_scenarios_collectivite_idx ON refresh_scenarios (collectivite_id, created_at)",
                "CREATE INDEX refresh_scenarios_academie_idx ON refresh_scenarios (academie_code, created_at)",
                """
                CREATE TABLE refresh_plan_lines (scenario_id {uuid} NOT NULL REFERENCES refresh_scenarios (id), n {int} NOT NULL,
                  year {int} NOT NULL, action TEXT NOT NULL, device_id {uuid}, establishment_id {uuid} NOT NULL, kind TEXT NOT NULL,
                  model_id {uuid}, reason TEXT NOT NULL, score {real} NOT NULL, overdue_months {int} NOT NULL, refurbished {bool} NOT NULL,
                  cost_cents {int} NOT NULL, subsidies TEXT NOT NULL, own_cents {int} NOT NULL, PRIMARY KEY (scenario_id, n)) {without_rowid}
                """,
                "CREATE INDEX refresh_plan_lines_establishment_idx ON refresh_plan_lines (scenario_id, establishment_id, n)",
                // One row of counts per establishment and day. Owner and académie are copied as they were that day,
                // so a series follows the territory of its time, and scope filters need no join.
                """
                CREATE TABLE indicator_snapshots (day TEXT NOT NULL, establishment_id {uuid} NOT NULL, owner_id {uuid} NOT NULL,
                  departement TEXT NOT NULL, academie_code TEXT, \(IndicatorSchema.columns), PRIMARY KEY (day, establishment_id))
                """,
                "CREATE INDEX indicator_snapshots_owner_idx ON indicator_snapshots (owner_id, day)",
                "CREATE INDEX indicator_snapshots_academie_idx ON indicator_snapshots (academie_code, day)",
                "CREATE INDEX indicator_snapshots_establishment_idx ON indicator_snapshots (establishment_id, day)",
            ]),
        Migration(
            name: "0007 family loans",
            statements: [
                """
                CREATE TABLE sim_lines (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  owner_id {uuid} NOT NULL, academie_code TEXT, iccid TEXT NOT NULL, phone_number TEXT, operator TEXT NOT NULL, data_plan TEXT,
                  expires_on TEXT, suspended {bool} NOT NULL, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX sim_lines_iccid_key ON sim_lines (iccid) WHERE deleted_at IS NULL",
                "CREATE INDEX sim_lines_establishment_idx ON sim_lines (establishment_id, expires_on)",
                """
                CREATE TABLE kits (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id), owner_id {uuid} NOT NULL,
                  academie_code TEXT, asset_tag TEXT NOT NULL, name TEXT NOT NULL, device_ids TEXT NOT NULL, sim_line_id {uuid} REFERENCES sim_lines (id),
                  status TEXT NOT NULL, notes TEXT, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX kits_asset_tag_key ON kits (asset_tag) WHERE deleted_at IS NULL",
                "CREATE UNIQUE INDEX kits_sim_line_key ON kits (sim_line_id) WHERE deleted_at IS NULL AND sim_line_id IS NOT NULL",
                "CREATE INDEX kits_establishment_idx ON kits (establishment_id, status)",
                // One row per device of a live kit: the primary key keeps a device in one kit at a time.
                """
                CREATE TABLE kit_components (device_id {uuid} PRIMARY KEY REFERENCES devices (id), kit_id {uuid} NOT NULL REFERENCES kits (id),
                  position {int} NOT NULL)
                """,
                "CREATE INDEX kit_components_kit_idx ON kit_components (kit_id, position)",
                """
                CREATE TABLE loan_policies (id {uuid} PRIMARY KEY, collectivite_id {uuid} NOT NULL REFERENCES collectivites (id),
                  settings TEXT NOT NULL, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX loan_policies_collectivite_key ON loan_policies (collectivite_id) WHERE deleted_at IS NULL",
                """
                CREATE TABLE convention_templates (id {uuid} PRIMARY KEY, collectivite_id {uuid} NOT NULL REFERENCES collectivites (id),
                  kind TEXT NOT NULL, version {int} NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, created_by TEXT NOT NULL, created_at {ts} NOT NULL)
                """,
                "CREATE UNIQUE INDEX convention_templates_version_key ON convention_templates (collectivite_id, kind, version)",
                """
                CREATE TABLE households (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id),
                  owner_id {uuid} NOT NULL, academie_code TEXT, pupil_reference TEXT NOT NULL, guardians TEXT NOT NULL, eligible {bool} NOT NULL,
                  criterion TEXT, last_loan_ended_at {ts}, \(lifecycle))
                """,
                "CREATE UNIQUE INDEX households_reference_key ON households (establishment_id, pupil_reference) WHERE deleted_at IS NULL",
                // `household_id` has no foreign key: erasure and retention delete households and clear it on their loans.
                """
                CREATE TABLE loans (id {uuid} PRIMARY KEY, establishment_id {uuid} NOT NULL REFERENCES establishments (id), owner_id {uuid} NOT NULL,
                  academie_code TEXT, household_id {uuid}, kit_id {uuid} REFERENCES kits (id), status TEXT NOT NULL, is_open {bool} NOT NULL,
                  priority {int} NOT NULL, requested_at {ts} NOT NULL, offered_at {ts}, offer_expires_at {ts}, checked_out_at {ts}, due_on TEXT,
                  extensions {int} NOT NULL, ended_at {ts}, condition TEXT, fee_cents {int} NOT NULL, fee_codes TEXT NOT NULL,
                  returned_components TEXT, ticket_id {uuid}, convention_id {uuid}, receipt_id {uuid}, notes TEXT, anonymized_at {ts}, \(lifecycle))
                """,
                // A kit is set aside for, or out with, one loan at a time; a household has one live loan at a time.
                """
                CREATE UNIQUE INDEX loans_kit_live_key ON loans (kit_id)
                  WHERE status IN ('offered', 'checked_out', 'extended') AND deleted_at IS NULL
                """,
                "CREATE UNIQUE INDEX loans_household_open_key ON loans (household_id) WHERE is_open AND deleted_at IS NULL",
                "CREATE INDEX loans_waitlist_idx ON loans (establishment_id, status, priority, requested_at)",
                "CREATE INDEX loans_status_due_idx ON loans (status, due_on)",
                "CREATE INDEX loans_household_idx ON loans (household_id)",
                "CREATE INDEX loans_ended_idx ON loans (ended_at) WHERE anonymized_at IS NULL",
                """
                CREATE TABLE loan_events (seq {seq}, loan_id {uuid} NOT NULL REFERENCES loans (id), at {ts} NOT NULL, actor_id {uuid},
                  actor_name TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, body TEXT)
                """,
                "CREATE INDEX loan_events_loan_idx ON loan_events (loan_id, seq)",
                """
                CREATE TABLE loan_documents (id {uuid} PRIMARY KEY, loan_id {uuid} NOT NULL REFERENCES loans (id), establishment_id {uuid} NOT NULL,
                  kind TEXT NOT NULL, template_id {uuid} NOT NULL, template_version {int} NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
                  signature_kind TEXT NOT NULL, signer_name TEXT NOT NULL, signature_image {blob}, signed_at {ts} NOT NULL, staff_id {uuid},
                  staff_name TEXT NOT NULL, sha256 TEXT NOT NULL, keep_until TEXT NOT NULL)
                """,
                "CREATE INDEX loan_documents_loan_idx ON loan_documents (loan_id)",
                "CREATE INDEX loan_documents_keep_idx ON loan_documents (keep_until)",
                // Signed documents are evidence: the database itself refuses to change one (deletion, at the end of the
                // legal period, stays possible).
                """
                {sqlite}CREATE TRIGGER loan_documents_immutable BEFORE UPDATE ON loan_documents
                BEGIN SELECT RAISE(ABORT, 'signed documents are immutable'); END
                """,
                """
                {postgres}CREATE FUNCTION parc_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'signed documents are immutable'; END $$
                """,
                """
                {postgres}CREATE TRIGGER loan_documents_immutable BEFORE UPDATE ON loan_documents
                FOR EACH ROW EXECUTE FUNCTION parc_refuse_update()
                """,
                """
                CREATE TABLE loan_photos (id {uuid} PRIMARY KEY, loan_id {uuid} NOT NULL REFERENCES loans (id), stage TEXT NOT NULL,
                  content_type TEXT NOT NULL, size {int} NOT NULL, sha256 TEXT NOT NULL, content {blob} NOT NULL, uploaded_by {uuid},
                  uploaded_by_name TEXT NOT NULL, uploaded_at {ts} NOT NULL)
                """,
                "CREATE INDEX loan_photos_loan_idx ON loan_photos (loan_id)",
                """
                CREATE TABLE loan_notices (id {uuid} PRIMARY KEY, loan_id {uuid} NOT NULL REFERENCES loans (id), establishment_id {uuid} NOT NULL,
                  stage TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
                  created_at {ts} NOT NULL, sent_at {ts}, attempts {int} NOT NULL, last_error TEXT)
                """,
                "CREATE UNIQUE INDEX loan_notices_once_key ON loan_notices (loan_id, stage, channel, recipient)",
                "CREATE INDEX loan_notices_pending_idx ON loan_notices (created_at) WHERE sent_at IS NULL",
                // Who read which household, when: kept apart from the change audit, without any identity in it.
                """
                CREATE TABLE household_access_log (seq {seq}, at {ts} NOT NULL, principal_id {uuid}, principal_name TEXT NOT NULL,
                  household_id {uuid} NOT NULL, establishment_id {uuid} NOT NULL, action TEXT NOT NULL, detail TEXT)
                """,
                "CREATE INDEX household_access_log_household_idx ON household_access_log (household_id, seq)",
                "CREATE INDEX household_access_log_at_idx ON household_access_log (at)",
            ]),
    ]
}

/// The snapshot table's count columns, one per `IndicatorFacts` field. Fixed here as text: a released migration
/// must not change when the facts gain a field (that takes a new migration adding the column).
enum IndicatorSchema {
    static let columns = """
        establishments {int} NOT NULL, pupils {int} NOT NULL, computers {int} NOT NULL, mobile_devices {int} NOT NULL,
        client_devices {int} NOT NULL, client_devices_dated {int} NOT NULL, client_devices_under_5_years {int} NOT NULL,
        mobile_carts {int} NOT NULL, interactive_displays {int} NOT NULL, video_projectors {int} NOT NULL, teaching_rooms {int} NOT NULL,
        teaching_rooms_covered {int} NOT NULL, establishments_with_link {int} NOT NULL, establishments_filtering {int} NOT NULL,
        contracted_down_kbps {int} NOT NULL, measured_down_kbps {int} NOT NULL, pupils_measured {int} NOT NULL,
        enrolled_devices {int} NOT NULL, online_devices {int} NOT NULL, open_tickets {int} NOT NULL, restoration_known {int} NOT NULL,
        restoration_met {int} NOT NULL
        """
}
