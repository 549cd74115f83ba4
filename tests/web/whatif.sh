# tests/web/whatif.sh - the browser test of the what-if page (web/e2e/whatif.mjs): builds web/dist if
# needed, then drives Debian's chromium through playwright-core against the real server ($HEMGANG).
# A missing chromium, node or build is a failure, never a skip. Prints "whatif-web: N passed, N failed".
. "$(dirname "$0")/lib.sh" whatif-web
exec node web/e2e/whatif.mjs
