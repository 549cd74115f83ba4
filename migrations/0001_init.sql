-- 0001_init.sql: the first schema of hemgang's SQLite store.
--
-- events is the truth: rows are only ever inserted (a trigger refuses UPDATE and
-- DELETE). Everything named *projection* below is derived from events and can be
-- dropped and rebuilt (`hemgang rebuild`). Times are INTEGER seconds since the
-- epoch (UTC), dates INTEGER day numbers (days since 1970-01-01).

CREATE TABLE organisations (
	code        TEXT PRIMARY KEY,           -- region code or 4-digit SCB kommunkod
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('region', 'municipality')),
	county      TEXT NOT NULL               -- 2-digit län code
) STRICT;

CREATE TABLE units (
	id           TEXT PRIMARY KEY,          -- HSA-id
	org          TEXT NOT NULL REFERENCES organisations(code),
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL,             -- unit_kind code
	care_type    TEXT,                      -- wards only
	hospital     TEXT,                      -- wards only: hospital name
	municipality TEXT                       -- where the unit is located
) STRICT;
CREATE INDEX units_org ON units(org);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	org           TEXT NOT NULL REFERENCES organisations(code),
	role          TEXT NOT NULL,
	password_hash TEXT,                     -- argon2id (libsodium crypto_pwhash_str)
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE user_units (
	user_id INTEGER NOT NULL REFERENCES users(id),
	unit_id TEXT NOT NULL REFERENCES units(id),
	PRIMARY KEY (user_id, unit_id)
) STRICT;

CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,            -- BLAKE2b of the cookie token; the token itself is never stored
	user_id    INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
	token_hash BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE episodes (
	id          INTEGER PRIMARY KEY,
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
	id              INTEGER PRIMARY KEY,
	episode_id      INTEGER NOT NULL REFERENCES episodes(id),
	seq             INTEGER NOT NULL,
	type            TEXT NOT NULL,
	occurred_at     INTEGER NOT NULL,
	recorded_at     INTEGER NOT NULL,
	author_unit     TEXT NOT NULL,
	author_user     TEXT NOT NULL,
	idempotency_key TEXT,
	body            TEXT NOT NULL,          -- the event as canonical JSON
	UNIQUE (episode_id, seq)
) STRICT;
CREATE UNIQUE INDEX events_idempotency ON events(author_user, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;

-- Projection: the folded state of each episode, for lists and worklists.
CREATE TABLE episode_projection (
	episode_id         INTEGER PRIMARY KEY REFERENCES episodes(id),
	status             TEXT NOT NULL,
	pnr                TEXT NOT NULL,
	patient_name       TEXT NOT NULL,
	municipality       TEXT NOT NULL,
	primary_care_unit  TEXT NOT NULL,
	hospital           TEXT NOT NULL,
	ward               TEXT NOT NULL,
	care_type          TEXT NOT NULL,
	admitted_at        INTEGER NOT NULL,
	notice_at          INTEGER,
	expected_date      INTEGER,
	ready_at           INTEGER,
	discharged_at      INTEGER,
	track              TEXT,
	notice_due         INTEGER,
	notice_met         INTEGER,
	care_contact_due   INTEGER,
	care_contact_met   INTEGER,
	sip_due            INTEGER,
	sip_met            INTEGER,
	last_seq           INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX episode_projection_municipality ON episode_projection(municipality, status);
CREATE INDEX episode_projection_ward ON episode_projection(ward, status);
CREATE INDEX episode_projection_pnr ON episode_projection(pnr);
CREATE INDEX episode_projection_admitted ON episode_projection(admitted_at);

-- Projection: which units are party to an episode (author ward or recipient).
CREATE TABLE episode_parties (
	episode_id INTEGER NOT NULL REFERENCES episodes(id),
	unit_id    TEXT NOT NULL,
	role       TEXT NOT NULL,              -- 'ward' | 'recipient' | 'author'
	PRIMARY KEY (episode_id, unit_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX episode_parties_unit ON episode_parties(unit_id, episode_id);

-- Projection: notices waiting for acknowledgement by a recipient unit.
CREATE TABLE pending_acks (
	episode_id INTEGER NOT NULL REFERENCES episodes(id),
	seq        INTEGER NOT NULL,
	unit_id    TEXT NOT NULL,
	type       TEXT NOT NULL,
	sent_at    INTEGER NOT NULL,
	acked_at   INTEGER,
	PRIMARY KEY (episode_id, seq, unit_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pending_acks_unit ON pending_acks(unit_id, acked_at);

CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	username   TEXT NOT NULL,
	unit_id    TEXT,
	action     TEXT NOT NULL,              -- e.g. 'episode.read', 'event.append', 'search.pnr'
	episode_id INTEGER,
	reason     TEXT,
	client     TEXT                        -- client address or 'cli'
) STRICT;
CREATE INDEX audit_log_episode ON audit_log(episode_id);
CREATE INDEX audit_log_user ON audit_log(username, at);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are immutable'); END;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
