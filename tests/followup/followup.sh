# tests/followup/followup.sh - follow-up from the command line on a demo
# database: hemgang report in every format and subject, small-cell
# suppression (option and database setting), hemgang export vantetider
# compared with the same figures computed by SQL alone over the same database
# (tests/followup/vantetider.sql), point measurements saved, listed, shown
# and compared, the forecast and its back-test, and bad input.
source "$(dirname "$0")/../cli/lib.sh"
here=$(dirname "$0")
tmp=${HEMGANG_TEST_TMP:-/tmp}/followup.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
db=$tmp/f.db
H() { "$HEMGANG" "$@"; }
asof="2025-03-31 00:00"
H demo --db "$db" --episodes 600 --now 2025-03-31 >/dev/null 2>&1 || bad "demo database"

# ---- report ----
out=$(H report --db "$db" --from 2024-10-01 --to 2025-02-28 --by municipality,month --format csv --asof "$asof")
[ $? -eq 0 ] && ok || bad "report csv exit"
[[ "$(head -1 <<<"$out")" == municipality,month,episodes,ready_episodes,ready_days,ready_days_mean* ]] && ok ||
	bad "report csv header: $(head -1 <<<"$out")"
grep -q '^total,' <<<"$out" && ok || bad "report csv has a total row"
H report --db "$db" --from 2024-10-01 --to 2025-02-28 --by municipality --asof "$asof" | grep -q 'ready_days_mean' && ok ||
	bad "report table"

# JSON: rows add up to the total; months are within the period.
H report --db "$db" --from 2024-10-01 --to 2025-02-28 --by month --format json --min-cell 1 --asof "$asof" >"$tmp/r.json"
python3 - "$tmp/r.json" <<'EOF' && ok || bad "report json sums"
import json, sys
r = json.load(open(sys.argv[1]))
rows = r["rows"]
assert r["dimensions"] == ["month"] and r["from"] == "2024-10-01" and r["to"] == "2025-02-28", r["to"]
assert [x["keys"]["month"] for x in rows] == ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02"], rows
for m in ("episodes", "ready_days", "ready_nights", "same_day"):
    assert sum(x["values"][m] for x in rows) == r["total"]["values"][m], m
assert r["total"]["values"]["episodes"] > 50
t = r["total"]["values"]
assert abs(t["ready_days_mean"] - t["ready_days"] / t["ready_episodes"]) < 1e-3
assert len(r["table"]["rows"]) == 6 and r["table"]["columns"][0]["code"] == "month"
EOF

# Small cells: with the default threshold 5, a cell is empty exactly when its base is 1..4.
H report --db "$db" --from 2024-10-01 --to 2025-02-28 --by municipality,month --measures episodes,ready_days_mean,ready_episodes \
	--format csv --min-cell 1 --asof "$asof" >"$tmp/all.csv"
H report --db "$db" --from 2024-10-01 --to 2025-02-28 --by municipality,month --measures episodes,ready_days_mean,ready_episodes \
	--format csv --asof "$asof" >"$tmp/sup.csv"
check_suppression() { # FILE-ALL FILE-SUPPRESSED THRESHOLD
python3 - "$1" "$2" "$3" <<'EOF'
import csv, sys
full = {(r["municipality"], r["month"]): r for r in csv.DictReader(open(sys.argv[1]))}
sup = {(r["municipality"], r["month"]): r for r in csv.DictReader(open(sys.argv[2]))}
k = int(sys.argv[3])
assert full.keys() == sup.keys()
small = shown = 0
for key, r in full.items():
    n, ready = int(r["episodes"]), int(r["ready_episodes"])
    if 1 <= n < k:
        assert sup[key]["episodes"] == "", key; small += 1
    else:
        assert sup[key]["episodes"] == r["episodes"], key; shown += 1
    if 1 <= ready < k:
        assert sup[key]["ready_days_mean"] == "" and sup[key]["ready_episodes"] == "", key
    else:
        assert sup[key]["ready_days_mean"] == r["ready_days_mean"], key
assert small > 0 and shown > 0, (small, shown)
EOF
}
check_suppression "$tmp/all.csv" "$tmp/sup.csv" 5 && ok || bad "suppression below 5"
# The threshold is a database setting.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE settings SET value='3' WHERE key='followup.min_cell'\"); c.commit()" "$db"
H report --db "$db" --from 2024-10-01 --to 2025-02-28 --by municipality,month --measures episodes,ready_days_mean,ready_episodes \
	--format csv --asof "$asof" >"$tmp/sup3.csv"
