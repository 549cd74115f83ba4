/*
 * followup_api.c - handlers of /api/v1/indicators, /api/v1/point-measurements,
 * /api/v1/forecast, /api/v1/exports/vantetider, /api/v1/whatif and the patient survey (see
 * followup_api.h and docs/indicators.md).
 *
 * Shape of an aggregate handler: authenticate, decide the caller's scope (a
 * municipality's users see their own residents, a region's users their
 * county), parse the query, load the episodes through the follow-up store,
 * let the core compute, suppress small cells, and reply with the structured
 * JSON (which carries its table form under "table") or, with format=csv, the
 * table as a CSV download. Patient lists of a point measurement go only to
 * roles that read patient data, only for episodes they may see, audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/forecast.h"
#include "core/indicator.h"
#include "core/point.h"
#include "core/survey.h"
#include "core/text.h"
#include "core/whatif.h"
#include "http/api.h"
#include "auth/password.h"
#include "http/followup_api.h"
#include "wire/followup_json.h"
#include "wire/agreement_json.h"
#include "store/agreement_store.h"
#include "store/followup_store.h"
#include "wire/whatif_json.h"

#define LIST_MAX 256
#define READMISSION_LOOKAHEAD_DAYS (INDICATOR_READMISSION_DAYS + 1)
#define PERIOD_DAYS_MAX (20 * 366)

/* ---- the caller and the scope ---- */

typedef struct follower {
	api_caller c;
	store_org org;
	const char *municipality; /* set for a municipality's users: only its residents */
	const char *county;       /* set for a region's users: only its county */
} follower;

static bool authenticate_follower(http_request *req, http_response *res, api_app *app, follower *f)
{
	memset(f, 0, sizeof *f);
	if (!api_authenticate(req, res, app, &f->c))
		return false;
	if (f->c.user.role == ROLE_INTEGRATION) {
		IGNORE(http_reply_problem(res, 403, "role_forbidden", NULL, NULL,
					  "Integrationskonton har inte tillgång till uppföljningen."));
		return false;
	}
	hg_status rc = store_org_get(app->store, f->c.user.org, &f->org);
	if (rc) {
		IGNORE(api_problem_store(res, rc == HG_ENOTFOUND ? HG_EIO : rc));
		return false;
	}
	if (f->org.kind == ORG_MUNICIPALITY)
		f->municipality = f->org.code;
	else
		f->county = f->org.county;
	const char *want = http_request_query(req, "municipality");
	if (want) {
		if (strlen(want) != 4 || strspn(want, "0123456789") != 4) {
			IGNORE(http_reply_problem(res, 400, "validation", NULL, "municipality",
						  "'municipality' ska vara en kommunkod med fyra siffror."));
			return false;
		}
		if ((f->municipality && strcmp(want, f->municipality) != 0) ||
		    (f->county && strncmp(want, f->county, 2) != 0)) {
			IGNORE(http_reply_problem(res, 403, "scope_forbidden", NULL, "municipality",
						  "Kommunen ligger utanför din organisations uppföljning."));
			return false;
		}
		f->municipality = want;
	}
	return true;
}

/* The role may make this write (the table in core/access.c); replies 403 otherwise. */
static bool may_write(http_response *res, const api_caller *c, access_write w)
{
	if (access_role_may_write(c->user.role, w))
		return true;
	IGNORE(http_reply_problem(res, 403, "role_forbidden", NULL, NULL, "Rollen %s får inte göra detta (%s).",
				  role_label(c->user.role)->sv, access_write_code(w)));
	return false;
}

/* ---- query parameters ---- */

static bool query_date(http_request *req, http_response *res, const char *name, bool required, hg_date *out)
{
	const char *v = http_request_query(req, name);
	*out = HG_DATE_NONE;
	if (!v && !required)
		return true;
	if (!v || date_parse(v, out) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, name, "'%s' ska vara ett datum (ÅÅÅÅ-MM-DD).", name));
		return false;
	}
	return true;
}

/* An instant: ISO 8601 with an offset, or local "YYYY-MM-DD HH:MM"; absent: now. */
static bool query_instant(http_request *req, http_response *res, const char *name, hg_instant *out)
{
	const char *v = http_request_query(req, name);
	*out = api_now();
	if (!v)
		return true;
	if (strlen(v) > 40 || cal_parse_local(v, out) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, name,
					  "'%s' ska vara en tidpunkt (ÅÅÅÅ-MM-DDTHH:MM:SSZ eller lokal tid).", name));
		return false;
	}
	return true;
}

