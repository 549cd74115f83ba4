/*
 * liability.h - the municipality's payment liability (betalningsansvar) for a
 * ready-for-discharge patient who stays in hospital, under an agreement.
 *
 * This is the one place where a liability figure is computed (design.md §1):
 * from the ready periods of one episode, its discharge and three billing facts,
 * liability_compute gives the ready-days, the grace end and each liable night
 * with its amount in öre. The convention:
 *   ready date R = local (Europe/Stockholm) date of the ready notice,
 *   end date   E = local date of the withdrawal or the discharge, or the
 *                  "until" date of a stay still in progress,
 *   ready-days    = E - R, the nights spent while ready,
 *   grace end  G  = the N-th calendar day, or the N-th weekday, strictly after R,
 *   liable nights = the nights starting on dates D with G <= D < E, each charged
 *                  the agreement's amount for the care type in the calendar year
 *                  of D, and invoiced in the month of D.
 * A withdrawn ready status ends a period; a new ready notice starts a new one,
 * with a new grace period or (agreement option "continue") with the grace days
 * already used counted: a period uses up the counted days d with R < d <= E.
 *
 * liability_average implements the average model (seed 003 §10.1): per
 * municipality and period, the ready-days above an agreed mean per episode.
 * Amounts are exact integers in öre; nothing here uses floating point.
 */
#ifndef HG_LIABILITY_H
#define HG_LIABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agreement.h"
#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"

#define LIABILITY_PERIODS_MAX 32        /* ready periods (ready notices) per episode */
#define LIABILITY_DAYS_MAX 3660         /* ceiling on the days from first ready date to end: 10 years */
#define LIABILITY_EPISODES_MAX 10000000 /* ceiling on episodes in one average-model group */
#define LIABILITY_MOVES_MAX 32          /* changes of care type (moves between wards) per episode */
#define LIABILITY_LEAVES_MAX 32         /* leave periods (permission) per episode */

/* A leave (permission) [start, end); end HG_INSTANT_NONE: still on leave. */
typedef struct liability_leave {
	hg_instant start, end;
} liability_leave;

/*
 * A move to a unit of another care type: from the night that starts on date
 * `from` on, the patient is at a unit of care type `care` (a ward's care type
 * decides a night's amount: the ward the patient sleeps in that night, i.e. the
 * ward after the last move on or before the night's date).
 */
typedef struct liability_move {
	hg_date from;
	care_type care;
} liability_move;

/* One ready period: from a ready notice to its withdrawal. */
typedef struct liability_period {
	hg_instant ready_at; /* when the ready-for-discharge notice was given */
	hg_instant end_at;   /* when it was withdrawn, or HG_INSTANT_NONE: still ready (last period only) */
} liability_period;

typedef struct liability_input {
	care_type care;                   /* care type of the ward before the first move (or throughout) */
	const liability_period *periods;  /* in time order, not overlapping */
	size_t n_periods;                 /* 1..LIABILITY_PERIODS_MAX */
	hg_instant discharged_at;         /* HG_INSTANT_NONE: still in hospital */
	hg_date until;                    /* still in hospital: count the nights starting before this date */
	bool admission_notice_sent;       /* to the municipality */
	bool ready_notice_sent;           /* to the municipality */
	bool sip_needed;                  /* a SIP was needed ... */
	bool sip_called;                  /* ... and the care contact called it */
	/* LPT/LRV (issue 14.1): the plan is a samordnad vårdplan, so sip_needed/sip_called are the plan's
	 * (needed always, called when its call exists) and a missing call has its own reason. */
	bool care_plan;
	/* Moves between care types, in date order (none: `care` throughout). A period's grace days are
	 * those of the care type on its ready date; each night is charged at the care type of that night. */
	size_t n_moves;
	liability_move moves[LIABILITY_MOVES_MAX];
	/* Hand-over (issue 15.2): a night after the agreement has ended (valid_to) is priced by the
	 * agreement in force on that night among handover[0..n_handover) for municipality (its successor
	 * or the statutory default: agreement_for_night). NULL: none takes over, such nights lack an amount. */
	const agreement *handover;
	size_t n_handover;
	const char *municipality;
	/* Leave (issue 15.3): the night of D is spent on leave when a leave started on or before D and ended
	 * after D (local dates): home over that midnight. Not charged when the night's agreement has
	 * leave_nights_free; the grace days count on regardless. */
	size_t n_leaves;
	liability_leave leaves[LIABILITY_LEAVES_MAX];
} liability_input;