check_suppression "$tmp/all.csv" "$tmp/sup3.csv" 3 && ok || bad "suppression by the database setting"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE settings SET value='5' WHERE key='followup.min_cell'\"); c.commit()" "$db"

# The other subjects and groupings.
H report --db "$db" --from 2024-01-01 --to 2025-03-30 --subject deviations --by category,party --format csv --min-cell 1 \
	--asof "$asof" | head -1 | tr -d '\r' | grep -qx 'category,party,deviations' && ok || bad "deviations report"
H report --db "$db" --from 2024-01-01 --to 2025-03-30 --subject acknowledgements --by recipient_kind --format csv \
	--asof "$asof" | grep -q '^municipal_social,' && ok || bad "acknowledgements report"
H report --db "$db" --from 2024-01-01 --to 2024-12-31 --by care_group,age_band,track,week --format csv \
	--asof "$asof" >/dev/null && ok || bad "four dimensions"
H report --db "$db" --from 2024-01-01 --to 2024-12-31 --by ward --progress --asof "$asof" 2>"$tmp/progress" >/dev/null
grep -q '100%' "$tmp/progress" && ok || bad "progress bar"

# xlsx: a workbook with the Swedish labels as its header row.
H report --db "$db" --from 2024-10-01 --to 2025-02-28 --format xlsx --output "$tmp/r.xlsx" --asof "$asof" && ok || bad "xlsx written"
python3 - "$tmp/r.xlsx" <<'EOF' && ok || bad "xlsx readable"
import sys, zipfile
try:
    import openpyxl
except ImportError:  # still a zip with a worksheet
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(sys.argv[1]).namelist()
    sys.exit(0)
ws = openpyxl.load_workbook(sys.argv[1]).active
assert ws.cell(1, 1).value == "kommun" and ws.cell(1, 3).value == "avslutade vårdtillfällen", ws.cell(1, 1).value
assert ws.max_row > 10 and isinstance(ws.cell(2, 3).value, (int, float))
EOF
expect_err "xlsx needs a file" '^hemgang report: --format xlsx needs --output FILE$' H report --db "$db" --from 2024-10-01 --to 2025-02-28 --format xlsx

# ---- export vantetider against SQL ----
for month in 2024-12 2025-01 2025-02; do
	H export vantetider --db "$db" --month "$month" --min-cell 1 --asof "$asof" >"$tmp/vt.csv" || bad "export $month"
	TZ=Europe/Stockholm python3 - "$db" "$here/vantetider.sql" "$month" "$tmp/vt.csv" <<'EOF' && ok || bad "export $month = SQL"
import csv, sqlite3, sys
db, sql, month, path = sys.argv[1:]
con = sqlite3.connect(db)
want = {(r[1], r[2], r[3]): (r[4], r[5]) for r in con.execute(open(sql).read(), {"month": month})}
got = {}
rows = list(csv.DictReader(open(path)))
assert rows and list(rows[0].keys()) == ["month", "level", "code", "name", "care", "episodes", "ready_days",
                                         "mean_ready_days", "note"], rows[0].keys()
for r in rows:
    assert r["month"] == month
    if int(r["episodes"]) > 0:
        got[(r["level"], r["code"], r["care"])] = (int(r["episodes"]), int(r["ready_days"]))
        assert abs(float(r["mean_ready_days"]) - int(r["ready_days"]) / int(r["episodes"])) <= 0.005, r
        assert r["name"], r
