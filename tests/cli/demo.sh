# tests/cli/demo.sh - `hemgang demo`: the login lines on stdout, the refusal to
# overwrite, the region and episodes in the database (counted with sqlite3),
# that every stored event folds again and the bulk loader wrote exactly the
# projections that appends would have (rebuild gives the same rows), the
# national shape (--shape country: 21 regions, 290 municipalities, the same
# logins), no patient with two stays at once, the generator bugs found at
# scale, determinism per --seed and --now, --force, --reserve-numbers and the
# usage errors.
. "$(dirname "$0")/lib.sh"
T=$'\t'
D=$HEMGANG_TEST_TMP/demo
mkdir -p "$D"
DB=$D/demo.db
NOW=(--now 2026-06-01)

# sql DB QUERY: one value per line
sql() { sqlite3 -batch -noheader "$1" "$2"; }
# expect_sql LABEL WANT DB QUERY
expect_sql() {
	local got; got=$(sql "$3" "$4" 2>&1)
	if [ "$got" == "$2" ]; then ok; else bad "$1: got [$got] want [$2]"; fi
}
# expect_true LABEL CONDITION-COMMAND...
expect_true() { local label=$1; shift; if "$@"; then ok; else bad "$label"; fi; }
# projection_dump DB: every projection and follow-up facts row in a fixed order, without the bookkeeping
# column updated_at
projection_dump() {
	local cols
	cols=$(sql "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('episode_projection') WHERE name <> 'updated_at'")
	sql "$1" "SELECT $cols FROM episode_projection ORDER BY episode_id"
	sql "$1" "SELECT * FROM episode_parties ORDER BY episode_id, unit_id"
	sql "$1" "SELECT * FROM pending_acks ORDER BY episode_id, seq, unit_id"
	sql "$1" "SELECT episode_id, municipality, admitted_at, discharged_at, hex(facts) FROM episode_facts ORDER BY episode_id"
}
# expect_loaded_sound LABEL DB: the bulk loader left a whole database in the store's WAL mode, every
# foreign key resolved (it loads with foreign keys unchecked)
expect_loaded_sound() {
	expect_sql "$1: WAL mode again" "wal" "$2" "PRAGMA journal_mode"
	expect_sql "$1: integrity" "ok" "$2" "PRAGMA integrity_check"
	expect_sql "$1: every foreign key resolves" "" "$2" "PRAGMA foreign_key_check"
	expect_true "$1: no journal, WAL or loader file left" test ! -e "$2-journal" -a ! -e "$2-wal"
}
# expect_rebuild_same LABEL DB: `hemgang rebuild` folds every episode again and writes the very same
# projections and facts as the bulk loader
expect_rebuild_same() {
	projection_dump "$2" >"$D/proj.before"
	local n; n=$(sql "$2" "SELECT count(*) FROM episodes")
	expect_out "$1: rebuild folds every episode" "rebuilt $n episodes" "$HEMGANG" rebuild --db "$2"
	projection_dump "$2" >"$D/proj.after"
	expect_true "$1: projections identical after rebuild" cmp -s "$D/proj.before" "$D/proj.after"
	expect_true "$1: projections not empty" test "$(wc -l <"$D/proj.before")" -gt "$n"
}
# Two stays of one patient that overlap in time (none may: a readmission starts after the discharge).
OVERLAPS="SELECT count(*) FROM episode_projection a JOIN episode_projection b ON a.pnr = b.pnr AND a.episode_id < b.episode_id
	WHERE a.admitted_at < coalesce(b.discharged_at, 1e18) AND b.admitted_at < coalesce(a.discharged_at, 1e18)"

"$HEMGANG" demo --db "$DB" --episodes 150 "${NOW[@]}" >"$D/out" 2>"$D/err"
rc=$?
expect_true "demo 150: exit 0 (got $rc; $(cat "$D/err"))" test "$rc" -eq 0
expect_true "summary: one stderr line naming the episodes" \
	test "$(wc -l <"$D/err")" -eq 1 -a -n "$(grep -E '^hemgang demo: .*150 episodes' "$D/err")"
expect_true "summary: the CPU time of planning and of writing" \
	grep -qE 'CPU [0-9]+\.[0-9] s planning, [0-9]+\.[0-9] s writing' "$D/err"

