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
    ]
}
