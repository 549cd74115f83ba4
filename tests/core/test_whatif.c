/*
 * test_whatif.c - the what-if of agreement models (core/whatif.h) over
 * hand-built follow-up facts rows, with every figure computed by hand.
 *
 * The agreement in force, X, covers Falun (2080): 3 calendar days, somatic
 * 2 000 kr a night in 2024 and 3 000 kr in 2025; Borlänge (2081) has only the
 * built-in statutory default, which has no amount for 2024 (a night without
 * an amount is counted, never priced). The stays (local times):
 *
 *   S1 2080 ready Mon 2024-01-29 10:00, out Sat 2024-02-03: 5 ready-days;
 *      X: G = Thu 1 Feb, nights 1-2 Feb = 2 x 2 000 kr in February;
 *      5 weekdays: Tue 30, Wed 31 Jan, Thu 1, Fri 2, Mon 5 Feb: G = 5 Feb, 0 nights.
 *   S2 2080 ready Fri 2024-12-27 10:00, out Fri 2025-01-03: 7 ready-days, over New Year;
 *      X: G = Mon 30 Dec, 30-31 Dec at 2 000 kr (December), 1-2 Jan at 3 000 kr (January);
 *      5 weekdays: Mon 30, Tue 31 Dec, (Wed 1 Jan), Thu 2, Fri 3, (Mon 6 Jan Epiphany), Tue 7: 0 nights.
 *   S3 2080 ready Tue 2024-02-20 10:00, in hospital, as of 2024-02-26: X: G = Fri 23, nights 23-25 =
 *      3 x 2 000 kr; 5 weekdays: G = Tue 27: 0 nights. Not discharged: not in an average.
 *   S4 2080 ready 2024-02-01, out 2024-02-10, no admission notice: billed nowhere, left out of averages.
 *   S5 2081 ready Mon 2024-02-05 10:00, out Fri 2024-02-09: statutory: G = Thu 8, one night without an
 *      amount; scenario O (0 grace days, 1 000 kr, Borlänge only): nights 5-8 = 4 x 1 000 kr.
 */
#include <stdlib.h>

#include "core/calendar.h"
#include "core/whatif.h"
#include "test.h"

static hg_instant at(const char *local)
{
	hg_instant t;
	if (cal_parse_local(local, &t) != HG_OK) {
		fprintf(stderr, "bad test instant %s\n", local);
		abort();
	}
	return t;
}

static hg_date day(const char *s)
{
	hg_date d;
	if (date_parse(s, &d) != HG_OK) {
		fprintf(stderr, "bad test date %s\n", s);
		abort();
	}
	return d;
}

/* ---- agreements ---- */

enum { AG_X, AG_W, AG_AVG, AG_O, AG_W2025, AG_Q, AG_BAD, AG_COUNT };

