/*
 * followup_json.h - the JSON and CSV forms of follow-up results (Jansson),
 * shared by the API and the CLI so that a figure looks the same everywhere.
 *
 * Every result has a structured form (for charts) and a "grid": a table form
 * {"columns": [{"code", "label"}...], "rows": [[cell...]...]} whose cells
 * are strings, numbers or null (no value, or a suppressed small cell). The
 * grid is what a dashboard shows under its chart, what a download gives as
 * CSV (followup_grid_csv), and what the CLI prints as a table or an xlsx
 * sheet. docs/indicators.md describes each member.
 */
#ifndef HG_WIRE_FOLLOWUP_JSON_H
#define HG_WIRE_FOLLOWUP_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "core/forecast.h"
#include "core/indicator.h"
#include "core/point.h"
#include "core/status.h"
#include "core/survey.h"
#include "store/followup_store.h"

/* Ceiling on a grid rendered as CSV (followup_grid_csv refuses more). */
#define FOLLOWUP_CSV_MAX (64u * 1024 * 1024)

/*
 * An indicator table: subject, period, dimensions, measures (code, Swedish and
 * English label, kind), rows {keys, values, suppressed}, the total and its
 * grid under "table". selected[i] (NULL: every measure) picks the measures.
 * A new reference (json_decref), NULL when out of memory.
 */
json_t *followup_table_json(const indicator_table *t, const bool *selected);
/* The grid of a table alone: the dimension columns then the selected measures; the total row last. */
json_t *followup_table_grid(const indicator_table *t, const bool *selected);

/*
 * A point measurement: instant, totals, counts per municipality and ward, the
 * patients (without identity) when with_patients, the saved row's id, label
 * and scope when row is not NULL, and the grid of the municipality counts.
 */
json_t *followup_point_json(const point_measurement *m, const followup_point_row *row, bool with_patients);
/* The grid of a measurement: its patients when with_patients, else the counts per municipality. */
json_t *followup_point_grid(const point_measurement *m, bool with_patients);
/* A saved measurement's list entry. */
json_t *followup_point_row_json(const followup_point_row *row);
/* A comparison (point_compare) of measurements a and b. */
json_t *followup_compare_json(const followup_point_row *a, const followup_point_row *b, const point_diff *d,
			      size_t n);

/* A forecast: period, origin, series with their days and back-test errors, and the grid. */
json_t *followup_forecast_json(const forecast_result *r);
json_t *followup_forecast_grid(const forecast_result *r);

/*
 * The grid as RFC 4180 CSV: a header row of column codes, then one line per
 * row; numbers with at most 4 decimals, null as an empty field. Returns an
 * hg_malloc'ed string (caller frees), NULL when out of memory, the grid is
 * malformed or the text would pass FOLLOWUP_CSV_MAX.
 */
char *followup_grid_csv(const json_t *grid);

/*
 * The monthly figures in the shape of Väntetider i vården's collection of
 * ready-for-discharge patients: per county and municipality, somatic
 * (geriatric included) and psychiatric apart, the episodes that ended in the
 * month with at least one ready-day, their ready-days and the mean per
 * episode, suppressed below min_cell (the row's note says so). Columns: month,
 * level, code, name, care, episodes, ready_days, mean_ready_days, note. orgs
 * give the names. NULL when out of memory or the month is invalid.
 */
json_t *followup_vantetider_grid(const indicator_set *s, int year, int month, int min_cell, const store_org *orgs,
				 size_t n_orgs);

/* The survey's questions (code, Swedish, English), for the answer form. */
json_t *followup_questions_json(void);
/*
 * Parses a survey answer {"felt_safe": true|false|null, "took_part", ...,
 * "respondent": "patient"|"next_of_kin", "comment": "..."} into *a
 * (survey_answer_init'ed first; answered_at is left to the caller). Unknown
 * members, wrong types, unknown codes and a comment over 1000 bytes are
 * HG_EINVAL with *field naming the member.
 */
hg_status followup_answer_from_json(const json_t *obj, survey_answer *a, const char **field) HG_MUST_CHECK;

#endif
