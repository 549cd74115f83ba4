# tests/hl7/hl7_cli.sh - `hemgang hl7`: facilities, ward codes, quarantine and replay from the command line.
. "$(dirname "$0")/../cli/lib.sh"
db="${HEMGANG_TEST_TMP:-/tmp}/hl7_cli.db"
rm -f "$db" "$db-wal" "$db-shm"
"$HEMGANG" demo --db "$db" --episodes 2 >/dev/null 2>&1 || bad "demo database"
expect_out "register a facility" "FALU	R20	10.0.0.1 10.0.0.2	-" "$HEMGANG" hl7 --db "$db" facility FALU --org R20 --allow 10.0.0.1 --allow 10.0.0.2
expect_out "list facilities" "FALU	R20	FALU	10.0.0.1 10.0.0.2	-	-" "$HEMGANG" hl7 --db "$db" facilities
expect_out "change it" "FALU	R20	-	-" "$HEMGANG" hl7 --db "$db" facility FALU --org R20 --a16-ready
expect_out "a16-ready shows" "FALU	R20	FALU	-	a16-ready	-" "$HEMGANG" hl7 --db "$db" facilities
expect_out "PID-3 rules" "FALU	R20	-	SE^PN CAMBIO^PI reserve:1.2.752.97.3.1.3^RN" "$HEMGANG" hl7 --db "$db" facility FALU --org R20 --pid SE^PN --pid CAMBIO^PI --pid-reserve 1.2.752.97.3.1.3^RN
expect_out "the rules show" "FALU	R20	FALU	-	-	SE^PN CAMBIO^PI reserve:1.2.752.97.3.1.3^RN" "$HEMGANG" hl7 --db "$db" facilities
expect_err "a bad PID-3 rule" "^hemgang hl7: --pid 'A\\^B\\^C' is not AUTHORITY\\^TYPE" "$HEMGANG" hl7 --db "$db" facility FALU --org R20 --pid 'A^B^C'
expect_err "an empty PID-3 rule" "^hemgang hl7: --pid-reserve '\\^' is not AUTHORITY\\^TYPE" "$HEMGANG" hl7 --db "$db" facility FALU --org R20 --pid-reserve '^'

expect_out "map a ward code" "FALU	MED12	SE2321000180-E1012" "$HEMGANG" hl7 --db "$db" ward FALU MED12 SE2321000180-E1012
expect_out "empty quarantine" "" "$HEMGANG" hl7 --db "$db" quarantine pending
expect_err "unknown organisation" "^hemgang hl7: organisation 'NOPE' does not exist$" "$HEMGANG" hl7 --db "$db" facility X --org NOPE
expect_err "missing --org" "^hemgang hl7: --org CODE is required$" "$HEMGANG" hl7 --db "$db" facility X
expect_err "two addresses in one --allow" "^hemgang hl7: --allow '1.2.3.4 5.6.7.8' is not one address" "$HEMGANG" hl7 --db "$db" facility X --org R20 --allow "1.2.3.4 5.6.7.8"
expect_err "unknown unit" "^hemgang hl7: unit 'NOPE' does not exist$" "$HEMGANG" hl7 --db "$db" ward FALU K1 NOPE
expect_err "ward needs three arguments" "^hemgang hl7: usage: hl7 ward FACILITY CODE UNIT$" "$HEMGANG" hl7 --db "$db" ward FALU K1
expect_err "bad quarantine state" "^hemgang hl7: usage: hl7 quarantine" "$HEMGANG" hl7 --db "$db" quarantine sometimes
expect_err "replay of nothing" "^hemgang hl7: no quarantined message 42$" "$HEMGANG" hl7 --db "$db" replay 42
expect_err "replay of a non-number" "^hemgang hl7: ID must be a positive number, not 'x'$" "$HEMGANG" hl7 --db "$db" replay x
expect_err "unknown action" "^hemgang hl7: unknown action 'frobnicate'" "$HEMGANG" hl7 --db "$db" frobnicate
expect_rc "usage exit status" 2 "$HEMGANG" hl7 --db "$db" frobnicate
rm -f "$db" "$db-wal" "$db-shm"
finish hl7_cli