/* Whether the liable nights may be invoiced, and if not why (first failing condition). */
typedef enum liability_billing {
	LIABILITY_BILLABLE = 0,
	LIABILITY_NO_ADMISSION_NOTICE,
	LIABILITY_NO_READY_NOTICE,
	LIABILITY_NO_SIP_CALL,
	LIABILITY_AVERAGE_MODEL, /* billable, but per municipality and period: see liability_average */
	LIABILITY_NO_CARE_PLAN_CALL, /* LPT/LRV: the samordnad vårdplan (in place of the SIP) was not called */
	LIABILITY_BILLING_COUNT
} liability_billing;

/* Why an input was refused. */
typedef enum liability_error {
	LIABILITY_ERR_NONE = 0,
	LIABILITY_ERR_AGREEMENT,          /* the agreement does not validate */
	LIABILITY_ERR_CARE,               /* unknown care type */
	LIABILITY_ERR_NO_PERIODS,         /* no ready period, or more than LIABILITY_PERIODS_MAX */
	LIABILITY_ERR_PERIOD_INSTANT,     /* a ready instant is missing or outside the calendar's range */
	LIABILITY_ERR_WITHDRAWN_BEFORE_READY,
	LIABILITY_ERR_PERIODS_OVERLAP,    /* a ready notice before the previous withdrawal */
	LIABILITY_ERR_OPEN_PERIOD,        /* a period other than the last has no withdrawal */
	LIABILITY_ERR_DISCHARGE_BEFORE_READY,
	LIABILITY_ERR_WITHDRAWN_AFTER_DISCHARGE,
	LIABILITY_ERR_NO_END,             /* neither discharged nor an until date */
	LIABILITY_ERR_UNTIL_BEFORE_READY,
	LIABILITY_ERR_TOO_LONG,           /* more than LIABILITY_DAYS_MAX days */
	LIABILITY_ERR_NO_RATE,            /* unused since issue 15.2: a night without an amount is marked, not refused */
	LIABILITY_ERR_MOVES,              /* moves out of date order, a bad care type, or too many */
	LIABILITY_ERR_LEAVES,             /* a leave without a start, ending before it starts, or too many */
	LIABILITY_ERROR_COUNT
} liability_error;

/* Stable code ("no_ready_notice"), English and Swedish message of a billing outcome; never NULL. */
const char *liability_billing_code(liability_billing b);
const char *liability_billing_en(liability_billing b);
const char *liability_billing_sv(liability_billing b);
/* English description of an input error, e.g. "discharge is before the ready notice"; never NULL. */
const char *liability_error_text(liability_error e);

/* One liable night: the date it starts on and its amount. */
typedef struct liability_night {
	hg_date date;
	care_type care;     /* the care type of the unit the patient was in that night */
	const agreement *agreement; /* the agreement that prices it (borrowed), or NULL: none in force */
	bool priced;        /* false: no agreement in force, or it has no amount for the year and care type */
	int64_t amount_ore; /* 0 when not priced */
} liability_night;

/* What liability_compute found for one ready period. */
typedef struct liability_period_result {
	hg_date ready_date; /* R */
	hg_date end_date;   /* E: withdrawal, discharge or until date */
	int ready_days;     /* E - R */
	int grace_left;     /* grace days still to count at R (N with new_grace) */
	hg_date grace_end;  /* G (= R when no grace was left) */
	int liable_nights;  /* charged nights: those after G, less the free nights on leave */
} liability_period_result;

typedef struct liability_result {
	hg_date ready_date;     /* R of the first period */
	hg_date discharge_date; /* local date of discharge, or HG_DATE_NONE */
	int ready_days;         /* sum over the periods */
	hg_date grace_end;      /* G of the first period */
	size_t n_periods;
	liability_period_result periods[LIABILITY_PERIODS_MAX];
	liability_night *nights; /* owned; freed by liability_result_free */
	size_t n_nights;         /* 0 when not billable or under the average model */
	int64_t total_ore;       /* sum of the priced nights */
	size_t n_unpriced;       /* liable nights without an amount: the figure is incomplete, not to be sent */
	size_t n_leave_nights;   /* nights after the grace end spent on leave and not charged (not in nights) */
	liability_billing billing;
	liability_error error;   /* why HG_EINVAL/HG_ERANGE/HG_ENOTFOUND was returned */
} liability_result;

