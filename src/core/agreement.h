/*
 * agreement.h - a regional agreement (överenskommelse) on payment liability,
 * held as data.
 *
 * Who pays for a ready-for-discharge patient's nights in hospital, after how
 * many grace days counted how, and at what daily amount, is set by the region
 * and its municipalities in an agreement; the law's default applies only where
 * there is none (SFS 2017:612 ch. 5). Agreements change over time, so hemgang
 * keeps them as versioned records with a validity period and never as code:
 * this header is the record, its validation with precise reasons, the lookup
 * of the agreement in force for a municipality on a date, the lookup of a daily
 * amount, and the built-in statutory default (which agreements/statutory*.json
 * repeat as files).
 *
 * Every table in the record has a fixed ceiling, so an agreement is a plain
 * value: copy it with `=`, no allocation, nothing to free.
 */
#ifndef HG_AGREEMENT_H
#define HG_AGREEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"

#define AGREEMENT_MUNICIPALITIES_MAX 64 /* Stockholm county has 26, Västra Götaland 49 */
#define AGREEMENT_RATES_MAX 64          /* rows {year, care type, amount} */
#define AGREEMENT_CODE_MAX 5            /* "2080" + NUL; a region (county) code is 2 digits */
#define AGREEMENT_GRACE_MAX 365         /* grace days per care type: 0..365 */
#define AGREEMENT_AMOUNT_MAX 100000000  /* 1 000 000 kr per day, in öre: a sanity ceiling */
#define AGREEMENT_THRESHOLD_MAX 100000  /* 1 000.00 ready-days per episode, in hundredths */

/* How liability is settled. */
typedef enum agreement_model {
	AGREEMENT_PER_NIGHT = 0, /* each night after the grace days, per episode */
	AGREEMENT_AVERAGE,       /* ready-days above an agreed mean per episode, per municipality and period */
	AGREEMENT_MODEL_COUNT
} agreement_model;

/* How the grace days are counted after the ready date. */
typedef enum agreement_count {
	AGREEMENT_COUNT_CALENDAR = 0, /* every day */
	AGREEMENT_COUNT_WEEKDAYS,     /* Monday-Friday that is not a public holiday (cal_is_weekday) */
	AGREEMENT_COUNT_MODE_COUNT
} agreement_count;

/* What a new ready notice after a withdrawal (återtagen utskrivningsklar) means. */
typedef enum agreement_withdrawal {
	AGREEMENT_WITHDRAWAL_NEW_GRACE = 0, /* a new grace period starts */
	AGREEMENT_WITHDRAWAL_CONTINUE,      /* the grace already used counts; liability resumes at once if it ended */
	AGREEMENT_WITHDRAWAL_COUNT
} agreement_withdrawal;

/* One daily amount: for nights starting in calendar year `year` at a unit of care type `care`. */
typedef struct agreement_rate {
	int year;
	care_type care;
	int64_t amount_ore; /* 0..AGREEMENT_AMOUNT_MAX; 0 = nothing is invoiced that year */
} agreement_rate;

/* Which facts must hold for an episode to be billable (each can be switched off). */
typedef struct agreement_conditions {
	bool admission_notice; /* the admission notice was sent to the municipality */
	bool ready_notice;     /* the ready-for-discharge notice was sent to it */
	bool sip_called;       /* where a SIP is needed, the care contact called it */
} agreement_conditions;

/* Parameters of the average model (used only when model == AGREEMENT_AVERAGE). */
typedef struct agreement_average {
	int period_months; /* 1, 2, 3, 4, 6 or 12: periods are aligned to the calendar year */
	int64_t threshold_centidays[CARE_TYPE_COUNT]; /* agreed mean ready-days per episode, in hundredths */
	int64_t amount_ore[CARE_TYPE_COUNT];          /* per whole ready-day above the threshold */
} agreement_average;

/* A target per municipality (issue 15.4): mean liable days per episode, in hundredths of a day. */
typedef struct agreement_target {
	char municipality[AGREEMENT_CODE_MAX];
	int64_t centidays; /* 0..AGREEMENT_THRESHOLD_MAX */
} agreement_target;