static agreement make_agreement(int which)
{
	agreement a = {
	    .id = "x",
	    .name = "X",
	    .version = 1,
	    .region = "20",
	    .n_municipalities = 1,
	    .municipalities = {"2080"},
	    .valid_to = HG_DATE_NONE,
	    .model = AGREEMENT_PER_NIGHT,
	    .grace_days = {3, 3, 3},
	    .count = AGREEMENT_COUNT_CALENDAR,
	    .withdrawal = AGREEMENT_WITHDRAWAL_NEW_GRACE,
	    .conditions = {true, true, true},
	    .n_rates = 2,
	    .rates = {{2024, CARE_SOMATIC, 200000}, {2025, CARE_SOMATIC, 300000}},
	};
	a.valid_from = day("2018-01-01");
	switch (which) {
	case AG_W: /* 5 weekdays, same amounts */
		snprintf(a.id, sizeof a.id, "w");
		a.count = AGREEMENT_COUNT_WEEKDAYS;
		a.grace_days[CARE_SOMATIC] = 5;
		break;
	case AG_AVG: /* the average model by month: 3.00 days per episode, 9 300 kr a day above */
		snprintf(a.id, sizeof a.id, "avg");
		a.model = AGREEMENT_AVERAGE;
		a.n_rates = 0;
		a.average = (agreement_average){1, {300, 300, 300}, {930000, 930000, 930000}};
		break;
	case AG_Q: /* the average model by quarter */
		snprintf(a.id, sizeof a.id, "q");
		a.model = AGREEMENT_AVERAGE;
		a.n_rates = 0;
		a.average = (agreement_average){3, {300, 300, 300}, {930000, 930000, 930000}};
		break;
	case AG_O: /* Borlänge only: no grace, 1 000 kr */
		snprintf(a.id, sizeof a.id, "o");
		snprintf(a.municipalities[0], sizeof a.municipalities[0], "2081");
		a.grace_days[CARE_SOMATIC] = 0;
		a.n_rates = 1;
		a.rates[0] = (agreement_rate){2024, CARE_SOMATIC, 100000};
		break;
	case AG_W2025: /* from 2025 only: X hands its nights over to it on 1 January; 5 000 kr in 2025 */
		snprintf(a.id, sizeof a.id, "w2025");
		a.valid_from = day("2025-01-01");
		a.n_rates = 1;
		a.rates[0] = (agreement_rate){2025, CARE_SOMATIC, 500000};
		break;
	case AG_BAD:
		a.grace_days[CARE_SOMATIC] = 400;
		break;
	default:
		break;
	}
	return a;
}

/* ---- facts rows ---- */

static facts_row stay(const char *municipality, const char *ready, const char *out, bool notice)
{
	facts_row r;
	memset(&r, 0, sizeof r);
	snprintf(r.municipality, sizeof r.municipality, "%s", municipality);
	r.care = r.liability_care = CARE_SOMATIC;
	r.has_liability = true;
	r.n_periods = 1;
	r.periods[0].start = at(ready);
	r.periods[0].from = r.ready_date = cal_local_date(r.periods[0].start);
	r.deadlines.discharged_at = out ? at(out) : HG_INSTANT_NONE;
	r.discharged = out ? cal_local_date(r.deadlines.discharged_at) : HG_DATE_NONE;
	r.periods[0].end = r.deadlines.discharged_at;
	r.periods[0].to = r.discharged;
	r.billing_open = out ? 1u : 0u; /* the discharge ends the period */
	r.admission_notice_sent = notice;
	r.ready_notice_sent = true;
	r.sip_needed = false;
	return r;
}

static void add_stays(struct test *t, whatif *w)
{
	const facts_row rows[] = {
	    stay("2080", "2024-01-29 10:00", "2024-02-03 10:00", true),
	    stay("2080", "2024-12-27 10:00", "2025-01-03 10:00", true),
	    stay("2080", "2024-02-20 10:00", NULL, true),
	    stay("2080", "2024-02-01 10:00", "2024-02-10 10:00", false),
	    stay("2081", "2024-02-05 10:00", "2024-02-09 10:00", true),
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, whatif_add(w, &rows[i]), HG_OK, "add S%zu", i + 1);
}

/* The in-force list: X and the built-in statutory defaults. */
static agreement *in_force(size_t *n)
{
	size_t n_builtin;
	const agreement *builtin = agreement_statutory(&n_builtin);
	agreement *list = calloc(1 + n_builtin, sizeof *list);
	if (!list)
		abort();
	list[0] = make_agreement(AG_X);
	memcpy(list + 1, builtin, n_builtin * sizeof *list);
	*n = 1 + n_builtin;
	return list;
}

static const whatif_row *find(const whatif_row *rows, size_t n, const char *m, int year, int month)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].municipality, m) == 0 && rows[i].year == year && rows[i].month == month)
			return &rows[i];
	return NULL;
}

/* ---- the figures ---- */

