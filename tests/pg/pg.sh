# tests/pg/pg.sh - the store test, the API tests, the kill -9 test, the two-server test, the outage test and the
# feature tests (HL7, FHIR, messages out, follow-up, invoices, the CLI, copy) against a real
# PostgreSQL 15 (issue 12). Starts its own server in a temporary directory (tests/pg/lib.sh:
# initdb and pg_ctl as the unprivileged `postgres` user when run as root, a unix socket only),
# runs every test on it (two at a time, see below), stops it. Needs nothing beyond scripts/install-deps
# (postgresql).
# Prints the sum of the tests' own "N passed, N failed" lines as one line for tests/run, "pg: N passed,
# N failed", and exits non-zero when anything failed (a failed check fails the script and CI).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp="${HEMGANG_TEST_TMP:-/tmp}/pg.$$"
passed=0 failed=0
trap 'pg_stop; rm -rf "$tmp"' EXIT
if [ ! -x "$PG_BIN/initdb" ]; then
	echo "FAIL tests/pg: no PostgreSQL at $PG_BIN (scripts/install-deps installs it)"
	echo "pg: 0 passed, 1 failed"
	exit 1
fi
if ! pg_start "$tmp"; then
	echo "FAIL tests/pg: the PostgreSQL server did not start"
	echo "pg: 0 passed, 1 failed"
	exit 1
fi

# The tests run HEMGANG_PG_JOBS at a time (default 2) on the one server, each on databases of its own
# (fresh_db names them after the test) and in a directory of its own; their outputs are printed whole, in
# the order below, each with its time. The outage test stops and starts the server: it runs alone, last.
jobs_max=${HEMGANG_PG_JOBS:-2}
[[ "$jobs_max" =~ ^[1-9][0-9]*$ ]] || jobs_max=2
names=() n_jobs=0

# start NAME [VAR=VALUE...] COMMAND...: runs a test in the background (waiting while jobs_max run).
start() {
	local name=$1 k=$n_jobs
	shift
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n 2>/dev/null || true
	done
	names[k]=$name
	mkdir -p "$tmp/job.$k"
	(
		begin=$SECONDS
		env HEMGANG_TEST_TMP="$tmp/job.$k" "$@" >"$tmp/job.$k.out" 2>&1 </dev/null
		echo $? >"$tmp/job.$k.rc"
		echo $((SECONDS - begin)) >"$tmp/job.$k.time"
	) &
	n_jobs=$((n_jobs + 1))
}

# judge K: shows test K's output and time, adds its summary line to the totals.
judge() {
	local k=$1 out line p f rc
	out=$(cat "$tmp/job.$k.out")
	rc=$(cat "$tmp/job.$k.rc" 2>/dev/null || echo 1)
	echo "$out"
	echo "time (pg) ${names[k]}: $(cat "$tmp/job.$k.time" 2>/dev/null) s"
	line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "BROKEN (pg) ${names[k]}: exit $rc without a summary line"
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$line")
	f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$line")
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "BROKEN (pg) ${names[k]}: exit $rc"
		failed=$((failed + 1))
	fi
}

tests_dir=$(dirname "$HEMGANG")/tests
pg_createdb test_store
export PG_BIN
pg=HEMGANG_TEST_PG_URI="$PG_ADMIN_URI"
# the slowest first, so that the pool ends evenly
start test_whatif "$pg" python3 "$here/../api/test_whatif.py"
start test_trust "$pg" python3 "$here/../api/test_trust.py"
start test_two_servers "$pg" python3 "$here/test_two_servers.py"
start test_api "$pg" python3 "$here/../api/test_api.py"
start test_mllp "$pg" python3 "$here/../hl7/test_mllp.py" # HL7 v2 over MLLP, FHIR, messages out (item 2)
start fhir.sh "$pg" bash "$here/../fhir/fhir.sh"
start test_durability "$pg" python3 "$here/../api/test_durability.py"
start test_outbox "$pg" python3 "$here/../fhir/test_outbox.py"
start test_followup_api "$pg" python3 "$here/../followup/test_followup_api.py"
start test_invoices "$pg" python3 "$here/../api/test_invoices.py"
# the command-line commands print the same on PostgreSQL as on SQLite (issue 12 item 1)
start test_cli "$pg" python3 "$here/test_cli.py"
# hemgang copy: the demo database from SQLite into PostgreSQL, proved by the dumps and the API (issue 12 item 3)
start test_copy "$pg" python3 "$here/test_copy.py"
start test_store HEMGANG_TEST_PG_URI="$(pg_uri test_store)" "$tests_dir/test_store"
wait
# where the time went, for comparing runs on a busy machine: the CPU seconds of the PostgreSQL server (the
# postmaster with its ended backends) before the outage test restarts it, and below those of the tests
pm=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
[ -n "$pm" ] && [ -r "/proc/$pm/stat" ] &&
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "cpu (pg) PostgreSQL server: %.1f s\n", ($12 + $13 + $14 + $15) / hz }' \
		"/proc/$pm/stat" >"$tmp/cpu"
start test_outage "$pg" python3 "$here/test_outage.py"
wait
for ((k = 0; k < n_jobs; k++)); do judge "$k"; done
cat "$tmp/cpu" 2>/dev/null
times >"$tmp/times" # (in this shell: its children are the tests)
tail -n 1 "$tmp/times" | awk '{ print "cpu (pg) tests, user and system: " $1 " " $2 }'
echo "pg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
