/* followup_json.c - JSON and CSV forms of indicator tables, point measurements and forecasts (see followup_json.h). */
#include "wire/followup_json.h"
#include "wire/wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/calendar.h"

static const char *const kind_codes[IND_KIND_COUNT] = {
	[IND_COUNT] = "count", [IND_SUM] = "sum",      [IND_MEAN] = "mean",
	[IND_SHARE] = "share", [IND_MEDIAN] = "median", [IND_P90] = "p90",
};

static json_t *jdate(hg_date d)
{
	char buf[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, buf));
}

static json_t *jinstant(hg_instant t)
{
	char buf[21];
	return t == HG_INSTANT_NONE ? json_null() : json_string(instant_format_utc(t, buf));
}

/* A number: integers stay integers, the rest is rounded to 4 decimals. */
static json_t *jnumber(double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(round(v * 10000.0) / 10000.0);
}

static json_t *jcell(const indicator_cell *c) { return c->state == IND_CELL_VALUE ? jnumber(c->value) : json_null(); }

static json_t *column(const char *code, const char *label) { return json_pack("{s:s, s:s}", "code", code, "label", label); }

static bool picked(const bool *selected, size_t i) { return !selected || selected[i]; }

json_t *followup_table_grid(const indicator_table *t, const bool *selected)
{
	json_t *cols = json_array(), *rows = json_array();
	for (size_t d = 0; d < t->query.n_dims; d++) {
		const hg_code_label *l = indicator_dim_label(t->query.dims[d]);
		json_array_append_new(cols, column(l->code, l->sv));
	}
	for (size_t m = 0; m < t->n_measures; m++)
		if (picked(selected, m))
			json_array_append_new(cols, column(t->measures[m].code, t->measures[m].sv));
	for (size_t r = 0; r <= t->n_rows; r++) {
		const indicator_row *row = r < t->n_rows ? &t->rows[r] : &t->total;
		json_t *line = json_array();
		for (size_t d = 0; d < t->query.n_dims; d++)
			json_array_append_new(line, json_string(r < t->n_rows ? row->keys[d] : d == 0 ? "total" : ""));
		for (size_t m = 0; m < t->n_measures; m++)
			if (picked(selected, m))
				json_array_append_new(line, jcell(&row->cells[m]));
		json_array_append_new(rows, line);
	}
	return json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
}

static json_t *row_values(const indicator_table *t, const indicator_row *row, const bool *selected)
{
	json_t *values = json_object(), *sup = json_array();
	for (size_t m = 0; m < t->n_measures; m++) {
		if (!picked(selected, m))
			continue;
		json_object_set_new(values, t->measures[m].code, jcell(&row->cells[m]));
		if (row->cells[m].state == IND_CELL_SUPPRESSED)
			json_array_append_new(sup, json_string(t->measures[m].code));
	}
	json_t *out = json_pack("{s:o}", "values", values);
	if (out && json_array_size(sup))
		json_object_set_new(out, "suppressed", sup);
	else
		json_decref(sup);
	return out;
}

json_t *followup_table_json(const indicator_table *t, const bool *selected)
{
	json_t *dims = json_array(), *measures = json_array(), *rows = json_array();
	for (size_t d = 0; d < t->query.n_dims; d++)
		json_array_append_new(dims, json_string(indicator_dim_label(t->query.dims[d])->code));
	for (size_t m = 0; m < t->n_measures; m++) {
		const indicator_measure *im = &t->measures[m];
		if (picked(selected, m))
			json_array_append_new(measures, json_pack("{s:s, s:s, s:s, s:s}", "code", im->code, "sv", im->sv,
								  "en", im->en, "kind", kind_codes[im->kind]));
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		json_t *keys = json_object(), *row = row_values(t, &t->rows[r], selected);
		for (size_t d = 0; d < t->query.n_dims; d++)
			json_object_set_new(keys, indicator_dim_label(t->query.dims[d])->code, json_string(t->rows[r].keys[d]));
		if (row)
			json_object_set_new(row, "keys", keys);
		else
			json_decref(keys);
		json_array_append_new(rows, row);
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "subject",
			 indicator_subject_label(t->query.subject)->code, "from", jdate(t->query.from), "to",
			 jdate(t->query.to - 1), "dimensions", dims, "min_cell", t->min_cell, "measures", measures, "rows", rows,
			 "total", row_values(t, &t->total, selected), "table", followup_table_grid(t, selected));
}