/*
 * Computes the liability of one episode under agreement a (the agreement in
 * force on its first ready date: see agreement_find_in_force). Whether it
 * succeeds or not, *out is fully initialised and liability_result_free(out)
 * must be called. Returns HG_EINVAL (a broken rule, out->error says which),
 * HG_ERANGE (LIABILITY_ERR_TOO_LONG) or HG_ENOMEM. A liable night that
 * no agreement in force prices (no row for its year and care type, or no
 * agreement at all after a's end) is listed with priced = false and counted
 * in n_unpriced: the caller shows it and does not send the figure. A billing condition that fails is not an error: the result has
 * billing != LIABILITY_BILLABLE, the ready-days and grace end, and no nights.
 */
hg_status liability_compute(const agreement *a, const liability_input *in, liability_result *out) HG_MUST_CHECK;

/* The care type of in on the night starting on date d: `care`, or that of the last move on or before d. */
care_type liability_care_on(const liability_input *in, hg_date d);

/*
 * The day liability starts for a patient ready on ready_date with a fresh grace
 * period: G, the agreement's N-th counted day strictly after it (design.md).
 * HG_DATE_NONE for a NULL agreement, a bad care type or no date.
 */
hg_date liability_grace_end(const agreement *a, care_type care, hg_date ready_date);

/* Frees the nights of r (allocated by liability_compute) and clears it; safe on a zeroed result. */
void liability_result_free(liability_result *r);

/* Liable nights and their amount in one calendar month (the invoice month). */
typedef struct liability_month {
	int year, month;
	int nights;
	int64_t amount_ore;
} liability_month;

/*
 * Sums the nights of r per invoice month, in date order, into out[0..cap).
 * *n gets the number of months. HG_ERANGE when cap is too small (*n then holds
 * the number needed).
 */
hg_status liability_by_month(const liability_result *r, liability_month *out, size_t cap, size_t *n) HG_MUST_CHECK;

/* One ended episode as the average model sees it. */
typedef struct liability_episode_days {
	int ready_days; /* 0..LIABILITY_DAYS_MAX; 0 = discharged the day it was ready (counts) */
	care_type care;
	bool billable;  /* false: the billing conditions failed; left out of the average */
} liability_episode_days;

typedef struct liability_average_result {
	int64_t episodes;          /* billable episodes of the care type, including 0-day ones */
	int64_t ready_days;        /* their ready-days */
	int64_t allowed_centidays; /* threshold x episodes, in hundredths of a day */
	int64_t excess_centidays;  /* max(0, 100 x ready_days - allowed), exact */
	int64_t days_billed;       /* whole days above the threshold: excess rounded down */
	int64_t amount_ore;        /* days_billed x amount per day */
} liability_average_result;

/*
 * The average model for one municipality, one period and one care type: of
 * eps[0..n), the billable episodes of care type care count; the municipality
 * pays amount_ore for each whole ready-day by which their total exceeds
 * threshold_centidays/100 per episode. HG_EINVAL for a bad care type, a
 * negative or too large threshold, amount or ready-days; HG_ERANGE when n is
 * above LIABILITY_EPISODES_MAX.
 */
hg_status liability_average(const liability_episode_days *eps, size_t n, care_type care,
			    int64_t threshold_centidays, int64_t amount_ore, liability_average_result *out) HG_MUST_CHECK;

/*
 * The average model under agreement a (model AGREEMENT_AVERAGE): one result
 * per care type with the agreement's threshold and amount, and the sum in
 * *total_ore. HG_EINVAL when a is not a valid average-model agreement.
 */
hg_status liability_average_all(const agreement *a, const liability_episode_days *eps, size_t n,
				liability_average_result out[CARE_TYPE_COUNT], int64_t *total_ore) HG_MUST_CHECK;

#endif
