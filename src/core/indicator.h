/*
 * indicator.h - the follow-up indicators (uppföljning): one definition of each
 * figure the follow-up groups ask for, computed from folded episodes.
 *
 * The adapters load episodes (fold their events) and hand each one to an
 * indicator_set, which keeps a compact record of the facts the indicators
 * need (the "facts"): where and when, the ready periods, the deadlines as
 * judged by deadline.h, the discharge, the deviations, the acknowledgements
 * and the patient survey. indicator_compute() then groups the facts of a
 * period by any combination of dimensions (county, municipality, hospital,
 * ward, care type, age band, track, year, month, week, and for deviations and
 * acknowledgements their own dimensions) and fills a table of measures.
 * docs/indicators.md states every definition with its reason; in short:
 *
 *   - an episode counts in the period in which it ENDED (the local date of
 *     its discharge), as the national indicator "utskrivningsklara dagar
 *     per vårdtillfälle" of Väntetider i vården does, so each episode is
 *     counted once, when its figures are final;
 *   - ready-days of an episode = the nights spent while ready (episode.h);
 *     the mean, median and 90th percentile are over the episodes with at least
 *     one ready-day; "same day" = ever ready and 0 ready-days;
 *   - ready_nights is the exception: each ready night counts in the period of
 *     the date it starts on (a bed-occupancy measure), episodes still in
 *     hospital included;
 *   - liable_nights and their amounts count by the night the same way (the
 *     night's date decides its period, as it decides its invoice month), so a
 *     municipality's liable nights of a month are its invoice basis's nights.
 *     They come from liability_compute() (liability.h) under the agreement in
 *     force on the first ready date for the registered municipality
 *     (agreement_find_in_force), with the input billing_input() builds: the
 *     set is given the agreements by its caller (indicator_set_agreements);
 *     an episode under an average-model agreement has no liable nights here
 *     (the average is settled per municipality and period, not per night);
 *     an episode failing a billing condition has "excluded" nights: those it
 *     would have cost had the condition held (the invoice's exclusions);
 *   - a readmission = the same patient admitted again 0..30 days (local
 *     dates) after a discharge that was not a death or a transfer to another
 *     hospital.
 *
 * Small cells: indicator_suppress() blanks every cell whose base count (the
 * number of episodes, deviations or notices behind it) is 1..min_cell-1.
 *
 * Pure: no I/O, no clock ("as of" instants are parameters). The set owns its
 * memory (hg_malloc) and is freed with indicator_set_free.
 */
#ifndef HG_INDICATOR_H
#define HG_INDICATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agreement.h"
#include "core/date.h"
#include "core/deadline.h"
#include "core/domain.h"
#include "core/episode.h"
#include "core/event.h"
#include "core/facts.h"
#include "core/liability.h"
#include "core/status.h"
#include "core/survey.h"

#define INDICATOR_EPISODES_MAX 20000000 /* ceiling on the facts of one set */
#define INDICATOR_DEVIATIONS_MAX FACTS_DEVIATIONS_MAX /* effective deviations kept per episode */
#define INDICATOR_DIMS_MAX 4             /* dimensions of one grouping */
#define INDICATOR_KEY_MAX HG_ID_MAX      /* one key value as text, incl. NUL */
#define INDICATOR_READMISSION_DAYS 30

/* What a table counts. */
typedef enum indicator_subject {
	IND_SUBJECT_EPISODES = 0, /* episodes that ended in the period (and ready nights in it) */
	IND_SUBJECT_DEVIATIONS,   /* deviations reported in the period */
	IND_SUBJECT_ACKS,         /* notices sent in the period and their acknowledgement */
	IND_SUBJECT_COUNT
} indicator_subject;