/* ---- point measurements ---- */

static json_t *counts_json(const point_count *c, size_t n, const char *key_name)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i}", key_name, c[i].key, "patients", c[i].patients,
						     "ready_days", c[i].ready_days));
	return arr;
}

static json_t *patient_json(const point_patient *p)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:o, s:o}", "episode_id", (json_int_t)p->episode_id,
			 "municipality", p->municipality, "hospital", p->hospital, "ward", p->ward, "care",
			 care_type_label(p->care)->code, "ready_since", jinstant(p->ready_since), "ready_days",
			 p->ready_days, "next_step", point_step_label(p->next_step)->code, "step_at", jinstant(p->step_at),
			 "expected_date", jdate(p->expected_date));
}

json_t *followup_point_grid(const point_measurement *m, bool with_patients)
{
	json_t *cols = json_array(), *rows = json_array();
	if (with_patients) {
		static const char *const c[][2] = {
			{"episode_id", "vårdtillfälle"}, {"municipality", "kommun"}, {"hospital", "sjukhus"},
			{"ward", "avdelning"}, {"care", "vårdform"}, {"ready_since", "utskrivningsklar sedan"},
			{"ready_days", "utskrivningsklara dagar"}, {"next_step", "nästa steg"},
			{"expected_date", "beräknat utskrivningsdatum"}};
		for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
			json_array_append_new(cols, column(c[i][0], c[i][1]));
		for (size_t i = 0; i < m->n_patients; i++) {
			const point_patient *p = &m->patients[i];
			char since[17];
			json_array_append_new(rows, json_pack("[I, s, s, s, s, s, i, s, o]", (json_int_t)p->episode_id,
							      p->municipality, p->hospital, p->ward,
							      care_type_label(p->care)->code,
							      cal_format_local(p->ready_since, since), p->ready_days,
							      point_step_label(p->next_step)->code, jdate(p->expected_date)));
		}
	} else {
		json_array_append_new(cols, column("municipality", "kommun"));
		json_array_append_new(cols, column("patients", "utskrivningsklara patienter"));
		json_array_append_new(cols, column("ready_days", "utskrivningsklara dagar hittills"));
		for (size_t i = 0; i < m->n_municipalities; i++)
			json_array_append_new(rows, json_pack("[s, i, i]", m->municipalities[i].key,
							      m->municipalities[i].patients, m->municipalities[i].ready_days));
		json_array_append_new(rows, json_pack("[s, i, i]", "total", m->total_patients, m->total_ready_days));
	}
	return json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
}

json_t *followup_point_row_json(const followup_point_row *row)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:o, s:s, s:i, s:i}", "id", (json_int_t)row->id, "at", jinstant(row->at),
			 "taken_at", jinstant(row->taken_at), "taken_by", row->taken_by, "municipality",
			 row->scope[0] ? json_string(row->scope) : json_null(), "label", row->label, "patients",
			 row->patients, "ready_days", row->ready_days);
}

json_t *followup_point_json(const point_measurement *m, const followup_point_row *row, bool with_patients)
{
	json_t *out = json_pack("{s:o, s:i, s:i, s:o, s:o, s:o}", "at", jinstant(m->at), "patients", m->total_patients,
				"ready_days", m->total_ready_days, "municipalities",
				counts_json(m->municipalities, m->n_municipalities, "municipality"), "wards",
				counts_json(m->wards, m->n_wards, "ward"), "table", followup_point_grid(m, false));
	if (!out)
		return NULL;
	if (row) {
		json_object_set_new(out, "id", json_integer(row->id));
		json_object_set_new(out, "label", json_string(row->label));
		json_object_set_new(out, "municipality", row->scope[0] ? json_string(row->scope) : json_null());
		json_object_set_new(out, "taken_at", jinstant(row->taken_at));
		json_object_set_new(out, "taken_by", json_string(row->taken_by));
	}
	if (with_patients) {
		json_t *arr = json_array();
		for (size_t i = 0; i < m->n_patients; i++)
			json_array_append_new(arr, patient_json(&m->patients[i]));
		json_object_set_new(out, "patient_list", arr);
	}
	return out;
}