static bool query_bool(const http_request *req, const char *name)
{
	const char *v = http_request_query(req, name);
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* format=json (default) or csv; false after replying 400. */
static bool query_csv(http_request *req, http_response *res, bool *csv)
{
	const char *v = http_request_query(req, "format");
	*csv = v && strcmp(v, "csv") == 0;
	if (v && !*csv && strcmp(v, "json") != 0) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, "format", "'format' ska vara json eller csv."));
		return false;
	}
	return true;
}

/* The period from/to (inclusive dates in the query) as [from, to). */
static bool query_period(http_request *req, http_response *res, hg_date *from, hg_date *to)
{
	if (!query_date(req, res, "from", true, from) || !query_date(req, res, "to", true, to))
		return false;
	if (*to < *from || *to - *from >= PERIOD_DAYS_MAX) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, "to",
					  "'to' ska vara samma dag som 'from' eller senare, högst 20 år efter."));
		return false;
	}
	*to += 1;
	return true;
}

/* ---- replies ---- */

/* Replies with body, or with grid as a CSV download when csv. Steals both references. */
static hg_status reply(http_response *res, int status, json_t *body, json_t *grid, bool csv, const char *filename)
{
	if (!csv) {
		json_decref(grid);
		return http_reply_json(res, status, body);
	}
	json_decref(body);
	char *text = grid ? followup_grid_csv(grid) : NULL;
	json_decref(grid);
	if (!text)
		return http_reply_problem(res, 503, "out_of_memory", NULL, NULL, "Tabellen kunde inte skapas.");
	char disp[128];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.csv\"", filename);
	IGNORE(http_response_header(res, "Content-Disposition", disp));
	hg_status rc = http_reply_text(res, 200, "text/csv; charset=utf-8", text, strlen(text));
	hg_free(text);
	return rc;
}

/* Loads the episodes of a filter into a new set (caller frees); replies on failure. */
static bool load(http_response *res, api_app *app, const followup_filter *f, indicator_set **out)
{
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = api_now()};
	hg_status rc = indicator_set_new(&cfg, out);
	if (rc == HG_OK)
		rc = followup_load(app->store, f, *out, NULL, NULL, NULL);
	if (rc != HG_OK) {
		indicator_set_free(*out);
		*out = NULL;
		IGNORE(api_problem_store(res, rc));
		return false;
	}
	return true;
}

/* ---- GET /api/v1/indicators ---- */

static bool parse_dims(http_request *req, http_response *res, indicator_query *q)
{
	const char *v = http_request_query(req, "by");
	char copy[LIST_MAX];
	q->n_dims = 0;
	if (!v)
		v = "month";
	if (strlen(v) >= sizeof copy) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, "by", "'by' är för lång."));
		return false;
	}
	snprintf(copy, sizeof copy, "%s", v);
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (q->n_dims == INDICATOR_DIMS_MAX || !indicator_dim_from_code(tok, &q->dims[q->n_dims]) ||
		    !indicator_dim_allowed(q->subject, q->dims[q->n_dims])) {
			IGNORE(http_reply_problem(res, 400, "validation", NULL, "by",
						  "'%s' går inte att gruppera efter här (högst %d dimensioner).", tok,
						  INDICATOR_DIMS_MAX));
			return false;
		}
		q->n_dims++;
	}
	return true;
}

static bool parse_measures(http_request *req, http_response *res, indicator_subject subj, bool *selected)
{
	size_t n;
	const indicator_measure *m = indicator_measures(subj, &n);
	const char *v = http_request_query(req, "measures");
	char copy[1024];
	for (size_t i = 0; i < n; i++)
		selected[i] = !v || strcmp(v, "all") == 0 || (strcmp(v, "brief") == 0 && m[i].brief);
	if (!v || strcmp(v, "all") == 0 || strcmp(v, "brief") == 0)
		return true;
	if (strlen(v) >= sizeof copy) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, "measures", "'measures' är för lång."));
		return false;
	}
	snprintf(copy, sizeof copy, "%s", v);
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = indicator_measure_find(subj, tok);
		if (k < 0) {
			IGNORE(http_reply_problem(res, 400, "validation", NULL, "measures", "Okänt mått '%s'.", tok));
			return false;
		}
		selected[k] = true;
	}
	return true;
}

