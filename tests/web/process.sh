# tests/web/process.sh - the browser tests of the care process steps (web/e2e/process.mjs, issues 14 and 18):
# builds web/dist if needed, then drives Debian's chromium through playwright-core against the real server
# ($HEMGANG) on a fresh demo database. A missing chromium, node or build is a failure, never a skip.
# Prints "process: N passed, N failed" as its last line.
cd "$(dirname "$0")/../.." || exit 1
fail() {
	echo "process: $*" >&2
	echo "process: 0 passed, 1 failed"
	exit 1
}
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing (apt-get install chromium)"
command -v node >/dev/null || fail "node is missing (apt-get install nodejs npm)"
[ -x "${HEMGANG:-}" ] || fail "\$HEMGANG does not name the hemgang binary"
log="${HEMGANG_TEST_TMP:-/tmp}/process-build.log"
if ! web/build.sh >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	fail "web/build.sh failed"
fi
exec node web/e2e/process.mjs
