-- bench/report.sql - the aggregation of `hemgang report --by municipality,month`
-- done by SQL alone, straight from the stored events, for bench/run to time
-- next to the core over the same database. Run with TZ=Europe/Stockholm so that
-- 'localtime' gives Swedish local dates. Parameters :from and :to are local
-- dates 'YYYY-MM-DD' (inclusive). Rows: municipality, month, episodes,
-- ready_episodes, ready_days, ready_discharged, same_day - the columns of the
-- same names in the report (docs/indicators.md): an episode counts in the
-- month of its discharge, under the patient's registered municipality; its
-- ready-days are the nights from the local date of each ready notice to that
-- of the withdrawal or discharge ending it.
--
-- An event is in force when it is not cancelled and no standing correction
-- replaces it (the canonical JSON writes "corrects_seq":0 for none, so a plain
-- string test skips most events before any JSON is parsed); tests/followup/
-- vantetider.sql reads the events the same way.
WITH
cancelled AS MATERIALIZED (
	SELECT episode_id, json_extract(body, '$.cancels_seq') AS seq FROM events WHERE type = 'cancelled'
),
corrections AS MATERIALIZED (
	SELECT x.episode_id, x.seq AS by_seq, json_extract(x.body, '$.corrects_seq') AS seq FROM events x
	WHERE instr(x.body, '"corrects_seq":0,') = 0 AND x.type <> 'cancelled'
),
standing AS MATERIALIZED (
	SELECT x.episode_id, x.seq FROM corrections x
	LEFT JOIN cancelled c ON c.episode_id = x.episode_id AND c.seq = x.by_seq WHERE c.episode_id IS NULL
),
eff AS MATERIALIZED (
	SELECT e.episode_id, e.seq, e.type, e.occurred_at,
		CASE WHEN e.type = 'admitted' THEN json_extract(e.body, '$.patient.registered_municipality') END AS municipality
	FROM events e
	LEFT JOIN cancelled c ON c.episode_id = e.episode_id AND c.seq = e.seq
	LEFT JOIN standing s ON s.episode_id = e.episode_id AND s.seq = e.seq
	WHERE e.type IN ('admitted', 'ready_for_discharge', 'ready_withdrawn', 'discharged')
	AND c.episode_id IS NULL AND s.episode_id IS NULL
),
discharged AS MATERIALIZED (
	SELECT episode_id, occurred_at, date(occurred_at, 'unixepoch', 'localtime') AS day FROM eff
	WHERE type = 'discharged' AND date(occurred_at, 'unixepoch', 'localtime') BETWEEN :from AND :to
),
steps AS MATERIALIZED (
	SELECT s.episode_id, s.type, s.occurred_at,
		lead(s.type) OVER w AS next_type, lead(s.occurred_at) OVER w AS next_at
	FROM discharged d CROSS JOIN eff s ON s.episode_id = d.episode_id
	WHERE s.type IN ('ready_for_discharge', 'ready_withdrawn', 'discharged')
	WINDOW w AS (PARTITION BY s.episode_id ORDER BY s.seq)
),
days AS MATERIALIZED (
	SELECT episode_id, count(*) AS notices,
		sum(CASE WHEN next_type IN ('ready_withdrawn', 'discharged') THEN
			julianday(date(next_at, 'unixepoch', 'localtime')) - julianday(date(occurred_at, 'unixepoch', 'localtime'))
			ELSE 0 END) AS days
	FROM steps WHERE type = 'ready_for_discharge'
	GROUP BY episode_id
),
ended AS (
	SELECT a.municipality, substr(d.day, 1, 7) AS month, coalesce(y.days, 0) AS days, y.notices IS NOT NULL AS had_ready
	FROM discharged d
	CROSS JOIN eff a ON a.episode_id = d.episode_id AND a.type = 'admitted'
	LEFT JOIN days y ON y.episode_id = d.episode_id
)
SELECT municipality, month, count(*) AS episodes, sum(days >= 1) AS ready_episodes,
	CAST(sum(days) AS INTEGER) AS ready_days, sum(had_ready) AS ready_discharged,
	sum(had_ready AND days = 0) AS same_day
FROM ended GROUP BY municipality, month ORDER BY municipality, month;
