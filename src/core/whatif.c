/*
 * whatif.c - the what-if of agreement models over the follow-up facts (see
 * whatif.h).
 *
 * Each scenario is a list of agreements handed to the same judgement an
 * invoice uses (billing_stay_judge_input, billing_episode_days_input,
 * liability_average_all): the scenario agreement first, then the agreements in
 * force clipped to the days outside its validity, so agreement_find_in_force
 * picks the scenario wherever it covers the municipality and is in force, and
 * hands over to the agreements in force after its end. No rule lives here:
 * this file only chooses the list, sorts nights into months and groups the
 * average model's episodes by municipality, period and scenario.
 *
 * One known difference from a literal replacement: a clipped agreement that
 * resumes after a scenario's end starts on that day, and agreement_find_in_force
 * prefers the later valid_from among agreements of the same reach, so two
 * overlapping agreements in force that both cover the municipality and differ
 * only in their start may trade places after the scenario ends.
 */
#include "core/whatif.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/billing.h"
#include "core/calendar.h"
#include "core/liability.h"

#define SETS_MAX (1 + WHATIF_SCENARIOS_MAX) /* set 0: the agreements in force; set i: scenario i - 1 */
#define CODES    10000                      /* 4-digit municipality codes */

/* The average model's episodes of one municipality, month (the period's last) and set. */
typedef struct avg_group {
	const agreement *settles; /* the average agreement that settles this month, or NULL */
	liability_episode_days *eps;
	size_t n, cap;
} avg_group;

typedef struct muni {
	char code[AGREEMENT_CODE_MAX];
	const agreement *list[SETS_MAX]; /* the list each set judges this municipality by */
	size_t n_list[SETS_MAX];
	whatif_figure *fig; /* [month * n_sets + set] */
	avg_group *avg;     /* [month * n_sets + set] */
} muni;

struct whatif {
	size_t n_sets;
	const agreement *in_force;
	size_t n_in_force;
	agreement *scenario_lists[WHATIF_SCENARIOS_MAX]; /* scenario first, then the clipped in-force ones */
	size_t n_scenario_list[WHATIF_SCENARIOS_MAX];
	int n_months;
	hg_date month_first[WHATIF_MONTHS_MAX + 1]; /* [i]: first day of month i; [n_months]: the end */
	hg_date asof;
	char county[3];
	char municipality[AGREEMENT_CODE_MAX];
	int32_t index[CODES]; /* code -> slot + 1 in munis, 0: none */
	muni *munis;
	size_t n_munis, cap_munis;
	whatif_row *rows;
	bool finished;
};

static bool code_valid(const char *s, size_t len)
{
	return s && strlen(s) == len && strspn(s, "0123456789") == len;
}

/*
 * x's validity less [a->valid_from, a->valid_to] into out (0, 1 or 2
 * pieces); returns how many.
 */
static size_t clip(const agreement *x, const agreement *a, agreement out[2])
{
	size_t n = 0;
	if (x->valid_from < a->valid_from) {
		out[n] = *x;
		if (x->valid_to == HG_DATE_NONE || x->valid_to >= a->valid_from)
			out[n].valid_to = a->valid_from - 1;
		n++;
	}
	if (a->valid_to != HG_DATE_NONE && (x->valid_to == HG_DATE_NONE || x->valid_to > a->valid_to)) {
		out[n] = *x;
		if (out[n].valid_from <= a->valid_to)
			out[n].valid_from = a->valid_to + 1;
		n++;
	}
	return n;
}

