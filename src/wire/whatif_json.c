/*
 * whatif_json.c - the what-if over a database, as JSON (see whatif_json.h).
 *
 * An adapter: it gathers the inputs (agreements in force, facts rows,
 * invoices), hands them to core/whatif.c, which computes every figure, and
 * renders the rows. The facts are streamed: one row at a time is decoded and
 * judged, so a national year needs memory for the rows of the answer only.
 */
#include "wire/whatif_json.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/billing.h"
#include "core/calendar.h"
#include "core/whatif.h"
#include "store/followup_store.h"
#include "store/invoice_store.h"

static hg_status add_row(void *ctx, const facts_row *row)
{
	return whatif_add(ctx, row);
}

/* "YYYY-MM" of year y, month m into buf. */
static char *month_text(int y, int m, char buf[static 8])
{
	billing_month bm;
	if (billing_month_make(y, m, &bm) != HG_OK)
		bm = (billing_month){.year = 0, .month = 0};
	return billing_month_format(&bm, buf);
}

static json_t *jdate(hg_date d)
{
	char buf[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, buf));
}

/* The invoices of the months: {"municipality month" -> {"total_ore", "state"}}, the latest revision of each. */
static hg_status invoices_of(store *s, const whatif_request *rq, json_t **out)
{
	invoice_filter f = {.county = rq->county, .municipality = rq->municipality};
	invoice_total *rows = NULL;
	size_t n = 0;
	char first[8], last[8];
	int y, m, d;
	date_to_ymd(rq->from, &y, &m, &d);
	month_text(y, m, first);
	date_to_ymd(rq->to, &y, &m, &d);
	month_text(y, m, last);
	json_t *by = json_object();
	hg_status rc = by ? invoice_store_totals(s, &f, first, last, &rows, &n) : HG_ENOMEM;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		char key[24];
		if (rq->sent_only && rows[i].state == INVOICE_DRAFT)
			continue;
		(void)snprintf(key, sizeof key, "%.4s %s", rows[i].municipality, rows[i].month);
		json_t *v = json_pack("{s:s, s:I, s:s}", "municipality", rows[i].municipality, "total_ore",
		                      (json_int_t)rows[i].total_ore, "state", invoice_state_label(rows[i].state)->code);
		if (!v || json_object_set_new(by, key, v))
			rc = HG_ENOMEM;
	}
	hg_free(rows);
	if (rc) {
		json_decref(by);
		return rc;
	}
	*out = by;
	return HG_OK;
}

static json_t *scenario_json(const agreement *a, const whatif_figure *f)
{
	return json_pack("{s:s, s:i, s:I, s:I, s:I, s:o}", "agreement", a->id, "version", a->version, "total_ore",
	                 (json_int_t)f->total_ore, "nights", (json_int_t)f->nights, "unpriced_nights",
	                 (json_int_t)f->unpriced_nights, "average_ore",
	                 f->average ? json_integer(f->average_ore) : json_null());
}

/* The grid: municipality, month, invoiced, recomputed, one column per scenario. */
static json_t *table_json(const whatif_request *rq, const json_t *rows)
{
	json_t *cols =
	    json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "code", "municipality",
	              "sv", "Kommun", "en", "Municipality", "code", "month", "sv", "Månad", "en", "Month", "code",
	              "invoiced_ore", "sv", "Fakturerat (öre)", "en", "Invoiced (öre)", "code", "recomputed_ore", "sv",
	              "Gällande överenskommelser (öre)", "en", "Agreements in force (öre)");
	json_t *grid = json_array();
	for (size_t k = 0; cols && k < rq->n_scenarios; k++) {
		char code[HG_ID_MAX + 16];
		(void)snprintf(code, sizeof code, "%s_v%d_ore", rq->scenarios[k].id, rq->scenarios[k].version);
		if (json_array_append_new(cols, json_pack("{s:s, s:s, s:s}", "code", code, "sv", rq->scenarios[k].name,
		                                          "en", rq->scenarios[k].name))) {
			json_decref(cols);
			cols = NULL;
		}
	}
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		json_t *cells =
		    json_pack("[O, O, O, O]", json_object_get(r, "municipality"), json_object_get(r, "month"),
		              json_object_get(r, "invoiced_ore"), json_object_get(r, "recomputed_ore"));
		size_t k;
		json_t *sc;
		json_array_foreach(json_object_get(r, "scenarios"), k, sc)
		{
			if (cells && json_array_append(cells, json_object_get(sc, "total_ore"))) {
				json_decref(cells);
				cells = NULL;
			}
		}
		if (!grid || !cells || json_array_append_new(grid, cells)) {
			json_decref(grid);
			grid = NULL;
		}
	}
	if (!cols || !grid) {
		json_decref(cols);
		json_decref(grid);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "columns", cols, "rows", grid);
}

