/*
 * episode.h - the current state of an episode as a fold over its events, and
 * the rules on the order of events.
 *
 * The store keeps events; everything else is derived by replaying them here.
 * episode_fold() replays a stored sequence and detects one that breaks a rule;
 * episode_append() is what the store calls before it appends, and gives the
 * same state as folding the longer sequence. Corrections (corrects_seq) and
 * cancellations change the meaning of earlier events, so the fold works on the
 * *effective* sequence: cancelled events, and acknowledgements and replies to
 * them, are dropped; a correction takes the place (and the seq) of the event it
 * corrects; the remaining events are checked and applied in order. A
 * cancellation or correction that would make a later event break a rule is
 * rejected (cancel the later event first). Cancelling the admission cancels the
 * whole episode. docs/events.md lists every rule with its reason code.
 *
 * Authorisation (which user may act for which unit) belongs to the adapters;
 * the fold checks only what the events themselves say: the author's unit kind
 * may author the type, an acknowledgement comes from a recipient of the notice,
 * outpatient and municipal actions come from a unit that a notice was sent to,
 * and a correction or cancellation comes from the unit that wrote the original.
 *
 * Recording rules: some rules concern what a new event must carry or may do
 * when it is recorded (the admission notice's reason, address and recipients;
 * information to a party whose consent is declined). An event is judged by the
 * rules in force when it was recorded, so episode_check_append, episode_apply
 * and episode_append apply them to the new event, and episode_fold, which
 * replays a stored history, does not: a notice stored before the reason was
 * required stays valid. docs/events.md marks these rules.
 *
 * The state is a plain value with fixed buffers (about 20 kB): copy it freely.
 */
#ifndef HG_EPISODE_H
#define HG_EPISODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/event.h"
#include "core/status.h"

#define EPISODE_RECIPIENTS_MAX 16   /* distinct units notified in one episode */
#define EPISODE_DATE_HISTORY_MAX 16 /* expected dates kept (the latest ones); the count is unbounded */
#define EPISODE_READY_PERIODS_MAX 16
#define EPISODE_NOTICES_MAX 128     /* notices that can be acknowledged */
#define EPISODE_REQUESTS_MAX 64     /* information requests that can be answered */
#define EPISODE_CONSENTS_MAX 16     /* parties (organisations) with a consent record */
#define EPISODE_EVENTS_MAX 4096     /* stored events of one episode, corrections included */
#define EPISODE_CARE_CHANGES_MAX 32 /* changes of care type kept (the later ones merge into the last) */
#define EPISODE_LEAVES_MAX 32       /* leave periods kept (the later ones merge into the last) */

typedef enum episode_status {
	EPISODE_EMPTY = 0,  /* no admission yet */
	EPISODE_ADMITTED,   /* in hospital, not ready for discharge */
	EPISODE_READY,      /* in hospital, ready for discharge (utskrivningsklar) */
	EPISODE_DISCHARGED,
	EPISODE_CANCELLED,  /* the admission was cancelled: the episode was recorded in error */
	EPISODE_STATUS_COUNT
} episode_status;

const hg_code_label *episode_status_label(episode_status s);
bool episode_status_from_code(const char *code, episode_status *out);

/* A unit that received at least one notice in the episode. */
typedef struct episode_recipient {
	event_party party;
	hg_instant notified_at;      /* first admission notice to it, or NONE */
	int32_t notice_seq;          /* seq of that notice, or 0 */
	hg_instant notice_ack_at;    /* its acknowledgement of that notice, or NONE */
	hg_instant ready_notified_at; /* latest ready notice to it, or NONE */
	int32_t ready_seq;            /* seq of that ready notice, or 0 */
	hg_instant ready_ack_at;      /* its acknowledgement of that ready notice, or NONE */
} episode_recipient;

/* A period [start, end) in which the patient was ready for discharge. */
typedef struct episode_ready_period {
	hg_instant start;  /* occurred_at of the ready notice */
	hg_instant end;    /* withdrawal or discharge; NONE while open */
	int32_t start_seq; /* seq of the ready notice */
	int32_t end_seq;   /* seq of the withdrawal or discharge; 0 while open */
	uint32_t notified; /* bit i: recipients[i] got this ready notice */
} episode_ready_period;

