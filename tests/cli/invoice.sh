# tests/cli/invoice.sh - `hemgang agreement` and `hemgang invoice` on the fixture
# of tests/cli/invoice_fixture.py: agreement import/list/show, the exact
# --format json of a month's invoice bases, the CSV (both separators), XLSX
# and PDF exports read back, reproducibility after a late correction (same
# figures at the cut-off, the difference listed), a rebuild that supersedes a
# draft and leaves a sent invoice alone, the dispute workflow with its
# refusals and trail, the audit records, and one error line per bad input.
. "$(dirname "$0")/lib.sh"
DIR=$(dirname "$0")
T="${HEMGANG_TEST_TMP:-/tmp}/invoice-cli.$$"
rm -rf "$T" && mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
DB="$T/fx.db"
I=("$HEMGANG" invoice --db "$DB")
A=("$HEMGANG" agreement --db "$DB")
AGR="$DIR/data/invoice-agreement.json"
py() { python3 -c "$@"; }
# openpyxl comes from Debian (python3-openpyxl): use Debian's python when another one is first in PATH
pyxl() { local p=python3; /usr/bin/python3 -c 'import openpyxl' 2>/dev/null && p=/usr/bin/python3; "$p" -c "$@"; }

"$HEMGANG" migrate --db "$DB" >/dev/null && python3 "$DIR/invoice_fixture.py" "$DB" &&
	"$HEMGANG" rebuild --db "$DB" >/dev/null || { bad "fixture"; finish invoice; exit 1; }

# ---- agreements ----
expect_out "import" "imported	dalarna-test	version 1" "${A[@]}" import "$AGR"
expect_out "import again" "unchanged	dalarna-test	version 1" "${A[@]}" import "$AGR"
sed 's/500000/510000/' "$AGR" >"$T/changed.json"
expect_err "same version, other content" \
	'^hemgang agreement: .*changed.json: agreement dalarna-test version 1 is already stored with other content; raise "version"$' \
	"${A[@]}" import "$T/changed.json"
sed 's/"version": 1/"version": 2/; s/500000/510000/' "$AGR" >"$T/v2.json"
expect_out "import version 2" "imported	dalarna-test	version 2" "${A[@]}" import "$T/v2.json"
expect_out "list" "dalarna-test	1	per_night	2024-01-01	open	older	Test agreement for the invoice tests: 3 calendar days, 5 000 kr a night in 2024
dalarna-test	2	per_night	2024-01-01	open	latest	Test agreement for the invoice tests: 3 calendar days, 5 000 kr a night in 2024
statutory	1	per_night	2019-01-01	open	latest	Lagens standard (SFS 2017:612 5 kap.): 3 kalenderdagar, nationellt belopp
statutory-2018	1	per_night	2018-01-01	2018-12-31	latest	Lagens standard 2018 (SFS 2017:612 5 kap.; psykiatrisk vård: 30 dagar, prop. 2017/18:12)" \
	"${A[@]}" list
expect_out "show is the file as imported" "same" \
	py "import json,sys; print('same' if json.loads(sys.stdin.read()) == json.load(open('$AGR')) else 'differs')" \
	< <("${A[@]}" show dalarna-test --version 1)
expect_out "show the latest" 2 py "import json,sys; print(json.load(sys.stdin)['version'])" < <("${A[@]}" show dalarna-test)
"${A[@]}" show statutory >"$T/statutory.json"
expect_out "a built-in agreement exports and imports again" "unchanged	statutory	version 1" "${A[@]}" import "$T/statutory.json"
expect_out "list --format json" "4 True" \
	py "import json,sys; a=json.load(sys.stdin)['agreements']; print(len(a), a[1]['latest'])" < <("${A[@]}" list --format json)