static hg_status get_indicators(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	indicator_query q = {.subject = IND_SUBJECT_EPISODES};
	bool selected[128], csv;
	const char *subject = http_request_query(req, "subject");
	if (!authenticate_follower(req, res, app, &f) || !query_csv(req, res, &csv) ||
	    !query_period(req, res, &q.from, &q.to))
		return HG_OK;
	if (subject && !indicator_subject_from_code(subject, &q.subject))
		return http_reply_problem(res, 400, "validation", NULL, "subject",
					  "'subject' ska vara episodes, deviations eller acknowledgements.");
	if (!parse_dims(req, res, &q) || !parse_measures(req, res, q.subject, selected))
		return HG_OK;
	q.municipality = f.municipality;
	q.county = f.municipality ? NULL : f.county;

	indicator_set *set = NULL;
	followup_filter filter = {.from = q.subject == IND_SUBJECT_EPISODES ? cal_local_midnight(q.from) : HG_INSTANT_NONE,
				  .to = cal_local_midnight(q.to + READMISSION_LOOKAHEAD_DAYS),
				  .municipality = f.municipality};
	if (!load(res, app, &filter, &set))
		return HG_OK;
	indicator_table t;
	indicator_error err;
	hg_status rc = indicator_compute(set, &q, &t, &err);
	if (rc == HG_OK) {
		indicator_suppress(&t, followup_min_cell(app->store));
		rc = reply(res, 200, followup_table_json(&t, selected), followup_table_grid(&t, selected), csv, "indikatorer");
		indicator_table_free(&t);
	} else if (rc == HG_EINVAL) {
		rc = http_reply_problem(res, 400, "validation", NULL, NULL, "%s", indicator_error_text(err));
	}
	indicator_set_free(set);
	return rc;
}

/* ---- GET /api/v1/indicators/catalogue ---- */

static hg_status get_catalogue(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	static const char *const kinds[IND_KIND_COUNT] = {"count", "sum", "mean", "share", "median", "p90"};
	if (!authenticate_follower(req, res, app, &f))
		return HG_OK;
	json_t *subjects = json_array();
	for (int s = 0; s < IND_SUBJECT_COUNT; s++) {
		json_t *dims = json_array(), *measures = json_array();
		size_t n;
		const indicator_measure *m = indicator_measures((indicator_subject)s, &n);
		for (int d = 0; d < IND_DIM_COUNT; d++) {
			if (!indicator_dim_allowed((indicator_subject)s, (indicator_dim)d))
				continue;
			const hg_code_label *l = indicator_dim_label((indicator_dim)d);
			json_array_append_new(dims, json_pack("{s:s, s:s, s:s}", "code", l->code, "sv", l->sv, "en", l->en));
		}
		for (size_t i = 0; i < n; i++)
			json_array_append_new(measures, json_pack("{s:s, s:s, s:s, s:s, s:b}", "code", m[i].code, "sv", m[i].sv,
								  "en", m[i].en, "kind", kinds[m[i].kind], "brief",
								  m[i].brief));
		const hg_code_label *sl = indicator_subject_label((indicator_subject)s);
		json_array_append_new(subjects, json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", sl->code, "sv", sl->sv, "en",
							  sl->en, "dimensions", dims, "measures", measures));
	}
	return http_reply_json(res, 200,
			       json_pack("{s:o, s:i, s:o}", "subjects", subjects, "min_cell", followup_min_cell(app->store),
					 "municipality", f.municipality ? json_string(f.municipality) : json_null()));
}

/* ---- point measurements ---- */

/* Keeps only the patients of episodes the caller may see; false after replying on a store failure. */
static bool visible_patients(http_response *res, api_app *app, const follower *f, point_measurement *m)
{
	size_t k = 0;
	for (size_t i = 0; i < m->n_patients; i++) {
		bool visible = false;
		hg_status rc = store_episode_visible(app->store, m->patients[i].episode_id,
						     (const char (*)[HG_ID_MAX])f->c.user.units, (size_t)f->c.user.n_units,
						     &visible);
		if (rc != HG_OK) {
			IGNORE(api_problem_store(res, rc));
			return false;
		}
		if (visible)
			m->patients[k++] = m->patients[i];
	}
	m->n_patients = k;
	return true;
}

/* The patient list is asked for: allowed for roles that read patients (filtered, audited); else 403. */
static bool wants_patients(http_request *req, http_response *res, api_app *app, const follower *f, point_measurement *m)
{
	if (!query_bool(req, "patients"))
		return false;
	return api_require_patient_reader(res, &f->c) && visible_patients(res, app, f, m) &&
	       api_audit(req, res, app, &f->c, "point.patients", 0, NULL);
}

