/*
 * invoice_store.c - invoice bases in SQLite: build from the events as of a
 * cut-off, save as immutable revisions, review against the events of now,
 * and the trail of steps (see invoice_store.h and docs/invoices.md).
 *
 * The figures all come from the core: the episode fold (as of the cut-off),
 * billing_episode_month() for each episode and month, liability_average_all()
 * for the average model, invoice_step() for the workflow. This file selects
 * episodes, replays them, turns the core's answers into the JSON document,
 * and stores it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/liability.h"
#include "core/text.h"
#include "store/agreement_store.h"
#include "store/invoice_store.h"
#include "store/invoice_db.h"

#define CANONICAL (JSON_COMPACT | JSON_SORT_KEYS)

/* ---- small JSON helpers ---- */

char *invoice_store_json_text(const json_t *json, size_t flags)
{
	size_t need = json_dumpb(json, NULL, 0, flags);
	char *text = need ? hg_malloc(need + 1) : NULL;
	if (!text || json_dumpb(json, text, need, flags) != need) {
		hg_free(text);
		return NULL;
	}
	text[need] = '\0';
	return text;
}

static json_t *jdate(hg_date d)
{
	char b[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, b));
}

static json_t *jinstant(hg_instant t)
{
	char b[21];
	return t == HG_INSTANT_NONE ? json_null() : json_string(instant_format_utc(t, b));
}

/* Sets key on o, stealing v; returns false (and o is unusable) when out of memory. */
/* Copies src (NULL: "") into dst of cap bytes, cut to fit. */
static bool put(json_t *o, const char *key, json_t *v) { return v && json_object_set_new(o, key, v) == 0; }

static int64_t jint(const json_t *o, const char *key) { return (int64_t)json_integer_value(json_object_get(o, key)); }

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The Swedish name of a holiday or eve on d, or "". */
static const char *holiday_name(hg_date d)
{
	cal_day days[CAL_MAX_DAYS_PER_YEAR];
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	size_t n = cal_holidays(y, true, days, CAL_MAX_DAYS_PER_YEAR);
	for (size_t i = 0; i < n; i++)
		if (days[i].date == d)
			return days[i].name_sv;
	return "";
}

/* ---- one episode's line ---- */