expect_err "show unknown" "^hemgang agreement: no agreement 'nope'$" "${A[@]}" show nope
expect_err "show unknown version" "^hemgang agreement: no agreement 'dalarna-test' version 9$" "${A[@]}" show dalarna-test --version 9
echo '{"format": "hemgang-agreement/1"}' >"$T/broken.json"
expect_err "import a broken file" "^hemgang agreement: .*broken.json: id: missing$" "${A[@]}" import "$T/broken.json"
expect_err "import a missing file" "^hemgang agreement: cannot read $T/none.json: " "${A[@]}" import "$T/none.json"
# version 2 costs 5 100 kr a night; the invoices below use version 1's 5 000 kr, so go back to it
rm -f "$DB"* && "$HEMGANG" migrate --db "$DB" >/dev/null && python3 "$DIR/invoice_fixture.py" "$DB" &&
	"$HEMGANG" rebuild --db "$DB" >/dev/null && "${A[@]}" import "$AGR" >/dev/null || bad "fixture again"

# ---- the month's invoice bases, exactly ----
"${I[@]}" build --month 2024-03 --cutoff 2024-04-01 --format json >"$T/build.json"
if diff -u "$DIR/data/invoice-2024-03.json" "$T/build.json" >&2; then ok; else bad "build --format json differs from data/invoice-2024-03.json"; fi
expect_out "the issue's shape" "2080 2024-03 dalarna-test 5500000 1:2:1000000:2024-03-06 2:4:2000000:None 5:2:1000000:2024-03-03 6:3:1500000:2024-03-20 | 2081 2024-03 dalarna-test 0" \
	py "import json; d=json.load(open('$T/build.json'));
print(' | '.join(' '.join([i['municipality'], i['month'], i['agreement'], str(i['total_ore'])] +
  ['%d:%d:%d:%s' % (l['episode'], l['nights'], l['amount_ore'], l['discharge_date']) for l in i['lines']]) for i in d['invoices']))"
expect_out "exclusions apart with reasons" "3 no_sip_call 4 2000000 | 4 no_admission_notice 2 1000000" \
	py "import json; d=json.load(open('$T/build.json'));
print(' | '.join('%d %s %d %d' % (e['episode'], e['reason'], e['unbilled_nights'], e['unbilled_ore']) for i in d['invoices'] for e in i['exclusions']))"
expect_out "build again: unchanged" "2080	2024-03	invoice 1	draft	unchanged	4 lines	1 exclusions	55000.00 kr
2081	2024-03	invoice 2	draft	unchanged	0 lines	1 exclusions	0.00 kr" "${I[@]}" build --month 2024-03 --cutoff 2024-04-01
expect_out "one municipality, preview" "2081	2024-03	preview	preview	preview	0 lines	1 exclusions	0.00 kr" \
	"${I[@]}" build --month 2024-03 --cutoff 2024-04-01 --municipality 2081 --preview
expect_out "an empty municipality still gets its basis" "2085	2024-03	preview	preview	preview	0 lines	0 exclusions	0.00 kr" \
	"${I[@]}" build --month 2024-03 --municipality 2085 --preview
expect_out "February: nothing liable" "" "${I[@]}" build --month 2024-02 --cutoff 2024-04-01 --preview
expect_out "list" "1	2080	2024-03	revision 1	draft	4 lines	1 exclusions	total 55000.00 kr	owed 55000.00 kr
2	2081	2024-03	revision 1	draft	0 lines	1 exclusions	total 0.00 kr	owed 0.00 kr" "${I[@]}" list --month 2024-03

# ---- exports ----
"${I[@]}" show 1 --format csv >"$T/1.csv"
expect_out "csv: BOM, semicolons, decimal comma" "True|rad;1;19121212-1212;10000,00;1000000|undantag;3;SIP behövdes men kallades inte;4;2000000|summa;55000,00;5500000" \
	py "import csv,io; raw=open('$T/1.csv','rb').read(); rows=list(csv.DictReader(io.StringIO(raw.decode('utf-8-sig')), delimiter=';'));
l=[r for r in rows if r['typ']=='rad'][0]; e=[r for r in rows if r['typ']=='undantag'][0]; s=[r for r in rows if r['typ']=='summa'][0]
print('|'.join([str(raw.startswith(b'\xef\xbb\xbf')), ';'.join([l['typ'], l['vårdtillfälle'], l['personnummer'], l['belopp kr'], l['belopp öre']]),
 ';'.join([e['typ'], e['vårdtillfälle'], e['orsak'], e['ej fakturerade dygn'], e['ej fakturerat öre']]), ';'.join([s['typ'], s['belopp kr'], s['belopp öre']])]))"