json_t *followup_compare_json(const followup_point_row *a, const followup_point_row *b, const point_diff *d, size_t n)
{
	json_t *rows = json_array(), *grid_rows = json_array(), *cols = json_array();
	static const char *const c[][2] = {{"municipality", "kommun"},          {"patients_a", "patienter A"},
					   {"patients_b", "patienter B"},        {"change", "förändring"},
					   {"ready_days_a", "dagar A"},          {"ready_days_b", "dagar B"}};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		json_array_append_new(cols, column(c[i][0], c[i][1]));
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(rows, json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "municipality", d[i].key,
						      "patients_a", d[i].patients_a, "patients_b", d[i].patients_b,
						      "change", d[i].patients_b - d[i].patients_a, "ready_days_a",
						      d[i].ready_days_a, "ready_days_b", d[i].ready_days_b));
		json_array_append_new(grid_rows, json_pack("[s, i, i, i, i, i]", d[i].key, d[i].patients_a,
							   d[i].patients_b, d[i].patients_b - d[i].patients_a,
							   d[i].ready_days_a, d[i].ready_days_b));
	}
	return json_pack("{s:o, s:o, s:o, s:{s:o, s:o}}", "a", followup_point_row_json(a), "b",
			 followup_point_row_json(b), "municipalities", rows, "table", "columns", cols, "rows", grid_rows);
}

/* ---- forecasts ---- */

json_t *followup_forecast_grid(const forecast_result *r)
{
	json_t *cols = json_array(), *rows = json_array();
	static const char *const c[][2] = {{"municipality", "kommun"},  {"date", "datum"},
					   {"expected", "förväntat antal"}, {"low", "nedre gräns (80 %)"},
					   {"high", "övre gräns (80 %)"},   {"actual", "utfall"}};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		json_array_append_new(cols, column(c[i][0], c[i][1]));
	for (size_t s = 0; s < r->n_series; s++) {
		const forecast_series *se = &r->series[s];
		for (size_t d = 0; d < se->n_days; d++) {
			const forecast_day *fd = &se->days[d];
			json_array_append_new(rows, json_pack("[s, o, o, o, o, o]", se->key[0] ? se->key : "total",
							      jdate(fd->date), jnumber(fd->expected), jnumber(fd->low),
							      jnumber(fd->high),
							      fd->actual < 0 ? json_null() : jnumber(fd->actual)));
		}
	}
	return json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
}

json_t *followup_forecast_json(const forecast_result *r)
{
	json_t *series = json_array();
	for (size_t s = 0; s < r->n_series; s++) {
		const forecast_series *se = &r->series[s];
		json_t *days = json_array();
		for (size_t d = 0; d < se->n_days; d++) {
			const forecast_day *fd = &se->days[d];
			json_array_append_new(days, json_pack("{s:o, s:o, s:o, s:o, s:o}", "date", jdate(fd->date),
							      "expected", jnumber(fd->expected), "low", jnumber(fd->low),
							      "high", jnumber(fd->high), "actual",
							      fd->actual < 0 ? json_null() : jnumber(fd->actual)));
		}
		json_t *one = json_pack("{s:o, s:i, s:o, s:o}", "municipality",
					se->key[0] ? json_string(se->key) : json_null(), "years_used", se->years_used,
					"trend", jnumber(se->trend), "days", days);
		if (one && se->n_actual)
			json_object_set_new(one, "backtest",
					    json_pack("{s:I, s:o, s:o, s:o, s:o}", "days", (json_int_t)se->n_actual, "mae",
						      jnumber(se->mae), "wape", jnumber(se->wape), "bias", jnumber(se->bias),
						      "coverage", jnumber(se->coverage)));
		json_array_append_new(series, one);
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:o}", "from", jdate(r->query.from), "to", jdate(r->query.to),
			 "origin", jdate(r->query.origin), "data_start", jdate(r->data_start), "band", "80%", "series",
			 series, "table", followup_forecast_grid(r));
}