typedef enum indicator_dim {
	IND_DIM_COUNTY = 0,     /* 2-digit län code of the registered municipality */
	IND_DIM_MUNICIPALITY,   /* registered municipality (folkbokföringskommun) */
	IND_DIM_HOSPITAL,
	IND_DIM_WARD,           /* the ward at discharge (the current ward while in hospital) */
	IND_DIM_CARE,           /* somatic / geriatric / psychiatric */
	IND_DIM_CARE_GROUP,     /* somatic (geriatric included) / psychiatric: the national split */
	IND_DIM_AGE_BAND,       /* 0-17, 18-64, 65-79, 80+, unknown (age at admission) */
	IND_DIM_TRACK,          /* green / yellow / red / none */
	IND_DIM_YEAR,           /* "2024" */
	IND_DIM_MONTH,          /* "2024-05" */
	IND_DIM_WEEK,           /* ISO week "2024-W19" */
	IND_DIM_CATEGORY,       /* deviations: the category */
	IND_DIM_PARTY,          /* deviations: the organisation they concern */
	IND_DIM_RECIPIENT,      /* acknowledgements: the recipient unit */
	IND_DIM_RECIPIENT_KIND, /* acknowledgements: its unit kind */
	IND_DIM_NOTICE,         /* acknowledgements: admission_notice / ready_for_discharge */
	IND_DIM_COUNT
} indicator_dim;

/* How a measure is computed; shares are fractions 0..1, hours are decimal hours. */
typedef enum indicator_kind {
	IND_COUNT = 0,
	IND_SUM,
	IND_MEAN,
	IND_SHARE,
	IND_MEDIAN,
	IND_P90,
	IND_KIND_COUNT
} indicator_kind;

/* One measure (a column of a table). */
typedef struct indicator_measure {
	const char *code; /* stable snake_case: "ready_days_mean" */
	const char *sv;
	const char *en;
	indicator_kind kind;
	int base; /* index (in the same subject's table) of the count that decides suppression */
	bool brief; /* part of the short default selection */
	int num;    /* internal: the accumulator of the value, or of a mean's or share's numerator */
	int den;    /* internal: the accumulator of the denominator, or -1 */
	int divisor; /* internal: a sum is divided by this (100: öre shown as kronor); 0 = 1 */
} indicator_measure;

/* The measures of a subject, in column order; *n gets their count. Static storage. */
const indicator_measure *indicator_measures(indicator_subject s, size_t *n);
/* Index of a measure code in the subject's table, or -1. */
int indicator_measure_find(indicator_subject s, const char *code);

const hg_code_label *indicator_dim_label(indicator_dim d);
bool indicator_dim_from_code(const char *code, indicator_dim *out);
/* True when grouping subject s by d makes sense. */
bool indicator_dim_allowed(indicator_subject s, indicator_dim d);
const hg_code_label *indicator_subject_label(indicator_subject s);
bool indicator_subject_from_code(const char *code, indicator_subject *out);

/* ---- the facts ---- */

typedef struct indicator_set indicator_set;

typedef struct indicator_config {
	deadline_rules rules; /* how the three deadlines are judged */
	hg_instant asof;      /* deadlines are judged as of this instant (normally "now") */
} indicator_config;

/* A new, empty set (caller frees with indicator_set_free). HG_EINVAL for invalid rules. */
hg_status indicator_set_new(const indicator_config *cfg, indicator_set **out) HG_MUST_CHECK;
void indicator_set_free(indicator_set *s);
size_t indicator_set_size(const indicator_set *s);
hg_instant indicator_set_asof(const indicator_set *s);

#define INDICATOR_AGREEMENTS_MAX 1024 /* ceiling on the agreements a set is given */

/*
 * Gives the set the payment-liability agreements list[0..n) (copied: the
 * caller keeps its list), from which every episode added afterwards gets its
 * liable nights. Call it before the first add: HG_EINVAL when episodes are
 * already in the set or n > INDICATOR_AGREEMENTS_MAX; HG_ENOMEM. A set that
 * is given no agreements has no liable nights (every liability measure 0).
 */
hg_status indicator_set_agreements(indicator_set *s, const agreement *list, size_t n) HG_MUST_CHECK;