static void test_figures(struct test *t)
{
	size_t n_force;
	agreement *force = in_force(&n_force);
	agreement scen[] = {make_agreement(AG_X), make_agreement(AG_W), make_agreement(AG_AVG), make_agreement(AG_O),
	                    make_agreement(AG_W2025)};
	whatif_config cfg = {.in_force = force,
	                     .n_in_force = n_force,
	                     .scenarios = scen,
	                     .n_scenarios = 5,
	                     .from = day("2024-01-15"),
	                     .to = day("2025-01-02"),
	                     .asof = day("2024-02-26")};
	whatif *w = NULL;
	T_EQ_INT(t, whatif_new(&cfg, &w), HG_OK, "new");
	if (!w)
		goto out;
	T_EQ_INT(t, whatif_load_from(w), day("2024-01-01"), "monthly periods look back to the first month only");
	T_EQ_INT(t, whatif_touch(w, "2082"), HG_OK, "touch 2082");
	T_EQ_INT(t, whatif_touch(w, "20x2"), HG_EINVAL, "touch a malformed code");
	add_stays(t, w);
	const whatif_row *rows = NULL;
	size_t n = 0;
	T_EQ_INT(t, whatif_finish(w, &rows, &n), HG_OK, "finish");
	T_EQ_INT(t, n, 3 * 13, "three municipalities x 13 months (January 2024 - January 2025)");
	T_EQ_STR(t, n ? rows[0].municipality : "", "2080", "sorted by municipality");
	T_EQ_STR(t, n ? rows[n - 1].municipality : "", "2082", "the touched one last");
	T_EQ_INT(t, whatif_finish(w, &rows, &n), HG_EINVAL, "finish twice");

	/* rows: municipality, year, month; then per set (in force, X, W, AVG, O, W2025): total, nights, unpriced */
	static const struct {
		const char *m;
		int year, month;
		int64_t total[6], nights[6], unpriced[6];
		bool average;
	} want[] = {
	    /* January 2024: S1's ready nights, all within the grace days; no average episode ended */
	    {"2080", 2024, 1, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}, {0}, true},
	    /* February: S1 2 nights + S3 3 nights at 2 000 kr; weekdays 0; average: S1 5 days - 3.00 = 2 days */
	    {"2080", 2024, 2, {1000000, 1000000, 0, 1860000, 1000000, 1000000}, {5, 5, 0, 0, 5, 5}, {0}, true},
	    {"2080", 2024, 3, {0}, {0}, {0}, true},
	    /* December: S2's 30-31 Dec at 2 000 kr; under W2025 X still judges (ready in 2024) */
	    {"2080", 2024, 12, {400000, 400000, 0, 0, 400000, 400000}, {2, 2, 0, 0, 2, 2}, {0}, true},
	    /* January 2025: 1-2 Jan at 3 000 kr; W2025 takes the nights over from 1 January at 5 000 kr;
	     * average: S2 7 days - 3.00 = 4 days x 9 300 kr */
	    {"2080", 2025, 1, {600000, 600000, 0, 3720000, 600000, 1000000}, {2, 2, 0, 0, 2, 2}, {0}, true},
	    /* Borlänge: the statutory default has no 2024 amount: one night, unpriced; O: 4 x 1 000 kr */
	    {"2081", 2024, 2, {0, 0, 0, 0, 400000, 0}, {1, 1, 1, 1, 4, 1}, {1, 1, 1, 1, 0, 1}, false},
	    {"2081", 2024, 3, {0}, {0}, {0}, false},
	    {"2082", 2024, 2, {0}, {0}, {0}, false},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const whatif_row *r = find(rows, n, want[i].m, want[i].year, want[i].month);
		if (!T_TRUE(t, r != NULL, "row %s %d-%d", want[i].m, want[i].year, want[i].month))
			continue;
		for (int s = 0; s < 6; s++) {
			const whatif_figure *f = s == 0 ? &r->in_force : &r->scenarios[s - 1];
			T_EQ_INT(t, f->total_ore, want[i].total[s], "%s %d-%02d set %d total", want[i].m, want[i].year,
			         want[i].month, s);
			T_EQ_INT(t, f->nights, want[i].nights[s], "%s %d-%02d set %d nights", want[i].m, want[i].year,
			         want[i].month, s);
			T_EQ_INT(t, f->unpriced_nights, want[i].unpriced[s], "%s %d-%02d set %d unpriced", want[i].m,
			         want[i].year, want[i].month, s);
		}
		T_EQ_INT(t, r->scenarios[2].average, want[i].average, "%s %d-%02d AVG settles", want[i].m, want[i].year,
		         want[i].month);
	}
	/* the agreement in force as a scenario gives the in-force figures on every row */
	for (size_t i = 0; i < n; i++)
		T_EQ_INT(t, rows[i].scenarios[0].total_ore, rows[i].in_force.total_ore, "X = in force, row %zu", i);