assert want and got == want, (sorted(set(got.items()) ^ set(want.items())))
EOF
done
H export vantetider --db "$db" --month 2025-01 --asof "$asof" >"$tmp/vt5.csv"
python3 - "$tmp/vt5.csv" <<'EOF' && ok || bad "export suppression"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sup = [r for r in rows if r["note"] == "suppressed"]
assert sup and all(r["episodes"] == "" or 0 < int(r["ready_days"] or 0) for r in sup)
assert all(r["note"] == "" and int(r["episodes"]) >= 5 or int(r["episodes"] or 0) == 0 for r in rows if r["note"] == "")
EOF

# ---- point measurements ----
H point --db "$db" --at "2025-02-15 12:00" --format json --asof "$asof" >"$tmp/p.json" && ok || bad "point json"
python3 - "$tmp/p.json" <<'EOF' && ok || bad "point counts"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["patients"] == sum(m["patients"] for m in p["municipalities"]) == sum(w["patients"] for w in p["wards"]) > 0
assert "patient_list" not in p and p["at"] == "2025-02-15T11:00:00Z"
EOF
H point --db "$db" --at "2025-02-15 12:00" --patients --format csv --asof "$asof" | head -1 | tr -d '\r' |
	grep -qx 'episode_id,municipality,hospital,ward,care,ready_since,ready_days,next_step,expected_date' && ok ||
	bad "point patients csv"
expect_out "point save" "saved as measurement 1" bash -c "'$HEMGANG' point --db '$db' --at '2025-02-15 12:00' --save --label vecka7 | tail -1"
expect_out "point save 2" "saved as measurement 2" bash -c "'$HEMGANG' point --db '$db' --at '2025-03-15 12:00' --save | tail -1"
H point list --db "$db" --format csv | grep -q '^1,2025-02-15 12:00,,vecka7,' && ok || bad "point list"
H point show 1 --db "$db" --format json | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["id"]==1 and p["label"]=="vecka7"' &&
	ok || bad "point show"
H point compare 1 2 --db "$db" --format json | python3 -c '
import json, sys
c = json.load(sys.stdin)
assert c["a"]["id"] == 1 and c["b"]["id"] == 2
assert sum(m["patients_a"] for m in c["municipalities"]) == c["a"]["patients"]
assert all(m["change"] == m["patients_b"] - m["patients_a"] for m in c["municipalities"])' && ok || bad "point compare"
expect_err "point show unknown" '^hemgang point: no saved measurement 9$' H point show 9 --db "$db"
expect_err "point compare one id" '^hemgang point: compare takes 2 arguments$' H point compare 1 --db "$db"
expect_err "point bad action" "^hemgang point: unknown action 'delete'" H point delete 1 --db "$db"

# ---- forecast ----
n=$(H forecast --db "$db" --from 2025-06-20 --to 2025-06-26 --total --format csv --asof "$asof" | wc -l)
[ "$n" -eq 8 ] && ok || bad "forecast: header and 7 days, got $n lines"
H forecast --db "$db" --from 2025-06-20 --to 2025-06-26 --format json --asof "$asof" | python3 -c '
import json, sys
f = json.load(sys.stdin)
assert f["origin"] == "2025-03-31" and f["series"][0]["municipality"] is None and len(f["series"]) > 5
for s in f["series"]:
    assert len(s["days"]) == 7 and all(d["low"] <= d["expected"] <= d["high"] and d["actual"] is None for d in s["days"])' &&
	ok || bad "forecast json"
H forecast --db "$db" --from 2025-02-01 --to 2025-03-15 --backtest --total --asof "$asof" | tail -1 |
	grep -q '^back-test (total): mean absolute error' && ok || bad "forecast back-test"
