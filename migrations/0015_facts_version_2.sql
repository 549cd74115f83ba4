-- 0015_facts_version_2.sql: the follow-up facts in version 2 (src/core/facts.h; issue 14: the samordnad
-- vårdplan's call and deadline, the municipality's first decision, children as relatives).
--
-- The setting 'followup.facts' names the facts version the whole table is in. A database without events
-- has every row it needs (none): it is current in version 2. One with events keeps the version its rows
-- were written in, so the first report derives every row again in version 2 (followup_load) and sets it.
UPDATE settings SET value = '2' WHERE key = 'followup.facts' AND NOT EXISTS (SELECT 1 FROM events);
