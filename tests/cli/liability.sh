# tests/cli/liability.sh - `hemgang liability`: the exact --json object for both
# design.md examples, the text output, overrides, the shipped Stockholm
# agreement, and one error line with exit 2 for each kind of bad input.
. "$(dirname "$0")/lib.sh"
L=("$HEMGANG" liability)
D1=(--ready "2024-05-03 10:00" --discharged "2024-05-15 11:00")
STHLM=agreements/stockholm-2018.json

# design.md example 1: Fri 2024-05-03, 5 weekdays (Thu 9 May is Ascension Day) -> G = 13 May, out 15 May: 2 nights.
# The statutory file has no 2024 amount (issue 15.2: never another year's), so 9 300 kr is given with --amount.
expect_out "design 1 --json" \
'{"agreement": "statutory", "agreement_version": 1, "care": "somatic", "ready_date": "2024-05-03", "discharge_date": "2024-05-15", "until": null, "ready_days": 12, "grace_days": 5, "count": "weekdays", "eves": false, "grace_end": "2024-05-13", "liable_nights": ["2024-05-13", "2024-05-14"], "nights": [{"date": "2024-05-13", "care": "somatic", "amount_ore": 930000, "agreement": "statutory"}, {"date": "2024-05-14", "care": "somatic", "amount_ore": 930000, "agreement": "statutory"}], "total_ore": 1860000, "unpriced_nights": []}' \
	"${L[@]}" "${D1[@]}" --grace 5 --count weekdays --amount 9300 --json
# design.md example 2: 2024-03-01, 3 calendar days (the default) -> G = 4 March.
expect_out "design 2, out on G --json" \
'{"agreement": "statutory", "agreement_version": 1, "care": "somatic", "ready_date": "2024-03-01", "discharge_date": "2024-03-04", "until": null, "ready_days": 3, "grace_days": 3, "count": "calendar", "eves": false, "grace_end": "2024-03-04", "liable_nights": [], "nights": [], "total_ore": 0, "unpriced_nights": []}' \
	"${L[@]}" --ready 2024-03-01 --discharged 2024-03-04 --amount 9300 --json
expect_out "design 2, out 6 March --json" \
'{"agreement": "statutory", "agreement_version": 1, "care": "somatic", "ready_date": "2024-03-01", "discharge_date": "2024-03-06", "until": null, "ready_days": 5, "grace_days": 3, "count": "calendar", "eves": false, "grace_end": "2024-03-04", "liable_nights": ["2024-03-04", "2024-03-05"], "nights": [{"date": "2024-03-04", "care": "somatic", "amount_ore": 930000, "agreement": "statutory"}, {"date": "2024-03-05", "care": "somatic", "amount_ore": 930000, "agreement": "statutory"}], "total_ore": 1860000, "unpriced_nights": []}' \
	"${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --amount 9300 --json

# text output
expect_out "design 1 text" "agreement       statutory (version 1)
care type       somatic
ready date      2024-05-03
discharge date  2024-05-15
ready-days      12
grace           5 weekdays, ends 2024-05-13
liable nights   2
  2024-05-13  somatic      9300.00 kr
  2024-05-14  somatic      9300.00 kr
total           18600.00 kr" "${L[@]}" "${D1[@]}" --grace 5 --count weekdays --amount 9300
expect_out "text, --amount, eves at midsummer" "agreement       statutory (version 1)
care type       somatic
ready date      2024-06-19
discharge date  2024-06-26
ready-days      7
grace           2 weekdays (eves excluded), ends 2024-06-24
liable nights   2
  2024-06-24  somatic      5042.50 kr
  2024-06-25  somatic      5042.50 kr
total           10085.00 kr" "${L[@]}" --ready "2024-06-19 10:00" --discharged 2024-06-26 --grace 2 --count weekdays --eves --amount 5042.5
expect_out "text, stay in progress" "agreement       statutory (version 1)
care type       somatic
ready date      2019-03-01
in hospital     nights before 2019-03-06 counted
ready-days      5
grace           3 calendar days, ends 2019-03-04
liable nights   2
  2019-03-04  somatic      7800.00 kr
  2019-03-05  somatic      7800.00 kr
total           15600.00 kr" "${L[@]}" --ready "2019-03-01 08:00" --until 2019-03-06

