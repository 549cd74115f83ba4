-- 0003_followup.sql: follow-up (uppföljning). Saved point measurements
-- (punktmätningar) with their counts and patients, the patient survey's
-- single-use links and its answers, and the small-cell threshold.
--
-- A saved point measurement never changes (triggers refuse it): it is compared
-- with later ones. A survey link is stored only as the BLAKE2b hash of its
-- token (like sessions), expires, and is used once (used_at). There is at most
-- one survey answer per episode; answers are read as aggregates only.

CREATE TABLE point_measurements (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,            -- the instant measured
	taken_at   INTEGER NOT NULL,
	taken_by   TEXT NOT NULL,               -- username or 'cli'
	scope      TEXT NOT NULL,               -- '' = every municipality, else a 4-digit code
	label      TEXT NOT NULL,
	patients   INTEGER NOT NULL,
	ready_days INTEGER NOT NULL
) STRICT;
CREATE INDEX point_measurements_at ON point_measurements(scope, at);

CREATE TABLE point_measurement_counts (
	measurement_id INTEGER NOT NULL REFERENCES point_measurements(id),
	kind           TEXT NOT NULL CHECK (kind IN ('municipality', 'ward')),
	key            TEXT NOT NULL,
	patients       INTEGER NOT NULL,
	ready_days     INTEGER NOT NULL,
	PRIMARY KEY (measurement_id, kind, key)
) STRICT, WITHOUT ROWID;

-- The patients of a measurement, without name or personnummer.
CREATE TABLE point_measurement_patients (
	measurement_id INTEGER NOT NULL REFERENCES point_measurements(id),
	episode_id     INTEGER NOT NULL REFERENCES episodes(id),
	municipality   TEXT NOT NULL,
	hospital       TEXT NOT NULL,
	ward           TEXT NOT NULL,
	care_type      TEXT NOT NULL,
	ready_since    INTEGER NOT NULL,
	ready_days     INTEGER NOT NULL,
	next_step      TEXT NOT NULL,
	step_at        INTEGER,
	expected_date  INTEGER,
	PRIMARY KEY (measurement_id, episode_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER point_measurements_no_update BEFORE UPDATE ON point_measurements
BEGIN SELECT RAISE(ABORT, 'saved point measurements are immutable'); END;
CREATE TRIGGER point_measurements_no_delete BEFORE DELETE ON point_measurements
BEGIN SELECT RAISE(ABORT, 'saved point measurements are immutable'); END;
CREATE TRIGGER point_measurement_counts_no_update BEFORE UPDATE ON point_measurement_counts
BEGIN SELECT RAISE(ABORT, 'saved point measurements are immutable'); END;
CREATE TRIGGER point_measurement_patients_no_update BEFORE UPDATE ON point_measurement_patients
BEGIN SELECT RAISE(ABORT, 'saved point measurements are immutable'); END;

CREATE TABLE survey_invitations (
	token_hash BLOB PRIMARY KEY,            -- BLAKE2b of the link's token; the token itself is never stored
	episode_id INTEGER NOT NULL REFERENCES episodes(id),
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER                      -- set once, when the answer arrives
) STRICT;
CREATE INDEX survey_invitations_episode ON survey_invitations(episode_id);

CREATE TABLE survey_answers (
	id                INTEGER PRIMARY KEY,
	episode_id        INTEGER NOT NULL UNIQUE REFERENCES episodes(id),
	answered_at       INTEGER NOT NULL,
	channel           TEXT NOT NULL CHECK (channel IN ('phone', 'link')),
	respondent        TEXT NOT NULL CHECK (respondent IN ('patient', 'next_of_kin')),
	felt_safe         INTEGER CHECK (felt_safe IN (0, 1)),          -- 1 yes, 0 no, NULL not answered
	took_part         INTEGER CHECK (took_part IN (0, 1)),
	knew_care_contact INTEGER CHECK (knew_care_contact IN (0, 1)),
	sip_where_wanted  INTEGER CHECK (sip_where_wanted IN (0, 1)),
	comment           TEXT NOT NULL,
	recorded_by       TEXT NOT NULL          -- username, or 'link'
) STRICT;

-- Figures below this many episodes are suppressed in output that leaves the organisation.
INSERT INTO settings(key, value) VALUES ('followup.min_cell', '5') ON CONFLICT(key) DO NOTHING;
