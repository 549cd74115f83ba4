-- 0007_episode_facts.sql: the follow-up facts of every episode (src/core/facts.h).
--
-- One row per episode that was admitted and not cancelled, rewritten in the
-- transaction of every append and by `hemgang rebuild`: what the indicators,
-- the point measurement and the forecast need, so that `hemgang report` and
-- /api/v1/indicators read rows instead of folding every event. The columns
-- beside the row's stored form (facts_encode) are what a report filters on:
-- episodes in hospital at some time in a period, of a municipality.
-- Nothing here depends on "now" or on the agreements (facts.h says why).
-- The setting 'followup.facts' names the facts version the whole table is
-- in; until it is set (a database from before this migration) the first
-- report derives every row from the events and sets it.
CREATE TABLE episode_facts (
	episode_id    INTEGER PRIMARY KEY REFERENCES episodes(id),
	municipality  TEXT NOT NULL,    -- registered municipality (folkbokföringskommun)
	admitted_at   INTEGER NOT NULL,
	discharged_at INTEGER,          -- NULL while in hospital
	facts         BLOB NOT NULL     -- facts_encode(): a version byte, then varints
) STRICT;
-- A database without events has every row it needs (none): current in facts version 1.
INSERT INTO settings(key, value) SELECT 'followup.facts', '1' WHERE NOT EXISTS (SELECT 1 FROM events)
ON CONFLICT(key) DO NOTHING;
