# tests/cli/whatif.sh - `hemgang whatif` (issue 15.5) on the hand-built fixture of
# tests/cli/invoice_fixture.py and on a demo database:
#   - the agreement in force as a scenario gives exactly what the invoices say, on every row
#     (the fixture, and every municipality and month of a demo whose invoices were built);
#   - other agreements with hand-computed figures: one calendar grace day at 6 000 kr (a stay over
#     the February/March boundary counts in both months), the average model (3.00 days a month);
#   - no invoice is null, not 0; a late correction shows in recomputed_ore, never in invoiced_ore;
#   - csv and table forms, --municipality, and one error line per bad input.
. "$(dirname "$0")/lib.sh"
DIR=$(dirname "$0")
ROOT=$(cd "$DIR/../.." && pwd)
T=$(mktemp -d "${HEMGANG_TEST_TMP:-/tmp}/whatif-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB="$T/fx.db"
W=("$HEMGANG" whatif --db "$DB")
AGR="$DIR/data/invoice-agreement.json"
py() { python3 -c "$@"; }

"$HEMGANG" migrate --db "$DB" >/dev/null && python3 "$DIR/invoice_fixture.py" "$DB" &&
	"$HEMGANG" rebuild --db "$DB" >/dev/null && "$HEMGANG" agreement --db "$DB" import "$AGR" >/dev/null &&
	"$HEMGANG" invoice --db "$DB" build --month 2024-03 --cutoff 2024-04-01 >/dev/null ||
	{ bad "fixture"; finish whatif; exit 1; }

# Scenarios: one calendar day at 6 000 kr; the average model (monthly, 3.00 days, 9 300 kr a day).
py "import json; a=json.load(open('$AGR')); a.update(id='one-day', name='1 dag, 6 000 kr', grace_days={k: 1 for k in a['grace_days']})
for r in a['rates']: r['amount_ore'] = 600000
json.dump(a, open('$T/one-day.json', 'w'))
b=json.load(open('$ROOT/agreements/example-average.json')); b.update(id='avg', municipalities=['2080', '2081'])
json.dump(b, open('$T/avg.json', 'w'))"

ASOF=(--asof "2024-04-01 00:00")
"${W[@]}" --from 2024-02-01 --to 2024-03-31 --agreement "$AGR" --agreement "$T/one-day.json" \
	--agreement "$T/avg.json" "${ASOF[@]}" --format json >"$T/w.json" || bad "whatif --format json"
# rows: municipality month invoiced recomputed | per scenario agreement:total
# 2080 March, in force (dalarna-test: 3 calendar days, 5 000 kr): 11 nights = 55 000 kr (the invoice);
# one-day: ep1 2-5 Mar (4), ep2 26-31 (6), ep5 1-2 Mar (2; 28-29 Feb in February), ep6 11 and 15-19 (6)
#   = 18 nights x 6 000 kr = 108 000 kr; February 2 x 6 000 kr;
# avg: ended in March and billable: ep1 5, ep5 5, ep6 2 + 6 = 18 days - 3 x 3.00 = 9 days x 9 300 kr.
expect_out "the rows, by hand" "2080 2024-02 None 0 | dalarna-test:0 one-day:1200000 avg:0
2080 2024-03 5500000 5500000 | dalarna-test:5500000 one-day:10800000 avg:8370000
2081 2024-02 None 0 | dalarna-test:0 one-day:0 avg:0
2081 2024-03 0 0 | dalarna-test:0 one-day:0 avg:0" \
	py "import json; d=json.load(open('$T/w.json'))
for r in d['rows']: print(r['municipality'], r['month'], r['invoiced_ore'], r['recomputed_ore'], '|', ' '.join('%s:%d' % (s['agreement'], s['total_ore']) for s in r['scenarios']))"
expect_out "the contract's members" "invoiced_ore month municipality scenarios | agreement total_ore" \
	py "import json; r=json.load(open('$T/w.json'))['rows'][1]
print(' '.join(k for k in sorted(r) if k in ('municipality', 'month', 'invoiced_ore', 'scenarios')), '|', ' '.join(k for k in sorted(r['scenarios'][0]) if k in ('agreement', 'total_ore')))"
expect_out "nights and the average's settlement" "11 18 0 | None None 8370000" \
	py "import json; r=json.load(open('$T/w.json'))['rows'][1]; s=r['scenarios']
print(s[0]['nights'], s[1]['nights'], s[2]['nights'], '|', s[0]['average_ore'], s[1]['average_ore'], s[2]['average_ore'])"
expect_out "in force = invoiced on every row (none: 0)" "True" \
	py "import json; d=json.load(open('$T/w.json')); print(all(r['scenarios'][0]['total_ore'] == (r['invoiced_ore'] or 0) for r in d['rows']))"

# csv and table
expect_out "csv" "municipality,month,invoiced_ore,recomputed_ore,dalarna-test_v1_ore,one-day_v1_ore,avg_v1_ore
2080,2024-02,,0,0,1200000,0
2080,2024-03,5500000,5500000,5500000,10800000,8370000" \
	bash -c "$(printf '%q ' "${W[@]}") --from 2024-02-01 --to 2024-03-31 --agreement $AGR --agreement $T/one-day.json --agreement $T/avg.json --asof '2024-04-01 00:00' --format csv | head -3 | tr -d '\r'"
expect_out "table" "municipality month      invoiced kr    in force kr   dalarna-test        one-day
2080         2024-03         55 000         55 000         55 000        108 000" \
	bash -c "$(printf '%q ' "${W[@]}") --from 2024-03-01 --to 2024-03-01 --agreement $AGR --agreement $T/one-day.json --asof '2024-04-01 00:00' | head -2"
expect_out "--municipality" "2081 2024-03" \
	py "import json,sys; print(' '.join(r['municipality'] + ' ' + r['month'] for r in json.load(sys.stdin)['rows']))" \
	< <("${W[@]}" --from 2024-03-01 --to 2024-03-31 --agreement "$AGR" --municipality 2081 "${ASOF[@]}" --format json)

# A late correction (ep 2 discharged on 29 March, recorded 5 April): the invoice stands, the recomputation follows.
python3 "$DIR/invoice_fixture.py" "$DB" late && "$HEMGANG" rebuild --db "$DB" >/dev/null || bad "late correction"
expect_out "late: invoiced stays, recomputed drops 3 nights" "5500000 4000000 4000000" \
	py "import json,sys; r=json.load(sys.stdin)['rows'][0]; print(r['invoiced_ore'], r['recomputed_ore'], r['scenarios'][0]['total_ore'])" \
	< <("${W[@]}" --from 2024-03-01 --to 2024-03-31 --agreement "$AGR" --municipality 2080 "${ASOF[@]}" --format json)

# Bad input: one line each.
expect_err "no agreement" "^hemgang whatif: give at least one --agreement FILE$" "${W[@]}" --from 2024-03-01 --to 2024-03-31
expect_err "no --to" "^hemgang whatif: --from and --to are required$" "${W[@]}" --from 2024-03-01 --agreement "$AGR"
expect_err "bad date" "^hemgang whatif: --from '2024-13-01' is not a date \(YYYY-MM-DD\)$" \
	"${W[@]}" --from 2024-13-01 --to 2024-03-31 --agreement "$AGR"
expect_err "backwards" "^hemgang whatif: --to is before --from$" "${W[@]}" --from 2024-03-01 --to 2024-02-01 --agreement "$AGR"
sed 's/"somatic": 3/"somatic": 400/' "$AGR" >"$T/bad.json"
expect_err "a broken agreement names its field" "^hemgang whatif: .*bad.json: grace_days.*$" \
	"${W[@]}" --from 2024-03-01 --to 2024-03-31 --agreement "$T/bad.json"
expect_err "bad format" "^hemgang whatif: unknown format 'xml' \(table, json or csv\)$" \
	"${W[@]}" --from 2024-03-01 --to 2024-03-31 --agreement "$AGR" --format xml
expect_err "eleven years" "^hemgang whatif: the period must run forward and span at most 120 months$" \
	"${W[@]}" --from 2020-01-01 --to 2030-01-01 --agreement "$AGR"
expect_err "no database" "^hemgang whatif: no database at '$T/none.db'$" \
	"$HEMGANG" whatif --db "$T/none.db" --from 2024-03-01 --to 2024-03-31 --agreement "$AGR"
expect_err "nine agreements" "^hemgang whatif: at most 8 --agreement files$" \
	"${W[@]}" --from 2024-03-01 --to 2024-03-31 $(for i in 1 2 3 4 5 6 7 8 9; do printf -- '--agreement %s ' "$AGR"; done)

# The demo: build the invoices of every month of its history; the agreement in force (the demo's
# amounts, imported as the statutory default's version 2) as the scenario gives every invoice.
D="$T/demo.db"
"$HEMGANG" demo --db "$D" --episodes 600 >/dev/null 2>&1 &&
	"$HEMGANG" agreement --db "$D" import "$ROOT/agreements/demo-amounts.json" >/dev/null || bad "demo"
months=$(py "import datetime as d
t=d.date.today(); y,m=t.year,t.month
out=[]
for i in range(19): out.append('%04d-%02d' % (y, m)); y,m = (y, m-1) if m > 1 else (y-1, 12)
print(' '.join(reversed(out)))")
for m in $months; do "$HEMGANG" invoice --db "$D" build --month "$m" >/dev/null || bad "demo invoice $m"; done
first=${months%% *}; last=${months##* }
"$HEMGANG" whatif --db "$D" --from "$first-01" --to "$last-01" --agreement "$ROOT/agreements/demo-amounts.json" \
	--format json >"$T/demo.json" || bad "demo whatif"
expect_out "demo: in force = invoiced on every row" "True True True" \
	py "import json; d=json.load(open('$T/demo.json')); rows=d['rows']
inv=[r for r in rows if r['invoiced_ore'] is not None]
print(len(rows) >= 15 * 19, len(inv) > 40 and sum(r['invoiced_ore'] for r in inv) > 0,
      all(r['scenarios'][0]['total_ore'] == (r['invoiced_ore'] or 0) and r['recomputed_ore'] == r['scenarios'][0]['total_ore'] for r in rows))"
expect_out "demo: a row without an invoice says null" "True" \
	py "import json; print(any(r['invoiced_ore'] is None for r in json.load(open('$T/demo.json'))['rows']))"

finish whatif
