# tests/web/whatif.sh - the browser test of the what-if page (web/e2e/whatif.mjs): builds web/dist if
# needed, then drives Debian's chromium through playwright-core against the real server ($HEMGANG).
# A missing chromium, node or build is a failure, never a skip. Prints "whatif-web: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
fail() {
	echo "whatif-web: $*" >&2
	echo "whatif-web: 0 passed, 1 failed"
	exit 1
}
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing (apt-get install chromium)"
command -v node >/dev/null || fail "node is missing (apt-get install nodejs npm)"
[ -x "${HEMGANG:-}" ] || fail "\$HEMGANG does not name the hemgang binary"
log="${HEMGANG_TEST_TMP:-/tmp}/whatif-web-build.log"
if ! web/build.sh >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	fail "web/build.sh failed"
fi
exec node web/e2e/whatif.mjs
