/*
 * cmd_liability.c - `hemgang liability`: the payment liability of one
 * ready-for-discharge stay, from the command line.
 *
 * The command reads the times and options, picks the agreement (a file given
 * with --agreement, otherwise the built-in statutory default in force on the
 * ready date), applies the overrides --grace/--count/--eves/--amount, and lets
 * liability_compute() do all the counting; it only prints the result, as text
 * or as one JSON object. The stay is assumed to meet the billing conditions
 * (notices sent, SIP called where needed): those are facts of an episode that
 * the command line does not have.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "wire/agreement_json.h"
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/liability.h"

#define CMD "liability"

typedef struct liability_options {
	const char *ready, *discharged, *until, *agreement_path;
	care_type care;
	int grace;          /* -1: the agreement's */
	int count;          /* -1: the agreement's, else agreement_count */
	bool eves;          /* true: exclude eves too */
	int64_t amount_ore; /* -1: the agreement's rates */
	bool json;
	size_t n_moves;     /* --moved DATE:CARE, in the order given (dates must not decrease) */
	liability_move moves[LIABILITY_MOVES_MAX];
} liability_options;

enum { OPT_READY = 1000, OPT_DISCHARGED, OPT_UNTIL, OPT_CARE, OPT_GRACE, OPT_COUNT, OPT_EVES, OPT_AMOUNT,
       OPT_AGREEMENT, OPT_JSON, OPT_MOVED };

static const struct option long_options[] = {
	{"ready", required_argument, NULL, OPT_READY},
	{"discharged", required_argument, NULL, OPT_DISCHARGED},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"care", required_argument, NULL, OPT_CARE},
	{"grace", required_argument, NULL, OPT_GRACE},
	{"count", required_argument, NULL, OPT_COUNT},
	{"eves", no_argument, NULL, OPT_EVES},
	{"amount", required_argument, NULL, OPT_AMOUNT},
	{"agreement", required_argument, NULL, OPT_AGREEMENT},
	{"json", no_argument, NULL, OPT_JSON},
	{"moved", required_argument, NULL, OPT_MOVED},
	{NULL, 0, NULL, 0},
};

/*
 * Kronor as "5042" or "5042.5" or "5042.50" into öre, exactly: at most 7
 * integer digits and 2 decimals, no sign, no exponent, no spaces.
 */
static bool parse_kronor(const char *s, int64_t *ore)
{
	int64_t kr = 0, frac = 0;
	int int_digits = 0, frac_digits = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, int_digits++) {
		if (int_digits == 7)
			return false;
		kr = kr * 10 + (*p - '0');
	}
	if (int_digits == 0)
		return false;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac_digits++) {
			if (frac_digits == 2)
				return false;
			frac = frac * 10 + (*p - '0');
		}
		if (frac_digits == 0)
			return false;
		if (frac_digits == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return false;
	*ore = kr * 100 + frac;
	return *ore <= AGREEMENT_AMOUNT_MAX;
}

/* A whole number 0..max, nothing else. */
static bool parse_small_int(const char *s, int max, int *out)
{
	int v = 0, digits = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 4)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0 || *s != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* "YYYY-MM-DD:care" into a move. */
static bool parse_move(const char *s, liability_move *out)
{
	char day[11];
	const char *colon = strchr(s, ':');
	if (!colon || colon - s != 10)
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	return date_parse(day, &out->from) == HG_OK && care_type_from_code(colon + 1, &out->care);
}