H forecast --db "$db" --from 2025-02-01 --to 2025-03-15 --backtest --format json --asof "$asof" | python3 -c '
import json, sys
f = json.load(sys.stdin)
b = f["series"][0]["backtest"]
assert b["days"] == 43 and b["mae"] >= 0 and 0 <= b["coverage"] <= 1
assert all(d["actual"] is not None for d in f["series"][0]["days"])' && ok || bad "forecast back-test json"

# ---- liable nights: the report equals the invoice bases ----
# On a copy of the demo database with two more agreements: weekday grace days with the eves, "continue" after a
# withdrawal and a new amount on 1 January for 2062 and 2084, and the average model for 2080 from 2024
# (agreements/example-average.json). For every month and municipality, liable_nights, liable_amount_ore and
# liable_episodes of `hemgang report` equal the sums of the lines of `hemgang invoice build --format json`, and
# excluded_* those of its exclusions for a failed billing condition. Both are computed from the same events and
# agreements; the invoice's cut-off is the report's "as of" instant. The average model has nights in neither.
cp "$db" "$tmp/liab.db"
cat >"$tmp/weekdays.json" <<'JSON'
{"format": "hemgang-agreement/1", "id": "dalarna-weekdays", "name": "Test: weekdays with eves, continue",
 "version": 1, "region": "20", "municipalities": ["2062", "2084"], "valid_from": "2023-01-01", "valid_to": null,
 "model": "per_night", "grace_days": {"somatic": 5, "geriatric": 4, "psychiatric": 10}, "count": "weekdays",
 "eves": true, "withdrawal": "continue",
 "conditions": {"admission_notice": true, "ready_notice": true, "sip_called": true},
 "rates": [{"year": 2023, "care": "somatic", "amount_ore": 700050}, {"year": 2023, "care": "geriatric", "amount_ore": 600000},
           {"year": 2023, "care": "psychiatric", "amount_ore": 500000}, {"year": 2024, "care": "somatic", "amount_ore": 800025},
           {"year": 2024, "care": "geriatric", "amount_ore": 650000}, {"year": 2024, "care": "psychiatric", "amount_ore": 550000},
           {"year": 2025, "care": "somatic", "amount_ore": 850075}, {"year": 2025, "care": "geriatric", "amount_ore": 700000},
           {"year": 2025, "care": "psychiatric", "amount_ore": 600000}],
 "sources": ["Made up for tests/followup/followup.sh."], "note": "Not a real agreement."}
JSON
H agreement import "$tmp/weekdays.json" "$here/../../agreements/example-average.json" --db "$tmp/liab.db" >/dev/null &&
	ok || bad "import the test agreements"
H report --db "$tmp/liab.db" --from 2023-10-01 --to 2025-02-28 --by municipality,month --format json --min-cell 1 \
	--asof "$asof" >"$tmp/liab-report.json" || bad "liability report"
for month in 2023-10 2023-11 2023-12 2024-01 2024-02 2024-03 2024-04 2024-05 2024-06 2024-07 2024-08 2024-09 \
	2024-10 2024-11 2024-12 2025-01 2025-02; do
	H invoice build --db "$tmp/liab.db" --month "$month" --preview --cutoff "2025-03-31" --format json \
		>"$tmp/inv-$month.json" || bad "invoice build $month"
