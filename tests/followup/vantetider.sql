-- vantetider.sql - the national monthly figures (Väntetider i vården) computed
-- by SQL alone, straight from the stored events, independently of the core:
-- the test compares `hemgang export vantetider` with it, and bench/indicators
-- times it against `hemgang report`. Run with TZ=Europe/Stockholm so that
-- 'localtime' gives Swedish local dates. Parameter :month is 'YYYY-MM'
-- ('' = every month). Rows: month, level, code, care, episodes, ready_days.
--
-- In force: an event neither cancelled nor replaced by a correction that
-- stands. An episode counts in the month of its discharge; its ready-days are
-- the local dates between each ready notice and the next withdrawal or
-- discharge; care is that of the last ward; geriatric care counts as somatic.
WITH
cancelled AS (
	SELECT episode_id, json_extract(body, '$.cancels_seq') AS seq FROM events WHERE type = 'cancelled'
),
eff AS (
	SELECT e.episode_id, e.seq, e.type, e.occurred_at, e.body FROM events e
	WHERE e.type IN ('admitted', 'transferred', 'ready_for_discharge', 'ready_withdrawn', 'discharged')
	AND NOT EXISTS (SELECT 1 FROM cancelled c WHERE c.episode_id = e.episode_id AND c.seq = e.seq)
	AND NOT EXISTS (SELECT 1 FROM events x WHERE x.episode_id = e.episode_id
		AND json_extract(x.body, '$.corrects_seq') = e.seq
		AND NOT EXISTS (SELECT 1 FROM cancelled c2 WHERE c2.episode_id = x.episode_id AND c2.seq = x.seq))
),
episode AS (
	SELECT a.episode_id,
		json_extract(a.body, '$.patient.registered_municipality') AS municipality,
		(SELECT json_extract(w.body, '$.care_type') FROM eff w
			WHERE w.episode_id = a.episode_id AND w.type IN ('admitted', 'transferred')
			ORDER BY w.occurred_at DESC, w.seq DESC LIMIT 1) AS care,
		strftime('%Y-%m', d.occurred_at, 'unixepoch', 'localtime') AS month
	FROM eff a JOIN eff d ON d.episode_id = a.episode_id AND d.type = 'discharged'
	WHERE a.type = 'admitted'
),
period AS (
	SELECT r.episode_id,
		julianday(date((SELECT n.occurred_at FROM eff n WHERE n.episode_id = r.episode_id
				AND n.type IN ('ready_withdrawn', 'discharged') AND n.seq > r.seq ORDER BY n.seq LIMIT 1),
			'unixepoch', 'localtime'))
		- julianday(date(r.occurred_at, 'unixepoch', 'localtime')) AS days
	FROM eff r WHERE r.type = 'ready_for_discharge'
),
ended AS (
	SELECT e.municipality, e.month,
		CASE e.care WHEN 'psychiatric' THEN 'psychiatric' ELSE 'somatic' END AS care,
		(SELECT coalesce(sum(p.days), 0) FROM period p WHERE p.episode_id = e.episode_id) AS days
	FROM episode e WHERE :month = '' OR e.month = :month
)
SELECT month, 'county' AS level, substr(municipality, 1, 2) AS code, care, count(*) AS episodes,
	CAST(sum(days) AS INTEGER) AS ready_days
FROM ended WHERE days >= 1 GROUP BY month, substr(municipality, 1, 2), care
UNION ALL
SELECT month, 'municipality', municipality, care, count(*), CAST(sum(days) AS INTEGER)
FROM ended WHERE days >= 1 GROUP BY month, municipality, care
ORDER BY 1, 2, 3, 4;