static int parse_options(int argc, char **argv, liability_options *o)
{
	int c;
	*o = (liability_options){.care = CARE_SOMATIC, .grace = -1, .count = -1, .amount_ore = -1};
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_READY: o->ready = optarg; break;
		case OPT_DISCHARGED: o->discharged = optarg; break;
		case OPT_UNTIL: o->until = optarg; break;
		case OPT_AGREEMENT: o->agreement_path = optarg; break;
		case OPT_EVES: o->eves = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_CARE:
			if (!care_type_from_code(optarg, &o->care))
				return cli_usage_error(CMD, "unknown care type '%s' (somatic, geriatric or psychiatric)",
						       optarg);
			break;
		case OPT_GRACE:
			if (!parse_small_int(optarg, AGREEMENT_GRACE_MAX, &o->grace))
				return cli_usage_error(CMD, "bad --grace '%s' (a whole number of days 0..%d)", optarg,
						       AGREEMENT_GRACE_MAX);
			break;
		case OPT_COUNT: {
			agreement_count cnt;
			if (!agreement_count_from_code(optarg, &cnt))
				return cli_usage_error(CMD, "bad --count '%s' (calendar or weekdays)", optarg);
			o->count = (int)cnt;
			break;
		}
		case OPT_MOVED:
			if (o->n_moves == LIABILITY_MOVES_MAX)
				return cli_usage_error(CMD, "too many --moved (at most %d)", LIABILITY_MOVES_MAX);
			if (!parse_move(optarg, &o->moves[o->n_moves]))
				return cli_usage_error(CMD, "bad --moved '%s' (want YYYY-MM-DD:CARE, CARE somatic, geriatric or "
							    "psychiatric)",
						       optarg);
			if (o->n_moves > 0 && o->moves[o->n_moves].from < o->moves[o->n_moves - 1].from)
				return cli_usage_error(CMD, "--moved '%s' is before the previous move", optarg);
			o->n_moves++;
			break;
		case OPT_AMOUNT:
			if (!parse_kronor(optarg, &o->amount_ore))
				return cli_usage_error(CMD, "bad --amount '%s' (kronor per night, e.g. 5042 or 5042.50)",
						       optarg);
			break;
		case ':': return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (!o->ready)
		return cli_usage_error(CMD, "--ready is required");
	if (!o->discharged && !o->until)
		return cli_usage_error(CMD, "--discharged is required (or --until DATE for a stay in progress)");
	if (o->discharged && o->until)
		return cli_usage_error(CMD, "give --discharged or --until, not both");
	return CLI_OK;
}

/* The agreement to use, with the overrides applied. Returns a CLI exit status. */
static int choose_agreement(const liability_options *o, hg_date ready_date, hg_date end_date, agreement *out)
{
	char err[256], day[11], from[11], to[11] = "open";
	if (o->agreement_path) {
		hg_status rc = agreement_json_load(o->agreement_path, out, err, sizeof err);
		if (rc != HG_OK)
			return cli_usage_error(CMD, "agreement %s: %s", o->agreement_path, err);
		if (!agreement_in_force(out, ready_date)) {
			if (out->valid_to != HG_DATE_NONE)
				date_format(out->valid_to, to);
			return cli_usage_error(CMD, "agreement %s is not in force on the ready date %s (valid %s to %s)",
					       out->id, date_format(ready_date, day), date_format(out->valid_from, from), to);
		}
	} else {
		size_t n;
		const agreement *list = agreement_statutory(&n);
		const agreement *a = agreement_find_in_force(list, n, NULL, ready_date);
		if (!a)
			return cli_usage_error(CMD, "no agreement in force on the ready date %s (the law applies from "
						    "2018-01-01); give --agreement FILE",
					       date_format(ready_date, day));
		*out = *a;
	}
	if (out->model == AGREEMENT_AVERAGE)
		return cli_usage_error(CMD, "agreement %s uses the average model: liability is settled per municipality "
					    "and period, not per stay",
				       out->id);
	if (o->grace >= 0)
		out->grace_days[o->care] = o->grace;
	if (o->count >= 0)
		out->count = (agreement_count)o->count;
	if (o->eves)
		out->eves_are_holidays = true;
	if (o->amount_ore >= 0) {
		/* One amount for every year the stay touches and every care type (a stay of more than 21 years
		 * would run past the table; the ceiling on a stay is 10). */
		int y0, y1, m, d;
		date_to_ymd(ready_date, &y0, &m, &d);
		date_to_ymd(end_date > ready_date ? end_date : ready_date, &y1, &m, &d);
		out->n_rates = 0;
		for (int y = y0; y <= y1; y++)
			for (int c = 0; c < CARE_TYPE_COUNT && out->n_rates < AGREEMENT_RATES_MAX; c++)
				out->rates[out->n_rates++] = (agreement_rate){y, (care_type)c, o->amount_ore};
	}
	return CLI_OK;
}

