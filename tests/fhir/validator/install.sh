#!/usr/bin/env bash
# tests/fhir/validator/install.sh - installs the FHIR R4 validator (the npm package `fhir`, pinned in
# package-lock.json) with `npm ci`, only when node_modules is missing or the lock changed since the last
# install, as web/build.sh does; a no-op when up to date. tests/fhir/fhir.sh runs it, so a fresh checkout and
# CI install the validator themselves.
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "tests/fhir/validator: npm is missing (scripts/install-deps)" >&2; exit 1; }
# tests/fhir/fhir.sh and outbox.sh may run this at once (tests/run is parallel): one installs, the other waits.
exec 9<install.sh
flock 9
stamp=node_modules/.hemgang-lock
if [ ! -d node_modules/fhir ] || ! cmp -s package-lock.json "$stamp"; then
	npm ci --no-audit --no-fund --loglevel=error >&2
	cp package-lock.json "$stamp"
fi
