# tests/cli/yardstick.sh - yardsticks (issue 15.4) on the fixture of tests/cli/invoice_fixture.py: an
# agreement's "yardstick" member is imported (and a malformed one refused with its field named), and
# `hemgang report` shows each municipality's mean liable days per episode beside the agreement's target,
# in columns added after every earlier one. Hand-computed (March 2024, dalarna-test: 3 calendar days):
#   Falun: ended with a ready-day: ep1 2 liable nights, ep3 0 (no SIP call: not billed), ep5 2, ep6 3
#          -> 7 / 4 = 1.75 days; its target 1.50 (2017)
#   Borlänge: ep4 0 (no admission notice) -> 0 / 1 = 0; no target
. "$(dirname "$0")/lib.sh"
DIR=$(dirname "$0")
T=$(mktemp -d "${HEMGANG_TEST_TMP:-/tmp}/yardstick-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB="$T/fx.db"
AGR="$DIR/data/invoice-agreement.json"
py() { python3 -c "$@"; }
"$HEMGANG" migrate --db "$DB" >/dev/null && python3 "$DIR/invoice_fixture.py" "$DB" &&
	"$HEMGANG" rebuild --db "$DB" >/dev/null || { bad "fixture"; finish yardstick; exit 1; }

yard() { py "import json,sys; a=json.load(open('$AGR')); a['yardstick']=json.loads(sys.argv[1]); json.dump(a, open(sys.argv[2], 'w'))" "$1" "$2"; }
yard '{"baseline_year": 2017, "targets_centidays": {"2080": 150}}' "$T/y.json"
expect_out "import with a yardstick" "imported	dalarna-test	version 1" "$HEMGANG" agreement --db "$DB" import "$T/y.json"
expect_out "the stored file keeps it" '{"baseline_year": 2017, "targets_centidays": {"2080": 150}}' \
	py "import json,sys; print(json.dumps(json.load(sys.stdin)['yardstick']))" < <("$HEMGANG" agreement --db "$DB" show dalarna-test)

R=("$HEMGANG" report --db "$DB" --from 2024-03-01 --to 2024-03-31 --by municipality --min-cell 1 --asof "2024-04-01 00:00")
expect_out "mean liable days against the target" "municipality,ready_episodes,liable_days_mean,liable_days_target,target_baseline_year
2080,4,1.75,1.5,2017
2081,1,0,,
total,5,1.4,," \
	bash -c "$(printf '%q ' "${R[@]}") --measures ready_episodes,liable_days_mean,liable_days_target,target_baseline_year --format csv | tr -d '\r'"
expect_out "one municipality: the total has its target" "total,1.75,1.5" \
	bash -c "$(printf '%q ' "${R[@]}") --municipality 2080 --measures liable_days_mean,liable_days_target --format csv | tr -d '\r' | tail -1"
expect_out "the new columns come after every earlier one" "sip_where_wanted_share liable_days_mean liable_days_target target_baseline_year" \
	bash -c "$(printf '%q ' "${R[@]}") --measures all --format csv | head -1 | tr -d '\r' | tr ',' '\n' | grep -x -A3 sip_where_wanted_share | paste -sd' '"
expect_out "the care process columns (issue 14) after those" "target_baseline_year care_plan_call_due care_plan_call_3d care_plan_call_3d_share decision_episodes ready_to_decision_days_mean children_as_relatives" \
	bash -c "$(printf '%q ' "${R[@]}") --measures all --format csv | head -1 | tr -d '\r' | tr ',' '\n' | tail -7 | paste -sd' '"
expect_out "json: the target beside the mean" "2080 1.75 1.5 2017" \
	py "import json,sys; d=json.load(sys.stdin); r=[x for x in d['rows'] if x['keys']['municipality']=='2080'][0]['values']
print('2080', r['liable_days_mean'], r['liable_days_target'], r['target_baseline_year'])" \
	< <("${R[@]}" --measures liable_days_mean,liable_days_target,target_baseline_year --format json)

# Malformed yardsticks: one line naming the field.
for case in '{"baseline_year": 2017}|^hemgang agreement: .*: yardstick: must be an object \{baseline_year, targets_centidays\}$' \
	'{"baseline_year": 1800, "targets_centidays": {}}|^hemgang agreement: .*: yardstick.baseline_year: ' \
	'{"baseline_year": 2017, "targets_centidays": {"208": 1}}|^hemgang agreement: .*: yardstick.targets_centidays.208: the key must be a 4-digit municipality code$' \
	'{"baseline_year": 2017, "targets_centidays": {"2080": -1}}|^hemgang agreement: .*: yardstick.targets_centidays.2080: ' \
	'{"baseline_year": 2017, "targets_centidays": {"2085": 100}}|^hemgang agreement: .*: yardstick\[0\]: a target.s municipality is not covered by the agreement$'; do
	yard "${case%%|*}" "$T/bad.json"
	sed -i 's/"version": 1/"version": 5/' "$T/bad.json"
	expect_err "refused: ${case%%|*}" "${case#*|}" "$HEMGANG" agreement --db "$DB" import "$T/bad.json"
done
finish yardstick