# stdout: exactly the login lines, four tab-separated fields, the unit an id
expect_true "28 login lines (IFO, issue 14.7)" test "$(wc -l <"$D/out")" -eq 28
expect_true "every line has 4 non-empty fields" \
	test -z "$(awk -F'\t' 'NF != 4 || $1 == "" || $2 == "" || $3 == "" || $4 == ""' "$D/out")"
for role in ward_staff primary_care municipal_assessor municipal_nurse analyst invoice_officer admin integration; do
	expect_true "role $role has a login" grep -q "^[^$T]*$T$role$T" "$D/out"
done
expect_true "avd12 is ward staff at a Falun ward" grep -qx "avd12${T}ward_staff${T}R20${T}SE2321000180-E1012" "$D/out"
expect_true "bist-orsa is an assessor in Orsa" grep -qx "bist-orsa${T}municipal_assessor${T}2034${T}K2034-BIST" "$D/out"
expect_true "usernames are unique" test "$(cut -f1 "$D/out" | sort | uniq -d | wc -l)" -eq 0

# an existing file is refused: exit 2, one line, nothing on stdout, file untouched
expect_err "existing file" "^hemgang demo: '.*demo\.db' already exists \(use --force" \
	"$HEMGANG" demo --db "$DB" --episodes 5 "${NOW[@]}"
expect_rc "existing file: exit 2" 2 "$HEMGANG" demo --db "$DB" --episodes 5 "${NOW[@]}"
expect_out "existing file: no stdout" "" "$HEMGANG" demo --db "$DB" --episodes 5 "${NOW[@]}"

if ! command -v sqlite3 >/dev/null; then
	bad "sqlite3 is missing (scripts/install-deps installs it)"
	finish demo
	exit
fi
expect_sql "existing file untouched" "150" "$DB" "SELECT count(*) FROM episodes"

# the region
expect_sql "15 municipalities with their SCB codes" \
	"2021 2023 2026 2029 2031 2034 2039 2061 2062 2080 2081 2082 2083 2084 2085" "$DB" \
	"SELECT group_concat(code, ' ') FROM (SELECT code FROM organisations WHERE kind = 'municipality' AND county = '20' ORDER BY code)"
expect_sql "municipality names" "Malung-Sälens kommun|Älvdalens kommun|Falu kommun" "$DB" \
	"SELECT group_concat(name, '|') FROM (SELECT name FROM organisations WHERE code IN ('2080', '2023', '2039') ORDER BY code)"
expect_sql "one region" "R20|region|20" "$DB" "SELECT code || '|' || kind || '|' || county FROM organisations WHERE kind = 'region'"
expect_true ">= 12 wards" test "$(sql "$DB" "SELECT count(*) FROM units WHERE kind = 'ward'")" -ge 12
expect_sql "wards over 3 care types" "3" "$DB" "SELECT count(DISTINCT care_type) FROM units WHERE kind = 'ward'"
expect_true ">= 3 hospitals" test "$(sql "$DB" "SELECT count(DISTINCT hospital) FROM units WHERE kind = 'ward'")" -ge 3
expect_sql "30 primary care units of the region" "30|30" "$DB" \
	"SELECT count(*) || '|' || sum(org = 'R20') FROM units WHERE kind = 'primary_care'"
expect_sql "social services and home health care in every municipality" "15|15" "$DB" \
	"SELECT count(DISTINCT s.org) || '|' || count(DISTINCT h.org) FROM units s, units h WHERE s.kind = 'municipal_social' AND h.kind = 'municipal_health' AND s.org = s.municipality AND h.org = h.municipality"
expect_sql "every primary care unit in a municipality of the county" "0" "$DB" \
	"SELECT count(*) FROM units u WHERE kind = 'primary_care' AND municipality NOT IN (SELECT code FROM organisations WHERE kind = 'municipality')"

# users: one password hash (argon2id), every user has a unit
expect_sql "28 users" "28" "$DB" "SELECT count(*) FROM users"
expect_sql "one argon2id hash for all" "1|1" "$DB" \
	"SELECT count(DISTINCT password_hash) || '|' || min(password_hash LIKE '\$argon2id\$%') FROM users"