static hg_status reply_point(http_request *req, http_response *res, api_app *app, const follower *f,
			     point_measurement *m, const followup_point_row *row, int status, bool csv)
{
	bool asked = query_bool(req, "patients");
	bool patients = wants_patients(req, res, app, f, m);
	if (asked && !patients)
		return HG_OK; /* replied 403 or 503 */
	return reply(res, status, followup_point_json(m, row, patients), followup_point_grid(m, patients), csv,
		     "punktmatning");
}

static hg_status get_point_current(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	hg_instant at;
	bool csv;
	if (!authenticate_follower(req, res, app, &f) || !query_csv(req, res, &csv) || !query_instant(req, res, "at", &at))
		return HG_OK;
	indicator_set *set = NULL;
	followup_filter filter = {.from = at, .to = at + 1, .municipality = f.municipality};
	if (!load(res, app, &filter, &set))
		return HG_OK;
	point_measurement m;
	hg_status rc = point_measure(set, at, f.municipality, &m);
	indicator_set_free(set);
	if (rc != HG_OK)
		return rc;
	rc = reply_point(req, res, app, &f, &m, NULL, 200, csv);
	point_free(&m);
	return rc;
}

static hg_status post_point(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	hg_instant at = api_now();
	const char *label = "";
	json_t *body;
	if (!authenticate_follower(req, res, app, &f) || !may_write(res, &f.c, ACCESS_POINT_SAVE) ||
	    !(body = http_request_json(req, res)))
		return HG_OK;
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "at") == 0 && json_is_string(v) && cal_parse_local(json_string_value(v), &at) == HG_OK)
			continue;
		if (strcmp(key, "label") == 0 && json_is_string(v) && json_string_length(v) < FOLLOWUP_LABEL_MAX) {
			label = json_string_value(v);
			continue;
		}
		return http_reply_problem(res, 400, "validation", NULL, key,
					  "Okänd eller felaktig uppgift '%s' (at: tidpunkt, label: text).", key);
	}
	if (at > api_now() + 60)
		return http_reply_problem(res, 400, "validation", NULL, "at", "En punktmätning kan inte göras i framtiden.");
	indicator_set *set = NULL;
	followup_filter filter = {.from = at, .to = at + 1, .municipality = f.municipality};
	if (!load(res, app, &filter, &set))
		return HG_OK;
	point_measurement m;
	hg_status rc = point_measure(set, at, f.municipality, &m);
	indicator_set_free(set);
	if (rc != HG_OK)
		return rc;
	int64_t id = 0;
	followup_point_row row;
	rc = followup_point_save(app->store, &m, f.municipality ? f.municipality : "", label, f.c.user.username,
				 api_now(), &id);
	if (rc == HG_OK)
		rc = followup_point_get(app->store, id, &row, NULL);
	if (rc == HG_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/point-measurements/%lld", (long long)id);
		IGNORE(http_response_header(res, "Location", loc));
		rc = http_reply_json(res, 201, followup_point_json(&m, &row, false));
	} else {
		rc = api_problem_store(res, rc);
	}
	point_free(&m);
	return rc;
}

static hg_status get_points(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	followup_point_row *rows = NULL;
	size_t n = 0;
	if (!authenticate_follower(req, res, app, &f))
		return HG_OK;
	/* each scope sees its own saves: a region user the region-wide ones (scope ""), a municipality its own */
	hg_status rc = followup_point_list(app->store, f.municipality ? f.municipality : "", &rows, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, followup_point_row_json(&rows[i]));
	hg_free(rows);
	return http_reply_json(res, 200, json_pack("{s:o}", "measurements", arr));
}

/* Resolves a saved measurement reference ("latest" or an id) within the caller's scope; replies 404 otherwise. */
static bool find_point(http_response *res, api_app *app, const follower *f, const char *ref, followup_point_row *row,
		       point_measurement *m)
{
	int64_t id = 0;
	hg_status rc = HG_ENOTFOUND;
	if (ref && strcmp(ref, "latest") == 0) {
		followup_point_row *rows = NULL;
		size_t n = 0;
		rc = followup_point_list(app->store, f->municipality ? f->municipality : "", &rows, &n);
		if (rc == HG_OK && n)
			id = rows[0].id;
		hg_free(rows);
		if (rc == HG_OK && !n)
			rc = HG_ENOTFOUND;
	} else if (hg_parse_id(ref, &id)) {
		rc = HG_OK;
	}
	if (rc == HG_OK)
		rc = followup_point_get(app->store, id, row, m);
	if (rc == HG_OK && f->municipality && strcmp(row->scope, f->municipality) != 0) {
		if (m)
			point_free(m);
		rc = HG_ENOTFOUND; /* another scope's measurement: as if there were none */
	}
	if (rc != HG_OK) {
		IGNORE(rc == HG_ENOTFOUND ? http_reply_problem(res, 404, "not_found", NULL, NULL, "Punktmätningen finns inte.")
					  : api_problem_store(res, rc));
		return false;
	}
	return true;
}