/*
 * Yardsticks (issue 15.4; the Stockholm agreement: "not above 2017's
 * ready-days"): the baseline year the targets come from, and per municipality
 * the target for its mean liable days per episode (the indicator
 * liable_days_mean, docs/indicators.md). baseline_year 0: no yardstick.
 */
typedef struct agreement_yardstick {
	int baseline_year; /* 1900..2199, or 0 */
	size_t n_targets;  /* 0..AGREEMENT_MUNICIPALITIES_MAX */
	agreement_target targets[AGREEMENT_MUNICIPALITIES_MAX];
} agreement_yardstick;

typedef struct agreement {
	char id[HG_ID_MAX];     /* stable id, [a-z0-9._-], e.g. "stockholm-2018" */
	char name[HG_NAME_MAX]; /* human-readable name */
	int version;            /* >= 1; a revised agreement keeps its id and raises the version */
	char region[AGREEMENT_CODE_MAX]; /* 2-digit county code, or "" for the national default */
	size_t n_municipalities;         /* 0 = every municipality (the statutory default) */
	char municipalities[AGREEMENT_MUNICIPALITIES_MAX][AGREEMENT_CODE_MAX]; /* 4-digit SCB codes */
	hg_date valid_from;     /* first day in force */
	hg_date valid_to;       /* last day in force (inclusive), or HG_DATE_NONE = open */
	agreement_model model;
	int grace_days[CARE_TYPE_COUNT];
	agreement_count count;
	bool eves_are_holidays; /* weekday count: also skip midsummer, Christmas and New Year's eve */
	bool leave_nights_free; /* a night the patient spends on leave (permission) is not charged */
	agreement_withdrawal withdrawal;
	agreement_conditions conditions;
	size_t n_rates;
	agreement_rate rates[AGREEMENT_RATES_MAX];
	agreement_average average;
	agreement_yardstick yardstick; /* optional: baseline_year 0 when none */
} agreement;

/* Why an agreement is invalid. Each problem names the parameter (the JSON key) it concerns. */
typedef enum agreement_problem {
	AGREEMENT_OK = 0,
	AGREEMENT_BAD_ID,
	AGREEMENT_BAD_NAME,
	AGREEMENT_BAD_VERSION,
	AGREEMENT_BAD_REGION,
	AGREEMENT_TOO_MANY_MUNICIPALITIES,
	AGREEMENT_BAD_MUNICIPALITY,
	AGREEMENT_MUNICIPALITY_OUTSIDE_REGION,
	AGREEMENT_DUPLICATE_MUNICIPALITY,
	AGREEMENT_NO_VALID_FROM,
	AGREEMENT_VALID_TO_BEFORE_FROM,
	AGREEMENT_BAD_MODEL,
	AGREEMENT_BAD_GRACE,
	AGREEMENT_BAD_COUNT,
	AGREEMENT_BAD_WITHDRAWAL,
	AGREEMENT_TOO_MANY_RATES,
	AGREEMENT_BAD_RATE_YEAR,
	AGREEMENT_BAD_RATE_CARE,
	AGREEMENT_BAD_RATE_AMOUNT,
	AGREEMENT_OVERLAPPING_RATES,
	AGREEMENT_BAD_PERIOD,
	AGREEMENT_BAD_THRESHOLD,
	AGREEMENT_BAD_AVERAGE_AMOUNT,
	AGREEMENT_BAD_YARDSTICK_YEAR,
	AGREEMENT_TOO_MANY_TARGETS,
	AGREEMENT_BAD_TARGET_MUNICIPALITY,
	AGREEMENT_TARGET_NOT_COVERED,
	AGREEMENT_DUPLICATE_TARGET,
	AGREEMENT_BAD_TARGET,
	AGREEMENT_PROBLEM_COUNT
} agreement_problem;

typedef struct agreement_issue {
	agreement_problem problem;
	int index; /* the offending row (municipality, rate, care type) or -1 */
} agreement_issue;

/* The parameter a problem concerns, e.g. "grace_days"; never NULL ("" for AGREEMENT_OK). */
const char *agreement_problem_param(agreement_problem p);
/* English description, e.g. "grace days must be 0..365"; never NULL. */
const char *agreement_problem_text(agreement_problem p);

