# tests/web/process.sh - the browser tests of the care process steps (web/e2e/process.mjs, issues 14 and 18):
# builds web/dist if needed, then drives Debian's chromium through playwright-core against the real server
# ($HEMGANG) on a fresh demo database. A missing chromium, node or build is a failure, never a skip.
# Prints "process: N passed, N failed" as its last line.
. "$(dirname "$0")/lib.sh" process
exec node web/e2e/process.mjs
