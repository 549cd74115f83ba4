/*
 * deadline.h - the legal deadlines of an episode and their state at a moment.
 *
 * SFS 2017:612 sets three deadlines that the follow-up groups measure: the
 * admission notice within 24 hours (of the admission, or of the moment the
 * need was first judged); the care contact (fast vårdkontakt) appointed no
 * later than 3 days after the ready-for-discharge notice and before the
 * discharge; and the SIP meeting called no later than 3 days after the ready
 * notice (not on the green track). A patient who leaves for open compulsory
 * psychiatric care (LPT 7 a §, LRV 12 a §) gets a samordnad vårdplan instead of
 * a SIP: the SIP deadline does not apply, and the plan's call has the same
 * number of days (sip_days) and must come before the discharge, since the plan
 * is established before the patient leaves. How "3 days" is counted is configuration
 * (deadline_rules), not code. Everything is computed in Europe/Stockholm local
 * time through calendar.h; docs/events.md states the conventions.
 */
#ifndef HG_DEADLINE_H
#define HG_DEADLINE_H

#include <stdbool.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/episode.h"
#include "core/status.h"

typedef enum deadline_kind {
	DEADLINE_ADMISSION_NOTICE = 0,
	DEADLINE_CARE_CONTACT,
	DEADLINE_SIP_CALL,
	DEADLINE_CARE_PLAN_CALL, /* LPT/LRV: the samordnad vårdplan called instead of the SIP (issue 14.1) */
	DEADLINE_KIND_COUNT
} deadline_kind;

typedef enum deadline_state {
	DEADLINE_NOT_DUE_YET = 0, /* open, and the last day has not begun (or the trigger is still to come) */
	DEADLINE_DUE_TODAY,       /* open, and `now` is on the last local day */
	DEADLINE_MET,             /* done at or before the due instant */
	DEADLINE_MET_LATE,        /* done after the due instant */
	DEADLINE_OVERDUE,         /* open after the due instant */
	DEADLINE_NOT_APPLICABLE,  /* the rule does not apply to this episode */
	DEADLINE_STATE_COUNT
} deadline_state;

typedef enum deadline_count {
	DEADLINE_COUNT_CALENDAR = 0, /* calendar days */
	DEADLINE_COUNT_WEEKDAYS,     /* Monday-Friday that are not public holidays */
	DEADLINE_COUNT_KIND_COUNT
} deadline_count;

/* How the deadlines are counted; deadline_rules_default() gives the statutory reading. */
typedef struct deadline_rules {
	int notice_hours;       /* 24 */
	int care_contact_days;  /* 3 */
	int sip_days;           /* 3 */
	deadline_count count;   /* calendar days */
	bool eves_are_holidays; /* with weekdays: midsummer, Christmas and New Year's eve do not count */
} deadline_rules;

/* One deadline of one episode, evaluated at `now`. */
typedef struct deadline {
	deadline_kind kind;
	deadline_state state;
	hg_instant starts_at; /* the trigger: admission / need judged / first ready notice; NONE if none yet */
	hg_instant due_at;    /* the last instant that is still on time; NONE while there is no trigger */
	hg_instant met_at;    /* when it was done (at or before now), or NONE */
} deadline;

/* 24 h, 3 and 3 calendar days, no eves: the rules in force (deadline_in_force). */
deadline_rules deadline_rules_default(void);
/* Whether a and b count every deadline alike. */
bool deadline_rules_equal(const deadline_rules *a, const deadline_rules *b);
/* HG_EINVAL when a number is outside 1..720 hours / 1..60 days or a code is out of range. */
hg_status deadline_rules_validate(const deadline_rules *r) HG_MUST_CHECK;

/*
 * The last second (local 23:59:59) of the n-th day strictly after local date
 * `from`, counting calendar days or weekdays as the rules say.
 */
hg_instant deadline_day_end(hg_date from, int n, const deadline_rules *r);

/*
 * Evaluates every deadline of st at instant now into out[kind]. Events after
 * `now` do not count as done (the state is "as of now"). HG_EINVAL when the
 * rules are invalid.
 */
hg_status deadline_evaluate(const episode_state *st, const deadline_rules *r, hg_instant now,
			    deadline out[static DEADLINE_KIND_COUNT]) HG_MUST_CHECK;

/*
 * The instants of a fold that the deadlines are judged from, apart from the
 * fold (20 kB) so that the follow-up facts (facts.h) keep them per episode and
 * judge them again at any "as of" instant: deadline_evaluate(st) is
 * deadline_evaluate_inputs(deadline_inputs_of(st)).
 */
typedef struct deadline_inputs {
	bool applies;            /* false for a cancelled or empty episode: nothing applies */
	hg_instant admitted_at;
	hg_instant need_judged_at;
	hg_instant notice_at;    /* the first admission notice */
	hg_instant ready_at;     /* the start of the first ready period */
	hg_instant discharged_at;
	hg_instant care_contact_at; /* the first appointment */
	hg_instant sip_called_at;   /* the first call */
	bool green;              /* the green track: no SIP */
	bool care_plan;          /* LPT/LRV: a samordnad vårdplan instead of a SIP */
	hg_instant care_plan_called_at; /* the first call of the plan */
} deadline_inputs;

void deadline_inputs_of(const episode_state *st, deadline_inputs *out);
hg_status deadline_evaluate_inputs(const deadline_inputs *in, const deadline_rules *r, hg_instant now,
				  deadline out[static DEADLINE_KIND_COUNT]) HG_MUST_CHECK;

/*
 * The deadlines of st (or of its inputs) at instant now under the rules in
 * force, deadline_rules_default(): the one entry point through which the read
 * models, the stores' projections, the API's episode and worklist and the
 * follow-up facts judge an episode's deadlines, so that the rules are read in
 * this one place. HG_EINVAL only if the rules in force were invalid.
 */
hg_status deadline_in_force(const episode_state *st, hg_instant now,
			    deadline out[static DEADLINE_KIND_COUNT]) HG_MUST_CHECK;
hg_status deadline_in_force_inputs(const deadline_inputs *in, hg_instant now,
				   deadline out[static DEADLINE_KIND_COUNT]) HG_MUST_CHECK;

const hg_code_label *deadline_kind_label(deadline_kind k);
bool deadline_kind_from_code(const char *code, deadline_kind *out);
const hg_code_label *deadline_state_label(deadline_state s);
bool deadline_state_from_code(const char *code, deadline_state *out);
const hg_code_label *deadline_count_label(deadline_count c);
bool deadline_count_from_code(const char *code, deadline_count *out);

#endif
