-- pg/0004_subscriptions.sql: messages out (issue 16.4), as SQLite's 0014. A subscription's
-- cursor is the last event id scanned; the deliveries table is the outbox. Several servers
-- share it: a delivery is claimed by moving its next attempt (compare-and-set).
CREATE TABLE subscriptions (
	id          BIGSERIAL PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	unit_id     TEXT NOT NULL REFERENCES units(id),
	protocol    TEXT NOT NULL CHECK (protocol IN ('fhir', 'hl7')),
	endpoint    TEXT NOT NULL,
	cursor      BIGINT NOT NULL,
	created_at  BIGINT NOT NULL
);

CREATE TABLE deliveries (
	id              BIGSERIAL PRIMARY KEY,
	subscription_id BIGINT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
	event_id        BIGINT NOT NULL,
	episode_id      BIGINT NOT NULL,
	seq             INTEGER NOT NULL,
	type            TEXT NOT NULL,
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	last_attempt_at BIGINT,
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    BIGINT,
	ack             TEXT NOT NULL DEFAULT '',
	created_at      BIGINT NOT NULL,
	UNIQUE (subscription_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