expect_sql "every user has a unit" "0" "$DB" \
	"SELECT count(*) FROM users WHERE id NOT IN (SELECT user_id FROM user_units)"
expect_sql "demo setting" "1" "$DB" "SELECT value FROM settings WHERE key = 'demo'"

# episodes: the count, every state, the flow's events, readmissions, protected identity
expect_sql "150 episodes" "150|150" "$DB" \
	"SELECT (SELECT count(*) FROM episodes) || '|' || (SELECT count(*) FROM episode_projection)"
for status in admitted ready discharged; do
	expect_true "status $status present" \
		test "$(sql "$DB" "SELECT count(*) FROM episode_projection WHERE status = '$status'")" -ge 1
done
for type in admitted admission_notice acknowledged expected_date_changed track_set ready_for_discharge \
	care_contact_appointed sip_called municipality_ready discharged deviation; do
	expect_true "some $type events" test "$(sql "$DB" "SELECT count(*) FROM events WHERE type = '$type'")" -ge 1
done
expect_sql "all three tracks" "green red yellow" "$DB" \
	"SELECT group_concat(track, ' ') FROM (SELECT DISTINCT track FROM episode_projection WHERE track IS NOT NULL ORDER BY track)"
expect_true "some patient has several episodes" \
	test "$(sql "$DB" "SELECT count(*) FROM (SELECT pnr FROM episode_projection GROUP BY pnr HAVING count(*) > 1)")" -ge 1
expect_sql "every patient registered in a county municipality" "0" "$DB" \
	"SELECT count(*) FROM episode_projection WHERE municipality NOT IN (SELECT code FROM organisations WHERE kind = 'municipality')"
expect_sql "protected identity never carries an address" "0" "$DB" \
	"SELECT count(*) FROM events WHERE type = 'admitted' AND json_extract(body, '\$.patient.protected_identity') AND json_extract(body, '\$.patient.address') <> ''"
expect_sql "nothing recorded after --now" "0" "$DB" \
	"SELECT count(*) FROM events WHERE recorded_at > CAST(strftime('%s', '2026-05-31 22:00:00') AS INTEGER)"
expect_sql "history of about 18 months" "1" "$DB" \
	"SELECT min(admitted_at) >= CAST(strftime('%s', '2024-11-29 22:00:00') AS INTEGER) AND min(admitted_at) < CAST(strftime('%s', '2025-03-01') AS INTEGER) FROM episode_projection"
sql "$DB" "SELECT DISTINCT pnr FROM episode_projection" >"$D/pnr"
expect_true "every personnummer is valid" xargs "$HEMGANG" pnr --no-reserve --at 2026-06-01 <"$D/pnr" >/dev/null

expect_sql "no patient has two stays at once" "0" "$DB" "$OVERLAPS"
expect_sql "survey answers of discharged episodes" "1" "$DB" \
	"SELECT count(*) > 10 AND min(e.status = 'discharged') FROM survey_answers s JOIN episode_projection e USING (episode_id)"

# every stored event folds again, to the very rows the bulk loader wrote
expect_loaded_sound "region" "$DB"
expect_rebuild_same "region" "$DB"

# The generator bugs found at scale (each seed broke at its episode before the fix): a notice sent to the
# wrong municipality, cancelled and sent again past midnight carried an expected date in the past
# ("expected_date_in_past", seed 17 at episode 721; `--episodes 20000` at ~8 800), and one sent again after
# the ready notice left that notice without recipients ("cancel_breaks_later", seed 73 at episode 269).
expect_rc "seed 17: the notice sent again keeps a valid expected date" 0 \
	"$HEMGANG" demo --db "$D/seed17.db" --episodes 750 --seed 17 "${NOW[@]}"
expect_rc "seed 73: the notice sent again comes before the ready notice" 0 \
	"$HEMGANG" demo --db "$D/seed73.db" --episodes 300 --seed 73 "${NOW[@]}"

