-- pg/0005_episode_facts.sql: the follow-up facts of every episode (src/core/facts.h), as
-- SQLite's 0007: one row per admitted, not cancelled episode, rewritten in the transaction of
-- every append and by `hemgang rebuild`, so reports read rows instead of folding events.
-- The setting 'followup.facts' names the facts version the whole table is in; a database
-- that already has events gets its rows from the first report (or `hemgang rebuild`).
CREATE TABLE episode_facts (
	episode_id    BIGINT PRIMARY KEY REFERENCES episodes(id),
	municipality  TEXT NOT NULL,
	admitted_at   BIGINT NOT NULL,
	discharged_at BIGINT,
	facts         BYTEA NOT NULL
);
CREATE INDEX episode_facts_period ON episode_facts(admitted_at, discharged_at);
INSERT INTO settings(key, value) SELECT 'followup.facts', '1' WHERE NOT EXISTS (SELECT 1 FROM events)
ON CONFLICT(key) DO NOTHING;
