/*
 * test_forecast.c - the holiday forecast on synthetic histories with known
 * answers: a constant level, a July peak, a level that doubled a year ago,
 * the total as its own series, a back-test with its errors, a history too
 * short for an earlier year, and refused queries. The set is judged as of
 * 2026-06-01 12:00; stays begin on 2024-01-01.
 *
 *   2080: 2 ready patients every night; in July 2024 and July 2025 four more
 *   2081: 1 every night
 *   2082: 1 every night in 2024, 2 from 2025
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/forecast.h"
#include "test.h"

static hg_date day(const char *s)
{
	hg_date d;
	if (date_parse(s, &d) != HG_OK)
		abort();
	return d;
}

/* One stay ready from the local date `ready` for `nights` nights; discharged on the last morning. */
static hg_status stay(indicator_set *s, episode_state *st, int64_t id, const char *muni, hg_date ready, int nights)
{
	episode_init(st);
	st->id = id;
	st->status = EPISODE_DISCHARGED;
	(void)snprintf(st->patient.personnummer, sizeof st->patient.personnummer, "19400315-1232");
	(void)snprintf(st->patient.registered_municipality, sizeof st->patient.registered_municipality, "%s", muni);
	(void)snprintf(st->hospital, sizeof st->hospital, "H");
	(void)snprintf(st->ward, sizeof st->ward, "W1");
	st->admitted_at = cal_local_midnight(ready - 2) + 8 * 3600;
	st->ready_period_count = 1;
	st->ready_periods[0].start = cal_local_midnight(ready) + 10 * 3600;
	st->ready_periods[0].end = cal_local_midnight(ready + nights) + 9 * 3600;
	st->discharged_at = st->ready_periods[0].end;
	return indicator_set_add(s, st, NULL, 0);
}

/* A new set judged as of 2026-06-01 12:00 and a scratch episode (*st, hg_malloc'ed); NULL when that fails. */
static indicator_set *new_set(struct test *t, episode_state **st)
{
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = 0};
	indicator_set *s = NULL;
	*st = hg_malloc(sizeof **st);
	if (cal_parse_local("2026-06-01 12:00", &cfg.asof) != HG_OK || !*st || indicator_set_new(&cfg, &s) != HG_OK) {
		T_TRUE(t, false, "set up");
		hg_free(*st);
		indicator_set_free(s);
		return NULL;
	}
	return s;
}

static indicator_set *history(struct test *t, const char *first, const char *last)
{
	episode_state *st;
	indicator_set *s = new_set(t, &st);
	hg_status rc;
	if (!s)
		return NULL;
	int64_t id = 1;
	int bad = 0;
	hg_date y2025 = day("2025-01-01");
	for (hg_date d = day(first); d <= day(last); d++) {
		int y, m, dd;
		date_to_ymd(d, &y, &m, &dd);
		bad += stay(s, st, id++, "2080", d, 2) != HG_OK;
		if (m == 7 && y < 2026)
			bad += stay(s, st, id++, "2080", d, 4) != HG_OK;
		bad += stay(s, st, id++, "2081", d, 1) != HG_OK;
		bad += stay(s, st, id++, "2082", d, d < y2025 ? 1 : 2) != HG_OK;
	}
	rc = indicator_set_finish(s);
	T_EQ_INT(t, bad + (rc != HG_OK), 0, "history %s..%s added", first, last);
	hg_free(st);
	return s;
}

static const forecast_series *series(const forecast_result *r, const char *key)
{
	for (size_t i = 0; i < r->n_series; i++)
		if (strcmp(r->series[i].key, key) == 0)
			return &r->series[i];
	return NULL;
}

static bool near(double a, double b) { return a - b < 1e-9 && b - a < 1e-9; }

