#!/usr/bin/env bash
# web/build.sh - builds the web UI into web/dist (served by `hemgang serve`).
# Installs the npm packages with `npm ci` only when node_modules is missing or
# package-lock.json changed since the last install, and rebuilds only when a
# source is newer than the last build. Needs node and npm (Debian's nodejs, npm).
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "web/build.sh: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }
# The tooling (Vite 6, TypeScript 5, playwright-core 1.61) runs on Debian 12's own Node.js 18;
# tests/web/node18.sh proves it with bookworm's node.
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
	echo "web/build.sh: Node.js $(node --version) is too old; the web UI needs 18 or newer (Debian 12's nodejs)" >&2
	exit 1
fi
stamp=node_modules/.hemgang-lock
if [ ! -d node_modules ] || ! cmp -s package-lock.json "$stamp"; then
	npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json "$stamp"
fi
# The API's TypeScript types (src/openapi.gen.ts, gitignored) come from docs/openapi.json: `npm run build`
# generates them with openapi-typescript (a pinned dev dependency) before the type check.
if [ -f dist/index.html ] && [ -f src/openapi.gen.ts ] && [ -z "$(find src public index.html vite.config.ts \
	tsconfig.json package-lock.json ../docs/openapi.json -newer dist/index.html -print -quit 2>/dev/null)" ]; then
	exit 0 # up to date
fi
npm run --silent build