"${I[@]}" show 1 --format csv --comma >"$T/1c.csv"
expect_out "csv --comma: decimal point, 6 rows and the trail's build step" "7 10000.00 inneliggande händelse byggt" \
	py "import csv,io; rows=list(csv.DictReader(io.StringIO(open('$T/1c.csv',encoding='utf-8-sig').read())));
print(len(rows), rows[0]['belopp kr'], rows[1]['utskriven'], rows[-1]['typ'], rows[-1]['orsak'].split(' ')[2])"
"${I[@]}" build --month 2024-03 --cutoff 2024-04-01 --format xlsx --output "$T/m.xlsx" >/dev/null
expect_out "xlsx read back" "1 2080 2024-03|2 2081 2024-03|rad 1 19121212-1212 10000 1000000|summa 55000 5500000|undantag 4|Fakturaunderlag betalningsansvar 2024-03, Borlänge kommun 2081" \
	pyxl "import openpyxl; wb=openpyxl.load_workbook('$T/m.xlsx'); s1, s2 = wb.worksheets
rows=[[c.value for c in r] for r in s1.iter_rows(min_row=5)]
r2=[[c.value for c in r] for r in s2.iter_rows(min_row=5)]
print('|'.join([s1.title, s2.title, ' '.join(str(v) for v in (rows[0][3], rows[0][4], rows[0][5], int(rows[0][13]), rows[0][14])),
 ' '.join(str(v) for v in (rows[-1][3], int(rows[-1][13]), rows[-1][14])), 'undantag %d' % r2[0][4], s2['A1'].value]))"
"${I[@]}" show 1 --format pdf --output "$T/1.pdf" >/dev/null
pdftotext -layout "$T/1.pdf" "$T/1.txt" 2>/dev/null
for want in "Fakturaunderlag betalningsansvar 2024-03" "Kommun: Falu kommun (2080)" "19121212-1212" "Tolvan Tolvansson" \
	"Avd 12 Medicin, Falu lasarett" "inneliggande" "Summa" "55000,00" "SIP behövdes men kallades inte"; do
	if grep -qF -- "$want" "$T/1.txt"; then ok; else bad "pdf text lacks '$want'"; fi
done
"${I[@]}" show 2 --format pdf --output "$T/2.pdf" >/dev/null
pdftotext "$T/2.pdf" - 2>/dev/null | grep -qF "Åsa Öberg" && ok || bad "pdf: Swedish letters"
expect_err "xlsx needs --output" "^hemgang invoice: --format xlsx writes a file: give --output FILE$" "${I[@]}" show 1 --format xlsx