static void test_forecast(struct test *t, const indicator_set *s)
{
	static const struct {
		const char *from, *to, *origin, *key;
		double expected;
		int years;
		double trend;
	} rows[] = {
		/* July peak, 1 and 2 years back, no trend */
		{"2026-07-10", "2026-07-21", "2026-06-01", "2080", 6, 2, 1},
		{"2026-07-10", "2026-07-21", "2026-06-01", "2081", 1, 2, 1},
		/* doubled a year ago: 2025 gives 2 x 1, 2024 gives 1 x 2 */
		{"2026-07-10", "2026-07-21", "2026-06-01", "2082", 2, 2, 1.5},
		/* the total is its own series: 2025: 9 x 1; 2024: 8 x 5/4 */
		{"2026-07-10", "2026-07-21", "2026-06-01", "", 9.5, 2, 1.125},
		/* outside July */
		{"2026-09-01", "2026-09-08", "2026-06-01", "2080", 2, 2, 1},
		/* a back-test of May 2026 from its first day */
		{"2026-05-01", "2026-05-15", "2026-05-01", "2081", 1, 2, 1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		forecast_query q = {.from = day(rows[i].from), .to = day(rows[i].to), .origin = day(rows[i].origin),
				    .by_municipality = true};
		forecast_result r;
		if (!T_TRUE(t, forecast_compute(s, &q, &r) == HG_OK, "row %zu computes", i))
			continue;
		const forecast_series *se = series(&r, rows[i].key);
		if (T_TRUE(t, se != NULL, "row %zu has series '%s'", i, rows[i].key)) {
			T_EQ_INT(t, se->n_days, q.to - q.from, "row %zu days", i);
			T_EQ_INT(t, se->years_used, rows[i].years, "row %zu years used", i);
			T_TRUE(t, near(se->trend, rows[i].trend), "row %zu trend %g want %g", i, se->trend, rows[i].trend);
			int off = 0;
			for (size_t d = 0; d < se->n_days; d++) {
				const forecast_day *fd = &se->days[d];
				off += !near(fd->expected, rows[i].expected) || fd->low > fd->expected || fd->high < fd->expected ||
				       fd->low < 0 || fd->date != q.from + (hg_date)d;
			}
			T_EQ_INT(t, off, 0, "row %zu: every day expects %g within its band", i, rows[i].expected);
		}
		forecast_free(&r);
	}
	/* A constant series: its own back-test has no error, so the band is the narrowest allowed, Z80/2 sigmas
	 * (sigma is the Poisson part alone: 1). */
	forecast_query q = {.from = day("2026-07-10"), .to = day("2026-07-11"), .origin = day("2026-06-01"),
			    .by_municipality = true};
	forecast_result r;
	if (forecast_compute(s, &q, &r) == HG_OK) {
		const forecast_series *se = series(&r, "2081");
		T_TRUE(t, se && near(se->days[0].low, 1 - FORECAST_Z80 / 2) && near(se->days[0].high, 1 + FORECAST_Z80 / 2),
		       "2081 band %g..%g", se ? se->days[0].low : -1, se ? se->days[0].high : -1);
		T_TRUE(t, se && se->days[0].actual == -1 && se->n_actual == 0, "no actuals in the future");
		T_EQ_INT(t, r.n_series, 4, "total and three municipalities");
		T_EQ_STR(t, r.series[1].key, "2080", "municipalities sorted");
		forecast_free(&r);
	}
	/* The back-test: May 2026 happened; the constant series has no error. */
	q = (forecast_query){.from = day("2026-05-01"), .to = day("2026-05-15"), .origin = day("2026-05-01"),
			     .by_municipality = true};
	if (forecast_compute(s, &q, &r) == HG_OK) {
		const forecast_series *se = series(&r, "2080");
		T_TRUE(t, se && se->n_actual == 14 && near(se->mae, 0) && near(se->wape, 0) && near(se->coverage, 1),
		       "back-test of 2080: 14 days, no error");
		T_TRUE(t, se && near(se->days[3].actual, 2), "back-test actual");
		forecast_free(&r);
	}
	/* One municipality only. */
	q.municipality = "2082";
	q.by_municipality = false;
	if (forecast_compute(s, &q, &r) == HG_OK) {
		T_EQ_INT(t, r.n_series, 1, "filtered: the total only");
		T_TRUE(t, near(r.series[0].days[0].expected, 2), "filtered total is 2082");
		forecast_free(&r);
	}
	static const struct { const char *from, *to, *origin; } bad[] = {
		{"2026-07-10", "2026-07-10", "2026-06-01"}, /* empty */
		{"2026-05-10", "2026-07-10", "2026-06-01"}, /* before the origin */
		{"2026-07-01", "2027-09-01", "2026-06-01"}, /* too long */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		q = (forecast_query){.from = day(bad[i].from), .to = day(bad[i].to), .origin = day(bad[i].origin)};
		T_EQ_INT(t, forecast_compute(s, &q, &r), HG_EINVAL, "bad query %zu", i);
		forecast_free(&r);
	}
}

static void test_short_history(struct test *t)
{
	/* Only April and May 2026: no earlier year, so the last four weeks' level. */
	indicator_set *s = history(t, "2026-04-01", "2026-05-31");
	if (!s)
		return;
	forecast_query q = {.from = day("2026-07-01"), .to = day("2026-07-08"), .origin = day("2026-06-01"),
			    .by_municipality = true};
	forecast_result r;
	if (T_TRUE(t, forecast_compute(s, &q, &r) == HG_OK, "short history computes")) {
		const forecast_series *se = series(&r, "2082");
		T_TRUE(t, se && se->years_used == 0 && near(se->trend, 1), "no earlier year");
		/* 2082 has 2 a night, except the last night of May: the stay of the 31st started, the next did not. */
		T_TRUE(t, se && se->days[0].expected > 1.9 && se->days[0].expected <= 2, "recent level %g",
		       se ? se->days[0].expected : -1);
		T_EQ_INT(t, r.data_start, day("2026-03-30") + FORECAST_WARMUP_DAYS, "data start");
		forecast_free(&r);
	}
	indicator_set_free(s);
}

/* A history of one-night stays in 2080: count(d) of them ready on each night d in [first, last]. */
static indicator_set *nightly(struct test *t, const char *first, const char *last, int (*count)(hg_date d, void *ctx),
			      void *ctx)
{
	episode_state *st;
	indicator_set *s = new_set(t, &st);
	if (!s)
		return NULL;
	int64_t id = 1;
	int bad = 0;
	for (hg_date d = day(first); d <= day(last); d++)
		for (int n = count(d, ctx); n > 0; n--)
			bad += stay(s, st, id++, "2080", d, 1) != HG_OK;
	T_EQ_INT(t, bad + (indicator_set_finish(s) != HG_OK), 0, "nightly history %s..%s added", first, last);
	hg_free(st);
	return s;
}

/* 4 a night, and 12 a night in the last week before the origin (2026-06-01): a sudden rise. */
static int rise(hg_date d, void *ctx)
{
	(void)ctx;
	return d >= day("2026-05-25") ? 12 : 4;
}

/* The forecast starts from today's level (issue 18.7): the first night is near the last one, and the
 * seasonal value takes over as the period goes on. */
static void test_level(struct test *t)
{
	indicator_set *s = nightly(t, "2024-01-01", "2026-05-31", rise, NULL);
	if (!s)
		return;
	forecast_query q = {.from = day("2026-06-01"), .to = day("2026-07-01"), .origin = day("2026-06-01")};
	forecast_result r;
	if (T_TRUE(t, forecast_compute(s, &q, &r) == HG_OK, "the rise computes")) {
		const forecast_series *se = &r.series[0];
		T_TRUE(t, se->days[0].expected > 10 && se->days[0].expected <= 12,
		       "the first night starts from today's level 12: %g", se->days[0].expected);
		T_TRUE(t, se->days[0].low <= 12 && se->days[0].high >= 12, "today's level lies in the first band");
		T_TRUE(t, se->days[29].expected < 6, "a month on, the seasonal value (4 x the trend 1.25): %g",
		       se->days[29].expected);
		int rising = 0;
		for (size_t i = 1; i < se->n_days; i++)
			rising += se->days[i].expected > se->days[i - 1].expected + 1e-9;
		T_EQ_INT(t, rising, 0, "the level fades, never grows");
		forecast_free(&r);
	}
	indicator_set_free(s);
}

/* A noisy history: a yearly wave (8..16), a weekly dip on weekends, Poisson noise from a fixed seed. */
static int noisy(hg_date d, void *ctx)
{
	uint64_t *seed = ctx;
	double level = 12 + 4 * sin(2 * 3.141592653589793 * (double)(d % 365) / 365.0) - ((d + 3) % 7 >= 5 ? 2 : 0);
	/* Poisson by inversion: the product of uniforms until it falls below e^-level */
	double limit = exp(-level), prod = 1;
	int n = -1;
	do {
		*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
		prod *= ((double)(*seed >> 11) + 0.5) / 9007199254740992.0;
		n++;
	} while (prod > limit);
	return n;
}

/* The band holds about 80 % of the nights in its own back-test (issue 18.7): over eight back-tests of four
 * weeks spread over the last year, between 70 and 90 % of the actual nights fall in the band. */
static void test_band_coverage(struct test *t)
{
	uint64_t seed = 42;
	indicator_set *s = nightly(t, "2023-01-01", "2026-05-31", noisy, &seed);
	if (!s)
		return;
	static const char *const starts[] = {"2025-06-02", "2025-07-28", "2025-09-22", "2025-11-17",
					     "2026-01-12", "2026-02-23", "2026-03-30", "2026-05-04"};
	size_t in = 0, n = 0;
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		forecast_query q = {.from = day(starts[i]), .to = day(starts[i]) + 28, .origin = day(starts[i])};
		forecast_result r;
		if (!T_TRUE(t, forecast_compute(s, &q, &r) == HG_OK, "back-test %s computes", starts[i]))
			continue;
		T_EQ_INT(t, r.series[0].n_actual, 28, "back-test %s: four weeks happened", starts[i]);
		in += (size_t)(r.series[0].coverage * (double)r.series[0].n_actual + 0.5);
		n += r.series[0].n_actual;
		forecast_free(&r);
	}
	double coverage = n ? (double)in / (double)n : 0;
	T_TRUE(t, coverage >= 0.70 && coverage <= 0.90, "the band holds %.0f %% of %zu nights (about 80 %%)",
	       100 * coverage, n);
	indicator_set_free(s);
}

int main(void)
{
	struct test t = {.name = "test_forecast"};
	indicator_set *s = history(&t, "2024-01-01", "2026-05-31");
	if (s) {
		test_forecast(&t, s);
		indicator_set_free(s);
	}
	test_short_history(&t);
	test_level(&t);
	test_band_coverage(&t);
	return test_report(&t);
}