/* A move to a ward of another care type (a transfer that changed the care type). */
typedef struct episode_care_change {
	hg_instant at;
	care_type care;
} episode_care_change;

/* A leave (permission) [start, end); end NONE while on leave. */
typedef struct episode_leave {
	hg_instant start, end;
} episode_leave;

typedef struct episode_date_change {
	hg_date date;
	hg_instant changed_at;
	int32_t seq;
} episode_date_change;

/* A notice that recipients acknowledge. */
typedef struct episode_notice {
	int32_t seq;         /* seq of the notice (of the original when corrected) */
	int32_t version_seq; /* seq of the correction in force, or == seq; acknowledging either counts */
	event_type type;
	hg_instant sent_at;
	uint32_t to;    /* bit i: recipients[i] */
	uint32_t acked; /* bit i: recipients[i] has acknowledged */
} episode_notice;

typedef struct episode_request {
	int32_t seq;
	int32_t version_seq; /* seq of the correction in force, or == seq */
	event_party to;
	char from_org[HG_ID_MAX]; /* the asking party's organisation: a reply goes to it */
	int replies;
} episode_request;

/* The latest consent record of one party (organisation). */
typedef struct episode_consent {
	char org[HG_ID_MAX];
	consent_state state;
	char scope[HG_ID_MAX];
	consent_how how;
	hg_instant at;
	int32_t seq;
} episode_consent;