# ---- reproducibility: a late correction ----
expect_out "review before: reproducible, no difference" "invoice 1: reproducible from the events recorded up to 2024-03-31T22:00:00Z
differences since the cut-off: 0" "${I[@]}" review 1
python3 "$DIR/invoice_fixture.py" "$DB" late && "$HEMGANG" rebuild --db "$DB" >/dev/null || bad "late event"
expect_out "review after: same figures at the cut-off, the difference listed" "invoice 1: reproducible from the events recorded up to 2024-03-31T22:00:00Z
differences since the cut-off: 1
  episode 2 changed: {\"amount_ore\":2000000,\"first_night\":\"2024-03-28\",\"kind\":\"line\",\"last_night\":\"2024-03-31\",\"nights\":4} -> {\"amount_ore\":500000,\"first_night\":\"2024-03-28\",\"kind\":\"line\",\"last_night\":\"2024-03-28\",\"nights\":1}" \
	"${I[@]}" review 1
expect_out "review --format json" "True True 0 1 5500000 4000000" \
	py "import json,sys; r=json.load(sys.stdin); print(r['reproducible'], r['identical'], len(r['mismatches']), len(r['differences']), r['total_ore'], r['total_now_ore'])" \
	< <("${I[@]}" review 1 --format json)
"${I[@]}" build --month 2024-03 --cutoff 2024-04-01 --format json >"$T/again.json"
if cmp -s "$T/again.json" <(sed 's/"created"/"unchanged"/' "$DIR/data/invoice-2024-03.json"); then ok; else bad "rebuild at the cut-off is not identical"; fi
expect_out "a build as of now replaces the draft" "2080	2024-03	invoice 3	draft	created	4 lines	1 exclusions	40000.00 kr
2081	2024-03	invoice 2	draft	unchanged	0 lines	1 exclusions	0.00 kr" "${I[@]}" build --month 2024-03
expect_out "the old draft is superseded, and kept" "1	2080	2024-03	revision 1	superseded" \
	bash -c "\"\${@}\" list --state all | grep '^1	' | cut -f1-5" _ "${I[@]}"
expect_out "supersede step in its trail" "build supersede" \
	py "import json,sys; print(' '.join(s['action'] for s in json.load(sys.stdin)['steps']))" < <("${I[@]}" show 1 --format json)

# ---- the workflow ----
expect_err "dispute a draft" "^hemgang invoice: cannot dispute invoice 3: wrong_state \(the step is not allowed in the invoice's state\)$" \
	"${I[@]}" dispute 3 --reason "x"
expect_out "send" "invoice 3	sent	owed 40000.00 kr" "${I[@]}" send 3 --user faktura-region
expect_err "send twice" "^hemgang invoice: cannot send invoice 3: wrong_state " "${I[@]}" send 3
expect_err "dispute without a reason" "^hemgang invoice: cannot dispute invoice 3: reason_required \(a reason is required\)$" \
	"${I[@]}" dispute 3
expect_err "dispute an unknown line" "^hemgang invoice: cannot dispute invoice 3: unknown_line " "${I[@]}" dispute 3 --line 4 --reason "x"
expect_out "dispute one line" "invoice 3	disputed	owed 40000.00 kr" \
	"${I[@]}" dispute 3 --line 6 --reason "Återtagen utskrivningsklar: nya fristdagar" --user faktura-falun
expect_err "adjust a line not disputed" "^hemgang invoice: cannot decide invoice 3: line_not_disputed " \
	"${I[@]}" decide 3 --outcome adjusted --adjust 1=0 --reason "x"
expect_err "adjust above the line" "^hemgang invoice: cannot decide invoice 3: bad_amount " \
	"${I[@]}" decide 3 --outcome adjusted --adjust 6=15000.01 --reason "x"
expect_err "decide without --outcome" "^hemgang invoice: decide needs --outcome upheld\|adjusted\|withdrawn$" "${I[@]}" decide 3 --reason "x"
expect_out "decide: adjusted" "invoice 3	decided	owed 30000.00 kr" \
	"${I[@]}" decide 3 --outcome adjusted --adjust 6=5000 --reason "Två av dygnen låg inom de nya fristdagarna" --user faktura-region
expect_err "decide twice" "^hemgang invoice: cannot decide invoice 3: wrong_state " "${I[@]}" decide 3 --outcome upheld --reason "x"
expect_out "the trail: who, what, why" "build:cli:R20:draft send:faktura-region:R20:sent dispute:faktura-falun:2080:disputed:[6] decide:faktura-region:R20:decided:adjusted:500000 3000000 3000000" \
	py "import json,sys; i=json.load(sys.stdin); s=i['steps']
print(' '.join([':'.join([x['action'], x['username'], x['org'], x['state']] + ([str(x['detail']['lines']).replace(' ', '')] if x['action']=='dispute' else []) + ([x['outcome'], str(x['detail']['adjustments'][0]['amount_ore'])] if x['action']=='decide' else [])) for x in s]), i['owed_ore'], s[-1]['owed_ore'])" \
	< <("${I[@]}" show 3 --format json)
expect_out "a sent invoice is kept; the new figures are a difference" "2080	2024-03	invoice 3	decided	kept	4 lines	1 exclusions	40000.00 kr" \
	"${I[@]}" build --month 2024-03 --municipality 2080
expect_out "list --state decided" "3" bash -c "\"\${@}\" list --state decided | cut -f1" _ "${I[@]}"

# ---- audit: every read with patient data, per episode ----
expect_out "audit records the reads of episode 3" "yes" \
	bash -c "\"$HEMGANG\" audit --db \"$DB\" --episode 3 | grep -q invoice.read && echo yes"

# ---- bad input: one line, exit 2 ----
expect_err "build without --month" "^hemgang invoice: build needs --month YYYY-MM$" "${I[@]}" build
expect_err "bad month" "^hemgang invoice: bad --month '2024-13' \(want YYYY-MM\)$" "${I[@]}" build --month 2024-13
expect_err "bad municipality" "^hemgang invoice: bad --municipality '208' \(a 4-digit kommunkod\)$" "${I[@]}" build --month 2024-03 --municipality 208
expect_err "bad cutoff" "^hemgang invoice: bad --cutoff 'yesterday' " "${I[@]}" build --month 2024-03 --cutoff yesterday
expect_err "bad format" "^hemgang invoice: build: bad --format 'docx'$" "${I[@]}" build --month 2024-03 --format docx
expect_err "option not for the subcommand" "^hemgang invoice: send does not take --month$" "${I[@]}" send 3 --month 2024-03
expect_err "unknown subcommand" "^hemgang invoice: unknown subcommand 'pay' " "${I[@]}" pay 3
expect_err "unknown option" "^hemgang invoice: unknown option '--force'$" "${I[@]}" list --force
expect_err "no subcommand" "^hemgang invoice: missing subcommand " "${I[@]}"
expect_err "missing id" "^hemgang invoice: show needs ID$" "${I[@]}" show
expect_err "bad id" "^hemgang invoice: bad invoice id 'x1' \(a positive number\)$" "${I[@]}" show x1
expect_err "unknown invoice" "^hemgang invoice: no invoice 99$" "${I[@]}" show 99
expect_err "bad --line" "^hemgang invoice: bad --line 'a' \(an episode id\)$" "${I[@]}" dispute 3 --line a --reason x
expect_err "bad --adjust" "^hemgang invoice: bad --adjust '6:5000' \(want EPISODE=KRONOR, e.g. 12=4000\)$" \
	"${I[@]}" decide 3 --outcome adjusted --adjust 6:5000 --reason x
expect_err "bad --outcome" "^hemgang invoice: unknown --outcome 'maybe' " "${I[@]}" decide 3 --outcome maybe --reason x
expect_err "bad --state" "^hemgang invoice: unknown --state 'paid' " "${I[@]}" list --state paid
expect_rc "usage exit status" 2 "${I[@]}" build --month 2024-13

# ---- issue 15.2: a year without a daily amount: the invoice names the nights and is not sent ----
# A fresh copy of the fixture whose agreement (version 3) has amounts for 2025 only: no night of 2024 has one.
DB2="$T/unpriced.db"
I2=("$HEMGANG" invoice --db "$DB2")
sed 's/"version": 1/"version": 3/; s/"year": 2024/"year": 2025/' "$AGR" >"$T/v3.json"
"$HEMGANG" migrate --db "$DB2" >/dev/null && python3 "$DIR/invoice_fixture.py" "$DB2" && "$HEMGANG" rebuild --db "$DB2" >/dev/null ||
	bad "second fixture"
expect_out "import version 3 (no 2024 amount)" "imported	dalarna-test	version 3" "$HEMGANG" agreement --db "$DB2" import "$T/v3.json"
"${I2[@]}" build --month 2024-03 --format json >"$T/unpriced.json"
# the same nights as the priced build above (2 + 4 + 2 + 3), each named, none priced
expect_out "the lines name the nights without an amount" "2080 0 11 2024-03-04,2024-03-05,2024-03-28,2024-03-29,2024-03-30,2024-03-31,2024-03-01,2024-03-02,2024-03-17,2024-03-18,2024-03-19" \
	py "import json; d=json.load(open('$T/unpriced.json'));
i=[i for i in d['invoices'] if i['municipality'] == '2080'][0]
print(i['municipality'], i['total_ore'], i['unpriced_nights'], ','.join(x for l in i['lines'] for x in l['unpriced_nights']))"
UNPRICED_ID=$(py "import json; d=json.load(open('$T/unpriced.json')); print([i['id'] for i in d['invoices'] if i['municipality'] == '2080'][0])")
expect_err "an invoice with unpriced nights is not sent" "^hemgang invoice: cannot send invoice $UNPRICED_ID: unpriced_nights " \
	"${I2[@]}" send "$UNPRICED_ID"
expect_out "the 2081 invoice (no lines) is sent" "invoice 2	sent	owed 0.00 kr" "${I2[@]}" send 2
finish invoice
