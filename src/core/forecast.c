/*
 * forecast.c - the holiday forecast (see forecast.h for the method).
 *
 * The facts are first turned into one daily series of ready nights per
 * municipality (and the total) over the whole span the method can look at;
 * every forecast day then reads windows of those series.
 */
#include "core/forecast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"

#define YEAR_DAYS 364 /* 52 weeks: the same weekday a year earlier */

struct span {
	hg_date lo, hi;         /* the counted dates [lo, hi) */
	hg_date data_start;     /* usable history begins here */
	hg_date origin;         /* and ends before this date */
};

/* Mean of y over [a, b) when that lies in the usable history; false otherwise. */
static bool window_mean(const int *y, const struct span *sp, hg_date a, hg_date b, double *out)
{
	if (a < sp->data_start || a < sp->lo || b > sp->origin || b <= a)
		return false;
	double sum = 0;
	for (hg_date d = a; d < b; d++)
		sum += y[d - sp->lo];
	*out = sum / (double)(b - a);
	return true;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Sample variance of the values pushed (Welford). */
struct var {
	size_t n;
	double mean, m2;
};

static void var_push(struct var *v, double x)
{
	v->n++;
	double d = x - v->mean;
	v->mean += d / (double)v->n;
	v->m2 += d * (x - v->mean);
}

static double var_get(const struct var *v) { return v->n >= 2 ? v->m2 / (double)(v->n - 1) : 0; }

/* What the method knows at one origin: the trend of each earlier year and the history's span. */
struct model {
	struct span sp;
	double trend[FORECAST_YEARS_BACK + 1];
	double offset; /* today's level less the seasonal value of the last night (decays over the period) */
};

/* The seasonal value of night d (baseline x trend over the earlier years, else the recent level) and the
 * variance of what it was computed from; *used = the earlier years behind it. */
static double seasonal_at(const int *y, const struct model *m, hg_date d, struct var *v, int *used)
{
	const struct span *sp = &m->sp;
	double total = 0;
	*used = 0;
	for (int k = 1; k <= FORECAST_YEARS_BACK; k++) {
		hg_date c = d - YEAR_DAYS * k;
		double base;
		if (!window_mean(y, sp, c - FORECAST_HALF_WINDOW, c + FORECAST_HALF_WINDOW + 1, &base))
			continue;
		(*used)++;
		total += base * m->trend[k];
		for (hg_date w = c - FORECAST_HALF_WINDOW; w <= c + FORECAST_HALF_WINDOW; w++)
			var_push(v, y[w - sp->lo] * m->trend[k]);
	}
	if (*used > 0)
		return total / *used;
	/* No earlier year: the recent level, or whatever history there is. */
	hg_date a = sp->origin - FORECAST_LEVEL_DAYS;
	double level = 0;
	if (a < sp->data_start)
		a = sp->data_start;
	if (window_mean(y, sp, a, sp->origin, &level))
		for (hg_date w = a; w < sp->origin; w++)
			var_push(v, y[w - sp->lo]);
	return level;
}

/* The model at origin o: the trends, and how far today's level (the last night before o) lies from the
 * seasonal value of that night. */
static void model_at(const int *y, const struct span *sp, hg_date o, struct model *m)
{
	double recent = 0;
	m->sp = *sp;
	m->sp.origin = o;
	bool have_recent = window_mean(y, &m->sp, o - FORECAST_TREND_DAYS, o, &recent);
	for (int k = 1; k <= FORECAST_YEARS_BACK; k++) {
		double past;
		m->trend[k] = 1;
		if (have_recent &&
		    window_mean(y, &m->sp, o - FORECAST_TREND_DAYS - YEAR_DAYS * k, o - YEAR_DAYS * k, &past) && past > 0)
			m->trend[k] = clamp(recent / past, 0.5, 2.0);
	}
	m->offset = 0;
	double level;
	if (window_mean(y, &m->sp, o - 1, o, &level)) {
		struct var v = {0};
		int used;
		m->offset = level - seasonal_at(y, m, o - 1, &v, &used);
	}
}

/* Expected nights on d under model m (today's level fading into the seasonal value), with its spread. */
static double predict(const int *y, const struct model *m, hg_date d, double *sigma, int *used)
{
	struct var v = {0};
	double seasonal = seasonal_at(y, m, d, &v, used);
	double expected = seasonal + m->offset * exp(-(double)(d - m->sp.origin + 1) / FORECAST_LEVEL_FADE_DAYS);
	if (expected < 0)
		expected = 0;
	*sigma = sqrt(var_get(&v) + expected);
	return expected;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * The band's width in sigmas, from the method's own back-test on the history: forecasts from
 * FORECAST_CALIB_ORIGINS earlier origins, a week apart, each over FORECAST_CALIB_DAYS nights that had
 * happened; the 80th percentile of |actual - expected| / sigma. FORECAST_Z80 when there are too few.
 */
static double band_width(const int *y, const struct span *sp)
{
	double r[FORECAST_CALIB_ORIGINS * FORECAST_CALIB_DAYS];
	size_t n = 0;
	for (int j = 0; j < FORECAST_CALIB_ORIGINS; j++) {
		hg_date o = sp->origin - FORECAST_CALIB_DAYS - 7 * j;
		struct model m;
		if (o - FORECAST_LEVEL_DAYS < sp->data_start)
			break;
		model_at(y, sp, o, &m);
		for (hg_date d = o; d < o + FORECAST_CALIB_DAYS; d++) {
			double sigma;
			int used;
			double expected = predict(y, &m, d, &sigma, &used);
			double actual = y[d - sp->lo];
			r[n++] = fabs(actual - expected) / (sigma > 0 ? sigma : 1);
		}
	}
	if (n < FORECAST_CALIB_DAYS * 2)
		return FORECAST_Z80;
	qsort(r, n, sizeof r[0], cmp_double);
	double c = r[(size_t)(0.8 * (double)(n - 1) + 0.5)];
	return clamp(c, FORECAST_Z80 / 2, FORECAST_Z80 * 3);
}

static void forecast_series_fill(const int *y, const struct span *sp, const forecast_query *q, hg_date asof_date,
				 forecast_series *out)
{
	struct model m;
	model_at(y, sp, sp->origin, &m);
	double width = band_width(y, sp);
	out->years_used = 0;
	double sum_abs = 0, sum_err = 0, sum_actual = 0;
	size_t covered = 0;
	for (size_t i = 0; i < out->n_days; i++) {
		hg_date d = q->from + (hg_date)i;
		forecast_day *fd = &out->days[i];
		double sigma;
		int used;
		fd->expected = predict(y, &m, d, &sigma, &used);
		if (used > out->years_used)
			out->years_used = used;
		fd->date = d;
		fd->low = fd->expected - width * sigma;
		if (fd->low < 0)
			fd->low = 0;
		fd->high = fd->expected + width * sigma;
		fd->actual = -1;
		if (d < asof_date && d >= sp->lo && d < sp->hi) {
			fd->actual = y[d - sp->lo];
			double err = fd->expected - fd->actual;
			out->n_actual++;
			sum_abs += err < 0 ? -err : err;
			sum_err += err;
			sum_actual += fd->actual;
			covered += fd->actual >= fd->low && fd->actual <= fd->high;
		}
	}
	out->trend = 0;
	for (int k = 1; k <= out->years_used; k++)
		out->trend += m.trend[k];
	out->trend = out->years_used ? out->trend / out->years_used : 1;
	if (out->n_actual) {
		out->mae = sum_abs / (double)out->n_actual;
		out->bias = sum_err / (double)out->n_actual;
		out->wape = sum_actual > 0 ? sum_abs / sum_actual : 0;
		out->coverage = (double)covered / (double)out->n_actual;
	}
}

void forecast_free(forecast_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_series; i++)
		hg_free(r->series[i].days);
	hg_free(r->series);
	memset(r, 0, sizeof *r);
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Index of the municipality m in the sorted list, or -1 (binary search). */
static int find_muni(const char *const *list, size_t n, const char *m)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(list[mid], m);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

hg_status forecast_compute(const indicator_set *s, const forecast_query *q, forecast_result *out)
{
	memset(out, 0, sizeof *out);
	if (q->from == HG_DATE_NONE || q->to == HG_DATE_NONE || q->origin == HG_DATE_NONE || q->to <= q->from ||
	    q->to - q->from > FORECAST_DAYS_MAX || q->from < q->origin)
		return HG_EINVAL;
	size_t nf = indicator_set_size(s);
	hg_date asof_date = cal_local_date(indicator_set_asof(s));
	struct span sp = {.origin = q->origin};
	sp.lo = q->origin - YEAR_DAYS * FORECAST_YEARS_BACK - FORECAST_TREND_DAYS - FORECAST_HALF_WINDOW - 7;
	sp.hi = q->to > q->origin ? q->to : q->origin;
	sp.data_start = HG_DATE_NONE;

	/* The municipalities (distinct, sorted) and the data start. */
	const char **munis = NULL;
	size_t n_munis = 0;
	hg_status rc = HG_OK;
	if (q->by_municipality) {
		munis = hg_malloc((nf + 1) * sizeof *munis);
		if (!munis)
			return HG_ENOMEM;
	}
	for (size_t i = 0; i < nf; i++) {
		const indicator_fact *f = indicator_set_fact(s, i);
		if (q->municipality && strcmp(q->municipality, f->municipality) != 0)
			continue;
		if (sp.data_start == HG_DATE_NONE || f->admitted < sp.data_start)
			sp.data_start = f->admitted;
		if (munis)
			munis[n_munis++] = f->municipality;
	}
	if (munis && n_munis) {
		qsort(munis, n_munis, sizeof *munis, cmp_text);
		size_t k = 1;
		for (size_t i = 1; i < n_munis; i++)
			if (strcmp(munis[i], munis[k - 1]) != 0)
				munis[k++] = munis[i];
		n_munis = k;
	}
	sp.data_start = sp.data_start == HG_DATE_NONE ? sp.origin : sp.data_start + FORECAST_WARMUP_DAYS;

	size_t n_series = 1 + n_munis, len = (size_t)(sp.hi - sp.lo);
	int *counts = hg_calloc(n_series * len, sizeof *counts);
	out->series = hg_calloc(n_series, sizeof *out->series);
	if (!counts || !out->series) {
		rc = HG_ENOMEM;
		goto done;
	}
	out->n_series = n_series;
	for (size_t i = 0; i < nf; i++) {
		const indicator_fact *f = indicator_set_fact(s, i);
		if (q->municipality && strcmp(q->municipality, f->municipality) != 0)
			continue;
		int m = munis ? find_muni(munis, n_munis, f->municipality) : -1;
		for (size_t p = 0; p < f->n_periods; p++) {
			const indicator_period *per = &f->periods[p];
			hg_date a = per->from > sp.lo ? per->from : sp.lo;
			hg_date b = per->to == HG_DATE_NONE || per->to > asof_date ? asof_date : per->to;
			if (b > sp.hi)
				b = sp.hi;
			for (hg_date d = a; d < b; d++) {
				counts[d - sp.lo]++;
				if (m >= 0)
					counts[(size_t)(m + 1) * len + (size_t)(d - sp.lo)]++;
			}
		}
	}
	for (size_t k = 0; k < n_series; k++) {
		forecast_series *se = &out->series[k];
		(void)snprintf(se->key, sizeof se->key, "%s", k == 0 ? "" : munis[k - 1]);
		se->n_days = (size_t)(q->to - q->from);
		se->days = hg_calloc(se->n_days, sizeof *se->days);
		if (!se->days) {
			rc = HG_ENOMEM;
			goto done;
		}
		forecast_series_fill(counts + k * len, &sp, q, asof_date, se);
	}
	out->query = *q;
	out->query.municipality = NULL;
	out->data_start = sp.data_start;
done:
	hg_free(counts);
	hg_free(munis);
	if (rc != HG_OK)
		forecast_free(out);
	return rc;
}