/* The rows of the answer, with the invoices beside them. */
static json_t *rows_json(const whatif_request *rq, const whatif_row *rows, size_t n, const json_t *invoices)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		const whatif_row *r = &rows[i];
		char month[8], key[24];
		month_text(r->year, r->month, month);
		(void)snprintf(key, sizeof key, "%.4s %s", r->municipality, month);
		const json_t *inv = json_object_get(invoices, key);
		json_t *sc = json_array();
		for (size_t k = 0; sc && k < rq->n_scenarios; k++)
			if (json_array_append_new(sc, scenario_json(&rq->scenarios[k], &r->scenarios[k]))) {
				json_decref(sc);
				sc = NULL;
			}
		json_t *row =
		    sc ? json_pack("{s:s, s:s, s:O, s:O, s:I, s:I, s:o}", "municipality", r->municipality, "month",
		                   month, "invoiced_ore", inv ? json_object_get(inv, "total_ore") : json_null(),
		                   "invoice_state", inv ? json_object_get(inv, "state") : json_null(), "recomputed_ore",
		                   (json_int_t)r->in_force.total_ore, "recomputed_unpriced_nights",
		                   (json_int_t)r->in_force.unpriced_nights, "scenarios", sc)
		       : NULL;
		if (!row || json_array_append_new(arr, row)) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

hg_status whatif_report(store *s, const whatif_request *rq, json_t **out, char *err, size_t errlen)
{
	agreement *in_force = NULL;
	size_t n_in_force = 0, episodes = 0, n_rows = 0;
	whatif *w = NULL;
	json_t *invoices = NULL, *rows = NULL;
	const whatif_row *result = NULL;
	*out = NULL;
	if (rq->n_scenarios < 1 || rq->n_scenarios > WHATIF_SCENARIOS_MAX) {
		(void)snprintf(err, errlen, "give 1 to %d agreements", WHATIF_SCENARIOS_MAX);
		return HG_EINVAL;
	}
	hg_status rc = followup_agreements(s, &in_force, &n_in_force);
	if (rc != HG_OK) {
		(void)snprintf(err, errlen, "cannot read the agreements: %s", hg_status_name(rc));
		return rc;
	}
	whatif_config cfg = {.in_force = in_force,
	                     .n_in_force = n_in_force,
	                     .scenarios = rq->scenarios,
	                     .n_scenarios = rq->n_scenarios,
	                     .from = rq->from,
	                     .to = rq->to,
	                     .asof = cal_local_date(rq->asof),
	                     .county = rq->county,
	                     .municipality = rq->municipality};
	rc = whatif_new(&cfg, &w);
	if (rc == HG_EINVAL)
		(void)snprintf(err, errlen, "the period must run forward and span at most %d months",
		               WHATIF_MONTHS_MAX);
	if (rc == HG_OK)
		rc = invoices_of(s, rq, &invoices);
	const char *key;
	json_t *inv;
	json_object_foreach(invoices, key, inv)
	{
		if (rc == HG_OK)
			rc = whatif_touch(w, json_string_value(json_object_get(inv, "municipality")));
	}
	if (rc == HG_OK) {
		/* Every stay in hospital in the months (from the first a settled average period looks back to). */
		int y, m, d;
		date_to_ymd(rq->to, &y, &m, &d);
		hg_date end = date_from_ymd(y, m, 1) + date_days_in_month(y, m);
		followup_filter f = {.from = cal_local_midnight(whatif_load_from(w)) - HG_SECONDS_PER_DAY,
		                     .to = cal_local_midnight(end) + HG_SECONDS_PER_DAY,
		                     .municipality = rq->municipality};
		rc = followup_facts_each(s, &f, add_row, w, &episodes);
	}
	if (rc == HG_OK)
		rc = whatif_finish(w, &result, &n_rows);
	if (rc == HG_OK && !(rows = rows_json(rq, result, n_rows, invoices)))
		rc = HG_ENOMEM;
	if (rc == HG_OK) {
		json_t *sc = json_array();
		for (size_t k = 0; sc && k < rq->n_scenarios; k++)
			if (json_array_append_new(sc, json_pack("{s:s, s:i, s:s}", "agreement", rq->scenarios[k].id,
			                                        "version", rq->scenarios[k].version, "name",
			                                        rq->scenarios[k].name))) {
				json_decref(sc);
				sc = NULL;
			}
		char when[21];
		json_t *table = sc ? table_json(rq, rows) : NULL;
		*out = table ? json_pack("{s:o, s:o, s:s, s:I, s:o, s:O, s:o}", "from", jdate(rq->from), "to",
		                         jdate(rq->to), "asof", instant_format_utc(rq->asof, when), "episodes",
		                         (json_int_t)episodes, "scenarios", sc, "rows", rows, "table", table)
		             : NULL;
		if (!*out) {
			json_decref(sc);
			rc = HG_ENOMEM;
		}
	}
	if (rc != HG_OK && rc != HG_EINVAL)
		(void)snprintf(err, errlen, "cannot compute the what-if: %s", hg_status_name(rc));
	json_decref(rows);
	json_decref(invoices);
	whatif_free(w);
	hg_free(in_force);
	return rc;
}
