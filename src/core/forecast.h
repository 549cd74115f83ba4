/*
 * forecast.h - the holiday forecast: how many patients will be in hospital
 * and ready for discharge, per municipality and day, in a coming period
 * (summer weeks, Christmas, Easter), with an uncertainty band.
 *
 * The follow-up groups plan staffing for holidays (seed 001: "säkerställa god
 * planering inför semestrar och storhelger"). The method (docs/indicators.md,
 * "Forecast"), for each municipality and for the region as a whole:
 *   y(D)       = the ready nights starting on date D (patients ready that night);
 *   baseline_k = the mean of y over the 7 days centred on D - 364k (the same
 *                weekday k years earlier), k = 1..3, where that week lies in the
 *                history (after the data start, before the origin);
 *   trend_k    = the mean of y over the 8 weeks before the origin divided by
 *                the mean over the same 8 weeks k years earlier (clamped to
 *                0.5..2; 1 when unknown);
 *   expected   = the mean over k of baseline_k x trend_k; with no earlier year,
 *                the mean of the last 4 weeks (years_used 0);
 *   band       = expected +- 1.28 sigma (an 80 % interval), sigma^2 = the
 *                variance of the trend-scaled window values plus expected
 *                (Poisson noise); the low end is at least 0.
 * The history is everything before the origin date; a back-test puts the
 * origin at the start of a past period and reports the error against what
 * happened (mean absolute error, weighted percentage error, band coverage).
 * Pure; the result owns its arrays (forecast_free).
 */
#ifndef HG_FORECAST_H
#define HG_FORECAST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/indicator.h"
#include "core/status.h"

#define FORECAST_DAYS_MAX 400      /* longest forecast period */
#define FORECAST_YEARS_BACK 3      /* earlier years used */
#define FORECAST_HALF_WINDOW 3     /* +-3 days around the same weekday */
#define FORECAST_TREND_DAYS 56     /* the trend compares the last 8 weeks */
#define FORECAST_LEVEL_DAYS 28     /* the fallback level: the last 4 weeks */
#define FORECAST_WARMUP_DAYS 14    /* the history starts this long after the first admission */
#define FORECAST_Z80 1.2816        /* two-sided 80 % normal quantile */
#define FORECAST_LEVEL_FADE_DAYS 7.0 /* today's level fades into the seasonal value: e^(-days/7) */
#define FORECAST_CALIB_ORIGINS 8   /* the band's own back-test: origins a week apart ... */
#define FORECAST_CALIB_DAYS 28     /* ... each forecasting four weeks */

typedef struct forecast_query {
	hg_date from, to;          /* the period: local dates [from, to), at most FORECAST_DAYS_MAX days */
	hg_date origin;            /* the history is the nights before this date; from >= origin */
	bool by_municipality;      /* one series per municipality besides the total */
	const char *municipality;  /* only this municipality, or NULL */
} forecast_query;

typedef struct forecast_day {
	hg_date date;
	double expected, low, high;
	double actual; /* nights that happened (when the day is before the set's "as of" date), or -1 */
} forecast_day;

typedef struct forecast_series {
	char key[HG_ID_MAX]; /* "" for the total, else a municipality code */
	size_t n_days;
	forecast_day *days;  /* owned by the result */
	int years_used;      /* earlier years behind the baseline (0: the recent level was used) */
	double trend;        /* the mean trend factor over the years used (1 when none) */
	/* Error against the actual nights, over the days that have them (NAN-free: 0 when none). */
	size_t n_actual;
	double mae;      /* mean absolute error, patients per day */
	double wape;     /* sum |error| / sum actual; 0 when the actuals sum to 0 */
	double bias;     /* mean (expected - actual) */
	double coverage; /* share of days whose actual lies within the band */
} forecast_series;

typedef struct forecast_result {
	forecast_query query; /* a copy (municipality not kept: NULL) */
	hg_date data_start;   /* the first day of usable history */
	size_t n_series;
	forecast_series *series; /* [0] is the total, then municipalities sorted by code */
} forecast_result;

/*
 * The forecast of q over the facts of s (finished). HG_EINVAL when the period
 * is empty, too long, or begins before the origin; HG_ENOMEM. *out is fully set
 * and must be freed with forecast_free.
 */
hg_status forecast_compute(const indicator_set *s, const forecast_query *q, forecast_result *out) HG_MUST_CHECK;
void forecast_free(forecast_result *r);

#endif