static hg_status get_point(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	followup_point_row row, other_row;
	point_measurement m, other;
	bool csv;
	const char *compare = http_request_query(req, "compare");
	if (!authenticate_follower(req, res, app, &f) || !query_csv(req, res, &csv) ||
	    !find_point(res, app, &f, http_request_param(req, "id"), &row, &m))
		return HG_OK;
	hg_status rc = HG_OK;
	if (!compare) {
		rc = reply_point(req, res, app, &f, &m, &row, 200, csv);
	} else if (find_point(res, app, &f, compare, &other_row, &other)) {
		point_diff *d = NULL;
		size_t nd = 0;
		rc = point_compare(m.municipalities, m.n_municipalities, other.municipalities, other.n_municipalities, &d, &nd);
		if (rc == HG_OK) {
			json_t *body = followup_compare_json(&row, &other_row, d, nd);
			rc = reply(res, 200, body, json_incref(json_object_get(body, "table")), csv, "jamforelse");
		}
		hg_free(d);
		point_free(&other);
	}
	point_free(&m);
	return rc;
}

/* ---- GET /api/v1/forecast ---- */

/*
 * The forecast's period: `period` names a holiday period (christmas, summer, easter, next4w), whose next
 * occurrence after today the core computes; otherwise `from` and `to` as for every figure.
 */
static bool query_forecast_period(http_request *req, http_response *res, hg_date today, hg_date *from, hg_date *to)
{
	const char *v = http_request_query(req, "period");
	cal_period period;
	if (!v)
		return query_period(req, res, from, to);
	if (!cal_period_from_code(v, &period) || cal_period_next(period, today, from, to) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, "period",
					  "'period' ska vara christmas, summer, easter eller next4w."));
		return false;
	}
	*to += 1;
	return true;
}

static hg_status get_forecast(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	forecast_query q = {.by_municipality = !query_bool(req, "total")};
	bool csv, backtest = query_bool(req, "backtest");
	hg_date today = cal_local_date(api_now());
	if (!authenticate_follower(req, res, app, &f) || !query_csv(req, res, &csv) ||
	    !query_forecast_period(req, res, today, &q.from, &q.to) ||
	    !query_date(req, res, "origin", false, &q.origin))
		return HG_OK;
	if (backtest) {
		if (q.origin != HG_DATE_NONE || q.to > today)
			return http_reply_problem(res, 400, "validation", NULL, "backtest",
						  "En back-test gäller en period som är slut och sätter själv utgångsdagen.");
		q.origin = q.from;
	} else if (q.origin == HG_DATE_NONE) {
		q.origin = today;
	}
	if (q.from < q.origin || q.to - q.from > FORECAST_DAYS_MAX)
		return http_reply_problem(res, 400, "validation", NULL, "from",
					  "Perioden ska börja tidigast på utgångsdagen och vara högst %d dagar.",
					  FORECAST_DAYS_MAX);
	q.municipality = f.municipality;
	indicator_set *set = NULL;
	followup_filter filter = {.from = HG_INSTANT_NONE, .to = cal_local_midnight(q.to), .municipality = f.municipality};
	if (!load(res, app, &filter, &set))
		return HG_OK;
	forecast_result r;
	hg_status rc = forecast_compute(set, &q, &r);
	indicator_set_free(set);
	if (rc != HG_OK)
		return rc;
	if (f.county && !f.municipality) {
		/* Keep the caller's county only (a region sees its own municipalities). */
		size_t k = 1;
		for (size_t i = 1; i < r.n_series; i++) {
			if (strncmp(r.series[i].key, f.county, 2) == 0)
				r.series[k++] = r.series[i];
			else
				hg_free(r.series[i].days);
		}
		r.n_series = k;
	}
	rc = reply(res, 200, followup_forecast_json(&r), followup_forecast_grid(&r), csv, "prognos");
	forecast_free(&r);
	return rc;
}

/* ---- GET /api/v1/exports/vantetider ---- */