done
python3 - "$tmp" <<'PY' && ok || bad "report liable nights = invoice lines"
import glob, json, os, sys
tmp = sys.argv[1]
rep = json.load(open(os.path.join(tmp, "liab-report.json")))
got = {(r["keys"]["municipality"], r["keys"]["month"]): r["values"] for r in rep["rows"]}
seen = {"lines": 0, "weekdays": 0, "exclusions": 0, "average": 0, "cells": 0}
conditions = ("no_admission_notice", "no_ready_notice", "no_sip_call")
for path in sorted(glob.glob(os.path.join(tmp, "inv-*.json"))):
    month = path[-12:-5]
    bases = {i["municipality"]: i for i in json.load(open(path))["invoices"]}
    for muni in set(bases) | {m for (m, mo) in got if mo == month}:
        b = bases.get(muni, {"lines": [], "exclusions": [], "average": None})
        v = got.get((muni, month), {})
        lines = b["lines"]
        excl = [e for e in b["exclusions"] if e["reason"] in conditions]
        want = (sum(l["nights"] for l in lines), sum(l["amount_ore"] for l in lines), len(lines),
                sum(e["unbilled_nights"] for e in excl), sum(e["unbilled_ore"] for e in excl), len(excl))
        have = tuple(v.get(k, 0) for k in ("liable_nights", "liable_amount_ore", "liable_episodes",
                                           "excluded_nights", "excluded_amount_ore", "excluded_episodes"))
        assert have == want, (muni, month, have, want)
        assert abs(v.get("liable_amount", 0) - want[1] / 100) < 0.005, (muni, month, v.get("liable_amount"))
        seen["lines"] += len(lines)
        seen["weekdays"] += sum(l["agreement"] == "dalarna-weekdays" for l in lines)
        seen["exclusions"] += len(excl)
        seen["average"] += len((b["average"] or {}).get("episodes", []))
        seen["cells"] += 1
        if muni == "2080" and month >= "2024-02":  # average model: ready dates from 2024-01-01
            assert have[0] == 0 and want[0] == 0, (muni, month, have, want)
# The comparison is not empty: lines under both per-night agreements, exclusions, average-model episodes.
assert all(n > 0 for n in seen.values()), seen
t = rep["total"]["values"]
assert t["liable_nights"] == sum(v["liable_nights"] for v in got.values()) > 0
PY

# ---- bad input: one line, exit 2 ----
expect_err "report no period" '^hemgang report: --from and --to are required$' H report --db "$db"
expect_err "report bad date" "^hemgang report: --from '2025-02-30' is not a date" H report --db "$db" --from 2025-02-30 --to 2025-03-01
expect_err "report bad dim" "^hemgang report: unknown dimension 'colour' in --by$" H report --db "$db" --from 2025-01-01 --to 2025-01-31 --by colour
expect_err "report dim of other subject" "^hemgang report: episodes cannot be grouped by 'category'$" H report --db "$db" --from 2025-01-01 --to 2025-01-31 --by category
expect_err "report bad measure" "^hemgang report: unknown measure 'speed' for episodes$" H report --db "$db" --from 2025-01-01 --to 2025-01-31 --measures speed
expect_err "report bad format" "^hemgang report: unknown format 'pdf'" H report --db "$db" --from 2025-01-01 --to 2025-01-31 --format pdf
expect_err "report to before from" '^hemgang report: --to is before --from$' H report --db "$db" --from 2025-02-01 --to 2025-01-31
expect_err "report min-cell" "^hemgang report: --min-cell '0' is not a whole number 1-1000$" H report --db "$db" --from 2025-01-01 --to 2025-01-31 --min-cell 0
expect_err "report no db" "^hemgang report: no database at '/nonexistent/x.db'$" H report --db /nonexistent/x.db --from 2025-01-01 --to 2025-01-31
expect_err "report bad municipality" "^hemgang report: municipality '208' is not a 4-digit kommunkod$" H report --db "$db" --from 2025-01-01 --to 2025-01-31 --municipality 208
expect_err "export bad month" "^hemgang export: --month '2025-13' is not a month" H export vantetider --db "$db" --month 2025-13
expect_err "export unknown" "^hemgang export: unknown export 'skr'" H export skr --db "$db"
expect_err "export no month" '^hemgang export: --month YYYY-MM is required$' H export vantetider --db "$db"
expect_err "forecast future back-test" '^hemgang forecast: --backtest needs a period that has ended' H forecast --db "$db" --from 2025-06-01 --to 2025-06-10 --backtest --asof "$asof"
expect_err "forecast before origin" '^hemgang forecast: the period starts before the origin' H forecast --db "$db" --from 2025-01-01 --to 2025-01-10 --asof "$asof"
expect_rc "report rc 2" 2 H report --db "$db" --from x --to y
finish followup
