/*
 * billing.h - from an episode to its line on a monthly invoice basis: the glue
 * between the episode fold (episode.h) and payment liability (liability.h).
 *
 * An invoice basis (fakturaunderlag) is one municipality's liable nights of
 * one calendar month. For each episode of a patient registered in the
 * municipality this module decides, from the episode's state as it was at the
 * invoice's cut-off instant, whether the episode gives a line (liable nights
 * that start in the month), is listed apart as an exclusion with the reason
 * (a billing condition failed, no agreement applies, the agreement has no
 * amount), or has nothing in the month. The figures themselves come from
 * liability_compute(), the one place where liability is computed; this module
 * only builds its input from the fold:
 *
 *   care type      the care type of the ward the patient is in (the last ward)
 *   ready periods  the fold's ready periods; a period ended by the discharge is
 *                  left open so that the discharge ends it
 *   until          for a patient still in hospital at the cut-off: the first
 *                  day of the next month, or the local date of the cut-off if
 *                  earlier (a night that has not begun is not billed)
 *   admission notice sent   an admission notice went to a unit of the
 *                  municipality (episode_notice_sent_to_org)
 *   ready notice sent       the ready notice of EVERY ready period went to it
 *   SIP needed     unless the process track is green (as the SIP deadline in
 *                  deadline.h reads it); SIP called: a SIP call exists
 *   LPT/LRV        the samordnad vårdplan takes the SIP's place: always
 *                  needed, called when its call exists (issue 14.1)
 *
 * The agreement is the one in force on the first ready date for the
 * municipality (agreement_find_in_force). Pure: no I/O, no clock.
 */
#ifndef HG_BILLING_H
#define HG_BILLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agreement.h"
#include "core/date.h"
#include "core/domain.h"
#include "core/episode.h"
#include "core/liability.h"
#include "core/status.h"

#define BILLING_HOLIDAYS_MAX 32 /* holidays skipped while counting the grace days, listed per line */
#define BILLING_MONTH_NIGHTS_MAX 31 /* nights in one month */

/* An invoice month: [first, end) as local dates. */
typedef struct billing_month {
	int year, month;
	hg_date first; /* the 1st of the month */
	hg_date end;   /* the 1st of the next month */
} billing_month;

/* Parses exactly "YYYY-MM" (years HG_YEAR_MIN..HG_YEAR_MAX); HG_EINVAL otherwise. */
hg_status billing_month_parse(const char *s, billing_month *out) HG_MUST_CHECK;
/* The month of (year, month); HG_EINVAL when out of range. */
hg_status billing_month_make(int year, int month, billing_month *out) HG_MUST_CHECK;
/* Writes "YYYY-MM" and a NUL into buf (at least 8 bytes). Returns buf. */
char *billing_month_format(const billing_month *m, char buf[static 8]);

/* What an episode contributes to a month's invoice basis. */
typedef enum billing_outcome {
	BILLING_NOTHING = 0, /* no ready night in the month, or the episode was cancelled */
	BILLING_LINE,        /* liable nights that start in the month: a line */
	BILLING_EXCLUDED,    /* ready nights in the month, but not billable: listed apart with the reason */
	BILLING_AVERAGE,     /* judged by an average-model agreement: settled per municipality and period */
	BILLING_OUTCOME_COUNT
} billing_outcome;

/* Why an episode with ready nights in the month is not billed. */
typedef enum billing_reason {
	BILLING_REASON_NONE = 0,
	BILLING_REASON_NO_ADMISSION_NOTICE, /* no admission notice to the municipality */
	BILLING_REASON_NO_READY_NOTICE,     /* a ready notice did not go to the municipality */
	BILLING_REASON_NO_SIP_CALL,         /* a SIP was needed and not called */
	BILLING_REASON_NO_AGREEMENT,        /* no agreement in force on the ready date covers the municipality */
	BILLING_REASON_NO_RATE,             /* before issue 15.2: no daily amount (kept for stored documents) */
	BILLING_REASON_INVALID,             /* the episode's ready periods are refused by liability_compute */
	BILLING_REASON_NO_CARE_PLAN_CALL,   /* LPT/LRV: the samordnad vårdplan was needed and not called */
	BILLING_REASON_COUNT
} billing_reason;

