# tests/web/node18.sh - the web UI builds with Debian 12's own Node.js (18), so a
# region's fresh Debian machine can `make run` without any other Node (issue 18
# item 9). The machine's own node may be newer; this test takes bookworm's
# nodejs and libnode108 (and the three JS packages that Debian's node loads from
# /usr/share/nodejs) with `apt-get download`, unpacks them under build/, and runs
# with that node the generation of the API's types (openapi-typescript), the
# type check and the Vite build into a temporary directory, then loads
# playwright-core with it (the browser tests' driver). Debian's node
# reads its externalised builtins from /usr/share/nodejs, so the build runs in a
# private mount namespace with the unpacked tree overlaid on /usr/share.
# A download or namespace that fails is a failure, never a skip: CI is root and
# reaches Debian's archive.
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
finish() { echo "node18: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

cache="$PWD/build/debian-node18"
root="$cache/root"
lib="$root/usr/lib/x86_64-linux-gnu"
if [ ! -x "$root/usr/bin/node" ]; then
	rm -rf "$cache" && mkdir -p "$cache/debs"
	madison() { apt-cache madison nodejs 2>/dev/null | awk -F'|' '$2 ~ /deb12/ {gsub(/ /, "", $2); print $2; exit}'; }
	v=$(madison)
	[ -n "$v" ] || { apt-get update -qq >/dev/null 2>&1; v=$(madison); }
	[ -n "$v" ] || { bad "no bookworm nodejs in apt-cache madison nodejs"; finish; }
	if ! (cd "$cache/debs" && apt-get download -qq "nodejs=$v" "libnode108=$v" \
		node-acorn node-cjs-module-lexer node-undici node-busboy node-xtend >/dev/null 2>"$cache/download.log"); then
		cat "$cache/download.log" >&2
		bad "apt-get download of Debian's nodejs $v"
		finish
	fi
	for d in "$cache"/debs/*.deb; do dpkg-deb -x "$d" "$root" || bad "dpkg-deb -x $d"; done
fi
node18() {
	unshare -m sh -c 'mount -t overlay overlay -o lowerdir="$0/usr/share:/usr/share" /usr/share && exec "$@"' \
		"$root" env LD_LIBRARY_PATH="$lib" "$root/usr/bin/node" "$@"
}
ver=$(node18 --version 2>&1)
[[ "$ver" == v18.* ]] && ok || { bad "Debian's node runs and is 18: [$ver]"; finish; }

if [ ! -d web/node_modules ]; then web/build.sh >/dev/null 2>&1 || bad "web/build.sh (npm ci)"; fi
out=$(mktemp -d "${HEMGANG_TEST_TMP:-/tmp}/node18.XXXXXX")
trap 'rm -rf "$out"' EXIT
# the API's types from docs/openapi.json (what `npm run types` does): Node 18 generates the same file as the build
# (into the temporary directory: src/ is left alone, as other tests may be building from it)
(cd web && node18 node_modules/openapi-typescript/bin/cli.js ../docs/openapi.json --empty-objects-unknown --root-types \
	--root-types-no-schema-prefix -o "$out/openapi.gen.ts") >"$out/types.log" 2>&1 &&
	cmp -s "$out/openapi.gen.ts" web/src/openapi.gen.ts &&
	ok || { cat "$out/types.log" >&2; bad "openapi-typescript under Node 18 generates web/src/openapi.gen.ts (web/build.sh)"; }
(cd web && node18 node_modules/typescript/bin/tsc --noEmit -p tsconfig.json) >"$out/tsc.log" 2>&1 &&
	ok || { cat "$out/tsc.log" >&2; bad "tsc under Node 18"; }
(cd web && node18 node_modules/vite/bin/vite.js build --logLevel warn --outDir "$out/dist") >"$out/vite.log" 2>&1 &&
	ok || { tail -n 30 "$out/vite.log" >&2; bad "vite build under Node 18"; }
# the built page names its script, and the script is there
js=$(grep -o 'src="/assets/[^"]*\.js"' "$out/dist/index.html" 2>/dev/null | sed 's/src="\///; s/"$//')
[ -n "$js" ] && [ -s "$out/dist/$js" ] && ok || bad "dist/index.html names a built script ($js)"
# the browser tests' driver loads under Node 18 too
(cd web && node18 --input-type=module -e "import { chromium } from 'playwright-core'; if (typeof chromium.launch !== 'function') process.exit(1);") \
	>"$out/pw.log" 2>&1 && ok || { cat "$out/pw.log" >&2; bad "playwright-core loads under Node 18"; }
finish