static hg_status get_vantetider(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	const char *month = http_request_query(req, "month");
	int y = 0, mo = 0;
	bool json = false;
	const char *format = http_request_query(req, "format");
	if (!authenticate_follower(req, res, app, &f))
		return HG_OK;
	if (f.org.kind != ORG_REGION)
		return http_reply_problem(res, 403, "scope_forbidden", NULL, NULL,
					  "Exporten till Väntetider i vården görs av regionen.");
	if (!month || strlen(month) != 7 || month[4] != '-' || strspn(month, "0123456789-") != 7 ||
	    sscanf(month, "%4d-%2d", &y, &mo) != 2 || !date_ymd_valid(y, mo, 1))
		return http_reply_problem(res, 400, "validation", NULL, "month", "'month' ska vara en månad (ÅÅÅÅ-MM).");
	if (format && !(json = strcmp(format, "json") == 0) && strcmp(format, "csv") != 0)
		return http_reply_problem(res, 400, "validation", NULL, "format", "'format' ska vara csv eller json.");
	hg_date first = date_from_ymd(y, mo, 1);
	indicator_set *set = NULL;
	store_org *orgs = NULL;
	size_t n_orgs = 0;
	followup_filter filter = {.from = cal_local_midnight(first),
				  .to = cal_local_midnight(first + date_days_in_month(y, mo))};
	hg_status rc = store_orgs_list(app->store, &orgs, &n_orgs);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!load(res, app, &filter, &set)) {
		hg_free(orgs);
		return HG_OK;
	}
	int min_cell = followup_min_cell(app->store);
	json_t *grid = followup_vantetider_grid(set, y, mo, min_cell, orgs, n_orgs);
	hg_free(orgs);
	indicator_set_free(set);
	if (!grid)
		return HG_ENOMEM;
	char name[32];
	snprintf(name, sizeof name, "vantetider-%s", month);
	return reply(res, 200, json_pack("{s:s, s:i, s:O}", "month", month, "min_cell", min_cell, "table", grid), grid,
		     !json, name);
}

/* ---- the survey, staff side ---- */


/* The discharged episode {id} that the caller may see; replies otherwise. */
static bool discharged_episode(http_request *req, http_response *res, api_app *app, const api_caller *c, int64_t *id)
{
	if (!api_episode_access(req, res, app, c, id))
		return false;
	episode_state *st = hg_malloc(sizeof *st);
	if (!st) {
		IGNORE(api_problem_store(res, HG_ENOMEM));
		return false;
	}
	hg_status rc = store_episode_load(app->store, *id, st, NULL, NULL);
	bool ok = rc == HG_OK && st->status == EPISODE_DISCHARGED;
	hg_free(st);
	if (rc != HG_OK)
		IGNORE(api_problem_store(res, rc));
	else if (!ok)
		IGNORE(http_reply_problem(res, 409, "not_discharged", NULL, NULL,
					  "Enkäten gäller efter utskrivningen; patienten är inte utskriven."));
	return ok;
}

static hg_status post_invitation(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	char token[AUTH_TOKEN_TEXT_MAX];
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	if (!api_authenticate(req, res, app, &c) || !may_write(res, &c, ACCESS_SURVEY_INVITE) ||
	    !discharged_episode(req, res, app, &c, &id))
		return HG_OK;
	hg_instant now = api_now(), expires = now + (hg_instant)SURVEY_LINK_DAYS * HG_SECONDS_PER_DAY;
	hg_status rc = auth_new_token(token, hash);
	if (rc == HG_OK)
		rc = followup_invite_put(app->store, hash, id, c.user.username, now, expires);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!api_audit(req, res, app, &c, "survey.invite", id, NULL))
		return HG_OK;
	char path[128], page[128], exp[21];
	snprintf(path, sizeof path, "/api/v1/survey/%s", token);
	snprintf(page, sizeof page, "/survey/%s", token); /* the web page to send by SMS or letter */
	return http_reply_json(res, 201, json_pack("{s:s, s:s, s:s, s:s, s:I}", "token", token, "answer_url", path,
						   "page_url", page, "expires_at", instant_format_utc(expires, exp),
						   "episode_id", (json_int_t)id));
}

/* Parses and validates the answer in the body; replies 400 otherwise. */
static bool body_answer(http_request *req, http_response *res, survey_answer *a)
{
	const char *field = NULL;
	json_t *body = http_request_json(req, res);
	if (!body)
		return false;
	if (followup_answer_from_json(body, a, &field) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, field, "Svaret på '%s' går inte att läsa.", field));
		return false;
	}
	a->answered_at = api_now();
	if (survey_validate(a, &field) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, field,
					  "Svaret är ofullständigt ('%s'); besvara minst en fråga.", field));
		return false;
	}
	return true;
}