/* Code ("no_sip_call"), Swedish and English text of a reason; NULL outside the table. */
const hg_code_label *billing_reason_label(billing_reason r);
bool billing_reason_from_code(const char *code, billing_reason *out);
const hg_code_label *billing_outcome_label(billing_outcome o);

/* One episode's contribution to one month. A plain value (about 2 kB). */
typedef struct billing_line {
	billing_outcome outcome;
	billing_reason reason;   /* BILLING_EXCLUDED only */
	liability_error error;   /* BILLING_REASON_INVALID: what liability_compute refused */
	const agreement *agreement; /* borrowed from the caller's list; NULL when none applies */
	care_type care;
	hg_date ready_date;      /* R of the first ready period */
	hg_date discharge_date;  /* local date of discharge, or HG_DATE_NONE: still in hospital at the cut-off */
	hg_date until;           /* nights before this date are counted (still in hospital) */
	hg_date grace_end;       /* G of the first period */
	int ready_days;          /* ready-days of the whole stay up to the discharge or `until` */
	int ready_nights;        /* nights in the month while ready (billable or not) */
	/* Liable nights starting in the month and their amount; for an exclusion by a billing
	 * condition, what would have been billed had the condition held (0 for the other reasons). */
	int nights;
	int64_t amount_ore;
	hg_date first_night, last_night; /* in the month, or HG_DATE_NONE */
	/* Liable nights of the month that no agreement in force prices (issue 15.2: no amount for the year
	 * and care type, or none in force after the agreement ended): not in amount_ore; the invoice lists
	 * them and may not be sent until an administrator imports the amount and it is built again. */
	int unpriced_nights;
	hg_date unpriced[BILLING_MONTH_NIGHTS_MAX];
	size_t n_periods;
	liability_period_result periods[LIABILITY_PERIODS_MAX];
	/* Public holidays (and, with the eves option, eves) on Monday-Friday that the weekday count
	 * skipped between a ready date and its grace end, oldest first. */
	size_t n_holidays;
	hg_date holidays[BILLING_HOLIDAYS_MAX];
} billing_line;

/*
 * Builds the liability input of st up to `until` (used while the patient is
 * in hospital) against municipality: periods[] receives the ready periods and
 * in->periods points at it. HG_EINVAL when the episode has no ready period,
 * more than LIABILITY_PERIODS_MAX, or is cancelled.
 */
hg_status billing_input(const episode_state *st, const char *municipality, hg_date until,
			liability_period periods[static LIABILITY_PERIODS_MAX], liability_input *in) HG_MUST_CHECK;

/*
 * What episode st (its fold as of the cut-off instant `cutoff`) contributes to
 * the invoice basis of its registered municipality for month m, under the
 * agreements list[0..n). *out is always fully set. HG_ENOMEM is the only
 * failure: an episode that cannot be billed is an outcome, not an error.
 */
/*
 * How a whole stay is judged for payment liability, the one place both the
 * invoice (billing_episode_month) and the follow-up indicators ask: the
 * agreement in force on the first ready date for the registered municipality
 * and, for a per-night agreement, liability_compute over the ready nights
 * before `until` (HG_DATE_NONE: up to the discharge). When a billing condition
 * fails, r holds what the nights would have cost with the conditions met, so
 * both parties see what is at stake.
 */
typedef struct billing_stay {
	const agreement *agreement; /* borrowed from the caller's list; NULL: none in force */
	bool judged;                /* liability_compute ran (a per-night agreement and a valid input) */
	liability_billing billing;  /* the first failing billing condition, or LIABILITY_BILLABLE */
	hg_status computed;         /* judged: HG_OK, or liability_compute's refusal (HG_ENOTFOUND: no rate) */
	liability_result r;         /* computed == HG_OK: the nights; free with liability_result_free */
} billing_stay;

/* Judges st into *out (see billing_stay). HG_ENOMEM only; every other outcome is in *out. */
hg_status billing_stay_judge(const episode_state *st, hg_date until, const agreement *list, size_t n,
			     billing_stay *out) HG_MUST_CHECK;