# the JSON has exactly the promised totals for simple overrides
total() { "$@" --json | sed -E 's/.*"total_ore": ([0-9]+).*/\1/'; }
expect_out "--amount whole kronor" 1008400 total "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --amount 5042
expect_out "--amount one decimal" 1008500 total "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --amount 5042.5
expect_out "--amount zero" 0 total "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --amount 0
expect_out "late evening is the same ready date" 1860000 total "${L[@]}" --ready "2024-03-01 23:59" --discharged 2024-03-06 --amount 9300
expect_out "after midnight is the next" 930000 total "${L[@]}" --ready "2024-03-02 00:01" --discharged 2024-03-06 --amount 9300
expect_out "ISO instant with Z (00:30 local)" 0 total "${L[@]}" --ready "2024-03-30T23:30:00Z" --discharged 2024-04-03
expect_out "same-day discharge" 0 total "${L[@]}" --ready "2024-03-01 08:00" --discharged "2024-03-01 15:00"

# the shipped Stockholm agreement: 5 weekdays somatic and geriatric, 30 psychiatric; 2017 amounts from 2019
expect_out "Stockholm somatic 2019" \
'{"agreement": "stockholm-2018", "agreement_version": 1, "care": "somatic", "ready_date": "2019-03-01", "discharge_date": "2019-03-11", "until": null, "ready_days": 10, "grace_days": 5, "count": "weekdays", "eves": false, "grace_end": "2019-03-08", "liable_nights": ["2019-03-08", "2019-03-09", "2019-03-10"], "nights": [{"date": "2019-03-08", "care": "somatic", "amount_ore": 504200, "agreement": "stockholm-2018"}, {"date": "2019-03-09", "care": "somatic", "amount_ore": 504200, "agreement": "stockholm-2018"}, {"date": "2019-03-10", "care": "somatic", "amount_ore": 504200, "agreement": "stockholm-2018"}], "total_ore": 1512600, "unpriced_nights": []}' \
	"${L[@]}" --ready "2019-03-01 10:00" --discharged "2019-03-11 10:00" --agreement "$STHLM" --json
expect_out "Stockholm geriatric 2019" 1091400 total "${L[@]}" --ready "2019-03-01 10:00" --discharged "2019-03-11 10:00" --agreement "$STHLM" --care geriatric
expect_out "Stockholm psychiatric: 30 weekdays over Easter" '"grace_end": "2018-04-16"' \
	bash -c '"$@" --json | grep -o "\"grace_end\": \"[0-9-]*\""' _ "${L[@]}" --ready 2018-03-01 --discharged 2018-05-01 --agreement "$STHLM" --care psychiatric
expect_out "Stockholm 2018: no invoicing" 0 total "${L[@]}" --ready 2018-03-01 --discharged 2018-05-01 --agreement "$STHLM"
expect_out "Stockholm, --grace 6 calendar: 4 nights" 2016800 total "${L[@]}" --ready "2019-03-01 10:00" --discharged "2019-03-11 10:00" --agreement "$STHLM" --grace 6 --count calendar
expect_rc "Stockholm text: exit 0" 0 "${L[@]}" --ready "2019-03-01 10:00" --discharged "2019-03-11 10:00" --agreement "$STHLM"

# issue 15.1: each night at the care type of the ward that night. Ready Mon 2019-11-04, G = 11 Nov;
# 11-14 somatic, moved 15 Nov to geriatric, 15-23 geriatric: 4 x 5 042 + 9 x 3 638 = 52 910 kr.
expect_out "issue 15 example: moved to geriatric" '"total_ore": 5291000' \
	bash -c '"$@" | grep -o "\"total_ore\": [0-9]*"' _ "${L[@]}" --agreement "$STHLM" --care somatic \
	--moved "2019-11-15:geriatric" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00" --json
expect_out "issue 15 example, exact total" 5291000 total "${L[@]}" --agreement "$STHLM" --care somatic \
	--moved "2019-11-15:geriatric" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00"
expect_out "issue 15 example, nights per care type" "4 somatic
9 geriatric" bash -c '"$@" | grep -o "\"care\": \"[a-z]*\", \"amount" | uniq -c | sed -E "s/ *([0-9]+) \"care\": \"([a-z]+)\".*/\1 \2/"' _ \
	"${L[@]}" --agreement "$STHLM" --moved "2019-11-15:geriatric" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00" --json