static json_t *periods_json(const billing_line *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->n_periods; i++) {
		const liability_period_result *p = &l->periods[i];
		if (json_array_append_new(a, json_pack("{s:o, s:o, s:i, s:i, s:o, s:i}", "ready_date",
						       jdate(p->ready_date), "end_date", jdate(p->end_date), "ready_days",
						       p->ready_days, "grace_days_left", p->grace_left, "grace_end",
						       jdate(p->grace_end), "liable_nights", p->liable_nights))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *holidays_json(const billing_line *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->n_holidays; i++)
		if (json_array_append_new(a, json_pack("{s:o, s:s}", "date", jdate(l->holidays[i]), "name",
						       holiday_name(l->holidays[i])))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The nights of a line that lack a daily amount, as dates. */
static json_t *unpriced_json(const billing_line *l)
{
	json_t *a = json_array();
	for (int i = 0; a && i < l->unpriced_nights; i++)
		if (json_array_append_new(a, jdate(l->unpriced[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The JSON of a line or an exclusion; NULL when out of memory. */
static json_t *line_json(store *s, const episode_state *st, const billing_line *l)
{
	store_unit ward;
	json_t *o = json_object();
	bool ok = o && put(o, "episode", json_integer(st->id)) &&
		  put(o, "personnummer", json_string(st->patient.personnummer)) &&
		  put(o, "patient_name", json_string(st->patient.name)) && put(o, "hospital", json_string(st->hospital)) &&
		  put(o, "ward", json_string(st->ward)) &&
		  put(o, "ward_name", store_unit_get(s, st->ward, &ward) == HG_OK ? json_string(ward.name) : json_null()) &&
		  put(o, "care", json_string(care_type_label(l->care)->code)) &&
		  put(o, "ready_date", jdate(l->ready_date)) && put(o, "discharge_date", jdate(l->discharge_date)) &&
		  put(o, "grace_end", jdate(l->grace_end)) && put(o, "ready_days", json_integer(l->ready_days)) &&
		  put(o, "ready_nights", json_integer(l->ready_nights)) &&
		  put(o, "first_night", jdate(l->first_night)) && put(o, "last_night", jdate(l->last_night)) &&
		  put(o, "agreement", l->agreement ? json_string(l->agreement->id) : json_null()) &&
		  put(o, "agreement_version", l->agreement ? json_integer(l->agreement->version) : json_null()) &&
		  put(o, "periods", periods_json(l)) && put(o, "holidays_skipped", holidays_json(l));
	if (ok && l->outcome == BILLING_LINE)
		ok = put(o, "nights", json_integer(l->nights)) && put(o, "amount_ore", json_integer(l->amount_ore)) &&
		     put(o, "unpriced_nights", unpriced_json(l));
	if (ok && l->outcome == BILLING_EXCLUDED) {
		const hg_code_label *r = billing_reason_label(l->reason);
		ok = put(o, "reason", json_string(r->code)) && put(o, "reason_sv", json_string(r->sv)) &&
		     put(o, "reason_en", json_string(r->en)) && put(o, "unbilled_nights", json_integer(l->nights)) &&
		     put(o, "unbilled_ore", json_integer(l->amount_ore)) &&
		     put(o, "error", l->reason == BILLING_REASON_INVALID || l->reason == BILLING_REASON_NO_RATE
					     ? json_string(liability_error_text(l->error))
					     : json_null());
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- selecting and replaying episodes ---- */

typedef struct id_list {
	int64_t *ids;
	size_t n, cap;
} id_list;

static hg_status ids_add(id_list *l, int64_t id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		int64_t *bigger = hg_realloc(l->ids, cap * sizeof *bigger);
		if (!bigger)
			return HG_ENOMEM;
		l->ids = bigger;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return HG_OK;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts and removes duplicates. */
static void ids_unique(id_list *l)
{
	size_t k = 0;
	if (l->n == 0)
		return;
	qsort(l->ids, l->n, sizeof l->ids[0], cmp_id);
	for (size_t i = 1; i < l->n; i++)
		if (l->ids[i] != l->ids[k])
			l->ids[++k] = l->ids[i];
	l->n = k + 1;
}

/*
 * Episodes that may have been in hospital in [from, to) (local dates), by the
 * projection, with a day's margin for the time zone; the fold as of the
 * cut-off decides.
 */
static hg_status candidates(store *s, hg_date from, hg_date to, const char *municipality, const char *county,
			    id_list *out)
{
	int64_t *ids = NULL;
	size_t n = 0;
	invoice_db *d = idb_open(s);
	hg_status rc = d ? idb_candidates(d, (int64_t)(from - 1) * HG_SECONDS_PER_DAY, (int64_t)(to + 1) * HG_SECONDS_PER_DAY,
					  municipality, county, &ids, &n)
			 : HG_ENOMEM;
	idb_close(d);
	for (size_t i = 0; rc == HG_OK && i < n; i++)
		rc = ids_add(out, ids[i]);
	hg_free(ids);
	return rc;
}

/*
 * The fold of episode id from its events recorded at or before cutoff (a
 * prefix: events are recorded in seq order). *found is false when none was.
 */
static hg_status fold_as_of(store *s, int64_t id, hg_instant cutoff, episode_state *st, bool *found)
{
	event *evs = NULL;
	size_t n = 0, k = 0;
	event_error err;
	hg_status rc = store_episode_load(s, id, NULL, &evs, &n);
	*found = false;
	if (rc == HG_ENOTFOUND)
		return HG_OK;
	if (rc)
		return rc;
	while (k < n && evs[k].recorded_at <= cutoff)
		k++;
	if (k > 0) {
		rc = episode_fold(evs, k, st, &err);
		if (rc)
			rc = HG_EINTERNAL; /* NEVER: every stored prefix was judged when it was appended */
		st->id = id;
		*found = rc == HG_OK;
	}
	hg_free(evs);
	return rc;
}

/* ---- computing the bases of a month ---- */

/* What the computation needs and gives. */
typedef struct build_ctx {
	store *s;
	billing_month month;
	const char *municipality, *county;
	hg_instant cutoff;
	const agreement *agreements;
	size_t n_agreements;
	json_t *bases; /* municipality code -> {"lines": [], "exclusions": [], "average_episodes": []} */
	struct average_days *avg; /* the average settlement's days per municipality, typed (hg_malloc'ed) */
	size_t n_avg, cap_avg;
} build_ctx;

/* The bucket of municipality m, created when missing. */
static json_t *bucket(build_ctx *c, const char *m)
{
	json_t *b = json_object_get(c->bases, m);
	if (b)
		return b;
	b = json_pack("{s:[], s:[], s:[]}", "lines", "exclusions", "average_episodes");
	if (!b || json_object_set_new(c->bases, m, b))
		return NULL;
	return b;
}

/* The average settlement's episodes of one municipality, as the core judged them. */
typedef struct average_days {
	char municipality[8];
	liability_episode_days *days; /* hg_malloc'ed */
	size_t n, cap;
} average_days;

/* The days list of municipality m in c, created when missing; NULL when out of memory. */
static average_days *days_of(build_ctx *c, const char *m)
{
	for (size_t i = 0; i < c->n_avg; i++)
		if (strcmp(c->avg[i].municipality, m) == 0)
			return &c->avg[i];
	if (c->n_avg == c->cap_avg) {
		size_t cap = c->cap_avg ? 2 * c->cap_avg : 8;
		average_days *bigger = hg_realloc(c->avg, cap * sizeof *bigger);
		if (!bigger)
			return NULL;
		c->avg = bigger;
		c->cap_avg = cap;
	}
	average_days *a = &c->avg[c->n_avg++];
	memset(a, 0, sizeof *a);
	hg_copy(a->municipality, sizeof a->municipality, m);
	return a;
}

static void days_free(build_ctx *c)
{
	for (size_t i = 0; i < c->n_avg; i++)
		hg_free(c->avg[i].days);
	hg_free(c->avg);
	c->avg = NULL;
	c->n_avg = c->cap_avg = 0;
}

/* One episode into its bucket. */
static hg_status add_episode(build_ctx *c, const episode_state *st)
{
	billing_line line;
	const char *m = st->patient.registered_municipality;
	if ((c->municipality && strcmp(m, c->municipality) != 0) || (c->county && strncmp(m, c->county, 2) != 0))
		return HG_OK;
	hg_status rc = billing_episode_month(st, &c->month, c->cutoff, c->agreements, c->n_agreements, &line);
	if (rc)
		return rc;
	if (line.outcome == BILLING_LINE || line.outcome == BILLING_EXCLUDED) {
		json_t *b = bucket(c, m), *j = line_json(c->s, st, &line);
		const char *key = line.outcome == BILLING_LINE ? "lines" : "exclusions";
		if (!b || !j || json_array_append_new(json_object_get(b, key), j))
			return HG_ENOMEM;
	}
	/* The average model: the core says whether the episode counts in its municipality's settlement. */
	billing_average_member am;
	if (!billing_average_membership(st, &c->month, c->agreements, c->n_agreements, &am))
		return HG_OK;
	average_days *ad = days_of(c, m);
	if (ad && ad->n == ad->cap) {
		size_t cap = ad->cap ? 2 * ad->cap : 16;
		liability_episode_days *bigger = hg_realloc(ad->days, cap * sizeof *bigger);
		if (!bigger)
			return HG_ENOMEM;
		ad->days = bigger;
		ad->cap = cap;
	}
	if (!ad)
		return HG_ENOMEM;
	ad->days[ad->n++] = am.days;
	json_t *b = bucket(c, m);
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:o, s:i, s:b, s:s}", "episode", (json_int_t)st->id,
			      "personnummer", st->patient.personnummer, "patient_name", st->patient.name, "care",
			      care_type_label(st->care)->code, "discharge_date", jdate(am.discharge_date), "ready_days",
			      am.days.ready_days, "billable", am.days.billable, "reason", billing_reason_label(am.reason)->code);
	if (!b || !j || json_array_append_new(json_object_get(b, "average_episodes"), j))
		return HG_ENOMEM;
	return HG_OK;
}

/* The average model's settlement of bucket b, or JSON null when m is not settled this month. */
static json_t *average_json(build_ctx *c, const char *m, json_t *b, int64_t *total)
{
	hg_date from;
	const agreement *a = billing_settling_average(c->agreements, c->n_agreements, m, &c->month, &from);
	json_t *eps = json_object_get(b, "average_episodes");
	*total = 0;
	if (!a)
		return json_null();
	average_days *ad = days_of(c, m);
	liability_average_result res[CARE_TYPE_COUNT];
	if (!ad || liability_average_all(a, ad->days, ad->n, res, total) != HG_OK)
		return NULL;
	json_t *per = json_array();
	for (int k = 0; per && k < CARE_TYPE_COUNT; k++)
		if (json_array_append_new(
			    per, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "care",
					   care_type_label((care_type)k)->code, "episodes", (json_int_t)res[k].episodes,
					   "ready_days", (json_int_t)res[k].ready_days, "threshold_centidays",
					   (json_int_t)a->average.threshold_centidays[k], "allowed_centidays",
					   (json_int_t)res[k].allowed_centidays, "excess_centidays",
					   (json_int_t)res[k].excess_centidays, "days_billed", (json_int_t)res[k].days_billed,
					   "amount_per_day_ore", (json_int_t)a->average.amount_ore[k], "amount_ore",
					   (json_int_t)res[k].amount_ore))) {
			json_decref(per);
			return NULL;
		}
	return json_pack("{s:s, s:i, s:o, s:o, s:o, s:O, s:I}", "agreement", a->id, "agreement_version", a->version,
			 "period_from", jdate(from), "period_to", jdate(c->month.end - 1), "care", per, "episodes", eps,
			 "total_ore", (json_int_t)*total);
}

/*
 * Computes the bases of c->month: *docs = {municipality: {"lines", "exclusions", "average"}}
 * for every municipality with something to show (and c->municipality always). extra[0..n_extra)
 * are episodes to consider besides the projection's candidates.
 */
static hg_status compute(build_ctx *c, const int64_t *extra, size_t n_extra, json_t **docs)
{
	id_list ids = {0};
	episode_state *st = hg_malloc(sizeof *st);
	hg_status rc = st ? HG_OK : HG_ENOMEM;
	hg_date from = c->month.first;
	c->bases = json_object();
	if (!c->bases)
		rc = HG_ENOMEM;
	/* The average model settles a whole period in its last month: look back to its start. */
	for (size_t i = 0; i < c->n_agreements; i++) {
		hg_date start, end;
		if (c->agreements[i].model == AGREEMENT_AVERAGE &&
		    agreement_average_period(&c->agreements[i], c->month.first, &start, &end) == HG_OK && start < from)
			from = start;
	}
	if (rc == HG_OK)
		rc = candidates(c->s, from, c->month.end, c->municipality, c->county, &ids);
	for (size_t i = 0; rc == HG_OK && i < n_extra; i++)
		rc = ids_add(&ids, extra[i]);
	ids_unique(&ids);
	for (size_t i = 0; rc == HG_OK && i < ids.n; i++) {
		bool found;
		rc = fold_as_of(c->s, ids.ids[i], c->cutoff, st, &found);
		if (rc == HG_OK && found)
			rc = add_episode(c, st);
	}
	if (rc == HG_OK && c->municipality && !bucket(c, c->municipality))
		rc = HG_ENOMEM;
	/* Each bucket becomes a document: lines, exclusions, the average settlement. */
	json_t *out = rc == HG_OK ? json_object() : NULL;
	const char *m;
	json_t *b;
	if (rc == HG_OK && !out)
		rc = HG_ENOMEM;
	json_object_foreach(c->bases, m, b) {
		int64_t avg_total = 0;
		if (rc)
			break;
		json_t *avg = average_json(c, m, b, &avg_total);
		json_t *doc = avg ? json_pack("{s:O, s:O, s:o}", "lines", json_object_get(b, "lines"), "exclusions",
					      json_object_get(b, "exclusions"), "average", avg)
				  : NULL;
		if (!doc || json_object_set_new(out, m, doc))
			rc = HG_ENOMEM;
	}
	json_decref(c->bases);
	c->bases = NULL;
	days_free(c);
	hg_free(ids.ids);
	hg_free(st);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*docs = out;
	return HG_OK;
}

static int64_t doc_total(const json_t *doc)
{
	int64_t total = 0;
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(doc, "lines"), i, l) {
		total += jint(l, "amount_ore");
	}
	total += jint(json_object_get(doc, "average"), "total_ore");
	return total;
}

/* Liable nights on the document's lines that lack a daily amount. */
static int doc_unpriced(const json_t *doc)
{
	size_t i, n = 0;
	json_t *l;
	json_array_foreach(json_object_get(doc, "lines"), i, l) {
		n += json_array_size(json_object_get(l, "unpriced_nights"));
	}
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* ---- differences between two documents ---- */

/* The billing-relevant view of an episode in a document: kind, nights, amount, reason. */
static json_t *episode_view(const json_t *doc, int64_t episode)
{
	static const char *const kinds[] = {"lines", "exclusions", "average_episodes"};
	for (size_t k = 0; k < 3; k++) {
		const json_t *arr = k < 2 ? json_object_get(doc, kinds[k])
					  : json_object_get(json_object_get(doc, "average"), "episodes");
		size_t i;
		json_t *l;
		json_array_foreach(arr, i, l) {
			if (jint(l, "episode") != episode)
				continue;
			if (k == 0)
				return json_pack("{s:s, s:I, s:I, s:O, s:O}", "kind", "line", "nights",
						 (json_int_t)jint(l, "nights"), "amount_ore", (json_int_t)jint(l, "amount_ore"),
						 "first_night", json_object_get(l, "first_night"), "last_night",
						 json_object_get(l, "last_night"));
			if (k == 1)
				return json_pack("{s:s, s:s, s:I, s:I}", "kind", "exclusion", "reason", jstr(l, "reason"),
						 "unbilled_nights", (json_int_t)jint(l, "unbilled_nights"), "unbilled_ore",
						 (json_int_t)jint(l, "unbilled_ore"));
			return json_pack("{s:s, s:I, s:O}", "kind", "average", "ready_days",
					 (json_int_t)jint(l, "ready_days"), "billable", json_object_get(l, "billable"));
		}
	}
	return json_null();
}

static hg_status doc_episodes(const json_t *doc, id_list *ids)
{
	static const char *const kinds[] = {"lines", "exclusions"};
	hg_status rc = HG_OK;
	size_t i;
	json_t *l;
	for (size_t k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(doc, kinds[k]), i, l) {
			if (rc == HG_OK)
				rc = ids_add(ids, jint(l, "episode"));
		}
	}
	json_array_foreach(json_object_get(json_object_get(doc, "average"), "episodes"), i, l) {
		if (rc == HG_OK)
			rc = ids_add(ids, jint(l, "episode"));
	}
	return rc;
}

/* Every episode whose view differs between before and after: [{episode, change, before, after}]. */
static json_t *differences(const json_t *before, const json_t *after)
{
	id_list ids = {0};
	json_t *out = json_array();
	if (!out || doc_episodes(before, &ids) || doc_episodes(after, &ids))
		goto fail;
	ids_unique(&ids);
	for (size_t i = 0; i < ids.n; i++) {
		json_t *b = episode_view(before, ids.ids[i]), *a = episode_view(after, ids.ids[i]);
		if (!a || !b) {
			json_decref(a);
			json_decref(b);
			goto fail;
		}
		if (json_equal(a, b)) {
			json_decref(a);
			json_decref(b);
			continue;
		}
		const char *change = json_is_null(b) ? "added" : json_is_null(a) ? "removed" : "changed";
		if (json_array_append_new(out, json_pack("{s:I, s:s, s:o, s:o}", "episode", (json_int_t)ids.ids[i],
							  "change", change, "before", b, "after", a)))
			goto fail;
	}
	hg_free(ids.ids);
	return out;
fail:
	hg_free(ids.ids);
	json_decref(out);
	return NULL;
}

/* ---- stored invoices ---- */

/* The invoice object of a stored row; with_document adds lines, exclusions and average. */
static json_t *row_json(const invoice_row *r, bool with_document)
{
	json_error_t jerr;
	json_t *o = json_object();
	bool ok = o && put(o, "id", json_integer(r->id)) && put(o, "municipality", json_string(r->municipality)) &&
		  put(o, "municipality_name", r->has_name ? json_string(r->municipality_name) : json_null()) &&
		  put(o, "month", json_string(r->month)) && put(o, "revision", json_integer(r->revision)) &&
		  put(o, "state", json_string(r->state)) &&
		  put(o, "outcome", r->outcome[0] ? json_string(r->outcome) : json_null()) &&
		  put(o, "cutoff", jinstant(r->cutoff)) && put(o, "built_at", jinstant(r->built_at)) &&
		  put(o, "built_by", json_string(r->built_by)) && put(o, "agreement", json_string(r->agreement)) &&
		  put(o, "agreement_version", json_integer(r->agreement_version)) &&
		  put(o, "agreements", json_loads(r->agreements, 0, &jerr)) &&
		  put(o, "total_ore", json_integer(r->total_ore)) && put(o, "owed_ore", json_integer(r->owed_ore));
	json_t *doc = ok ? json_loads(r->document, 0, &jerr) : NULL;
	if (ok && doc)
		ok = put(o, "unpriced_nights", json_integer(doc_unpriced(doc)));
	if (ok && doc) {
		if (with_document) {
			ok = json_object_update(o, doc) == 0;
		} else {
			ok = put(o, "line_count", json_integer((json_int_t)json_array_size(json_object_get(doc, "lines")))) &&
			     put(o, "exclusion_count",
				 json_integer((json_int_t)json_array_size(json_object_get(doc, "exclusions"))));
		}
	}
	if (!ok || !doc) {
		json_decref(doc);
		json_decref(o);
		return NULL;
	}
	json_decref(doc);
	return o;
}

/* Loads invoice id: *row (may be NULL) its object, *doc (may be NULL) the stored document. */
static hg_status load_invoice(invoice_db *d, int64_t id, json_t **row, json_t **doc)
{
	invoice_row r;
	hg_status rc = idb_get(d, id, &r);
	if (rc)
		return rc;
	json_error_t jerr;
	if (row && !(*row = row_json(&r, true)))
		rc = HG_ENOMEM;
	if (rc == HG_OK && doc && !(*doc = json_loads(r.document, 0, &jerr))) {
		rc = HG_ENOMEM;
		if (row) {
			json_decref(*row);
			*row = NULL; /* the caller frees what it was given, so nothing on failure */
		}
	}
	invoice_row_clear(&r);
	return rc;
}

static json_t *steps_json(invoice_db *d, int64_t id, hg_status *rc)
{
	invoice_step_row *rows = NULL;
	size_t n = 0;
	json_t *a = json_array();
	*rc = a ? idb_steps(d, id, &rows, &n) : HG_ENOMEM;
	for (size_t i = 0; *rc == HG_OK && i < n; i++) {
		json_error_t jerr;
		const invoice_step_row *r = &rows[i];
		json_t *st = json_pack("{s:i, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:I}", "seq", r->seq, "at",
				       jinstant(r->at), "username", r->username, "org", r->org, "action", r->action, "state",
				       r->state, "outcome", r->outcome[0] ? json_string(r->outcome) : json_null(), "reason",
				       r->reason, "detail", json_loads(r->detail, 0, &jerr), "owed_ore",
				       (json_int_t)r->owed_ore);
		if (!st || json_array_append_new(a, st))
			*rc = HG_ENOMEM;
	}
	invoice_step_rows_free(rows, n);
	if (*rc) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Appends a step to the trail of invoice id. detail is borrowed. */
static hg_status add_step(invoice_db *d, int64_t id, hg_instant at, const char *username, const char *org,
			  const char *action, const char *state, const char *outcome, const char *reason,
			  const json_t *detail, int64_t owed)
{
	invoice_step_row st = {.at = at, .owed_ore = owed};
	hg_copy(st.username, sizeof st.username, username);
	hg_copy(st.org, sizeof st.org, org);
	hg_copy(st.action, sizeof st.action, action);
	hg_copy(st.state, sizeof st.state, state);
	hg_copy(st.outcome, sizeof st.outcome, outcome);
	st.reason = (char *)(reason ? reason : "");
	st.detail = invoice_store_json_text(detail, CANONICAL);
	hg_status rc = st.detail ? idb_step_add(d, id, &st) : HG_ENOMEM;
	hg_free(st.detail);
	return rc;
}

/* The agreement versions as stored with an invoice: [{"id", "version"}]. */
static json_t *refs_json(const agreement *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:i}", "id", list[i].id, "version", list[i].version))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The invoice object of a preview (nothing stored). */
static json_t *preview_json(store *s, const char *m, const build_ctx *c, const json_t *doc, const agreement *a)
{
	char month[8];
	store_org org;
	json_t *o = json_pack("{s:n, s:s, s:o, s:s, s:n, s:s, s:n, s:o, s:o, s:o, s:o, s:I, s:I}", "id",
			      "municipality", m, "municipality_name",
			      store_org_get(s, m, &org) == HG_OK ? json_string(org.name) : json_null(), "month",
			      billing_month_format(&c->month, month), "revision", "state", "preview", "outcome", "cutoff",
			      jinstant(c->cutoff), "agreement", a ? json_string(a->id) : json_null(), "agreement_version",
			      a ? json_integer(a->version) : json_null(), "agreements",
			      refs_json(c->agreements, c->n_agreements), "total_ore", (json_int_t)doc_total(doc),
			      "owed_ore", (json_int_t)doc_total(doc));
	if (o && json_object_update(o, (json_t *)doc)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The row of a new draft basis of municipality m. Texts are borrowed. */
static invoice_row new_row(const char *m, const char *month, int revision, const build_ctx *c,
			   const invoice_build_request *rq, const agreement *a, char *refs, char *doc, int64_t total)
{
	invoice_row r = {.revision = revision, .cutoff = c->cutoff, .built_at = rq->now, .total_ore = total,
			 .agreement_version = a ? a->version : 0, .agreements = refs, .document = doc};
	hg_copy(r.municipality, sizeof r.municipality, m);
	hg_copy(r.month, sizeof r.month, month);
	hg_copy(r.built_by, sizeof r.built_by, rq->username);
	hg_copy(r.agreement, sizeof r.agreement, a ? a->id : "");
	return r;
}

/*
 * Saves the basis doc of municipality m: a new draft (revision), the stored
 * draft unchanged, or a sent invoice kept. *out gets the invoice object with
 * its "status" (and, when kept, its "differences").
 */
static hg_status save_basis(store *s, const char *m, const build_ctx *c, const invoice_build_request *rq,
			    const json_t *doc, json_t **out)
{
	char month[8];
	billing_month_format(&c->month, month);
	const agreement *a = agreement_find_in_force(c->agreements, c->n_agreements, m, c->month.first);
	json_t *refs = refs_json(c->agreements, c->n_agreements);
	char *refs_text = refs ? invoice_store_json_text(refs, CANONICAL) : NULL;
	char *doc_text = invoice_store_json_text(doc, CANONICAL);
	invoice_row old = {0};
	int64_t id = 0;
	invoice_state state = INVOICE_DRAFT;
	const char *status = "created";
	json_t *kept_diff = NULL, *empty = json_object();
	invoice_db *d = idb_open(s);
	hg_status rc = d && refs_text && doc_text && empty ? idb_begin(d) : HG_ENOMEM;
	bool began = rc == HG_OK;
	if (rc == HG_OK)
		rc = idb_latest(d, m, month, &old);
	if (rc == HG_OK && old.id && !invoice_state_from_code(old.state, &state))
		rc = HG_EINTERNAL;
	if (rc == HG_OK && old.id && state != INVOICE_DRAFT && state != INVOICE_SUPERSEDED) {
		/* Sent: the invoice stands; what changed since is a difference to review. */
		json_error_t jerr;
		json_t *stored = json_loads(old.document, 0, &jerr);
		kept_diff = stored ? differences(stored, doc) : NULL;
		json_decref(stored);
		rc = kept_diff ? HG_OK : HG_ENOMEM;
		status = "kept";
		id = old.id;
	} else if (rc == HG_OK && old.id && state == INVOICE_DRAFT && strcmp(old.document, doc_text) == 0) {
		status = "unchanged";
		id = old.id;
	} else if (rc == HG_OK) {
		invoice_row r = new_row(m, month, old.revision + 1, c, rq, a, refs_text, doc_text, doc_total(doc));
		rc = idb_insert(d, &r, &id);
		if (rc == HG_OK)
			rc = add_step(d, id, rq->now, rq->username, rq->org ? rq->org : "", "build", "draft", NULL, "",
				      empty, doc_total(doc));
		if (rc == HG_OK && old.id && state == INVOICE_DRAFT) {
			/* The draft this build replaces: the workflow's supersede step, kept in its trail. */
			invoice_step_input in = {.action = INVOICE_SUPERSEDE, .party = INVOICE_REGION};
			invoice_step_result res;
			json_t *detail = json_pack("{s:I}", "superseded_by", (json_int_t)id);
			rc = detail ? invoice_step(state, NULL, 0, 0, &in, &res, NULL) : HG_ENOMEM;
			if (rc == HG_OK)
				rc = idb_set_state(d, old.id, invoice_state_label(res.to)->code, false, NULL, 0);
			if (rc == HG_OK)
				rc = add_step(d, old.id, rq->now, rq->username, rq->org ? rq->org : "", "supersede",
					      invoice_state_label(res.to)->code, NULL, "", detail, 0);
			json_decref(detail);
		}
	}
	if (began && rc == HG_OK)
		rc = idb_commit(d);
	else if (began)
		idb_rollback(d);
	if (rc == HG_OK) {
		json_t *row = NULL;
		rc = load_invoice(d, id, &row, NULL);
		if (rc == HG_OK) {
			json_object_del(row, "built_at");
			if (!put(row, "status", json_string(status)) ||
			    (kept_diff && json_object_set(row, "differences", kept_diff))) {
				json_decref(row);
				rc = HG_ENOMEM;
			} else {
				*out = row;
			}
		}
	}
	idb_close(d);
	invoice_row_clear(&old);
	json_decref(kept_diff);
	json_decref(refs);
	json_decref(empty);
	hg_free(refs_text);
	hg_free(doc_text);
	return rc;
}

hg_status invoice_store_build(store *s, const invoice_build_request *rq, json_t **out, char *err, size_t errlen)
{
	agreement *list = NULL;
	size_t n = 0;
	json_t *docs = NULL, *result = NULL, *arr = NULL;
	hg_status rc = agreement_store_ensure_builtin(s, rq->now);
	if (rc == HG_OK)
		rc = agreement_store_current(s, &list, &n);
	if (rc) {
		(void)snprintf(err, errlen, "cannot read the agreements: %s", hg_status_name(rc));
		return rc;
	}
	build_ctx c = {.s = s, .month = rq->month, .municipality = rq->municipality, .county = rq->county,
		       .cutoff = rq->cutoff, .agreements = list, .n_agreements = n};
	rc = compute(&c, NULL, 0, &docs);
	if (rc == HG_OK && !(arr = json_array()))
		rc = HG_ENOMEM;
	const char *m;
	json_t *doc;
	json_object_foreach(docs, m, doc) {
		json_t *inv = NULL;
		if (rc)
			break;
		if (rq->save) {
			rc = save_basis(s, m, &c, rq, doc, &inv);
		} else {
			inv = preview_json(s, m, &c, doc,
					   agreement_find_in_force(list, n, m, rq->month.first));
			if (!inv || !put(inv, "status", json_string("preview")))
				rc = HG_ENOMEM;
		}
		if (rc == HG_OK && json_array_append_new(arr, inv))
			rc = HG_ENOMEM;
	}
	if (rc == HG_OK && !(result = json_pack("{s:O}", "invoices", arr)))
		rc = HG_ENOMEM;
	if (rc)
		(void)snprintf(err, errlen, "cannot build the invoices: %s", hg_status_name(rc));
	else
		*out = result;
	json_decref(arr);
	json_decref(docs);
	hg_free(list);
	return rc;
}

/* ---- reading ---- */

hg_status invoice_store_list(store *s, const invoice_filter *f, json_t **out)
{
	invoice_row *rows = NULL;
	size_t n = 0;
	json_t *arr = json_array();
	invoice_db *d = idb_open(s);
	hg_status rc = arr && d ? idb_list(d, f, &rows, &n) : HG_ENOMEM;
	idb_close(d);
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		json_t *row = row_json(&rows[i], false);
		if (!row || json_array_append_new(arr, row))
			rc = HG_ENOMEM;
	}
	invoice_rows_free(rows, n);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return HG_OK;
}

hg_status invoice_store_totals(store *s, const invoice_filter *f, const char *first, const char *last, invoice_total **rows,
			 size_t *n)
{
	invoice_db *d = idb_open(s);
	*rows = NULL;
	*n = 0;
	hg_status rc = d ? idb_totals(d, f, first, last, rows, n) : HG_ENOMEM;
	idb_close(d);
	return rc;
}

hg_status invoice_store_get(store *s, int64_t id, json_t **out)
{
	json_t *row = NULL, *steps = NULL;
	invoice_db *d = idb_open(s);
	hg_status rc = d ? load_invoice(d, id, &row, NULL) : HG_ENOMEM;
	if (rc == HG_OK)
		steps = steps_json(d, id, &rc);
	idb_close(d);
	if (rc == HG_OK && !put(row, "steps", steps))
		rc = HG_ENOMEM;
	if (rc) {
		json_decref(row);
		return rc;
	}
	*out = row;
	return HG_OK;
}

hg_status invoice_store_parties(store *s, int64_t id, char municipality[static 8], int64_t **episodes, size_t *n)
{
	json_t *row = NULL, *doc = NULL;
	id_list ids = {0};
	invoice_db *d = idb_open(s);
	hg_status rc = d ? load_invoice(d, id, &row, &doc) : HG_ENOMEM;
	idb_close(d);
	if (rc)
		return rc;
	(void)snprintf(municipality, 8, "%s", jstr(row, "municipality"));
	rc = doc_episodes(doc, &ids);
	ids_unique(&ids);
	json_decref(row);
	json_decref(doc);
	if (rc) {
		hg_free(ids.ids);
		return rc;
	}
	*episodes = ids.ids;
	*n = ids.n;
	return HG_OK;
}

hg_status invoice_store_review(store *s, int64_t id, hg_instant now, json_t **out)
{
	json_t *row = NULL, *stored = NULL, *then = NULL, *later = NULL, *result = NULL;
	agreement *list = NULL;
	agreement_ref *refs = NULL;
	id_list ids = {0};
	invoice_db *d = idb_open(s);
	hg_status rc = d ? load_invoice(d, id, &row, &stored) : HG_ENOMEM;
	idb_close(d);
	if (rc)
		return rc;

	/* The same agreement versions, the same episodes (and any the projection now adds). */
	json_t *jrefs = json_object_get(row, "agreements");
	size_t n = json_array_size(jrefs);
	refs = hg_calloc(n ? n : 1, sizeof *refs);
	rc = refs ? HG_OK : HG_ENOMEM;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		json_t *r = json_array_get(jrefs, i);
		(void)snprintf(refs[i].id, sizeof refs[i].id, "%s", jstr(r, "id"));
		refs[i].version = (int)jint(r, "version");
	}
	if (rc == HG_OK)
		rc = agreement_store_versions(s, refs, n, &list);
	if (rc == HG_OK)
		rc = doc_episodes(stored, &ids);
	billing_month month = {0};
	hg_instant cutoff = HG_INSTANT_NONE;
	if (rc == HG_OK && (billing_month_parse(jstr(row, "month"), &month) != HG_OK ||
			    instant_parse_iso(jstr(row, "cutoff"), &cutoff) != HG_OK))
		rc = HG_EINTERNAL;
	const char *m = jstr(row, "municipality");
	build_ctx c = {.s = s, .month = month, .municipality = m, .cutoff = cutoff, .agreements = list,
		       .n_agreements = n};
	json_t *docs = NULL;
	if (rc == HG_OK && (rc = compute(&c, ids.ids, ids.n, &docs)) == HG_OK) {
		then = json_incref(json_object_get(docs, m));
		json_decref(docs);
	}
	c.cutoff = now;
	if (rc == HG_OK && (rc = compute(&c, ids.ids, ids.n, &docs)) == HG_OK) {
		later = json_incref(json_object_get(docs, m));
		json_decref(docs);
	}
	if (rc == HG_OK) {
		json_t *mismatches = differences(stored, then), *diff = differences(stored, later);
		/* Reproducible: every episode's nights, amount and reason, and the total, come out the same;
		 * identical: the whole document too (a later version of hemgang may add fields). */
		bool same = mismatches && json_array_size(mismatches) == 0 && doc_total(stored) == doc_total(then);
		result = mismatches && diff
				 ? json_pack("{s:I, s:b, s:b, s:o, s:o, s:o, s:o, s:I, s:I}", "invoice", (json_int_t)id,
					     "reproducible", same, "identical", json_equal(stored, then), "mismatches",
					     mismatches, "cutoff", jinstant(cutoff),
					     "as_of", jinstant(now), "differences", diff, "total_ore",
					     (json_int_t)doc_total(stored), "total_now_ore", (json_int_t)doc_total(later))
				 : NULL;
		if (!result) {
			json_decref(mismatches);
			json_decref(diff);
			rc = HG_ENOMEM;
		}
	}
	if (rc == HG_OK)
		*out = result;
	json_decref(row);
	json_decref(stored);
	json_decref(then);
	json_decref(later);
	hg_free(list);
	hg_free(refs);
	hg_free(ids.ids);
	return rc;
}

/* ---- steps ---- */

/* The lines of a stored document with the disputed flags of the invoice's dispute step. */
static hg_status workflow_lines(invoice_db *d, int64_t id, const json_t *doc, invoice_line_amount **out, size_t *n)
{
	json_t *lines = json_object_get(doc, "lines"), *disputed = NULL;
	size_t k = json_array_size(lines);
	char *text = NULL;
	hg_status rc = idb_last_dispute(d, id, &text);
	if (rc)
		return rc;
	if (text) {
		json_error_t jerr;
		json_t *detail = json_loads(text, 0, &jerr);
		disputed = json_incref(json_object_get(detail, "lines"));
		json_decref(detail);
		hg_free(text);
	}
	invoice_line_amount *arr = hg_calloc(k ? k : 1, sizeof *arr);
	if (!arr) {
		json_decref(disputed);
		return HG_ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		json_t *l = json_array_get(lines, i);
		arr[i].episode = jint(l, "episode");
		arr[i].amount_ore = jint(l, "amount_ore");
		arr[i].disputed = disputed && json_array_size(disputed) == 0;
		size_t j;
		json_t *e;
		json_array_foreach(disputed, j, e) {
			if (json_integer_value(e) == arr[i].episode)
				arr[i].disputed = true;
		}
	}
	json_decref(disputed);
	*out = arr;
	*n = k;
	return HG_OK;
}

/* The detail of a step: disputed lines or adjustments (with the amounts before). */
static json_t *step_detail(const invoice_act_request *rq, const invoice_line_amount *lines, size_t n)
{
	json_t *d = json_object(), *a = json_array();
	if (!d || !a)
		goto fail;
	if (rq->action == INVOICE_DISPUTE) {
		for (size_t i = 0; i < rq->n_lines; i++)
			if (json_array_append_new(a, json_integer(rq->lines[i])))
				goto fail;
		return json_object_set_new(d, "lines", a) ? (json_decref(d), NULL) : d;
	}
	if (rq->action == INVOICE_DECIDE && rq->outcome == INVOICE_ADJUSTED) {
		for (size_t i = 0; i < rq->n_adjustments; i++) {
			int64_t before = 0;
			for (size_t k = 0; k < n; k++)
				if (lines[k].episode == rq->adjustments[i].episode)
					before = lines[k].amount_ore;
			if (json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "episode",
							       (json_int_t)rq->adjustments[i].episode, "amount_ore",
							       (json_int_t)rq->adjustments[i].amount_ore, "before_ore",
							       (json_int_t)before)))
				goto fail;
		}
		return json_object_set_new(d, "adjustments", a) ? (json_decref(d), NULL) : d;
	}
	json_decref(a);
	return d;
fail:
	json_decref(a);
	json_decref(d);
	return NULL;
}

hg_status invoice_store_act(store *s, int64_t id, const invoice_act_request *rq, invoice_refusal *why)
{
	json_t *row = NULL, *doc = NULL, *detail = NULL;
	invoice_line_amount *lines = NULL;
	size_t n = 0;
	invoice_state from;
	invoice_step_result res;
	invoice_db *d = idb_open(s);
	*why = INVOICE_OK;
	hg_status rc = d ? idb_begin(d) : HG_ENOMEM;
	bool began = rc == HG_OK, replayed = false;
	if (rc == HG_OK && rq->key) {
		int64_t key_invoice = 0;
		char key_action[INVOICE_CODE_MAX] = "";
		rc = idb_key_get(d, rq->username, rq->key, &replayed, &key_invoice, key_action);
		if (rc == HG_OK && replayed &&
		    (key_invoice != id || strcmp(key_action, invoice_action_label(rq->action)->code) != 0)) {
			*why = INVOICE_KEY_REUSED;
			rc = invoice_refusal_status(*why);
		}
	}
	if (rc == HG_OK && replayed) {
		/* the same step again (its answer was lost): it was taken, nothing more to write */
		idb_rollback(d);
		idb_close(d);
		return HG_OK;
	}
	if (rc == HG_OK)
		rc = load_invoice(d, id, &row, &doc);
	if (rc == HG_OK && !invoice_state_from_code(jstr(row, "state"), &from))
		rc = HG_EINTERNAL;
	if (rc == HG_OK)
		rc = workflow_lines(d, id, doc, &lines, &n);
	if (rc == HG_OK) {
		invoice_step_input in = {rq->action, rq->party, rq->reason, rq->outcome, rq->lines, rq->n_lines,
					 rq->adjustments, rq->n_adjustments, doc_unpriced(doc)};
		rc = invoice_step(from, lines, n, jint(row, "owed_ore"), &in, &res, why);
	}
	if (rc == HG_OK && !(detail = step_detail(rq, lines, n)))
		rc = HG_ENOMEM;
	const char *outcome = rq->outcome != INVOICE_OUTCOME_NONE ? invoice_outcome_label(rq->outcome)->code : NULL;
	if (rc == HG_OK)
		rc = idb_set_state(d, id, invoice_state_label(res.to)->code, true, outcome, res.total_ore);
	if (rc == HG_OK)
		rc = add_step(d, id, rq->now, rq->username, rq->org, invoice_action_label(rq->action)->code,
			      invoice_state_label(res.to)->code, outcome, rq->reason, detail, res.total_ore);
	if (rc == HG_OK && rq->key)
		rc = idb_key_put(d, rq->username, rq->key, id, invoice_action_label(rq->action)->code);
	if (began && rc == HG_OK)
		rc = idb_commit(d);
	else if (began)
		idb_rollback(d);
	idb_close(d);
	json_decref(row);
	json_decref(doc);
	json_decref(detail);
	hg_free(lines);
	return rc;
}

hg_status invoice_store_refs_of_episode(store *s, int64_t episode, const char *municipality, const char *county,
				  invoice_ref **refs, size_t *n)
{
	invoice_db *d = idb_open(s);
	hg_status rc = d ? idb_episode_invoices(d, episode, municipality, county, refs, n) : HG_ENOMEM;
	idb_close(d);
	return rc;
}
