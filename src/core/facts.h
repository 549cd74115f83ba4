/*
 * facts.h - the follow-up facts of one episode: the compact row from which
 * every indicator (indicator.h), the point measurement (point.h) and the
 * forecast (forecast.h) are computed, so that a report never refolds events.
 *
 * facts_derive() takes the fold of an episode (and its events, for the
 * deviations in force) and keeps what follow-up needs: where (registered
 * municipality, hospital, ward, the patient for readmissions), small codes
 * (care type, track, destination, SIP place, age at admission), instants and
 * local dates as day numbers (admission, discharge, ready periods, the acts
 * the deadlines look at, acknowledgements, deviations), counts (changed
 * dates, withdrawals) and the liability input of the stay as billing_input()
 * gives it. The store keeps one row per episode, rewritten in the transaction
 * of every append and by a rebuild (store/followup_store.h).
 *
 * A row holds nothing that depends on "now" or on the agreements: what does
 * is judged when the row is added to an indicator set, at the set's "as of"
 * instant and under the set's agreements, from the raw values kept here:
 *   - the deadlines: deadline_evaluate_inputs() over facts_row.deadlines;
 *   - the liable nights: billing_stay_judge_input() over the liability input,
 *     with the agreement in force on the first ready date for the
 *     municipality (an agreement imported later changes the next report);
 *   - ready nights and liability of a stay in progress run to the "as of" date.
 * So a row is the same whenever it is written, and a report from rows equals
 * a report from a refold of every event (tests/followup/facts.sh checks it).
 *
 * facts_encode()/facts_decode() give the row's stored form: a versioned byte
 * string of varints (about 200 bytes for a typical episode). Pure: no I/O.
 */
#ifndef HG_FACTS_H
#define HG_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/deadline.h"
#include "core/domain.h"
#include "core/episode.h"
#include "core/event.h"
#include "core/liability.h"
#include "core/status.h"

#define FACTS_VERSION 2             /* of the stored form; a new layout is a new number (1 still reads) */
#define FACTS_DEVIATIONS_MAX 64     /* deviations in force kept per episode */
#define FACTS_PERIODS_MAX EPISODE_READY_PERIODS_MAX
#define FACTS_RECIPIENTS_MAX EPISODE_RECIPIENTS_MAX
#define FACTS_ENCODED_MAX 16384     /* ceiling on the stored form of one row */

/* A ready period: [start, end), end NONE while open; from/to their local dates. */
typedef struct facts_period {
	hg_instant start, end;
	hg_date from, to; /* to NONE while open */
} facts_period;

/* A deviation in force (not cancelled; a correction replaces the original). */
typedef struct facts_deviation {
	hg_instant at;
	hg_date date; /* its local date */
	deviation_category category;
	char party[HG_ID_MAX]; /* the organisation it concerns */
} facts_deviation;

/* A unit that was sent a notice, and when it acknowledged. */
typedef struct facts_recipient {
	char unit[HG_ID_MAX];
	unit_kind kind;
	hg_instant notified_at, notice_ack_at;     /* the first admission notice; NONE: none */
	hg_instant ready_notified_at, ready_ack_at; /* the latest ready notice; NONE: none */
	hg_date notified, ready_notified;          /* local dates of the two notices, or NONE */
} facts_recipient;