# determinism: the same seed and now give the same events; another seed does not
"$HEMGANG" demo --db "$D/same.db" --episodes 150 "${NOW[@]}" >/dev/null 2>&1
"$HEMGANG" demo --db "$D/other.db" --episodes 150 --seed 2 "${NOW[@]}" >/dev/null 2>&1
sql "$DB" "SELECT body FROM events ORDER BY id" >"$D/a"
sql "$D/same.db" "SELECT body FROM events ORDER BY id" >"$D/b"
sql "$D/other.db" "SELECT body FROM events ORDER BY id" >"$D/c"
expect_true "same --seed and --now: same event bodies" test -s "$D/a" -a -s "$D/b"
expect_true "same --seed and --now: identical" cmp -s "$D/a" "$D/b"
expect_true "another --seed: other events" test -s "$D/c" -a "$(cmp -s "$D/a" "$D/c"; echo $?)" -eq 1

# --force replaces the file; --reserve-numbers uses reserve numbers only
expect_rc "--force: exit 0" 0 "$HEMGANG" demo --db "$D/same.db" --episodes 20 --force "${NOW[@]}"
expect_sql "--force: the new database" "20" "$D/same.db" "SELECT count(*) FROM episodes"
expect_rc "--reserve-numbers: exit 0" 0 "$HEMGANG" demo --db "$D/reserve.db" --episodes 20 --reserve-numbers "${NOW[@]}"
expect_sql "--reserve-numbers: no personnummer" "0" "$D/reserve.db" \
	"SELECT count(*) FROM episode_projection WHERE pnr NOT GLOB '[12][0-9][0-9][0-9][01][0-9][0-3][0-9]-R[0-9][0-9][0-9]'"

# The country: Sweden's regions and municipalities, many hospitals, wards and primary care units, the very
# same logins, episodes in every region, and the same guarantees as the region.
C=$D/country.db
"$HEMGANG" demo --db "$C" --shape country --episodes 2000 "${NOW[@]}" >"$D/cout" 2>"$D/cerr"
rc=$?
expect_true "country: exit 0 (got $rc; $(cat "$D/cerr"))" test "$rc" -eq 0
expect_true "country: the same login lines as the region" cmp -s "$D/out" "$D/cout"
expect_true "country: the summary names the country" grep -q "2000 episodes.*a country of 21 regions, 290 municipalities" "$D/cerr"
expect_sql "country: 21 regions, each its county" "21|21" "$C" \
	"SELECT count(*) || '|' || count(DISTINCT county) FROM organisations WHERE kind = 'region' AND code = 'R' || county"
expect_sql "country: 290 municipalities in their counties" "290|0" "$C" \
	"SELECT count(*) || '|' || sum(county <> substr(code, 1, 2)) FROM organisations WHERE kind = 'municipality'"
expect_sql "country: Dalarna as in the region demo" "R20|Region Dalarna (demo)|Falu kommun|Malung-Sälens kommun" "$C" \
	"SELECT (SELECT code || '|' || name FROM organisations WHERE code = 'R20') || '|' || (SELECT name FROM organisations WHERE code = '2080') || '|' || (SELECT name FROM organisations WHERE code = '2023')"
expect_true "country: >= 70 hospitals" test "$(sql "$C" "SELECT count(DISTINCT hospital) FROM units WHERE kind = 'ward'")" -ge 70
expect_true "country: >= 300 wards" test "$(sql "$C" "SELECT count(*) FROM units WHERE kind = 'ward'")" -ge 300
expect_true "country: >= 800 primary care units" test "$(sql "$C" "SELECT count(*) FROM units WHERE kind = 'primary_care'")" -ge 800
expect_sql "country: every unit of a region or municipality that exists" "0" "$C" \
	"SELECT count(*) FROM units WHERE org NOT IN (SELECT code FROM organisations)"
expect_sql "country: social services and home health care in every municipality" "580" "$C" \
	"SELECT count(*) FROM units WHERE kind IN ('municipal_social', 'municipal_health')"
expect_sql "country: 2000 episodes, each projected" "2000|2000" "$C" \
	"SELECT (SELECT count(*) FROM episodes) || '|' || (SELECT count(*) FROM episode_projection)"
expect_true "country: patients in >= 18 regions" test "$(sql "$C" \
	"SELECT count(DISTINCT substr(municipality, 1, 2)) FROM episode_projection")" -ge 18