typedef struct episode_state {
	int64_t id; /* the store's episode id; the fold keeps whatever the caller set */
	episode_status status;
	bool cancelled;
	int32_t last_seq; /* seq of the last stored event (raw, including corrections and cancellations) */

	/* admission */
	event_patient patient;
	char hospital[HG_ID_MAX];
	char admitting_ward[HG_ID_MAX];
	char ward[HG_ID_MAX]; /* current ward */
	care_type care;       /* care type of the current ward */
	hg_instant admitted_at;
	int transfers;
	care_type admitted_care; /* care type of the admitting ward */
	int care_change_count;   /* transfers that changed the care type, in order (the nights' amounts follow them) */
	episode_care_change care_changes[EPISODE_CARE_CHANGES_MAX];

	/* leave (permission) */
	bool on_leave;
	hg_instant leave_started_at;
	int leaves;
	int leave_count; /* leave periods in order (nights on leave may be free under the agreement) */
	episode_leave leave_periods[EPISODE_LEAVES_MAX];

	/* admission notice */
	hg_instant notice_at; /* first admission notice, or NONE */
	int32_t notice_seq;
	hg_instant need_judged_at; /* from the first notice, or NONE */
	int notices_sent;          /* admission notices (a second one adds recipients) */
	admission_reason notice_reason; /* of the latest notice that stated one */
	int recipient_count;
	episode_recipient recipients[EPISODE_RECIPIENTS_MAX];

	/* expected discharge date */
	hg_date expected_date;       /* current, or NONE */
	hg_date first_expected_date; /* from the first notice */
	int date_changes;            /* expected_date_changed events (follow-up "ändrat datum") */
	int date_history_count;
	episode_date_change date_history[EPISODE_DATE_HISTORY_MAX]; /* oldest first; the latest ones */

	/* ready for discharge */
	hg_instant ready_at; /* start of the open ready period, or NONE */
	int ready_period_count;
	episode_ready_period ready_periods[EPISODE_READY_PERIODS_MAX];
	int withdrawals;

	/* process track */
	bool track_is_set;
	track_colour track;
	hg_instant track_set_at;
	int track_changes;

	int consent_count;
	episode_consent consents[EPISODE_CONSENTS_MAX];

	/* care contact (fast vårdkontakt): the latest appointment; first_at for the deadline */
	char care_contact_name[HG_NAME_MAX];
	char care_contact_title[HG_NAME_MAX];
	char care_contact_phone[EVENT_PHONE_MAX];
	char care_contact_unit[HG_ID_MAX];
	hg_instant care_contact_at;       /* latest appointment, or NONE */
	hg_instant care_contact_first_at; /* first appointment, or NONE */

	/* SIP */
	hg_instant sip_called_at; /* first call, or NONE */
	hg_instant sip_meeting_at; /* latest call's meeting time */
	sip_place sip_place;
	hg_instant sip_held_at; /* latest, or NONE */
	sip_place sip_held_place;
	hg_date sip_follow_up_date;
	char sip_called_by[HG_ID_MAX]; /* unit of the latest call (primary care or the municipality) */
	unsigned sip_participants;     /* of the latest SIP held: EVENT_SIP_PARTY_BIT() set */
	event_sip_actions sip_actions; /* who does what, by when (latest SIP held) */

	hg_instant municipality_ready_at; /* first, or NONE */
	char municipality_ready_org[HG_ID_MAX];

	/* compulsory psychiatric care (issue 14.1): a samordnad vårdplan instead of a SIP */
	legal_form legal_form;              /* LEGAL_FORM_NONE: voluntary care, a SIP */
	hg_instant care_plan_called_at;     /* first call, or NONE */
	hg_instant care_plan_meeting_at;    /* latest call's meeting time, or NONE */
	sip_place care_plan_place;
	hg_instant care_plan_established_at; /* latest, or NONE */
	hg_date care_plan_follow_up_date;
	hg_instant chief_physician_applied_at; /* or NONE */

	/* the municipality's own steps (issue 14.3) and its plan (issue 18.3); the first of each */
	hg_instant municipal_report_at;      /* admission notice taken in as a report (anmälan) */
	hg_instant municipal_contact_at;     /* contact with the patient */
	hg_instant municipal_application_at; /* application received */
	hg_instant municipal_decision_at;    /* first decision; the latest one's content below */
	decision_outcome municipal_decision_outcome;
	unsigned municipal_decision_services; /* EVENT_SERVICE_BIT() set */
	hg_instant municipal_plan_at;        /* latest plan, or NONE */
	unsigned municipal_plan_services;    /* EVENT_SERVICE_BIT() set */
	hg_date municipal_can_receive_on;    /* the date the municipality can receive the patient */
	bool municipal_short_term_care;
	hg_instant home_care_started_at;

	/* the discharge step (issue 14.4) */
	hg_instant information_transferred_at; /* latest, or NONE */
	unsigned information_items;            /* EVENT_ITEM_BIT() set: every item sent so far */
	hg_instant patient_informed_at;        /* or NONE */
	hg_instant responsibility_taken_over_at; /* by the care contact's unit, or NONE */
	char responsibility_unit[HG_ID_MAX];
	int32_t discharge_notice_seq;          /* the discharge as a notice to the parties, or 0 */

	/* children as relatives (barn som anhöriga, issue 14.7): the latest record */
	bool children_as_relatives;
	hg_instant children_as_relatives_at; /* or NONE: never recorded */

	hg_instant discharged_at; /* or NONE */
	discharge_destination destination;

	int deviations;
	int info_requests;
	int info_replies;
	int cancellations; /* raw count of cancelled events */
	int corrections;   /* raw count of correcting events */

	int notice_count;
	episode_notice notices[EPISODE_NOTICES_MAX];
	int request_count;
	episode_request requests[EPISODE_REQUESTS_MAX];
} episode_state;

/* The empty state: status EPISODE_EMPTY, every instant and date NONE. */
void episode_init(episode_state *st);

/*
 * Is ev allowed as the next event of the episode whose state is st? Checks the
 * fields (event_validate_fields) and the sequence rules. Corrections and
 * cancellations need the earlier events: they get EVR_HISTORY_REQUIRED here;
 * use episode_append(). HG_OK or the reason's status with *err filled.
 */
hg_status episode_check_append(const episode_state *st, const event *ev, event_error *err) HG_MUST_CHECK;