/*
 * Adds the folded episode st and its deviations. Episodes must come in
 * ascending id order (the loaders read them so); a cancelled or empty episode
 * is skipped (HG_OK). HG_EINVAL when the id is not above the previous one,
 * HG_ERANGE beyond INDICATOR_EPISODES_MAX, HG_ENOMEM.
 */
hg_status indicator_set_add(indicator_set *s, const episode_state *st, const facts_deviation *devs,
			    size_t n_devs) HG_MUST_CHECK;
/*
 * Adds the facts of one episode (facts.h): what indicator_set_add derives from
 * the fold, read from the stored row instead. The deadlines are judged at the
 * set's "as of" instant and the liability under its agreements, here. Same
 * order and failures as indicator_set_add.
 */
hg_status indicator_set_add_facts(indicator_set *s, const facts_row *r) HG_MUST_CHECK;
/* Folds evs[0..n) (seq order) with episode_fold, then indicator_set_add. HG_EINVAL when the fold fails. */
hg_status indicator_set_add_events(indicator_set *s, int64_t episode_id, const event *evs, size_t n) HG_MUST_CHECK;
/* Attaches a survey answer to the episode `episode_id` already added; HG_ENOTFOUND when it is not in the set. */
hg_status indicator_set_add_survey(indicator_set *s, int64_t episode_id, const survey_answer *a) HG_MUST_CHECK;
/*
 * Links readmissions (call after the last add; adding afterwards needs another
 * call). HG_ENOMEM only.
 */
hg_status indicator_set_finish(indicator_set *s) HG_MUST_CHECK;

/* ---- tables ---- */

typedef enum indicator_cell_state {
	IND_CELL_VALUE = 0,
	IND_CELL_EMPTY,      /* nothing to compute from (a mean over 0 episodes) */
	IND_CELL_SUPPRESSED, /* a small cell, blanked by indicator_suppress */
} indicator_cell_state;

typedef struct indicator_cell {
	double value;
	indicator_cell_state state;
} indicator_cell;

typedef struct indicator_row {
	char keys[INDICATOR_DIMS_MAX][INDICATOR_KEY_MAX]; /* one per dimension of the grouping */
	indicator_cell *cells;                            /* n_measures cells; owned by the table */
} indicator_row;

typedef struct indicator_query {
	indicator_subject subject;
	hg_date from, to; /* the period: local dates [from, to) */
	size_t n_dims;    /* 0..INDICATOR_DIMS_MAX; 0 gives one row, the whole period */
	indicator_dim dims[INDICATOR_DIMS_MAX];
	const char *municipality; /* only episodes of this registered municipality, or NULL */
	const char *county;       /* only this county, or NULL */
	const char *ward;         /* only this ward, or NULL */
} indicator_query;

typedef struct indicator_table {
	indicator_query query; /* a copy (the filter strings are not kept: NULL) */
	const indicator_measure *measures;
	size_t n_measures;
	size_t n_rows;
	indicator_row *rows; /* sorted by the keys (byte order; every key sorts right that way) */
	indicator_row total; /* every row together (keys "") */
	int min_cell;        /* 0 until indicator_suppress */
} indicator_table;

/* Why a query was refused. */
typedef enum indicator_error {
	IND_ERR_NONE = 0,
	IND_ERR_PERIOD,    /* from/to missing, to <= from or longer than 20 years */
	IND_ERR_DIMS,      /* too many dimensions or a repeated one */
	IND_ERR_DIM_SUBJECT, /* a dimension that the subject has not */
	IND_ERR_SUBJECT,
	IND_ERROR_COUNT
} indicator_error;
const char *indicator_error_text(indicator_error e);

/*
 * Computes the table of query q over set s (finished). *out is fully set on
 * return and freed with indicator_table_free. HG_EINVAL with *err set for a bad
 * query, HG_ENOMEM.
 */
hg_status indicator_compute(const indicator_set *s, const indicator_query *q, indicator_table *out,
			    indicator_error *err) HG_MUST_CHECK;
void indicator_table_free(indicator_table *t);
/*
 * Small-cell suppression: every cell (the total row too) whose base count is
 * 1..min_cell-1 becomes IND_CELL_SUPPRESSED. min_cell <= 1 suppresses nothing.
 */