static hg_status post_answer(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	survey_answer a;
	if (!api_authenticate(req, res, app, &c) || !may_write(res, &c, ACCESS_SURVEY_ANSWER) ||
	    !discharged_episode(req, res, app, &c, &id) || !body_answer(req, res, &a))
		return HG_OK;
	a.channel = SURVEY_PHONE;
	hg_status rc = followup_answer_put(app->store, id, &a, c.user.username);
	if (rc == HG_ECONFLICT)
		return http_reply_problem(res, 409, "already_answered", NULL, NULL, "Enkäten är redan besvarad för vårdtillfället.");
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!api_audit(req, res, app, &c, "survey.answer", id, NULL))
		return HG_OK;
	char when[21];
	return http_reply_json(res, 201, json_pack("{s:I, s:s, s:s}", "episode_id", (json_int_t)id, "answered_at",
						   instant_format_utc(a.answered_at, when), "channel", "phone"));
}

/* ---- POST /api/v1/whatif ---- */

/*
 * One scenario of the body's "agreements": {"id": ID, "version": N (optional:
 * the latest)} of an imported agreement, or {"document": {...}} an agreement
 * file uploaded as JSON. False after replying.
 */
static bool whatif_scenario(http_response *res, api_app *app, const json_t *v, size_t i, agreement *out)
{
	char field[48], err[256];
	(void)snprintf(field, sizeof field, "agreements[%zu]", i);
	const json_t *doc = json_object_get(v, "document"), *id = json_object_get(v, "id"),
		     *version = json_object_get(v, "version");
	hg_status rc;
	if (json_is_object(doc) && json_object_size(v) == 1) {
		size_t need = json_dumpb(doc, NULL, 0, JSON_COMPACT);
		char *text = need ? hg_malloc(need) : NULL;
		if (!text || json_dumpb(doc, text, need, JSON_COMPACT) != need) {
			hg_free(text);
			IGNORE(http_reply_problem(res, 503, "out_of_memory", NULL, NULL, "Minnet räckte inte."));
			return false;
		}
		rc = agreement_json_parse(text, need, out, err, sizeof err);
		hg_free(text);
		if (rc != HG_OK) {
			IGNORE(http_reply_problem(res, 422, "validation", NULL, field,
						  "Överenskommelsen %s är felaktig: %s.", field, err));
			return false;
		}
		return true;
	}
	if (!json_is_string(id) || (version && !json_is_integer(version)) ||
	    json_object_size(v) != 1 + (version != NULL)) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, field,
					  "'%s' ska vara {\"id\": ..., \"version\": ...} eller {\"document\": {...}}.",
					  field));
		return false;
	}
	json_int_t ver = version ? json_integer_value(version) : 0;
	rc = ver >= 0 && ver <= INT32_MAX
		     ? agreement_store_get(app->store, json_string_value(id), (int)ver, out, NULL, NULL)
		     : HG_ENOTFOUND;
	if (rc == HG_ENOTFOUND) {
		IGNORE(http_reply_problem(res, 422, "unknown_agreement", NULL, field,
					  "Överenskommelsen '%s' finns inte.", json_string_value(id)));
		return false;
	}
	if (rc != HG_OK) {
		IGNORE(api_problem_store(res, rc));
		return false;
	}
	return true;
}

static bool body_date(http_response *res, const json_t *body, const char *name, hg_date *out)
{
	const char *v = json_string_value(json_object_get(body, name));
	if (!v || date_parse(v, out) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, name, "'%s' ska vara ett datum (ÅÅÅÅ-MM-DD).", name));
		return false;
	}
	return true;
}

/*
 * The what-if of agreement models (issue 15.5): the body names the period and
 * the agreements to compare; the caller's scope limits the rows (a
 * municipality sees its own, and its invoices once sent).
 */