/*
 * The same judgement from the liability input that billing_input() gave
 * (input->until is the "until" of a stay in progress), the registered
 * municipality and the first ready date: what the follow-up facts (facts.h)
 * keep per episode, so the indicators judge under the agreements in force
 * now without the fold. input NULL: billing_input refused the stay.
 */
hg_status billing_stay_judge_input(const liability_input *input, const char *municipality, hg_date ready_date,
				   const agreement *list, size_t n, billing_stay *out) HG_MUST_CHECK;

/*
 * Liability so far, where it runs (issue 18): what the episode page and the
 * worklists show while a patient waits. Judged like the invoice
 * (billing_stay_judge) up to `today`: for a patient still in hospital the
 * nights that began before today, for a discharged one up to the discharge.
 * When a billing condition fails, nights and amount are what is at stake and
 * billing names the condition.
 */
typedef struct billing_so_far {
	const agreement *agreement; /* in force on the first ready date (borrowed); NULL: none, or never ready */
	bool average;               /* an average-model agreement: settled per period, no per-night figure */
	bool counted;               /* nights and amount were computed */
	liability_billing billing;  /* LIABILITY_BILLABLE or the first failing condition */
	hg_date ready_date;         /* R of the latest ready period, or HG_DATE_NONE */
	hg_date liable_from;        /* G of the latest period: the first night the municipality pays for */
	int ready_days;             /* ready-days of the stay so far */
	int nights;                 /* liable nights so far */
	int64_t amount_ore;         /* their amount */
	bool liable;                /* ready now, billable and liable_from <= today: the municipality pays tonight */
} billing_so_far;

/* Judges st as of local date today into *out. HG_ENOMEM only; every other outcome is in *out. */
hg_status billing_so_far_judge(const episode_state *st, hg_date today, const agreement *list, size_t n,
			       billing_so_far *out) HG_MUST_CHECK;

hg_status billing_episode_month(const episode_state *st, const billing_month *m, hg_instant cutoff,
				const agreement *list, size_t n, billing_line *out) HG_MUST_CHECK;

/*
 * The average model: the ready-days of an episode that ended (was discharged)
 * as of the cut-off, under average-model agreement a, for liability_average.
 * out->billable is false when a billing condition of a fails (*reason says
 * which). HG_EINVAL when the episode is not discharged, was never ready (the
 * average counts ready patients only) or a is not an average-model agreement;
 * also when liability_compute refuses its periods (*reason =
 * BILLING_REASON_INVALID).
 */
hg_status billing_episode_days(const episode_state *st, const agreement *a, liability_episode_days *out,
			       billing_reason *reason) HG_MUST_CHECK;
/*
 * The same from a liability input (billing_input's, or the follow-up facts'
 * facts_liability_input) of a discharged stay whose last ward had care type
 * care: what the what-if (whatif.h) settles without the fold.
 */
hg_status billing_episode_days_input(const liability_input *in, care_type care, const agreement *a,
				     liability_episode_days *out, billing_reason *reason) HG_MUST_CHECK;

/*
 * The average-model agreement that settles municipality m in month `month`:
 * the agreement in force for m on the month's first day, when it is of the
 * average model and its settlement period ends with this month; *from gets the
 * period's first day. NULL when m is not settled by the average this month.
 */
const agreement *billing_settling_average(const agreement *list, size_t n, const char *municipality,
					  const billing_month *month, hg_date *from);

/* An episode's place in the average settlement of its municipality's month. */
typedef struct billing_average_member {
	const agreement *agreement; /* the settling agreement (one of the list) */
	hg_date discharge_date;     /* local date */
	liability_episode_days days;
	billing_reason reason; /* why not billable, when !days.billable */
} billing_average_member;

/*
 * Whether the fold st belongs to the average settlement of its registered
 * municipality in `month` (agreements list[0..n)): it was discharged within the
 * settled period (up to the month's end), was ready at some time, and the
 * agreement in force on its ready date is the settling one. Then *out gets its
 * ready-days (billing_episode_days; an episode whose days cannot be computed
 * counts with 0 days, not billable) and true is returned.
 */
bool billing_average_membership(const episode_state *st, const billing_month *month, const agreement *list, size_t n,
				billing_average_member *out);

#endif
