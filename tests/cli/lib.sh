# tests/cli/lib.sh - helpers for shell tests of the built binary. Source it;
# call ok/expect_* for each case and `finish NAME` at the end, which prints
# "NAME: N passed, N failed" for tests/run.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect_out LABEL WANT CMD... : stdout of CMD equals WANT exactly
expect_out() {
	local label=$1 want=$2; shift 2
	local got; got=$("$@" 2>/dev/null)
	if [ "$got" == "$want" ]; then ok; else bad "$label: got [$got] want [$want]"; fi
}
# expect_rc LABEL RC CMD... : exit status of CMD is RC
expect_rc() {
	local label=$1 want=$2; shift 2
	"$@" >/dev/null 2>&1; local got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$label: exit $got want $want"; fi
}
# expect_err LABEL REGEX CMD... : CMD fails, stderr is one line matching REGEX
expect_err() {
	local label=$1 re=$2; shift 2
	local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
	if [ "$rc" -ne 0 ] && [[ "$err" =~ $re ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then ok
	else bad "$label: exit $rc, stderr [$err] want /$re/"; fi
}
finish() { echo "$1: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