out:
	whatif_free(w);
	free(force);
}

/* A quarter's settlement looks back to the quarter's start and is settled in its last month only. */
static void test_quarter(struct test *t)
{
	size_t n_force;
	agreement *force = in_force(&n_force);
	agreement scen[] = {make_agreement(AG_Q)};
	whatif_config cfg = {.in_force = force,
	                     .n_in_force = n_force,
	                     .scenarios = scen,
	                     .n_scenarios = 1,
	                     .from = day("2024-02-01"),
	                     .to = day("2024-03-31"),
	                     .asof = day("2024-12-31")};
	whatif *w = NULL;
	T_EQ_INT(t, whatif_new(&cfg, &w), HG_OK, "quarter new");
	if (!w)
		goto out;
	T_EQ_INT(t, whatif_load_from(w), day("2024-01-01"), "quarter: load from the quarter's start");
	/* ended in January (3 days), February (5 days: S1) and March (9 days): 17 days - 3 x 3.00 = 8 days */
	const facts_row rows[] = {
	    stay("2080", "2024-01-10 10:00", "2024-01-13 10:00", true),
	    stay("2080", "2024-01-29 10:00", "2024-02-03 10:00", true),
	    stay("2080", "2024-03-01 10:00", "2024-03-10 10:00", true),
	    stay("2080", "2024-03-25 10:00", "2024-04-02 10:00", true), /* ends in the next quarter */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, whatif_add(w, &rows[i]), HG_OK, "quarter add %zu", i);
	const whatif_row *out = NULL;
	size_t n = 0;
	T_EQ_INT(t, whatif_finish(w, &out, &n), HG_OK, "quarter finish");
	const whatif_row *feb = find(out, n, "2080", 2024, 2), *mar = find(out, n, "2080", 2024, 3);
	T_EQ_INT(t, feb ? feb->scenarios[0].total_ore : -1, 0, "quarter: nothing settled in February");
	T_EQ_INT(t, feb ? feb->scenarios[0].average : true, false, "quarter: February settles no period");
	T_EQ_INT(t, mar ? mar->scenarios[0].average_ore : -1, 8 * 930000, "quarter: 8 days in March");
	T_EQ_INT(t, mar ? mar->scenarios[0].total_ore : -1, 8 * 930000, "quarter: March total");
	/* in force (X, 3 calendar days): Jan-stay 0, S1 2 Feb nights, Mar 1 stay G = 4 Mar: 4..9 = 6 nights,
	 * Mar 25 stay G = 28 Mar: 28..31 = 4 nights in March, 1 in April (outside) */
	T_EQ_INT(t, feb ? feb->in_force.total_ore : -1, 400000, "quarter: in force February");
	T_EQ_INT(t, mar ? mar->in_force.total_ore : -1, 10 * 200000, "quarter: in force March");
out:
	whatif_free(w);
	free(force);
}

