-- 0004_interop.sql: HL7 v2 (MLLP) and FHIR messaging (docs/interop.md).
--
-- Configuration (which hospital systems may send, what their ward codes mean),
-- the answers given to messages (so a redelivered message gets the original
-- answer and changes nothing), and the quarantine of messages hemgang could
-- not place yet. None of these tables is a projection of the events: they are
-- not rebuilt. Times are INTEGER seconds since the epoch (UTC).

-- Sending facilities (MSH-4): the records systems of a region, and the source
-- addresses each may connect from.
CREATE TABLE hl7_facilities (
	facility   TEXT PRIMARY KEY,                        -- MSH-4.1 (or 4.2), e.g. 'FALU'
	org        TEXT NOT NULL REFERENCES organisations(code), -- the region whose wards it feeds
	name       TEXT NOT NULL,
	addresses  TEXT NOT NULL DEFAULT '',                -- allowed source addresses, space separated
	a16_ready  INTEGER NOT NULL DEFAULT 0,              -- A16/A25 carry the doctor's ready judgement
	created_at INTEGER NOT NULL
) STRICT;

-- A facility's ward codes (PV1-3.1) and the hemgang units they are.
CREATE TABLE hl7_wards (
	facility TEXT NOT NULL,
	code     TEXT NOT NULL,
	unit_id  TEXT NOT NULL REFERENCES units(id),
	PRIMARY KEY (facility, code)
) STRICT, WITHOUT ROWID;

-- Visit numbers (PV1-19) of a facility and the episode each one opened.
CREATE TABLE hl7_visits (
	facility   TEXT NOT NULL,
	visit      TEXT NOT NULL,
	episode_id INTEGER NOT NULL REFERENCES episodes(id),
	PRIMARY KEY (facility, visit)
) STRICT, WITHOUT ROWID;

-- The MSH-10 log: every message that was accepted (AA), and the ACK it got.
CREATE TABLE hl7_messages (
	facility    TEXT NOT NULL,
	control_id  TEXT NOT NULL,                          -- MSH-10
	received_at INTEGER NOT NULL,
	trigger     TEXT NOT NULL,
	outcome     TEXT NOT NULL,                          -- accepted | ignored | quarantined
	episode_id  INTEGER,
	ack         TEXT NOT NULL,
	PRIMARY KEY (facility, control_id)
) STRICT, WITHOUT ROWID;

-- Messages accepted but not yet placed: unknown facility or ward, or a later
-- message of a visit whose earlier message waits here. Never dropped: an
-- administrator maps the facility or ward and replays them.
CREATE TABLE hl7_quarantine (
	id          INTEGER PRIMARY KEY,
	received_at INTEGER NOT NULL,
	facility    TEXT NOT NULL,
	control_id  TEXT NOT NULL,
	trigger     TEXT NOT NULL,
	visit       TEXT NOT NULL,
	ward_code   TEXT NOT NULL,
	pnr_masked  TEXT NOT NULL,                          -- e.g. '19121212-****'
	reason      TEXT NOT NULL,                          -- unknown_facility | unknown_ward | earlier_message_quarantined
	peer        TEXT NOT NULL,                          -- source address
	message     TEXT NOT NULL,                          -- the message as received (UTF-8 or Latin-1 bytes)
	state       TEXT NOT NULL DEFAULT 'pending',        -- pending | replayed | failed
	resolved_at INTEGER,
	resolved_by TEXT,
	result      TEXT                                    -- 'accepted' or the reason code of the replay's error
) STRICT;
CREATE INDEX hl7_quarantine_visit ON hl7_quarantine(state, facility, visit);

-- FHIR reliable messaging: the response given to each message (Bundle.id, MessageHeader.id).
CREATE TABLE fhir_messages (
	bundle_id   TEXT NOT NULL,
	header_id   TEXT NOT NULL,
	username    TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	status      INTEGER NOT NULL,                       -- HTTP status of the answer
	response    TEXT NOT NULL,                          -- the response Bundle (JSON)
	PRIMARY KEY (bundle_id, header_id)
) STRICT, WITHOUT ROWID;
