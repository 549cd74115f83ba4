# tests/followup/facts.sh - `hemgang report` reads the follow-up facts
# (table episode_facts, written by every append) and gives exactly what a full
# refold of every event gives (`hemgang report --refold`): every measure of
# every subject, several groupings, at "as of" instants now and in the past
# (deadlines and stays in progress are judged at the report's instant), before
# and after agreements are imported (liable nights follow the agreements in
# force, not those of the day a row was written), after `hemgang rebuild`, and
# when the table is not current (a database from before it) the first report
# derives it. And it proves that the report reads the rows: with the rows gone
# (the table still marked current) the report is empty while the refold is not.
source "$(dirname "$0")/../cli/lib.sh"
here=$(dirname "$0")
tmp=${HEMGANG_TEST_TMP:-/tmp}/facts.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
db=$tmp/f.db
H() { "$HEMGANG" "$@"; }
sql() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print('\n'.join('|'.join(map(str, x)) for x in r))" "$db" "$1"; }
H demo --db "$db" --episodes 600 --now 2025-03-31 >/dev/null 2>&1 || bad "demo database"

# Every row of the demo came from an append (the demo appends through the store): one per episode that is not cancelled.
rows=$(sql "SELECT count(*) FROM episode_facts")
live=$(sql "SELECT count(*) FROM episode_projection WHERE status <> 'cancelled'")
[ "$rows" -gt 500 ] && [ "$rows" -eq "$live" ] && ok || bad "a facts row per episode: $rows rows, $live episodes"
[ "$(sql "SELECT value FROM settings WHERE key = 'followup.facts'")" = 2 ] && ok || bad "the table is marked current"

# compare LABEL ASOF [KEY]: report and report --refold agree for every subject and grouping, every measure. The
# refold reads the events and agreements alone, so the states that share them (the same KEY: after the import,
# rebuilt, derived on first use) share one refold per grouping, made by the first of them.
compare() {
	local label=$1 asof=$2 key=${3:-} n=0 same=0 refold
	local groupings=("episodes municipality,month" "episodes ward,week" "episodes care_group,age_band,track"
		"episodes county,year" "episodes hospital,care" "deviations category,party"
		"deviations month" "acknowledgements recipient_kind,notice,month" "acknowledgements recipient")
	for g in "${groupings[@]}"; do
		set -- $g
		local args=(--db "$db" --subject "$1" --by "$2" --from 2023-10-01 --to 2025-03-31 --measures all
			--format csv --min-cell 1 --asof "$asof")
		H report "${args[@]}" >"$tmp/facts.csv" 2>"$tmp/err" || bad "$label: report $g: $(cat "$tmp/err")"
		refold=$tmp/refold.csv
		[ -n "$key" ] && refold="$tmp/refold.$key.$n.csv"
		if [ -z "$key" ] || [ ! -f "$refold" ]; then
			H report "${args[@]}" --refold >"$refold" 2>"$tmp/err" || bad "$label: refold $g: $(cat "$tmp/err")"
		fi
		n=$((n + 1))
		if [ "$(wc -l <"$tmp/facts.csv")" -gt 2 ] && cmp -s "$tmp/facts.csv" "$refold"; then
			same=$((same + 1))
		else
			bad "$label: $g differs: $(diff "$tmp/facts.csv" "$refold" | head -4)"
		fi
	done
	[ "$same" -eq "$n" ] && ok
}
compare "appended" "2025-03-31 00:00"
compare "appended, as of the past" "2024-11-15 12:00"

# Agreements imported after the rows were written: the liable nights change, and still agree with the refold.
cat >"$tmp/agr.json" <<'JSON'
{"format": "hemgang-agreement/1", "id": "dalarna-facts-test", "name": "Test: 1 calendar day", "version": 1,
 "region": "20", "municipalities": ["2080", "2081", "2062", "2084"], "valid_from": "2023-01-01", "valid_to": null,
 "model": "per_night", "grace_days": {"somatic": 1, "geriatric": 1, "psychiatric": 2}, "count": "calendar",
 "eves": false, "withdrawal": "new_grace",
 "conditions": {"admission_notice": true, "ready_notice": true, "sip_called": false},
 "rates": [{"year": 2023, "care": "somatic", "amount_ore": 100001}, {"year": 2023, "care": "geriatric", "amount_ore": 100002},
           {"year": 2023, "care": "psychiatric", "amount_ore": 100003}],
 "sources": ["Made up for tests/followup/facts.sh."], "note": "Not a real agreement."}
JSON
liable() { H report --db "$db" --from 2023-10-01 --to 2025-03-31 --by municipality --measures liable_nights,liable_amount_ore \
	--format csv --min-cell 1 --asof "2025-03-31 00:00" | tr -d '\r' | grep '^total,'; }
before=$(liable)
H agreement import "$tmp/agr.json" --db "$db" >/dev/null && ok || bad "import an agreement"
after=$(liable)
[ -n "$before" ] && [ "$before" != "$after" ] && ok || bad "the import changes the liable nights: [$before] [$after]"
compare "after the import" "2025-03-31 00:00" imported

# The report reads the rows: gone (and the table still marked current), the report has no episode; the refold has.
cp "$db" "$tmp/keep.db"
sql "DELETE FROM episode_facts" >/dev/null
n_facts=$(H report --db "$db" --from 2023-10-01 --to 2025-03-31 --by year --measures episodes --format csv --min-cell 1 |
	tr -d '\r' | awk -F, '$1 == "total" { print $2 }')
n_refold=$(H report --db "$db" --from 2023-10-01 --to 2025-03-31 --by year --measures episodes --format csv --min-cell 1 \
	--refold | tr -d '\r' | awk -F, '$1 == "total" { print $2 }')
[ "$n_facts" = 0 ] && [ "${n_refold:-0}" -gt 300 ] && ok || bad "the report reads the facts: $n_facts vs $n_refold"

# A rebuild writes every row again.
H rebuild --db "$db" >/dev/null && ok || bad "rebuild"
[ "$(sql "SELECT count(*) FROM episode_facts")" -eq "$rows" ] && ok || bad "rebuild wrote every row"
compare "rebuilt" "2025-03-31 00:00" imported

# A table that is not current (as after the migration of an older database): the first report derives it.
cp "$tmp/keep.db" "$db"
sql "DELETE FROM episode_facts WHERE episode_id % 3 = 0" >/dev/null
sql "DELETE FROM settings WHERE key = 'followup.facts'" >/dev/null
compare "derived on first use" "2025-03-31 00:00" imported
[ "$(sql "SELECT count(*) FROM episode_facts")" -eq "$rows" ] && [ "$(sql "SELECT value FROM settings WHERE key = 'followup.facts'")" = 2 ] &&
	ok || bad "the first report wrote every row and marked the table current"

# Rows of another version are refused rather than misread: marked current, a foreign byte fails the report.
sql "UPDATE episode_facts SET facts = X'09' WHERE episode_id = (SELECT min(episode_id) FROM episode_facts)" >/dev/null
expect_rc "a row of another version" 3 H report --db "$db" --from 2023-10-01 --to 2025-03-31 --format csv
finish facts
