-- 0014_subscriptions.sql: messages out (issue 16.4; docs/interop.md §4).
--
-- A subscription is a records system of one unit (the municipality's social
-- care record, the primary care record) that wants the notices addressed to
-- that unit: as FHIR messages over HTTP or as HL7 v2 ADT over MLLP. The
-- delivery thread of `hemgang serve` scans the events after the subscription's
-- cursor (the last event id scanned) for notices addressed to the unit, turns
-- each into a delivery row and moves the cursor, in one transaction; so a
-- restart resumes from the cursor, and the deliveries table is the outbox.

CREATE TABLE subscriptions (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	unit_id     TEXT NOT NULL REFERENCES units(id),
	protocol    TEXT NOT NULL CHECK (protocol IN ('fhir', 'hl7')),
	endpoint    TEXT NOT NULL,                     -- http(s) URL, or host:port for MLLP
	cursor      INTEGER NOT NULL,                  -- the last event id scanned
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY,
	subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
	event_id        INTEGER NOT NULL,
	episode_id      INTEGER NOT NULL,
	seq             INTEGER NOT NULL,
	type            TEXT NOT NULL,                 -- the notice's event type
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_attempt_at INTEGER,
	last_error      TEXT NOT NULL DEFAULT '',      -- why the latest attempt failed
	delivered_at    INTEGER,
	ack             TEXT NOT NULL DEFAULT '',      -- the unit's acknowledgement: acknowledged | already | refused reason
	created_at      INTEGER NOT NULL,
	UNIQUE (subscription_id, event_id)
) STRICT;
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
