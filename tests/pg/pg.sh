# tests/pg/pg.sh - the store test, the API tests, the kill -9 test, the two-server test, the outage test and the
# feature tests (HL7, FHIR, messages out, follow-up, invoices, the CLI, copy) against a real
# PostgreSQL 15 (issue 12). Starts its own server in a temporary directory (tests/pg/lib.sh:
# initdb and pg_ctl as the unprivileged `postgres` user when run as root, a unix socket only),
# runs every test on it, stops it. Needs nothing beyond scripts/install-deps (postgresql).
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

# Runs one test, shows its output, adds its summary line to the totals.
run() {
	local out line p f start=$SECONDS
	out=$("$@" 2>&1)
	local rc=$?
	echo "$out"
	echo "time (pg) ${*: -1}: $((SECONDS - start)) s"
	line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "BROKEN (pg) $*: exit $rc without a summary line"
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$line")
	f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$line")
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "BROKEN (pg) $*: exit $rc"
		failed=$((failed + 1))
	fi
}

tests_dir=$(dirname "$HEMGANG")/tests
pg_createdb test_store
HEMGANG_TEST_PG_URI=$(pg_uri test_store) run "$tests_dir/test_store"
export HEMGANG_TEST_PG_URI="$PG_ADMIN_URI" PG_BIN
run python3 "$here/../api/test_api.py"
run python3 "$here/../api/test_trust.py"
run python3 "$here/../api/test_durability.py"
run python3 "$here/test_two_servers.py"
run python3 "$here/test_outage.py"
# the feature stores on PostgreSQL (issue 12 item 2): HL7 v2 over MLLP, FHIR messaging, messages out
run python3 "$here/../hl7/test_mllp.py"
run bash "$here/../fhir/fhir.sh"
run python3 "$here/../fhir/test_outbox.py"
run python3 "$here/../followup/test_followup_api.py"
run python3 "$here/../api/test_invoices.py"
run python3 "$here/../api/test_whatif.py"
# the command-line commands print the same on PostgreSQL as on SQLite (issue 12 item 1)
run python3 "$here/test_cli.py"
# hemgang copy: the demo database from SQLite into PostgreSQL, proved by the dumps and the API (issue 12 item 3)
run python3 "$here/test_copy.py"
echo "pg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