/* episode_check_append, then applies ev to *st. On failure *st is unchanged. */
hg_status episode_apply(episode_state *st, const event *ev, event_error *err) HG_MUST_CHECK;

/*
 * What the store calls before appending ev: history[0..n) are the stored
 * events of the episode in seq order and *st is their fold. ev->seq is 0 (it
 * will get n + 1) or n + 1. Ordinary events are checked and applied to *st; a
 * correction or cancellation re-folds history + ev. On success *st is the fold
 * of history + ev (with last_seq = n + 1); on failure *st is unchanged.
 */
/* True when episode_append needs the stored events to judge ev (a correction or a cancellation);
 * an ordinary event is judged from the folded state alone. */
bool episode_append_needs_history(const event *ev);

hg_status episode_append(episode_state *st, const event *history, size_t n, const event *ev,
			 event_error *err) HG_MUST_CHECK;

/*
 * Replays evs[0..n) (seq 1..n in order) into *out with the same rules. On
 * failure err->seq names the first event that breaks a rule and *out holds the
 * state before it.
 */
hg_status episode_fold(const event *evs, size_t n, episode_state *out, event_error *err) HG_MUST_CHECK;

/* ---- questions about a stored history (events in seq order) ---- */

/* True when history[0..n) holds a cancellation of event seq. */
bool episode_event_cancelled(const event *history, size_t n, int32_t seq);
/* The latest original (not a correction) event of a type in history[0..n) that is not cancelled, or NULL:
 * what a records system's update or cancellation of "the current" notice refers to. */
const event *episode_latest_live(const event *history, size_t n, event_type type);

/* ---- facts for liability, invoicing and follow-up ---- */

/* Index in st->recipients of unit, or -1. */
int episode_recipient_index(const episode_state *st, const char *unit);
/* True when unit is the admitting or current ward or a recipient of a notice. */
bool episode_is_party(const episode_state *st, const char *unit);

/* Local date of the first (non-cancelled) ready notice, or HG_DATE_NONE. */
hg_date episode_ready_date(const episode_state *st);
/*
 * Ready-days (nights spent while ready) up to local date `at`: for each ready
 * period, the nights starting on dates D with R <= D < min(E, at), where R is
 * the local date of its start and E the local date of its end (or `at` while
 * open). Discharged the same day as ready: 0.
 */
int episode_ready_days_at(const episode_state *st, hg_date at);
/*
 * When an admission notice was sent to a unit of organisation org (a
 * municipality code or region code): *at = the first such notice. False when
 * none was.
 */
bool episode_notice_sent_to_org(const episode_state *st, const char *org, hg_instant *at);
/* Same for the ready notice that opened ready period `period` (0-based). */
bool episode_ready_notice_sent_to_org(const episode_state *st, int period, const char *org, hg_instant *at);
/* The latest consent record of organisation org, or NULL. */
const episode_consent *episode_consent_of(const episode_state *st, const char *org);

/* True when the patient gets a samordnad vårdplan (LPT 7 a §, LRV 12 a §) instead of a SIP. */
bool episode_has_care_plan(const episode_state *st);

/* What is still to do in the care process: core/todo.h (episode_care_todos). */
/* The information items not sent: EVENT_ITEMS_ALL without those transferred (0 once all are). */
unsigned episode_information_missing(const episode_state *st);
/*
 * Whether the municipality is ready to receive the patient (hemgångsklar) on
 * local date today: it said so (municipality_ready), or its plan's date has come.
 */
bool episode_municipality_ready_on(const episode_state *st, hg_date today);

/* Warnings on a discharge that is allowed but should be looked at (bits of episode_warning). */
typedef enum episode_warning {
	WARNING_SIP_NOT_HELD = 0,   /* a SIP was called and has not been held */
	WARNING_CARE_PLAN_MISSING,  /* LPT/LRV and the samordnad vårdplan is not established */
	WARNING_COUNT
} episode_warning;
const hg_code_label *episode_warning_label(episode_warning w);
/* The warnings on the discharge of st (before it is applied). */
unsigned episode_discharge_warnings(const episode_state *st);

#endif
