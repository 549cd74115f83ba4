-- 0015_facts_version_2.sql: the follow-up facts in version 2 (src/core/facts.h; issue 14: the samordnad
-- vårdplan's call and deadline, the municipality's first decision, children as relatives), as the SQLite
-- store's migration 0015. A database without events is current in version 2; one with events keeps the
-- version its rows were written in, so the first report derives every row again in version 2.
UPDATE settings SET value = '2' WHERE key = 'followup.facts' AND NOT EXISTS (SELECT 1 FROM events);
