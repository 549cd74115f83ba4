-- vantetider.sql - the national monthly figures (Väntetider i vården) computed
-- by SQL alone, straight from the stored events, independently of the core:
-- tests/followup/followup.sh compares `hemgang export vantetider` with it and
-- bench/indicators times it against `hemgang report`. Run with
-- TZ=Europe/Stockholm so that 'localtime' gives Swedish local dates.
-- Parameter :month is 'YYYY-MM', or '' for every month. Rows: month, level,
-- code, care, episodes, ready_days.
--
-- An event is in force when it is not cancelled and no correction that stands
-- replaces it (the canonical JSON writes "corrects_seq":0 for none, which
-- lets a plain string test skip most events before any JSON is parsed). An
-- episode counts in the month of its discharge; its ready-days are the days
-- between the local date of each ready notice and that of the withdrawal or
-- discharge that follows it; care is that of the last ward (admission or
-- transfer); geriatric care counts as somatic. Window functions keep it to a
-- few sorted passes over the events; CROSS JOIN fixes the join order so that
-- every lookup goes by episode.
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
		CASE WHEN e.type IN ('admitted', 'transferred') THEN json_extract(e.body, '$.care_type') END AS care,
		CASE WHEN e.type = 'admitted' THEN json_extract(e.body, '$.patient.registered_municipality') END AS municipality
	FROM events e
	LEFT JOIN cancelled c ON c.episode_id = e.episode_id AND c.seq = e.seq
	LEFT JOIN standing s ON s.episode_id = e.episode_id AND s.seq = e.seq
	WHERE e.type IN ('admitted', 'transferred', 'ready_for_discharge', 'ready_withdrawn', 'discharged')
	AND c.episode_id IS NULL AND s.episode_id IS NULL
),
last_care AS MATERIALIZED (
	SELECT episode_id, care FROM (
		SELECT episode_id, care, row_number() OVER (PARTITION BY episode_id ORDER BY occurred_at DESC, seq DESC) AS rn
		FROM eff WHERE care IS NOT NULL) WHERE rn = 1
),
steps AS MATERIALIZED (
	SELECT episode_id, type, occurred_at,
		lead(type) OVER w AS next_type, lead(occurred_at) OVER w AS next_at
	FROM eff WHERE type IN ('ready_for_discharge', 'ready_withdrawn', 'discharged')
	WINDOW w AS (PARTITION BY episode_id ORDER BY seq)
),
days AS MATERIALIZED (
	SELECT episode_id, sum(julianday(date(next_at, 'unixepoch', 'localtime'))
		- julianday(date(occurred_at, 'unixepoch', 'localtime'))) AS days
	FROM steps WHERE type = 'ready_for_discharge' AND next_type IN ('ready_withdrawn', 'discharged')
	GROUP BY episode_id
),
ended AS (
	SELECT a.municipality, strftime('%Y-%m', d.occurred_at, 'unixepoch', 'localtime') AS month,
		CASE l.care WHEN 'psychiatric' THEN 'psychiatric' ELSE 'somatic' END AS care,
		coalesce(y.days, 0) AS days
	FROM eff a
	CROSS JOIN eff d ON d.episode_id = a.episode_id AND d.type = 'discharged'
	CROSS JOIN last_care l ON l.episode_id = a.episode_id
	LEFT JOIN days y ON y.episode_id = a.episode_id
	WHERE a.type = 'admitted'
),
chosen AS (
	SELECT * FROM ended WHERE (:month = '' OR month = :month) AND days >= 1
)
SELECT month, 'county' AS level, substr(municipality, 1, 2) AS code, care, count(*) AS episodes,
	CAST(sum(days) AS INTEGER) AS ready_days
FROM chosen GROUP BY month, substr(municipality, 1, 2), care
UNION ALL
SELECT month, 'municipality', municipality, care, count(*), CAST(sum(days) AS INTEGER)
FROM chosen GROUP BY month, municipality, care
ORDER BY 1, 2, 3, 4;