/* ---- CSV ---- */

static void csv_value(wire_csv *w, const json_t *v)
{
	char buf[64];
	if (json_is_string(v)) {
		wire_csv_field(w, json_string_value(v));
	} else if (json_is_integer(v)) {
		int n = snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		wire_csv_raw(w, buf, (size_t)n);
	} else if (json_is_real(v)) {
		int n = snprintf(buf, sizeof buf, "%.4f", json_real_value(v));
		while (n > 1 && buf[n - 1] == '0')
			n--; /* 0.2500 -> 0.25 */
		if (n > 1 && buf[n - 1] == '.')
			n--;
		wire_csv_raw(w, buf, (size_t)n);
	} else if (json_is_true(v) || json_is_false(v)) {
		wire_csv_raw(w, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5);
	} else {
		wire_csv_raw(w, "", 0); /* null: an empty field */
	}
}

char *followup_grid_csv(const json_t *grid)
{
	hg_buf t;
	wire_csv w;
	const json_t *cols = json_object_get(grid, "columns"), *rows = json_object_get(grid, "rows");
	size_t i, j;
	json_t *c, *row, *v;
	if (!json_is_array(cols) || !json_is_array(rows))
		return NULL;
	hg_buf_init(&t, FOLLOWUP_CSV_MAX);
	wire_csv_init(&w, &t, ',', 0);
	json_array_foreach(cols, i, c)
	{
		const char *code = json_string_value(json_object_get(c, "code"));
		wire_csv_field(&w, code ? code : "");
	}
	wire_csv_end_row(&w);
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(row, j, v)
		{
			csv_value(&w, v);
		}
		wire_csv_end_row(&w);
	}
	return hg_buf_take(&t, NULL);
}

/* ---- the survey ---- */

json_t *followup_questions_json(void)
{
	json_t *arr = json_array();
	for (int q = 0; q < SURVEY_QUESTION_COUNT; q++) {
		const hg_code_label *l = survey_question_label((survey_question)q);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "code", l->code, "sv", l->sv, "en", l->en,
						     "answer", "yes_no"));
	}
	json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "code", "comment", "sv", "Vill du berätta något mer?",
					     "en", "Anything else you want to tell us?", "answer", "text"));
	return json_pack("{s:o, s:[s, s]}", "questions", arr, "respondents", "patient", "next_of_kin");
}

hg_status followup_answer_from_json(const json_t *obj, survey_answer *a, const char **field)
{
	const char *key;
	json_t *v;
	survey_answer_init(a);
	*field = NULL;
	if (!json_is_object(obj)) {
		*field = "";
		return HG_EINVAL;
	}
	json_object_foreach((json_t *)obj, key, v)
	{
		survey_question q;
		*field = key;
		if (survey_question_from_code(key, &q)) {
			if (!json_is_null(v) && !json_is_boolean(v))
				return HG_EINVAL;
			a->replies[q] = json_is_null(v) ? SURVEY_UNANSWERED : json_is_true(v) ? SURVEY_YES : SURVEY_NO;
		} else if (strcmp(key, "respondent") == 0) {
			if (!json_is_string(v) || !survey_respondent_from_code(json_string_value(v), &a->respondent))
				return HG_EINVAL;
		} else if (strcmp(key, "comment") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v) || json_string_length(v) >= sizeof a->comment ||
			    strlen(json_string_value(v)) != json_string_length(v))
				return HG_EINVAL;
			memcpy(a->comment, json_string_value(v), json_string_length(v) + 1);
		} else {
			return HG_EINVAL;
		}
	}
	*field = NULL;
	return HG_OK;
}

