# tests/packaging/deb.sh - the install a region does (issue 18 item 11):
# `packaging/install-tree` (what `make install PREFIX=...` runs) lays out a
# prefix whose binary, started from anywhere, serves its UI; `packaging/build-deb`
# (what `make deb` runs) builds a Debian package with the binary, the UI, a
# systemd unit, /etc/hemgang/hemgang.conf as a conffile and maintainer scripts
# that create the system user and /var/lib/hemgang. The package is unpacked
# into a clean directory tree (dpkg-deb -x), and the unit's own ExecStartPre and
# ExecStart lines, with the conffile's settings, start the unpacked binary
# against a temporary database; it migrates, serves the UI and the API.
# Uses the test binary ($HEMGANG) so nothing is rebuilt.
. "$(dirname "$0")/../cli/lib.sh"
T=$HEMGANG_TEST_TMP/packaging
rm -rf "$T" && mkdir -p "$T"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done' EXIT
[ -f web/dist/index.html ] || { bad "web/dist is not built (make web)"; finish packaging; exit 1; }

# wait_port LOG: prints the port the server in LOG listens on
wait_port() {
	for _ in $(seq 1 200); do
		sed -nE 's/.*\(port ([0-9]+)\).*/\1/p' "$1" | head -n 1 | grep . && return 0
		sleep 0.05
	done
	cat "$1" >&2
	return 1
}

# 1. make install PREFIX=/opt/hemgang DESTDIR=$T/dest
packaging/install-tree "$HEMGANG" "$T/dest" /opt/hemgang >/dev/null && ok || bad "install-tree"
P=$T/dest/opt/hemgang
for f in bin/hemgang share/hemgang/web/index.html share/hemgang/openapi.json share/hemgang/agreements/statutory.json \
	share/hemgang/hemgang.service share/hemgang/hemgang.conf share/doc/hemgang/operations.md; do
	[ -s "$P/$f" ] && ok || bad "install-tree put $f"
done
grep -q '^ExecStart=/opt/hemgang/bin/hemgang serve' "$P/share/hemgang/hemgang.service" && ok || bad "example unit names the prefix's binary"
(cd / && exec "$P/bin/hemgang" serve --db "$T/prefix.db" --listen 127.0.0.1:0) 2>"$T/prefix.log" &
pids+=($!)
port=$(wait_port "$T/prefix.log") && ok || bad "installed binary starts"
body=$(curl -s "http://127.0.0.1:$port/")
[ "$body" = "$(cat "$P/share/hemgang/web/index.html")" ] && ok || bad "installed binary, started in /, serves its UI"

# 2. make deb
deb=$(packaging/build-deb "$HEMGANG" "$T/out") && [ -f "$deb" ] && ok || bad "build-deb: $deb"
info=$(dpkg-deb -f "$deb" Package Version Architecture Depends)
[[ "$info" == *"Package: hemgang"* ]] && ok || bad "control names the package: $info"
[[ "$info" == *"libsqlite3-0"* && "$info" == *"libmicrohttpd12"* && "$info" == *"libsodium23"* ]] && ok ||
	bad "Depends has the shared libraries: $info"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/hemgang/hemgang.conf ] && ok || bad "the configuration is a conffile"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst >"$T/postinst"
sh -n "$T/postinst" && ok || bad "postinst parses"
grep -q 'useradd --system' "$T/postinst" && grep -q 'install -d -o hemgang -g hemgang -m 0750 /var/lib/hemgang' "$T/postinst" &&
	ok || bad "postinst creates the system user and /var/lib/hemgang"
for s in prerm postrm; do dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./$s | sh -n && ok || bad "$s parses"; done

# 3. unpack into a clean tree and start the service as its unit says
R=$T/root
dpkg-deb -x "$deb" "$R" && ok || bad "dpkg-deb -x"
unit=$R/lib/systemd/system/hemgang.service
for f in usr/bin/hemgang usr/share/hemgang/web/index.html usr/share/hemgang/openapi.json etc/hemgang/hemgang.conf; do
	[ -s "$R/$f" ] && ok || bad "package holds /$f"
done
grep -q '^User=hemgang$' "$unit" && grep -q '^EnvironmentFile=/etc/hemgang/hemgang.conf$' "$unit" &&
	grep -q '^ReadWritePaths=/var/lib/hemgang$' "$unit" && ok || bad "unit runs as hemgang with /etc/hemgang and /var/lib/hemgang"
if command -v systemd-analyze >/dev/null; then
	# verify resolves the binary and the EnvironmentFile on the host's paths: point them at the tree
	sed -e "s#/usr/bin/hemgang#$R/usr/bin/hemgang#g" -e "s#/etc/hemgang/#$R/etc/hemgang/#" "$unit" >"$T/hemgang.service"
	systemd-analyze verify "$T/hemgang.service" >"$T/verify.log" 2>&1
	! grep -v -e 'Failed to connect' -e 'Unit .* not found' -e 'Cannot add dependency' -e '^$' "$T/verify.log" | grep -qi 'hemgang.service' &&
		ok || { cat "$T/verify.log" >&2; bad "systemd-analyze verify hemgang.service"; }
fi
# the conffile reads the same as a shell file (values with spaces quoted), so this test and an admin's scripts may source it
[ -z "$(sh -c ". '$R/etc/hemgang/hemgang.conf'" 2>&1)" ] && ok || bad "hemgang.conf sources cleanly: $(sh -c ". '$R/etc/hemgang/hemgang.conf'" 2>&1)"
# the unit's commands with the conffile's settings, the paths rebased into the tree, a temp database
(
	set -a
	. "$R/etc/hemgang/hemgang.conf"
	set +a
	[ "$HEMGANG_DB" = /var/lib/hemgang/hemgang.db ] || exit 3
	HEMGANG_DB=$T/var-lib-hemgang.db
	HEMGANG_LISTEN=127.0.0.1:0
	cmd() { sed -n "s/^$1=//p" "$unit" | sed -e "s#/usr/bin/hemgang#$R/usr/bin/hemgang#" \
		-e "s#\${HEMGANG_DB}#$HEMGANG_DB#; s#\${HEMGANG_LISTEN}#$HEMGANG_LISTEN#; s#\$HEMGANG_OPTIONS#$HEMGANG_OPTIONS#"; }
	cd / || exit 4
	$(cmd ExecStartPre) >"$T/migrate.out" 2>&1 || exit 5
	exec $(cmd ExecStart)
) 2>"$T/service.log" &
pids+=($!)
port=$(wait_port "$T/service.log") && ok || bad "the service starts from the unpacked tree"
grep -q 'schema version' "$T/migrate.out" && ok || bad "ExecStartPre migrated: $(cat "$T/migrate.out")"
grep -q "web UI from $R/usr/share/hemgang/web" "$T/service.log" && ok || bad "it finds its UI in /usr/share/hemgang/web: $(cat "$T/service.log")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] && ok || bad "/healthz"
[ "$(curl -s "http://127.0.0.1:$port/")" = "$(cat "$R/usr/share/hemgang/web/index.html")" ] && ok || bad "/ is the packaged UI"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/openapi.json")" = 200 ] && ok || bad "the packaged OpenAPI document"
[ -f "$T/var-lib-hemgang.db" ] && ok || bad "the database was created"
finish packaging
