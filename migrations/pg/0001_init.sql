-- 0001_init.sql: the schema of hemgang's PostgreSQL store, equal to what the
-- SQLite migrations 0001..0006 build (migrations/*.sql), in PostgreSQL types.
--
-- The same rules as there: events and audit records are only inserted (a
-- trigger refuses UPDATE and DELETE); the *projection* tables are derived from
-- events and rebuilt by `hemgang rebuild`. Times are BIGINT seconds since the
-- epoch (UTC), dates INTEGER day numbers (days since 1970-01-01), so rows
-- compare equal across the two backends (`hemgang copy`). Columns are in the
-- SQLite order: the projection dumps of both backends are compared text.

-- Refuses the statement that fired it, with the message given as its argument.
CREATE FUNCTION hemgang_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;

CREATE TABLE organisations (
	code        TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('region', 'municipality')),
	county      TEXT NOT NULL
);

CREATE TABLE units (
	id           TEXT PRIMARY KEY,
	org          TEXT NOT NULL REFERENCES organisations(code),
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	care_type    TEXT,
	hospital     TEXT,
	municipality TEXT
);
CREATE INDEX units_org ON units(org);

CREATE TABLE users (
	id            BIGSERIAL PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	org           TEXT NOT NULL REFERENCES organisations(code),
	role          TEXT NOT NULL,
	password_hash TEXT,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    BIGINT NOT NULL
);

CREATE TABLE user_units (
	user_id BIGINT NOT NULL REFERENCES users(id),
	unit_id TEXT NOT NULL REFERENCES units(id),
	PRIMARY KEY (user_id, unit_id)
);

CREATE TABLE sessions (
	token_hash BYTEA PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
	token_hash BYTEA PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users(id),
	name       TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

-- One row per episode; an append locks it (SELECT ... FOR UPDATE), which
-- serialises appends to one episode across every server on the database.
CREATE TABLE episodes (
	id          BIGSERIAL PRIMARY KEY,
	created_at  BIGINT NOT NULL
);

CREATE TABLE events (
	id              BIGSERIAL PRIMARY KEY,
	episode_id      BIGINT NOT NULL REFERENCES episodes(id),
	seq             INTEGER NOT NULL,
	type            TEXT NOT NULL,
	occurred_at     BIGINT NOT NULL,
	recorded_at     BIGINT NOT NULL,
	author_unit     TEXT NOT NULL,
	author_user     TEXT NOT NULL,
	idempotency_key TEXT,
	body            TEXT NOT NULL,
	request_hash    BYTEA,
	UNIQUE (episode_id, seq)
);
CREATE UNIQUE INDEX events_idempotency ON events(author_user, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('events are immutable');

CREATE TABLE episode_projection (
	episode_id         BIGINT PRIMARY KEY REFERENCES episodes(id),
	status             TEXT NOT NULL,
	pnr                TEXT NOT NULL,
	patient_name       TEXT NOT NULL,
	municipality       TEXT NOT NULL,
	primary_care_unit  TEXT NOT NULL,
	hospital           TEXT NOT NULL,
	ward               TEXT NOT NULL,
	care_type          TEXT NOT NULL,
	admitted_at        BIGINT NOT NULL,
	notice_at          BIGINT,
	expected_date      INTEGER,
	ready_at           BIGINT,
	discharged_at      BIGINT,
	track              TEXT,
	notice_due         BIGINT,
	notice_met         BIGINT,
	care_contact_due   BIGINT,
	care_contact_met   BIGINT,
	sip_due            BIGINT,
	sip_met            BIGINT,
	last_seq           INTEGER NOT NULL,
	updated_at         BIGINT NOT NULL
);
CREATE INDEX episode_projection_municipality ON episode_projection(municipality, status);
CREATE INDEX episode_projection_ward ON episode_projection(ward, status);
CREATE INDEX episode_projection_pnr ON episode_projection(pnr);
CREATE INDEX episode_projection_admitted ON episode_projection(admitted_at);

CREATE TABLE episode_parties (
	episode_id BIGINT NOT NULL REFERENCES episodes(id),
	unit_id    TEXT NOT NULL,
	role       TEXT NOT NULL,
	PRIMARY KEY (episode_id, unit_id)
);
CREATE INDEX episode_parties_unit ON episode_parties(unit_id, episode_id);

CREATE TABLE pending_acks (
	episode_id BIGINT NOT NULL REFERENCES episodes(id),
	seq        INTEGER NOT NULL,
	unit_id    TEXT NOT NULL,
	type       TEXT NOT NULL,
	sent_at    BIGINT NOT NULL,
	acked_at   BIGINT,
	PRIMARY KEY (episode_id, seq, unit_id)
);
CREATE INDEX pending_acks_unit ON pending_acks(unit_id, acked_at);
CREATE INDEX pending_acks_open ON pending_acks(unit_id, sent_at) WHERE acked_at IS NULL;

CREATE TABLE audit_log (
	id         BIGSERIAL PRIMARY KEY,
	at         BIGINT NOT NULL,
	username   TEXT NOT NULL,
	unit_id    TEXT,
	action     TEXT NOT NULL,
	episode_id BIGINT,
	reason     TEXT,
	client     TEXT
);
CREATE INDEX audit_log_episode ON audit_log(episode_id);
CREATE INDEX audit_log_user ON audit_log(username, at);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('audit records are immutable');

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- ---- agreements and invoices (SQLite 0002, 0005) ----

CREATE TABLE agreements (
	id          TEXT NOT NULL,
	version     INTEGER NOT NULL CHECK (version >= 1),
	name        TEXT NOT NULL,
	region      TEXT NOT NULL,
	model       TEXT NOT NULL,
	valid_from  INTEGER NOT NULL,
	valid_to    INTEGER,
	document    TEXT NOT NULL,
	imported_at BIGINT NOT NULL,
	imported_by TEXT NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE TRIGGER agreements_no_update BEFORE UPDATE OR DELETE ON agreements
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('agreement versions are immutable');

CREATE TABLE invoices (
	id                BIGSERIAL PRIMARY KEY,
	municipality      TEXT NOT NULL,
	month             TEXT NOT NULL,
	revision          INTEGER NOT NULL,
	state             TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'disputed', 'decided', 'superseded')),
	outcome           TEXT CHECK (outcome IN ('upheld', 'adjusted', 'withdrawn')),
	cutoff            BIGINT NOT NULL,
	built_at          BIGINT NOT NULL,
	built_by          TEXT NOT NULL,
	agreement         TEXT NOT NULL,
	agreement_version INTEGER NOT NULL,
	agreements        TEXT NOT NULL,
	total_ore         BIGINT NOT NULL,
	owed_ore          BIGINT NOT NULL,
	document          TEXT NOT NULL,
	UNIQUE (municipality, month, revision)
);
CREATE INDEX invoices_month ON invoices(month, municipality);
CREATE TRIGGER invoices_basis_immutable
	BEFORE UPDATE OF id, municipality, month, revision, cutoff, built_at, built_by, agreement, agreement_version,
		agreements, total_ore, document ON invoices
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('an invoice basis is immutable; build a new revision');
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('invoices are kept');

CREATE TABLE invoice_steps (
	invoice_id BIGINT NOT NULL REFERENCES invoices(id),
	seq        INTEGER NOT NULL,
	at         BIGINT NOT NULL,
	username   TEXT NOT NULL,
	org        TEXT NOT NULL,
	action     TEXT NOT NULL,
	state      TEXT NOT NULL,
	outcome    TEXT,
	reason     TEXT NOT NULL,
	detail     TEXT NOT NULL,
	owed_ore   BIGINT NOT NULL,
	PRIMARY KEY (invoice_id, seq)
);
CREATE TRIGGER invoice_steps_no_update BEFORE UPDATE OR DELETE ON invoice_steps
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('invoice steps are immutable');

CREATE TABLE invoice_step_keys (
	username   TEXT NOT NULL,
	key        TEXT NOT NULL,
	invoice_id BIGINT NOT NULL REFERENCES invoices(id),
	action     TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	PRIMARY KEY (username, key)
);
CREATE TRIGGER invoice_step_keys_no_update BEFORE UPDATE ON invoice_step_keys
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('idempotency keys are kept as written');

-- ---- follow-up (SQLite 0003) ----

CREATE TABLE point_measurements (
	id         BIGSERIAL PRIMARY KEY,
	at         BIGINT NOT NULL,
	taken_at   BIGINT NOT NULL,
	taken_by   TEXT NOT NULL,
	scope      TEXT NOT NULL,
	label      TEXT NOT NULL,
	patients   INTEGER NOT NULL,
	ready_days INTEGER NOT NULL
);
CREATE INDEX point_measurements_at ON point_measurements(scope, at);

CREATE TABLE point_measurement_counts (
	measurement_id BIGINT NOT NULL REFERENCES point_measurements(id),
	kind           TEXT NOT NULL CHECK (kind IN ('municipality', 'ward')),
	key            TEXT NOT NULL,
	patients       INTEGER NOT NULL,
	ready_days     INTEGER NOT NULL,
	PRIMARY KEY (measurement_id, kind, key)
);

CREATE TABLE point_measurement_patients (
	measurement_id BIGINT NOT NULL REFERENCES point_measurements(id),
	episode_id     BIGINT NOT NULL REFERENCES episodes(id),
	municipality   TEXT NOT NULL,
	hospital       TEXT NOT NULL,
	ward           TEXT NOT NULL,
	care_type      TEXT NOT NULL,
	ready_since    BIGINT NOT NULL,
	ready_days     INTEGER NOT NULL,
	next_step      TEXT NOT NULL,
	step_at        BIGINT,
	expected_date  INTEGER,
	PRIMARY KEY (measurement_id, episode_id)
);

CREATE TRIGGER point_measurements_no_update BEFORE UPDATE OR DELETE ON point_measurements
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('saved point measurements are immutable');
CREATE TRIGGER point_measurement_counts_no_update BEFORE UPDATE ON point_measurement_counts
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('saved point measurements are immutable');
CREATE TRIGGER point_measurement_patients_no_update BEFORE UPDATE ON point_measurement_patients
	FOR EACH ROW EXECUTE FUNCTION hemgang_refuse('saved point measurements are immutable');

CREATE TABLE survey_invitations (
	token_hash BYTEA PRIMARY KEY,
	episode_id BIGINT NOT NULL REFERENCES episodes(id),
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT
);
CREATE INDEX survey_invitations_episode ON survey_invitations(episode_id);

CREATE TABLE survey_answers (
	id                BIGSERIAL PRIMARY KEY,
	episode_id        BIGINT NOT NULL UNIQUE REFERENCES episodes(id),
	answered_at       BIGINT NOT NULL,
	channel           TEXT NOT NULL CHECK (channel IN ('phone', 'link')),
	respondent        TEXT NOT NULL CHECK (respondent IN ('patient', 'next_of_kin')),
	felt_safe         INTEGER CHECK (felt_safe IN (0, 1)),
	took_part         INTEGER CHECK (took_part IN (0, 1)),
	knew_care_contact INTEGER CHECK (knew_care_contact IN (0, 1)),
	sip_where_wanted  INTEGER CHECK (sip_where_wanted IN (0, 1)),
	comment           TEXT NOT NULL,
	recorded_by       TEXT NOT NULL
);

INSERT INTO settings(key, value) VALUES ('followup.min_cell', '5') ON CONFLICT(key) DO NOTHING;

-- ---- HL7 v2 and FHIR messaging (SQLite 0004) ----

CREATE TABLE hl7_facilities (
	facility   TEXT PRIMARY KEY,
	org        TEXT NOT NULL REFERENCES organisations(code),
	name       TEXT NOT NULL,
	addresses  TEXT NOT NULL DEFAULT '',
	a16_ready  INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);

CREATE TABLE hl7_wards (
	facility TEXT NOT NULL,
	code     TEXT NOT NULL,
	unit_id  TEXT NOT NULL REFERENCES units(id),
	PRIMARY KEY (facility, code)
);

CREATE TABLE hl7_visits (
	facility   TEXT NOT NULL,
	visit      TEXT NOT NULL,
	episode_id BIGINT NOT NULL REFERENCES episodes(id),
	PRIMARY KEY (facility, visit)
);

CREATE TABLE hl7_messages (
	facility    TEXT NOT NULL,
	control_id  TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	trigger     TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	episode_id  BIGINT,
	ack         TEXT NOT NULL,
	PRIMARY KEY (facility, control_id)
);

CREATE TABLE hl7_quarantine (
	id          BIGSERIAL PRIMARY KEY,
	received_at BIGINT NOT NULL,
	facility    TEXT NOT NULL,
	control_id  TEXT NOT NULL,
	trigger     TEXT NOT NULL,
	visit       TEXT NOT NULL,
	ward_code   TEXT NOT NULL,
	pnr_masked  TEXT NOT NULL,
	reason      TEXT NOT NULL,
	peer        TEXT NOT NULL,
	message     BYTEA NOT NULL,                    -- as received: UTF-8 or Latin-1 bytes
	state       TEXT NOT NULL DEFAULT 'pending',
	resolved_at BIGINT,
	resolved_by TEXT,
	result      TEXT
);
CREATE INDEX hl7_quarantine_visit ON hl7_quarantine(state, facility, visit);

CREATE TABLE fhir_messages (
	bundle_id   TEXT NOT NULL,
	header_id   TEXT NOT NULL,
	username    TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	status      INTEGER NOT NULL,
	response    TEXT NOT NULL,
	PRIMARY KEY (bundle_id, header_id)
);