hg_status whatif_new(const whatif_config *cfg, whatif **out)
{
	*out = NULL;
	if (cfg->n_scenarios < 1 || cfg->n_scenarios > WHATIF_SCENARIOS_MAX || cfg->from == HG_DATE_NONE ||
	    cfg->to == HG_DATE_NONE || cfg->to < cfg->from || (cfg->n_in_force && !cfg->in_force) ||
	    (cfg->county && !code_valid(cfg->county, 2)) || (cfg->municipality && !code_valid(cfg->municipality, 4)))
		return HG_EINVAL;
	for (size_t i = 0; i < cfg->n_scenarios; i++)
		if (agreement_validate(&cfg->scenarios[i], NULL) != HG_OK)
			return HG_EINVAL;
	int y0, m0, y1, m1, d;
	date_to_ymd(cfg->from, &y0, &m0, &d);
	date_to_ymd(cfg->to, &y1, &m1, &d);
	int months = (y1 - y0) * 12 + (m1 - m0) + 1;
	if (months > WHATIF_MONTHS_MAX)
		return HG_EINVAL;
	whatif *w = hg_calloc(1, sizeof *w);
	if (!w)
		return HG_ENOMEM;
	w->n_sets = 1 + cfg->n_scenarios;
	w->in_force = cfg->in_force;
	w->n_in_force = cfg->n_in_force;
	w->n_months = months;
	for (int i = 0; i <= months; i++)
		w->month_first[i] = date_from_ymd(y0 + (m0 - 1 + i) / 12, (m0 - 1 + i) % 12 + 1, 1);
	w->asof = cfg->asof;
	if (cfg->county)
		memcpy(w->county, cfg->county, 3);
	if (cfg->municipality)
		memcpy(w->municipality, cfg->municipality, AGREEMENT_CODE_MAX);
	for (size_t i = 0; i < cfg->n_scenarios; i++) {
		agreement *list = hg_malloc((1 + 2 * cfg->n_in_force) * sizeof *list);
		if (!list) {
			whatif_free(w);
			return HG_ENOMEM;
		}
		size_t n = 0;
		list[n++] = cfg->scenarios[i];
		for (size_t k = 0; k < cfg->n_in_force; k++)
			n += clip(&cfg->in_force[k], &cfg->scenarios[i], &list[n]);
		w->scenario_lists[i] = list;
		w->n_scenario_list[i] = n;
	}
	*out = w;
	return HG_OK;
}

void whatif_free(whatif *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_munis; i++) {
		muni *m = &w->munis[i];
		for (size_t k = 0; m->avg && k < (size_t)w->n_months * w->n_sets; k++)
			hg_free(m->avg[k].eps);
		hg_free(m->avg);
		hg_free(m->fig);
	}
	hg_free(w->munis);
	for (size_t i = 0; i + 1 < w->n_sets; i++)
		hg_free(w->scenario_lists[i]);
	hg_free(w->rows);
	hg_free(w);
}

/* The lists of every set: in force, and each scenario's (in force where it does not cover m). */
static size_t set_list(const whatif *w, size_t set, const agreement **list)
{
	if (set == 0) {
		*list = w->in_force;
		return w->n_in_force;
	}
	*list = w->scenario_lists[set - 1];
	return w->n_scenario_list[set - 1];
}

hg_date whatif_load_from(const whatif *w)
{
	hg_date from = w->month_first[0];
	for (size_t s = 0; s < w->n_sets; s++) {
		const agreement *list;
		size_t n = set_list(w, s, &list);
		for (size_t i = 0; i < n; i++) {
			hg_date start, end;
			if (list[i].model == AGREEMENT_AVERAGE &&
			    agreement_average_period(&list[i], w->month_first[0], &start, &end) == HG_OK &&
			    start < from)
				from = start;
		}
	}
	return from;
}

static bool in_scope(const whatif *w, const char *code)
{
	return code_valid(code, 4) && (!w->county[0] || strncmp(code, w->county, 2) == 0) &&
	       (!w->municipality[0] || strcmp(code, w->municipality) == 0);
}

/* Room for one more element after n in the array *p of *cap elements of elem bytes (doubling). */
static hg_status grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return HG_OK;
	size_t bigger = *cap ? 2 * *cap : 16;
	void *q = hg_realloc(*p, bigger * elem);
	if (!q)
		return HG_ENOMEM;
	*p = q;
	*cap = bigger;
	return HG_OK;
}