void indicator_suppress(indicator_table *t, int min_cell);

/* ---- small helpers shared with the adapters and the tests ---- */

/* Age band code of an age ("0-17", "18-64", "65-79", "80+"); "unknown" for age < 0. */
const char *indicator_age_band(int age);
/* "YYYY-Www" ISO week of d into buf (at least 9 bytes). Returns buf. */
char *indicator_iso_week(hg_date d, char buf[static 9]);
/*
 * The q-quantile (0 < q <= 1) of values[0..n) by the nearest-rank method:
 * the smallest value with at least ceil(q n) values at or below it. Sorts
 * values in place. 0 when n == 0.
 */
int indicator_quantile(int *values, size_t n, double q);

/* ---- read access to the facts (point measurement and forecast use them) ---- */

/* One ready period of an episode, with its local dates. */
typedef struct indicator_period {
	hg_instant start, end; /* end NONE while open */
	hg_date from, to;      /* local dates; to NONE while open */
} indicator_period;

/* How an episode's payment liability was judged (indicator_set_agreements). */
typedef enum indicator_liability {
	IND_LIABILITY_NONE = 0,     /* never ready, no nights yet, or the set has no agreements */
	IND_LIABILITY_BILLABLE,     /* a per-night agreement and the billing conditions hold: runs are liable */
	IND_LIABILITY_EXCLUDED,     /* a billing condition failed (billing says which): runs are what it would cost */
	IND_LIABILITY_AVERAGE,      /* an average-model agreement applies: no per-night figures */
	IND_LIABILITY_NO_AGREEMENT, /* no agreement in force on the ready date covers the municipality */
	IND_LIABILITY_INVALID,      /* liability_compute refused the episode (no rate, too long, bad periods) */
	IND_LIABILITY_COUNT
} indicator_liability;

/* Nights starting on dates D with from <= D < to, each charged amount_ore. */
typedef struct indicator_liable_run {
	hg_date from, to;
	int64_t amount_ore;
} indicator_liable_run;

/* The facts of one episode. Strings are owned by the set. */
typedef struct indicator_fact {
	int64_t id;
	const char *municipality, *county, *hospital, *ward;
	care_type care;
	int age;             /* at admission; -1 unknown (reserve number) */
	int track;           /* track_colour, or -1 when not set */
	hg_instant admitted_at, discharged_at; /* discharged NONE while in hospital */
	hg_date admitted, discharged;          /* local dates */
	discharge_destination destination;
	size_t n_periods;
	const indicator_period *periods;
	hg_date expected_date;
	hg_instant care_contact_at, sip_called_at, sip_meeting_at, sip_held_at, municipality_ready_at;
	hg_instant municipal_decision_at; /* the municipality's first decision, or NONE */
	bool children_as_relatives;
	int sip_held_place; /* sip_place, or -1 */
	deadline_state deadlines[DEADLINE_KIND_COUNT];
	int date_changes, withdrawals;
	int days_to_readmission; /* local days from discharge to the next admission, or -1 */
	bool has_survey;
	survey_reply survey[SURVEY_QUESTION_COUNT]; /* the replies only: the free text stays in the store */
	indicator_liability liability;
	liability_billing billing;            /* IND_LIABILITY_EXCLUDED: the first failing condition */
	size_t n_runs;                        /* liable (or, excluded, unbilled) nights as runs of equal amount */
	const indicator_liable_run *runs;     /* in date order; up to the discharge or the "as of" date */
} indicator_fact;

/* The i-th fact (0 <= i < indicator_set_size), in id order. */
const indicator_fact *indicator_set_fact(const indicator_set *s, size_t i);
/* Ready-days of a fact up to local date `at` (nights R <= D < min(E, at)). */
int indicator_fact_ready_days(const indicator_fact *f, hg_date at);
/* True when f is in hospital and ready at instant t; *period gets the open period's index. */
bool indicator_fact_ready_at(const indicator_fact *f, hg_instant t, size_t *period);

#endif
