# tests/web/lib.sh NAME - sourced by the browser tests (web.sh, whatif.sh, process.sh): moves to the repository,
# checks that chromium, node and $HEMGANG are there and builds web/dist if needed. A missing piece is a
# failure, never a skip (CI installs them): it prints "NAME: 0 passed, 1 failed" and exits.
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
web_name=$1
fail() {
	echo "$web_name: $*" >&2
	echo "$web_name: 0 passed, 1 failed"
	exit 1
}
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing (apt-get install chromium)"
command -v node >/dev/null || fail "node is missing (apt-get install nodejs npm)"
[ -x "${HEMGANG:-}" ] || fail "\$HEMGANG does not name the hemgang binary"
log="${HEMGANG_TEST_TMP:-/tmp}/$web_name-build.log"
if ! web/build.sh >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	fail "web/build.sh failed"
fi