/* The municipality's slot, created with its lists and settling agreements; NULL when out of memory. */
static muni *muni_get(whatif *w, const char *code)
{
	int key = atoi(code);
	if (w->index[key])
		return &w->munis[w->index[key] - 1];
	if (grow((void **)&w->munis, &w->cap_munis, w->n_munis, sizeof *w->munis) != HG_OK)
		return NULL;
	size_t cells = (size_t)w->n_months * w->n_sets;
	muni *m = &w->munis[w->n_munis];
	memset(m, 0, sizeof *m);
	memcpy(m->code, code, AGREEMENT_CODE_MAX);
	m->fig = hg_calloc(cells, sizeof *m->fig);
	m->avg = hg_calloc(cells, sizeof *m->avg);
	if (!m->fig || !m->avg) {
		hg_free(m->fig);
		hg_free(m->avg);
		return NULL;
	}
	for (size_t s = 0; s < w->n_sets; s++) {
		m->n_list[s] = set_list(w, s, &m->list[s]);
		if (s > 0 && !agreement_covers(&m->list[s][0], code)) {
			m->list[s] = w->in_force;
			m->n_list[s] = w->n_in_force;
		}
		/* The average-model agreement whose period ends with each month settles it (as an invoice does). */
		for (int k = 0; k < w->n_months; k++) {
			hg_date start, end;
			const agreement *a = agreement_find_in_force(m->list[s], m->n_list[s], code, w->month_first[k]);
			if (a && a->model == AGREEMENT_AVERAGE &&
			    agreement_average_period(a, w->month_first[k], &start, &end) == HG_OK &&
			    end == w->month_first[k + 1]) {
				m->avg[(size_t)k * w->n_sets + s].settles = a;
				m->fig[(size_t)k * w->n_sets + s].average = true;
			}
		}
	}
	w->n_munis++;
	w->index[key] = (int32_t)w->n_munis;
	return m;
}

hg_status whatif_touch(whatif *w, const char *municipality)
{
	if (!code_valid(municipality, 4))
		return HG_EINVAL;
	if (w->finished || !in_scope(w, municipality))
		return HG_OK;
	return muni_get(w, municipality) ? HG_OK : HG_ENOMEM;
}