/*
 * Checks every rule of the record: id and name present, version >= 1, codes
 * well formed, municipalities inside the region and unique, valid_to not before
 * valid_from, enums in range, grace days 0..365, rate rows in range and no two
 * rows for the same year and care type, and for the average model a period of
 * 1/2/3/4/6/12 months with thresholds and amounts in range. Rates may be
 * missing for a year or care type: liability_compute then refuses the nights
 * it cannot price. On failure returns HG_EINVAL and the first problem in *why
 * (which may be NULL).
 */
hg_status agreement_validate(const agreement *a, agreement_issue *why) HG_MUST_CHECK;

/* True when a covers municipality (4-digit code): it is in the list, or the list is empty. */
bool agreement_covers(const agreement *a, const char *municipality);
/* True when on lies in [valid_from, valid_to]. */
bool agreement_in_force(const agreement *a, hg_date on);

/*
 * The agreement that judges an episode of municipality whose ready date is on:
 * among the agreements that cover the municipality and are in force on that
 * date, one that names the municipality beats one that covers every
 * municipality (a regional agreement beats the statutory default); then the
 * later valid_from wins (a newer agreement supersedes), then the higher
 * version. NULL when none applies.
 */
const agreement *agreement_find_in_force(const agreement *list, size_t n, const char *municipality, hg_date on);

/*
 * The daily amount for care type care in calendar year year: the row of
 * exactly that year. HG_ENOTFOUND when the table has none: a night is never
 * priced with another year's amount (the national amount is set each year by
 * Socialstyrelsen; an administrator imports it, `hemgang agreement import`),
 * and the invoice names the nights that lack one instead of guessing.
 */
hg_status agreement_rate_for(const agreement *a, care_type care, int year, int64_t *amount_ore) HG_MUST_CHECK;

/*
 * The agreement that prices the night starting on `night`: a (the agreement
 * that judges the episode, in force on its ready date) while it is in force;
 * after it ends (or before it starts), its successor, the agreement in force on
 * that night among list[0..n) for municipality (agreement_find_in_force: a
 * regional successor, else the statutory default). NULL when none is in force.
 */
const agreement *agreement_for_night(const agreement *a, const agreement *list, size_t n, const char *municipality,
				     hg_date night);

/*
 * Period of the average model that contains d: [*start, *end) with the
 * periods aligned to 1 January (period_months 3 gives quarters). HG_EINVAL when
 * the agreement's period_months is not one of 1, 2, 3, 4, 6, 12.
 */
hg_status agreement_average_period(const agreement *a, hg_date d, hg_date *start, hg_date *end) HG_MUST_CHECK;

/*
 * The built-in statutory defaults (SFS 2017:612 ch. 5 where no agreement
 * exists), in static storage: "statutory-2018" (2018, when the old 30-day rule
 * still held for psychiatric care) and "statutory" (from 2019: 3 calendar days
 * after the ready notice, Socialstyrelsen's national amount per year). They
 * cover every municipality. agreements/statutory-2018.json and
 * agreements/statutory.json hold the same records; a test checks they match.
 */
const agreement *agreement_statutory(size_t *n);

/*
 * The yardstick target of municipality under a: its mean liable days per
 * episode in hundredths (*centidays) and the baseline year the target comes
 * from (*baseline_year). False when a has no yardstick or no target for it.
 */
bool agreement_target_for(const agreement *a, const char *municipality, int64_t *centidays, int *baseline_year);

/* Codes of the enums as used in agreement files ("per_night", "weekdays", "new_grace"). */
const char *agreement_model_code(agreement_model m);
bool agreement_model_from_code(const char *code, agreement_model *out);
const char *agreement_count_code(agreement_count c);
bool agreement_count_from_code(const char *code, agreement_count *out);
const char *agreement_withdrawal_code(agreement_withdrawal w);
bool agreement_withdrawal_from_code(const char *code, agreement_withdrawal *out);

/* True when every field of a and b is equal (tables compared row by row, in order). */
bool agreement_equal(const agreement *a, const agreement *b);

#endif