# --moved repeats: somatic 11-14, geriatric 15-19, psychiatric 20-23: 4 x 5 042 + 5 x 3 638 + 4 x 4 277 = 55 466 kr
expect_out "--moved twice" 5546600 total "${L[@]}" --agreement "$STHLM" --moved "2019-11-15:geriatric" \
	--moved "2019-11-20:psychiatric" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00"
expect_out "moved text line" "  2019-11-15  geriatric    3638.00 kr" bash -c '"$@" | grep "2019-11-15"' _ \
	"${L[@]}" --agreement "$STHLM" --moved "2019-11-15:geriatric" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00"
expect_err "bad --moved" "^hemgang liability: bad --moved '2019-11-15:ward'" "${L[@]}" --agreement "$STHLM" \
	--moved "2019-11-15:ward" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00"
expect_err "--moved out of order" "^hemgang liability: --moved '2019-11-10:somatic' is before the previous move" \
	"${L[@]}" --moved "2019-11-15:geriatric" --moved "2019-11-10:somatic" --ready "2019-11-04 10:00" --discharged "2019-11-24 10:00"

# issue 15.2: no silent fallback rate. The statutory default has no 2024 amount: the nights are listed
# without one ("amount_ore": null, "unpriced_nights"), the total leaves them out, and the exit status is 2.
expect_out "2024 statutory: nights without an amount" '"unpriced_nights": ["2024-03-04", "2024-03-05"]' \
	bash -c '"$@" 2>/dev/null | grep -o "\"unpriced_nights\": \[[^]]*\]"' _ "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --json
expect_rc "2024 statutory: exit 2" 2 "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --json
expect_err "2024 statutory: says which nights" "^hemgang liability: 2 night\\(s\\) between 2024-03-04 and 2024-03-05 have no daily amount" \
	"${L[@]}" --ready 2024-03-01 --discharged 2024-03-06
# Stockholm 2018-19 ends 31 Dec 2019 and hands over to the statutory default night by night: ready Fri 13 Dec 2019,
# G = Fri 20 Dec; 20-31 Dec at 5 042 kr (Stockholm), 1-3 Jan 2020 statutory, which has no 2020 amount.
expect_out "Stockholm hands over on 1 Jan 2020" '"2020-01-01", "care": "somatic", "amount_ore": null, "agreement": "statutory"' \
	bash -c '"$@" 2>/dev/null | grep -o "\"2020-01-01\", \"care\": \"somatic\", \"amount_ore\": null, \"agreement\": \"statutory\""' _ \
	"${L[@]}" --agreement "$STHLM" --ready "2019-12-13 10:00" --discharged "2020-01-04 10:00" --json
expect_out "Stockholm hand-over: 12 Stockholm nights priced" 6050400 bash -c '"$@" 2>/dev/null | sed -E "s/.*\"total_ore\": ([0-9]+).*/\1/"' _ \
	"${L[@]}" --agreement "$STHLM" --ready "2019-12-13 10:00" --discharged "2020-01-04 10:00" --json
# the statutory 2018 default hands over to the 2019 one on 1 January 2019 (7 800 kr): ready 2018-12-28, G = 31 Dec
expect_out "statutory 2018 -> 2019" '"total_ore": 1560000, "unpriced_nights": ["2018-12-31"]' bash -c '"$@" 2>/dev/null | grep -o "\"total_ore\": .*"| sed "s/}$//"' _ \
	"${L[@]}" --ready 2018-12-28 --discharged 2019-01-03 --json