expect_true "country: wards of >= 18 regions" test "$(sql "$C" \
	"SELECT count(DISTINCT u.org) FROM episode_projection e JOIN units u ON u.id = e.ward")" -ge 18
expect_sql "country: every author and party is a unit of the directory" "0|0" "$C" \
	"SELECT (SELECT count(*) FROM events WHERE author_unit NOT IN (SELECT id FROM units)) || '|' || (SELECT count(*) FROM episode_parties WHERE unit_id NOT IN (SELECT id FROM units))"
for status in admitted ready discharged; do
	expect_true "country: status $status present" \
		test "$(sql "$C" "SELECT count(*) FROM episode_projection WHERE status = '$status'")" -ge 1
done
for type in admitted transferred admission_notice cancelled acknowledged expected_date_changed track_set \
	ready_for_discharge ready_withdrawn care_contact_appointed sip_called sip_held municipality_ready discharged deviation; do
	expect_true "country: some $type events" test "$(sql "$C" "SELECT count(*) FROM events WHERE type = '$type'")" -ge 1
done
expect_sql "country: three care types, three tracks" "3|3" "$C" \
	"SELECT count(DISTINCT care_type) || '|' || count(DISTINCT track) FROM episode_projection"
expect_true "country: readmissions" test "$(sql "$C" "SELECT count(*) FROM (SELECT pnr FROM episode_projection GROUP BY pnr HAVING count(*) > 1)")" -ge 20
expect_true "country: late admission notices" test "$(sql "$C" "SELECT count(*) FROM episode_projection WHERE notice_at > notice_due")" -ge 5
expect_sql "country: no patient has two stays at once" "0" "$C" "$OVERLAPS"
expect_sql "country: the same indexes as the region (the bulk loader put them back)" \
	"$(sql "$DB" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name)")" "$C" \
	"SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name)"
expect_sql "country: events numbered 1..N without gaps, seq 1..n per episode" "1|1" "$C" \
	"SELECT (SELECT min(id) = 1 AND max(id) = count(*) FROM events) || '|' || (SELECT min(ok) FROM (SELECT max(seq) = count(*) AS ok FROM events GROUP BY episode_id))"
expect_loaded_sound "country" "$C"
expect_rebuild_same "country" "$C"
"$HEMGANG" demo --db "$D/country2.db" --shape country --episodes 2000 "${NOW[@]}" >/dev/null 2>&1
sql "$C" "SELECT body FROM events ORDER BY id" >"$D/ca"
sql "$D/country2.db" "SELECT body FROM events ORDER BY id" >"$D/cb"
expect_true "country: same --seed and --now, identical events" cmp -s "$D/ca" "$D/cb"
# usage errors: one stderr line, exit 2, no database left behind
B=$D/bad.db
expect_err "--episodes 0" "^hemgang demo: bad --episodes '0'" "$HEMGANG" demo --db "$B" --episodes 0
expect_err "--episodes too many" "^hemgang demo: bad --episodes '2000001'" "$HEMGANG" demo --db "$B" --episodes 2000001
expect_err "--shape unknown" "^hemgang demo: bad --shape 'world'" "$HEMGANG" demo --db "$B" --shape world
expect_err "--episodes text" "^hemgang demo: bad --episodes '12x'" "$HEMGANG" demo --db "$B" --episodes 12x
expect_err "--seed text" "^hemgang demo: bad --seed '-1'" "$HEMGANG" demo --db "$B" --seed -1
expect_err "--now impossible" "^hemgang demo: bad --now '2026-13-01'" "$HEMGANG" demo --db "$B" --now 2026-13-01
expect_err "--now too early" "^hemgang demo: bad --now '2001-06-01'" "$HEMGANG" demo --db "$B" --now 2001-06-01
expect_err "--now without value" "^hemgang demo: option '--now' needs a value" "$HEMGANG" demo --db "$B" --now
expect_err "unknown option" "^hemgang demo: unknown option '--bogus'" "$HEMGANG" demo --db "$B" --bogus
expect_err "extra argument" "^hemgang demo: unexpected argument 'extra'" "$HEMGANG" demo --db "$B" extra
expect_rc "usage error: exit 2" 2 "$HEMGANG" demo --db "$B" --episodes 0
expect_true "usage errors leave no file" test ! -e "$B"

finish demo