static void print_kronor(FILE *f, int64_t ore)
{
	fprintf(f, "%lld.%02lld kr", (long long)(ore / 100), (long long)(ore % 100));
}

static void print_text(const agreement *a, care_type care, const liability_result *r, hg_date until)
{
	char b1[11], b2[11];
	int grace = a->grace_days[care];
	printf("agreement       %s (version %d)\n", a->id, a->version);
	printf("care type       %s\n", care_type_label(care)->code);
	printf("ready date      %s\n", date_format(r->ready_date, b1));
	if (r->discharge_date != HG_DATE_NONE)
		printf("discharge date  %s\n", date_format(r->discharge_date, b1));
	else
		printf("in hospital     nights before %s counted\n", date_format(until, b1));
	printf("ready-days      %d\n", r->ready_days);
	printf("grace           %d %s%s, ends %s\n", grace,
	       a->count == AGREEMENT_COUNT_WEEKDAYS ? (grace == 1 ? "weekday" : "weekdays")
						    : (grace == 1 ? "calendar day" : "calendar days"),
	       a->count == AGREEMENT_COUNT_WEEKDAYS && a->eves_are_holidays ? " (eves excluded)" : "",
	       date_format(r->grace_end, b2));
	printf("liable nights   %zu\n", r->n_nights);
	for (size_t i = 0; i < r->n_nights; i++) {
		int y, m, d;
		date_to_ymd(r->nights[i].date, &y, &m, &d);
		printf("  %s  %-11s  ", date_format(r->nights[i].date, b1), care_type_label(r->nights[i].care)->code);
		if (r->nights[i].priced)
			print_kronor(stdout, r->nights[i].amount_ore);
		else
			printf("no amount for %d (%s)", y, r->nights[i].agreement ? r->nights[i].agreement->id : "no agreement");
		if (r->nights[i].priced && r->nights[i].agreement != a)
			printf("  (%s)", r->nights[i].agreement->id);
		putchar('\n');
	}
	printf("total           ");
	print_kronor(stdout, r->total_ore);
	putchar('\n');
}

/* Builds the --json object; NULL when out of memory. The caller json_decref()s it. */
static json_t *result_json(const agreement *a, care_type care, const liability_result *r, hg_date until)
{
	char b[11];
	json_t *o = json_object(), *dates = json_array(), *nights = json_array(), *unpriced = json_array();
	if (!o || !dates || !nights || !unpriced) {
		json_decref(o);
		json_decref(dates);
		json_decref(nights);
		json_decref(unpriced);
		return NULL;
	}
	for (size_t i = 0; i < r->n_nights; i++) {
		json_array_append_new(dates, json_string(date_format(r->nights[i].date, b)));
		const liability_night *ni = &r->nights[i];
		json_array_append_new(nights, json_pack("{s:s, s:s, s:o, s:o}", "date", date_format(ni->date, b), "care",
							care_type_label(ni->care)->code, "amount_ore",
							ni->priced ? json_integer((json_int_t)ni->amount_ore) : json_null(),
							"agreement", ni->agreement ? json_string(ni->agreement->id) : json_null()));
		if (!ni->priced)
			json_array_append_new(unpriced, json_string(date_format(ni->date, b)));
	}
	json_object_set_new(o, "agreement", json_string(a->id));
	json_object_set_new(o, "agreement_version", json_integer(a->version));
	json_object_set_new(o, "care", json_string(care_type_label(care)->code));
	json_object_set_new(o, "ready_date", json_string(date_format(r->ready_date, b)));
	json_object_set_new(o, "discharge_date",
			    r->discharge_date != HG_DATE_NONE ? json_string(date_format(r->discharge_date, b)) : json_null());
	json_object_set_new(o, "until", r->discharge_date == HG_DATE_NONE ? json_string(date_format(until, b)) : json_null());
	json_object_set_new(o, "ready_days", json_integer(r->ready_days));
	json_object_set_new(o, "grace_days", json_integer(a->grace_days[care]));
	json_object_set_new(o, "count", json_string(agreement_count_code(a->count)));
	json_object_set_new(o, "eves", json_boolean(a->eves_are_holidays));
	json_object_set_new(o, "grace_end", json_string(date_format(r->grace_end, b)));
	json_object_set_new(o, "liable_nights", dates);
	json_object_set_new(o, "nights", nights);
	json_object_set_new(o, "total_ore", json_integer((json_int_t)r->total_ore));
	json_object_set_new(o, "unpriced_nights", unpriced);
	return o;
}