static hg_status post_whatif(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	follower f;
	json_t *body, *doc = NULL;
	bool csv;
	agreement scenarios[WHATIF_SCENARIOS_MAX];
	whatif_request rq = {.asof = api_now(), .scenarios = scenarios};
	if (!authenticate_follower(req, res, app, &f) || !query_csv(req, res, &csv) ||
	    !(body = http_request_json(req, res)))
		return HG_OK;
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "from") != 0 && strcmp(key, "to") != 0 && strcmp(key, "agreements") != 0)
			return http_reply_problem(res, 400, "validation", NULL, key,
						  "Okänd uppgift '%s' (from, to, agreements).", key);
	}
	if (!body_date(res, body, "from", &rq.from) || !body_date(res, body, "to", &rq.to))
		return HG_OK;
	if (rq.to < rq.from)
		return http_reply_problem(res, 400, "validation", NULL, "to", "'to' ska vara samma dag som 'from' eller senare.");
	const json_t *list = json_object_get(body, "agreements");
	if (!json_is_array(list) || json_array_size(list) < 1 || json_array_size(list) > WHATIF_SCENARIOS_MAX)
		return http_reply_problem(res, 400, "validation", NULL, "agreements",
					  "'agreements' ska vara en lista med 1-%d överenskommelser.", WHATIF_SCENARIOS_MAX);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (!whatif_scenario(res, app, json_array_get(list, i), i, &scenarios[rq.n_scenarios++]))
			return HG_OK;
	rq.municipality = f.municipality;
	rq.county = f.municipality ? NULL : f.county;
	rq.sent_only = f.org.kind == ORG_MUNICIPALITY; /* a draft is the region's until it is sent */
	char err[256];
	hg_status rc = whatif_report(app->store, &rq, &doc, err, sizeof err);
	if (rc == HG_EINVAL)
		return http_reply_problem(res, 400, "validation", NULL, "to", "Perioden får vara högst %d månader (%s).",
					  WHATIF_MONTHS_MAX, err);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *grid = json_incref(json_object_get(doc, "table"));
	return reply(res, 200, doc, grid, csv, "whatif");
}

/* ---- the survey link: no login, no patient data ---- */

static bool link_hash(http_request *req, http_response *res, uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	const char *token = http_request_param(req, "token");
	if (!token || strlen(token) >= AUTH_TOKEN_TEXT_MAX || auth_token_hash(token, hash) != HG_OK) {
		IGNORE(http_reply_problem(res, 404, "not_found", NULL, NULL, "Länken finns inte."));
		return false;
	}
	return true;
}

static hg_status link_problem(http_response *res, hg_status rc)
{
	if (rc == HG_ENOTFOUND)
		return http_reply_problem(res, 404, "not_found", NULL, NULL, "Länken finns inte.");
	if (rc == HG_ECONFLICT)
		return http_reply_problem(res, 410, "survey_closed", NULL, NULL,
					  "Enkäten är redan besvarad eller länken har gått ut. Tack!");
	return api_problem_store(res, rc);
}

static hg_status get_survey(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	if (!link_hash(req, res, hash))
		return HG_OK;
	hg_status rc = followup_invite_check(app->store, hash, api_now());
	if (rc != HG_OK)
		return link_problem(res, rc);
	return http_reply_json(res, 200, followup_questions_json());
}

static hg_status post_survey(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	survey_answer a;
	int64_t episode = 0;
	if (!link_hash(req, res, hash) || !body_answer(req, res, &a))
		return HG_OK;
	hg_status rc = followup_answer_by_link(app->store, hash, &a, api_now(), &episode);
	if (rc != HG_OK)
		return link_problem(res, rc);
	/* A write of patient data: audited under the link's pseudo user. */
	store_audit rec;
	memset(&rec, 0, sizeof rec);
	rec.at = api_now();
	snprintf(rec.username, sizeof rec.username, "survey-link");
	snprintf(rec.action, sizeof rec.action, "survey.answer");
	rec.episode_id = episode;
	(void)api_client_addr(req, app, rec.client, sizeof rec.client);
	if ((rc = store_audit_add(app->store, &rec)) != HG_OK)
		return api_problem_store(res, rc);
	return http_reply_json(res, 201, json_pack("{s:b}", "received", 1));
}

static const http_route routes[] = {
	{HTTP_GET, "/api/v1/indicators", get_indicators, NULL},
	{HTTP_GET, "/api/v1/indicators/catalogue", get_catalogue, NULL},
	{HTTP_GET, "/api/v1/point-measurements", get_points, NULL},
	{HTTP_POST, "/api/v1/point-measurements", post_point, NULL},
	{HTTP_GET, "/api/v1/point-measurements/current", get_point_current, NULL},
	{HTTP_GET, "/api/v1/point-measurements/{id}", get_point, NULL},
	{HTTP_GET, "/api/v1/forecast", get_forecast, NULL},
	{HTTP_GET, "/api/v1/exports/vantetider", get_vantetider, NULL},
	{HTTP_POST, "/api/v1/whatif", post_whatif, NULL},
	{HTTP_POST, "/api/v1/episodes/{id}/survey-invitations", post_invitation, NULL},
	{HTTP_POST, "/api/v1/episodes/{id}/survey-answers", post_answer, NULL},
	{HTTP_GET, "/api/v1/survey/{token}", get_survey, NULL},
	{HTTP_POST, "/api/v1/survey/{token}", post_survey, NULL},
};

const http_route *followup_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
