# tests/web/web.sh - the browser tests of the web UI (web/e2e/run.mjs): builds
# web/dist if needed, then drives Debian's chromium through playwright-core
# against the real server ($HEMGANG) on a fresh demo database. A missing
# chromium, node or build is a failure, never a skip: CI installs them.
# Prints "web: N passed, N failed" as its last line.
. "$(dirname "$0")/lib.sh" web
exec node web/e2e/run.mjs