int cmd_liability(int argc, char **argv)
{
	liability_options o;
	agreement a;
	liability_period period;
	liability_result r = {0};
	hg_instant discharged = HG_INSTANT_NONE;
	hg_date until = HG_DATE_NONE, ready_date, end_date;
	char b1[11], b2[11];
	int rc = parse_options(argc, argv, &o);
	if (rc != CLI_OK)
		return rc;
	period.end_at = HG_INSTANT_NONE;
	if (cal_parse_local(o.ready, &period.ready_at) != HG_OK)
		return cli_usage_error(CMD, "bad --ready time '%s' (want YYYY-MM-DD HH:MM, Europe/Stockholm)", o.ready);
	if (o.discharged && cal_parse_local(o.discharged, &discharged) != HG_OK)
		return cli_usage_error(CMD, "bad --discharged time '%s' (want YYYY-MM-DD HH:MM, Europe/Stockholm)",
				       o.discharged);
	if (o.until && date_parse(o.until, &until) != HG_OK)
		return cli_usage_error(CMD, "bad --until date '%s' (want YYYY-MM-DD)", o.until);
	ready_date = cal_local_date(period.ready_at);
	end_date = o.discharged ? cal_local_date(discharged) : until;
	if (ready_date == HG_DATE_NONE || end_date == HG_DATE_NONE)
		return cli_usage_error(CMD, "time out of range");
	rc = choose_agreement(&o, ready_date, end_date, &a);
	if (rc != CLI_OK)
		return rc;

	liability_input in = {
		.care = o.care,
		.periods = &period,
		.n_periods = 1,
		.discharged_at = discharged,
		.until = until,
		.admission_notice_sent = true,
		.ready_notice_sent = true,
		.n_moves = o.n_moves,
	};
	memcpy(in.moves, o.moves, o.n_moves * sizeof o.moves[0]);
	/* After the agreement's end date the built-in statutory default takes over, night by night. */
	in.handover = agreement_statutory(&in.n_handover);
	switch (liability_compute(&a, &in, &r)) {
	case HG_OK: break;
	case HG_ENOMEM: rc = cli_fail(CMD, "out of memory"); goto out;
	default:
		if (r.error == LIABILITY_ERR_DISCHARGE_BEFORE_READY)
			rc = cli_usage_error(CMD, "--discharged '%s' is before --ready '%s'", o.discharged, o.ready);
		else if (r.error == LIABILITY_ERR_UNTIL_BEFORE_READY)
			rc = cli_usage_error(CMD, "--until '%s' is before the ready date %s", o.until,
					     date_format(ready_date, b1));
		else
			rc = cli_usage_error(CMD, "%s", liability_error_text(r.error));
		goto out;
	}
	if (o.json) {
		json_t *j = result_json(&a, o.care, &r, until);
		if (!j) {
			rc = cli_fail(CMD, "out of memory");
			goto out;
		}
		json_dumpf(j, stdout, JSON_PRESERVE_ORDER); /* one line, ", " and ": " */
		putchar('\n');
		json_decref(j);
	} else {
		print_text(&a, o.care, &r, until);
	}
	rc = CLI_OK;
	if (r.n_unpriced > 0) {
		/* The figure above is incomplete: say so and fail, rather than guess an amount. */
		hg_date first = HG_DATE_NONE, last = HG_DATE_NONE;
		for (size_t i = 0; i < r.n_nights; i++)
			if (!r.nights[i].priced) {
				if (first == HG_DATE_NONE)
					first = r.nights[i].date;
				last = r.nights[i].date;
			}
		rc = cli_usage_error(CMD, "%zu night(s) between %s and %s have no daily amount (no amount for the year "
					  "in the agreement in force); import it with hemgang agreement import, or give "
					  "--amount KR",
				     r.n_unpriced, date_format(first, b1), date_format(last, b2));
	}
out:
	liability_result_free(&r);
	return rc;
}