typedef struct facts_row {
	int64_t id;
	char municipality[EVENT_MUNICIPALITY_SIZE]; /* registered municipality */
	char hospital[HG_ID_MAX];
	char ward[HG_ID_MAX];                       /* the current (at discharge: the last) ward */
	char patient[EVENT_PNR_SIZE];               /* links readmissions of one patient */
	care_type care;
	int age;         /* at admission; -1 unknown (reserve number) */
	int track;       /* track_colour, or -1 when not set */
	discharge_destination destination;
	int sip_held_place; /* sip_place, or -1 when no SIP was held */
	hg_instant admitted_at;
	hg_date admitted;   /* local date */
	hg_instant discharged_at; /* NONE unless the status is discharged */
	hg_date discharged;       /* its local date, or NONE */
	hg_date expected_date;
	hg_instant sip_meeting_at;        /* of the latest call, NONE without a call */
	hg_instant sip_held_at, municipality_ready_at;
	hg_instant municipal_decision_at;  /* the municipality's first decision on assistance (issue 14.3) */
	bool children_as_relatives;        /* barn som anhöriga (issue 14.7) */
	int date_changes, withdrawals;
	deadline_inputs deadlines;        /* judged at the set's "as of" instant */
	/* The judgement under deadline_rules_default() once it can no longer change: at every instant
	 * from deadlines_settled on (every act and every due instant past), the states are these. */
	hg_instant deadlines_settled;
	deadline_state settled[DEADLINE_KIND_COUNT];
	/* The liability input billing_input() gave (until aside; the discharge is deadlines.discharged_at);
	 * has_liability false when it refused the stay. */
	bool has_liability;
	hg_date ready_date;               /* first ready date: picks the agreement */
	bool admission_notice_sent, ready_notice_sent, sip_needed, sip_called;
	uint32_t billing_open;            /* bit i: billing_input left period i open (ended by the discharge) */
	care_type liability_care;         /* its care type: the ward's before the first move */
	size_t n_periods;
	facts_period periods[FACTS_PERIODS_MAX];
	size_t n_moves;                   /* its moves between care types, in date order */
	liability_move moves[LIABILITY_MOVES_MAX];
	size_t n_leaves;                  /* its leaves (permission) */
	liability_leave leaves[LIABILITY_LEAVES_MAX];
	size_t n_deviations;
	facts_deviation deviations[FACTS_DEVIATIONS_MAX];
	size_t n_recipients;
	facts_recipient recipients[FACTS_RECIPIENTS_MAX];
} facts_row;

/*
 * The facts of the fold st (its id in st->id) into *out; evs[0..n) are its
 * stored events (for the deviations in force; NULL, 0: none) and `last`, when
 * not NULL, one more event after them (the one being appended). False, with
 * *out cleared, when the episode has no facts: cancelled or never admitted.
 */
bool facts_derive(const episode_state *st, const event *evs, size_t n, const event *last, facts_row *out);

/*
 * The deviations in force among evs[0..n) and `last` (may be NULL) into
 * out[0..cap); *n_out gets how many (at most cap; later ones are dropped).
 * Cancelled deviations are left out; a correction takes the place of the
 * deviation it corrects.
 */
void facts_deviations(const event *evs, size_t n, const event *last, facts_deviation *out, size_t cap,
		      size_t *n_out);

/*
 * The state of each deadline of r at instant asof under rules into out: the
 * settled judgement when rules are the default ones and asof is at or after
 * deadlines_settled, otherwise deadline_evaluate_inputs(). HG_EINVAL for
 * invalid rules.
 */
hg_status facts_deadlines_at(const facts_row *r, const deadline_rules *rules, hg_instant asof,
			     deadline_state out[static DEADLINE_KIND_COUNT]) HG_MUST_CHECK;

/*
 * The deviations in force after one more ordinary event `last` (neither a
 * correction nor a cancellation: episode_append_needs_history() is false),
 * from those in force before it, prev[0..n_prev): a new deviation joins them
 * at the end, any other event leaves them. Replaces r's deviations. For a
 * writer that judged the append from a remembered fold and read no events;
 * the same list as facts_deviations over every event.
 */
void facts_deviations_after(facts_row *r, const facts_deviation *prev, size_t n_prev, const event *last);

/* The liability input of r up to `until` (a stay in progress) into *in; periods receives the periods. */
void facts_liability_input(const facts_row *r, hg_date until, liability_period periods[static FACTS_PERIODS_MAX],
			   liability_input *in);

/*
 * The stored form of r into buf[0..cap); returns its length, or 0 when cap is
 * too small (FACTS_ENCODED_MAX always suffices).
 */
size_t facts_encode(const facts_row *r, uint8_t *buf, size_t cap);
/*
 * Reads a stored form back into *out. HG_EINVAL when the bytes are not a row
 * of FACTS_VERSION (another version, truncated, or a value out of range).
 */
hg_status facts_decode(const uint8_t *buf, size_t len, facts_row *out) HG_MUST_CHECK;

#endif