/* ---- the Väntetider i vården export ---- */

/* The name of an organisation code (a municipality, or the region of a county); "" when unknown. */
static const char *org_name(const store_org *orgs, size_t n, const char *code, bool county)
{
	for (size_t i = 0; i < n; i++) {
		if (county ? (orgs[i].kind == ORG_REGION && strcmp(orgs[i].county, code) == 0)
			   : strcmp(orgs[i].code, code) == 0)
			return orgs[i].name;
	}
	return "";
}

/* One level (county or municipality) of the export into rows. */
static void vantetider_rows(const indicator_table *t, const char *month, const char *level, const store_org *orgs,
			    size_t n_orgs, json_t *rows)
{
	int m_eps = indicator_measure_find(IND_SUBJECT_EPISODES, "ready_episodes");
	int m_days = indicator_measure_find(IND_SUBJECT_EPISODES, "ready_days");
	int m_mean = indicator_measure_find(IND_SUBJECT_EPISODES, "ready_days_mean");
	for (size_t r = 0; r < t->n_rows; r++) {
		const indicator_row *row = &t->rows[r];
		const indicator_cell *c[3] = {&row->cells[m_eps], &row->cells[m_days], &row->cells[m_mean]};
		bool suppressed = false;
		json_t *line = json_pack("[s, s, s, s, s]", month, level, row->keys[0],
					 org_name(orgs, n_orgs, row->keys[0], strcmp(level, "county") == 0), row->keys[1]);
		for (int k = 0; k < 3; k++) {
			suppressed |= c[k]->state == IND_CELL_SUPPRESSED;
			if (c[k]->state != IND_CELL_VALUE)
				json_array_append_new(line, json_null());
			else if (k == 2)
				json_array_append_new(line, json_real(round(c[k]->value * 100.0) / 100.0));
			else
				json_array_append_new(line, json_integer((json_int_t)c[k]->value));
		}
		json_array_append_new(line, json_string(suppressed ? "suppressed" : ""));
		json_array_append_new(rows, line);
	}
}

json_t *followup_vantetider_grid(const indicator_set *s, int year, int month, int min_cell, const store_org *orgs,
				 size_t n_orgs)
{
	static const struct { indicator_dim dim; const char *level; } levels[] = {
		{IND_DIM_COUNTY, "county"}, {IND_DIM_MUNICIPALITY, "municipality"}};
	static const char *const cols[][2] = {
		{"month", "månad"}, {"level", "nivå"}, {"code", "kod"}, {"name", "namn"}, {"care", "vårdform"},
		{"episodes", "antal vårdtillfällen med utskrivningsklara dagar"},
		{"ready_days", "antal utskrivningsklara dagar"},
		{"mean_ready_days", "utskrivningsklara dagar per vårdtillfälle"}, {"note", "anmärkning"}};
	char label[8];
	if (!date_ymd_valid(year, month, 1))
		return NULL;
	snprintf(label, sizeof label, "%04u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u);
	hg_date first = date_from_ymd(year, month, 1);
	json_t *columns = json_array(), *rows = json_array();
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		json_array_append_new(columns, column(cols[i][0], cols[i][1]));
	for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
		indicator_query q = {.subject = IND_SUBJECT_EPISODES, .from = first,
				     .to = first + date_days_in_month(year, month), .n_dims = 2,
				     .dims = {levels[l].dim, IND_DIM_CARE_GROUP}};
		indicator_table t;
		indicator_error err;
		if (indicator_compute(s, &q, &t, &err) != HG_OK) {
			json_decref(columns);
			json_decref(rows);
			return NULL;
		}
		indicator_suppress(&t, min_cell);
		vantetider_rows(&t, label, levels[l].level, orgs, n_orgs, rows);
		indicator_table_free(&t);
	}
	return json_pack("{s:o, s:o}", "columns", columns, "rows", rows);
}
