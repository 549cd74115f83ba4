# tests/cli/serve_ui.sh - `hemgang serve` finds its web UI wherever it is started
# (issue 18 item 10): from another directory it still serves the checkout's
# web/dist found beside build/MODE/hemgang; a binary in an installed layout
# (PREFIX/bin/hemgang, PREFIX/share/hemgang/web) serves that UI and that OpenAPI
# document; a binary with no UI anywhere says so clearly when it starts.
. "$(dirname "$0")/lib.sh"
D=$HEMGANG_TEST_TMP/serve_ui
rm -rf "$D" && mkdir -p "$D/elsewhere" "$D/prefix/bin" "$D/prefix/share/hemgang/web" "$D/bare"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done' EXIT

# serve BIN NAME: starts BIN serve on a free loopback port in $D/elsewhere; sets $port (empty on failure)
serve() {
	local bin=$1 name=$2
	port=""
	(cd "$D/elsewhere" && exec "$bin" serve --db "$D/$name.db" --listen 127.0.0.1:0) 2>"$D/$name.log" &
	pids+=($!)
	for _ in $(seq 1 200); do
		port=$(sed -nE 's/.*\(port ([0-9]+)\).*/\1/p' "$D/$name.log" | head -n 1)
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	cat "$D/$name.log" >&2
	return 1
}
get() { curl -s -o "$D/body" -w '%{http_code} %{content_type}' "http://127.0.0.1:$port$1"; }

# 1. the checkout's binary, started from elsewhere: the checkout's UI
if [ -f web/dist/index.html ]; then
	serve "$HEMGANG" checkout && ok || bad "checkout binary starts"
	got=$(get /)
	[[ "$got" == "200 text/html"* ]] && ok || bad "started elsewhere, / is the UI: [$got]"
	cmp -s "$D/body" web/dist/index.html && ok || bad "it is web/dist/index.html"
	grep -q "hemgang: web UI from $(realpath web/dist)" "$D/checkout.log" && ok || bad "start line names the UI: $(cat "$D/checkout.log")"
	got=$(get /api/openapi.json)
	[[ "$got" == "200 application/json"* ]] && ok || bad "openapi found beside the binary: [$got]"
else
	bad "web/dist/index.html is missing (make web)"
fi

# 2. an installed layout: PREFIX/bin/hemgang with PREFIX/share/hemgang/{web,openapi.json}
cp "$HEMGANG" "$D/prefix/bin/hemgang"
printf '<!doctype html><title>installed UI</title>\n' >"$D/prefix/share/hemgang/web/index.html"
printf '{"openapi":"3.1.0","info":{"title":"installed"}}\n' >"$D/prefix/share/hemgang/openapi.json"
serve "$D/prefix/bin/hemgang" installed && ok || bad "installed binary starts"
got=$(get /)
[[ "$got" == "200 text/html"* ]] && grep -q "installed UI" "$D/body" && ok || bad "installed UI served: [$got] $(cat "$D/body")"
got=$(get /episodes/12) # a client-side route: index.html again
[[ "$got" == "200 text/html"* ]] && grep -q "installed UI" "$D/body" && ok || bad "SPA fallback from the installed UI: [$got]"
get /api/openapi.json >/dev/null
grep -q '"installed"' "$D/body" && ok || bad "installed openapi.json served: $(cat "$D/body")"

# 3. a lone binary: no UI anywhere, and it says so at start
cp "$HEMGANG" "$D/bare/hemgang"
serve "$D/bare/hemgang" bare && ok || bad "bare binary starts"
grep -q "WARNING: no web UI found" "$D/bare.log" && ok || bad "bare binary warns: $(cat "$D/bare.log")"
got=$(get /healthz)
[[ "$got" == 200* ]] && ok || bad "bare binary serves the API: [$got]"

# 4. --static naming a directory without index.html is warned about
mkdir -p "$D/empty"
(cd "$D/elsewhere" && exec "$HEMGANG" serve --db "$D/st.db" --listen 127.0.0.1:0 --static "$D/empty") 2>"$D/st.log" &
pids+=($!)
for _ in $(seq 1 200); do grep -q "port" "$D/st.log" && break; sleep 0.05; done
grep -q "has no index.html" "$D/st.log" && ok || bad "--static without index.html warns: $(cat "$D/st.log")"
finish serve_ui