/* The month index of date d (>= 0 and < n_months), or -1 outside the months. */
static int month_of(const whatif *w, hg_date d)
{
	if (d < w->month_first[0] || d >= w->month_first[w->n_months])
		return -1;
	int lo = 0, hi = w->n_months - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (w->month_first[mid] <= d)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* The billable nights of one judged stay into the months of set s. */
static void add_nights(const whatif *w, muni *m, size_t s, const liability_result *r)
{
	int k = -1;
	for (size_t i = 0; i < r->n_nights; i++) {
		const liability_night *ni = &r->nights[i];
		if (k < 0 || ni->date >= w->month_first[k + 1] || ni->date < w->month_first[k])
			k = month_of(w, ni->date);
		if (k < 0)
			continue;
		whatif_figure *f = &m->fig[(size_t)k * w->n_sets + s];
		f->nights++;
		if (ni->priced)
			f->total_ore += ni->amount_ore;
		else
			f->unpriced_nights++;
	}
}

/* A discharged stay judged by average agreement a: its ready-days into the group that settles its period. */
static hg_status add_average(const whatif *w, muni *m, size_t s, const facts_row *r, const liability_input *in,
                             const agreement *a)
{
	hg_date start, end;
	if (r->discharged == HG_DATE_NONE || agreement_average_period(a, r->discharged, &start, &end) != HG_OK)
		return HG_OK;
	int k = month_of(w, end - 1);
	if (k < 0)
		return HG_OK;
	avg_group *g = &m->avg[(size_t)k * w->n_sets + s];
	if (g->settles != a)
		return HG_OK; /* another agreement settles that month: the stay is not in its settlement */
	liability_episode_days d;
	billing_reason why;
	hg_status rc = billing_episode_days_input(in, r->care, a, &d, &why);
	if (rc == HG_ENOMEM)
		return rc;
	if (rc != HG_OK || !d.billable)
		return HG_OK; /* not billable: left out of the average's sum and count */
	if (grow((void **)&g->eps, &g->cap, g->n, sizeof *g->eps) != HG_OK)
		return HG_ENOMEM;
	g->eps[g->n++] = d;
	return HG_OK;
}

hg_status whatif_add(whatif *w, const facts_row *r)
{
	liability_period periods[FACTS_PERIODS_MAX];
	liability_input in;
	hg_date until = HG_DATE_NONE;
	if (w->finished || !in_scope(w, r->municipality) || r->n_periods == 0 || r->ready_date == HG_DATE_NONE)
		return HG_OK;
	if (r->deadlines.discharged_at == HG_INSTANT_NONE) {
		until = w->asof;
		if (until == HG_DATE_NONE || until <= r->ready_date)
			return HG_OK; /* no ready night has begun yet */
	}
	muni *m = muni_get(w, r->municipality);
	if (!m)
		return HG_ENOMEM;
	facts_liability_input(r, until, periods, &in);
	for (size_t s = 0; s < w->n_sets; s++) {
		billing_stay stay;
		if (s > 0 && m->list[s] == m->list[0])
			continue; /* the scenario does not cover the municipality: the figures in force (whatif_finish)
			           */
		hg_status rc = billing_stay_judge_input(r->has_liability ? &in : NULL, r->municipality, r->ready_date,
		                                        m->list[s], m->n_list[s], &stay);
		if (rc != HG_OK)
			return rc;
		if (stay.judged && stay.computed == HG_OK && stay.billing == LIABILITY_BILLABLE)
			add_nights(w, m, s, &stay.r);
		liability_result_free(&stay.r);
		if (stay.agreement && stay.agreement->model == AGREEMENT_AVERAGE && r->has_liability &&
		    (rc = add_average(w, m, s, r, &in, stay.agreement)) != HG_OK)
			return rc;
	}
	return HG_OK;
}

static int cmp_muni(const void *a, const void *b)
{
	return strcmp(((const muni *)a)->code, ((const muni *)b)->code);
}

hg_status whatif_finish(whatif *w, const whatif_row **rows, size_t *n)
{
	if (w->finished)
		return HG_EINVAL;
	size_t total = w->n_munis * (size_t)w->n_months;
	w->rows = hg_calloc(total ? total : 1, sizeof *w->rows);
	if (!w->rows)
		return HG_ENOMEM;
	w->finished = true;
	if (w->n_munis > 1)
		qsort(w->munis, w->n_munis, sizeof *w->munis, cmp_muni);
	memset(w->index, 0, sizeof w->index); /* slots moved: no more lookups after finishing */
	whatif_row *row = w->rows;
	for (size_t i = 0; i < w->n_munis; i++) {
		muni *m = &w->munis[i];
		for (int k = 0; k < w->n_months; k++, row++) {
			int y, mo, d;
			date_to_ymd(w->month_first[k], &y, &mo, &d);
			memcpy(row->municipality, m->code, AGREEMENT_CODE_MAX);
			row->year = y;
			row->month = mo;
			for (size_t s = 0; s < w->n_sets; s++) {
				whatif_figure *f = &m->fig[(size_t)k * w->n_sets + s];
				const avg_group *g = &m->avg[(size_t)k * w->n_sets + s];
				if (s > 0 && m->list[s] == m->list[0]) {
					*f = row->in_force; /* judged by the agreements in force: not computed twice */
					g = NULL;
				}
				if (g && g->settles) {
					liability_average_result res[CARE_TYPE_COUNT];
					hg_status rc =
					    liability_average_all(g->settles, g->eps, g->n, res, &f->average_ore);
					if (rc != HG_OK)
						return rc == HG_ENOMEM ? rc
						                       : HG_EINTERNAL; /* NEVER: validated agreements */
					f->total_ore += f->average_ore;
				}
				if (s == 0)
					row->in_force = *f;
				else
					row->scenarios[s - 1] = *f;
			}
		}
	}
	*rows = w->rows;
	*n = total;
	return HG_OK;
}