/* Scope and refused configurations. */
static void test_scope_and_refusals(struct test *t)
{
	size_t n_force;
	agreement *force = in_force(&n_force);
	agreement scen[WHATIF_SCENARIOS_MAX + 1];
	for (size_t i = 0; i < WHATIF_SCENARIOS_MAX + 1; i++)
		scen[i] = make_agreement(AG_W);
	agreement bad = make_agreement(AG_BAD);
	static const struct {
		const char *label;
		size_t n_scenarios;
		bool bad;
		const char *from, *to, *county, *municipality;
		hg_status rc;
	} rows[] = {
	    {"ok", 1, false, "2024-01-01", "2024-12-31", NULL, NULL, HG_OK},
	    {"no scenario", 0, false, "2024-01-01", "2024-12-31", NULL, NULL, HG_EINVAL},
	    {"too many", WHATIF_SCENARIOS_MAX + 1, false, "2024-01-01", "2024-12-31", NULL, NULL, HG_EINVAL},
	    {"invalid scenario", 1, true, "2024-01-01", "2024-12-31", NULL, NULL, HG_EINVAL},
	    {"to before from", 1, false, "2024-02-01", "2024-01-31", NULL, NULL, HG_EINVAL},
	    {"same day", 1, false, "2024-02-01", "2024-02-01", NULL, NULL, HG_OK},
	    {"ten years", 1, false, "2020-01-01", "2029-12-31", NULL, NULL, HG_OK},
	    {"over ten years", 1, false, "2020-01-01", "2030-01-01", NULL, NULL, HG_EINVAL},
	    {"bad county", 1, false, "2024-01-01", "2024-12-31", "2", NULL, HG_EINVAL},
	    {"bad municipality", 1, false, "2024-01-01", "2024-12-31", NULL, "208", HG_EINVAL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		whatif_config cfg = {.in_force = force,
		                     .n_in_force = n_force,
		                     .scenarios = rows[i].bad ? &bad : scen,
		                     .n_scenarios = rows[i].n_scenarios,
		                     .from = day(rows[i].from),
		                     .to = day(rows[i].to),
		                     .asof = day("2024-12-31"),
		                     .county = rows[i].county,
		                     .municipality = rows[i].municipality};
		whatif *w = NULL;
		T_EQ_INT(t, whatif_new(&cfg, &w), rows[i].rc, "config %s", rows[i].label);
		whatif_free(w);
	}
	/* a municipality's analyst: only its rows, touched or seen */
	static const struct {
		const char *county, *municipality;
		size_t rows;
	} scopes[] = {{NULL, "2081", 1}, {"20", NULL, 3}, {"21", NULL, 0}, {NULL, NULL, 3}};
	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		whatif_config cfg = {.in_force = force,
		                     .n_in_force = n_force,
		                     .scenarios = scen,
		                     .n_scenarios = 1,
		                     .from = day("2024-02-01"),
		                     .to = day("2024-02-29"),
		                     .asof = day("2024-02-26"),
		                     .county = scopes[i].county,
		                     .municipality = scopes[i].municipality};
		whatif *w = NULL;
		const whatif_row *out = NULL;
		size_t n = 99;
		T_EQ_INT(t, whatif_new(&cfg, &w), HG_OK, "scope %zu new", i);
		if (!w)
			continue;
		T_EQ_INT(t, whatif_touch(w, "2082"), HG_OK, "scope %zu touch", i);
		add_stays(t, w);
		T_EQ_INT(t, whatif_finish(w, &out, &n), HG_OK, "scope %zu finish", i);
		T_EQ_INT(t, n, scopes[i].rows, "scope %zu rows", i);
		whatif_free(w);
	}
	free(force);
}

int main(void)
{
	struct test t = {.name = "test_whatif"};
	test_figures(&t);
	test_quarter(&t);
	test_scope_and_refusals(&t);
	return test_report(&t);
}