# bad input: one stderr line naming the value, exit 2
expect_err "impossible date" "^hemgang liability: bad --ready time '2024-02-30'" "${L[@]}" --ready 2024-02-30 --discharged 2024-03-04
expect_err "skipped DST hour" "^hemgang liability: bad --ready time '2024-03-31 02:30'" "${L[@]}" --ready "2024-03-31 02:30" --discharged 2024-04-04
expect_err "bad discharge" "^hemgang liability: bad --discharged time 'tomorrow'" "${L[@]}" --ready 2024-03-01 --discharged tomorrow
expect_err "discharged before ready" "^hemgang liability: --discharged '2024-03-04' is before --ready '2024-03-05'$" "${L[@]}" --ready 2024-03-05 --discharged 2024-03-04
expect_err "missing --discharged" "^hemgang liability: --discharged is required" "${L[@]}" --ready 2024-03-01
expect_err "missing --ready" "^hemgang liability: --ready is required$" "${L[@]}" --discharged 2024-03-01
expect_err "both --discharged and --until" "not both" "${L[@]}" --ready 2024-03-01 --discharged 2024-03-04 --until 2024-03-05
expect_err "unknown option" "^hemgang liability: unknown option '--bogus'$" "${L[@]}" "${D1[@]}" --bogus
expect_err "option without value" "^hemgang liability: option '--grace' needs a value$" "${L[@]}" "${D1[@]}" --grace
expect_err "stray argument" "^hemgang liability: unexpected argument 'extra'$" "${L[@]}" "${D1[@]}" extra
expect_err "unknown care" "^hemgang liability: unknown care type 'dental'" "${L[@]}" "${D1[@]}" --care dental
expect_err "bad count" "^hemgang liability: bad --count 'workdays'" "${L[@]}" "${D1[@]}" --count workdays
expect_err "grace not a number" "^hemgang liability: bad --grace 'x'" "${L[@]}" "${D1[@]}" --grace x
expect_err "grace negative" "^hemgang liability: bad --grace '-1'" "${L[@]}" "${D1[@]}" --grace -1
expect_err "grace too large" "^hemgang liability: bad --grace '366'" "${L[@]}" "${D1[@]}" --grace 366
for amount in -5 5042.505 12abc 1e3 "" " 5" 5042. .5 5,50 10000000; do
	expect_err "bad amount '$amount'" "^hemgang liability: bad --amount '$amount'" "${L[@]}" "${D1[@]}" --amount "$amount"
done
expect_err "until before ready" "^hemgang liability: --until '2024-02-01' is before the ready date 2024-03-01$" "${L[@]}" --ready 2024-03-01 --until 2024-02-01
expect_err "before the law" "^hemgang liability: no agreement in force on the ready date 2017-03-01" "${L[@]}" --ready 2017-03-01 --discharged 2017-03-10
expect_err "2018 has no documented amount" "^hemgang liability: 6 night\\(s\\) between 2018-03-04 and 2018-03-09 have no daily amount" "${L[@]}" --ready 2018-03-01 --discharged 2018-03-10
expect_rc "2018 with --amount" 0 "${L[@]}" --ready 2018-03-01 --discharged 2018-03-10 --amount 7000
expect_err "stay too long" "^hemgang liability: the stay is longer than 3660 days$" "${L[@]}" --ready 2019-01-01 --discharged 2030-01-01
expect_err "agreement out of force" "^hemgang liability: agreement stockholm-2018 is not in force on the ready date 2024-03-01" "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --agreement "$STHLM"
expect_err "average-model agreement" "uses the average model" "${L[@]}" --ready 2024-03-01 --discharged 2024-03-06 --agreement agreements/example-average.json
expect_err "missing agreement file" "^hemgang liability: agreement /nonexistent/a.json: cannot open" "${L[@]}" "${D1[@]}" --agreement /nonexistent/a.json
tmp=${HEMGANG_TEST_TMP:-/tmp}/liability.$$
mkdir -p "$tmp"
sed 's/"psychiatric": 30}/"psychiatric": -30}/' "$STHLM" >"$tmp/neg.json"
expect_err "negative grace in file" "^hemgang liability: agreement $tmp/neg.json: grace_days.psychiatric: must be an integer 0..365$" "${L[@]}" "${D1[@]}" --agreement "$tmp/neg.json"
sed 's/"valid_to": "2019-12-31"/"valid_to": "2017-12-31"/' "$STHLM" >"$tmp/to.json"
expect_err "valid_to before valid_from" "^hemgang liability: agreement $tmp/to.json: valid_to: valid_to is before valid_from$" "${L[@]}" "${D1[@]}" --agreement "$tmp/to.json"
printf '{"format": "hemgang-agreement/1",' >"$tmp/broken.json"
expect_err "not JSON" "^hemgang liability: agreement $tmp/broken.json: not valid JSON" "${L[@]}" "${D1[@]}" --agreement "$tmp/broken.json"
rm -rf "$tmp"

finish liability
