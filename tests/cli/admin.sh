# tests/cli/admin.sh - hemgang user, audit, migrate and rebuild against a real database file.
. "$(dirname "$0")/lib.sh"
db="$HEMGANG_TEST_TMP/admin.db"
rm -f "$db" "$db-wal" "$db-shm"
"$HEMGANG" demo --db "$db" --episodes 20 --now 2026-06-01 >/dev/null 2>&1 || bad "demo fixture"

latest=$(basename "$(ls migrations/*.sql | sort | tail -n 1)"); latest=$((10#${latest%%_*}))
expect_out "migrate reports the schema" "$db	schema version $latest" "$HEMGANG" migrate --db "$db"
expect_out "user add prints the new login" "anna	ward_staff	R20	SE2321000180-E1012" \
	env HEMGANG_PASSWORD=hemligt "$HEMGANG" user --db "$db" add anna --org R20 --role ward_staff --unit SE2321000180-E1012 --name "Anna A"
expect_err "duplicate user" "already exists" env HEMGANG_PASSWORD=x "$HEMGANG" user --db "$db" add anna --org R20 --role ward_staff
expect_err "unknown organisation" "does not exist" env HEMGANG_PASSWORD=x "$HEMGANG" user --db "$db" add bo --org NOPE --role ward_staff
expect_err "unknown unit" "does not exist" env HEMGANG_PASSWORD=x "$HEMGANG" user --db "$db" add bo --org R20 --role ward_staff --unit NOPE
expect_err "unknown role" "--role must be one of" env HEMGANG_PASSWORD=x "$HEMGANG" user --db "$db" add bo --org R20 --role boss
expect_err "no password" "no password" "$HEMGANG" user --db "$db" add bo --org R20 --role analyst </dev/null
expect_err "missing --org" "--org CODE is required" env HEMGANG_PASSWORD=x "$HEMGANG" user --db "$db" add bo --role analyst
expect_err "unknown action" "unknown action" "$HEMGANG" user --db "$db" frobnicate
# the password from stdin works too, and a failed add left no user behind
printf 'fromstdin\n' | "$HEMGANG" user --db "$db" add cecilia --org 2080 --role municipal_assessor --unit K2080-BIST >/dev/null && ok || bad "add with stdin password"
list=$("$HEMGANG" user --db "$db" list)
[[ "$list" == *"anna	ward_staff	R20	SE2321000180-E1012"* ]] && ok || bad "list shows anna"
[[ "$list" == *"cecilia	municipal_assessor	2080	K2080-BIST"* ]] && ok || bad "list shows cecilia"
[[ "$list" != *"bo	"* ]] && ok || bad "no half-added user"
expect_rc "passwd" 0 env HEMGANG_PASSWORD=nytt "$HEMGANG" user --db "$db" passwd anna
expect_err "passwd of nobody" "no user" env HEMGANG_PASSWORD=nytt "$HEMGANG" user --db "$db" passwd nobody
token=$("$HEMGANG" user --db "$db" token anna integration-test)
[[ "$token" =~ ^[A-Za-z0-9_-]{43}$ ]] && ok || bad "token is 43 url-safe characters: [$token]"
n=$(sqlite3 "$db" "SELECT COUNT(*) FROM api_tokens WHERE name = 'integration-test'")
[ "$n" = 1 ] && ok || bad "one token row"
leak=$(sqlite3 "$db" "SELECT COUNT(*) FROM api_tokens WHERE CAST(token_hash AS TEXT) LIKE '%$token%'")
[ "$leak" = 0 ] && ok || bad "the token itself is not stored"

expect_err "audit needs a filter" "give --patient PNR, --episode" "$HEMGANG" audit --db "$db"
expect_err "audit bad date" "--since must be a date" "$HEMGANG" audit --db "$db" --since 2026-13-01
expect_err "audit bad episode" "--episode must be a positive number" "$HEMGANG" audit --db "$db" --episode x
expect_rc "audit by user (empty is fine)" 0 "$HEMGANG" audit --db "$db" --user anna
expect_out "rebuild counts episodes" "rebuilt 20 episodes" "$HEMGANG" rebuild --db "$db"
expect_err "rebuild unknown option" "unknown option" "$HEMGANG" rebuild --db "$db" --fast
expect_err "unopenable database" "cannot open" "$HEMGANG" migrate --db /nonexistent/dir/x.db
expect_err "unknown command" "unknown command" "$HEMGANG" frobnicate
expect_rc "help" 0 "$HEMGANG" --help
for c in $("$HEMGANG" --help | awk '/^  [a-z]/ { print $1 }'); do
	out=$("$HEMGANG" "$c" --help) && [[ "$out" == usage:* ]] && ok || bad "$c --help"
done
finish admin
