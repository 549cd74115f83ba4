/*
 * deadline.c - the legal deadlines of an episode (see deadline.h).
 *
 * Conventions (docs/events.md): the 24 h of the admission notice are elapsed
 * hours from the admission (or from need_judged_at), so they are 24 real hours
 * across a daylight-saving change; the day deadlines end at local midnight
 * after the N-th day strictly after the local date of the first ready notice.
 * A deadline is met when the act happened at or before due_at, and is judged
 * "as of now": an act recorded with a time after `now` has not happened yet.
 */
#include "core/deadline.h"

#include <string.h>

#include "core/calendar.h"

#define DEADLINE_HOURS_MAX 720
#define DEADLINE_DAYS_MAX 60

static const hg_code_label kinds[DEADLINE_KIND_COUNT] = {
	[DEADLINE_ADMISSION_NOTICE] = {"admission_notice", "inskrivningsmeddelande inom 24 timmar",
				       "admission notice within 24 hours"},
	[DEADLINE_CARE_CONTACT] = {"care_contact", "fast vårdkontakt utsedd inom 3 dagar",
				   "care contact appointed within 3 days"},
	[DEADLINE_SIP_CALL] = {"sip_call", "kallelse till SIP inom 3 dagar", "SIP meeting called within 3 days"},
	[DEADLINE_CARE_PLAN_CALL] = {"care_plan_call", "kallelse till samordnad vårdplan inom 3 dagar och före utskrivning",
				     "coordinated care plan called within 3 days and before discharge"},
};
static const hg_code_label states[DEADLINE_STATE_COUNT] = {
	[DEADLINE_NOT_DUE_YET] = {"not_due_yet", "ej förfallen", "not due yet"},
	[DEADLINE_DUE_TODAY] = {"due_today", "förfaller i dag", "due today"},
	[DEADLINE_MET] = {"met", "uppfylld i tid", "met"},
	[DEADLINE_MET_LATE] = {"met_late", "uppfylld för sent", "met late"},
	[DEADLINE_OVERDUE] = {"overdue", "försenad", "overdue"},
	[DEADLINE_NOT_APPLICABLE] = {"not_applicable", "ej tillämplig", "not applicable"},
};
static const hg_code_label counts[DEADLINE_COUNT_KIND_COUNT] = {
	[DEADLINE_COUNT_CALENDAR] = {"calendar", "kalenderdagar", "calendar days"},
	[DEADLINE_COUNT_WEEKDAYS] = {"weekdays", "vardagar", "weekdays"},
};

#define LABEL_FUNCS(type, prefix, table, n)                                                                  \
	const hg_code_label *prefix##_label(type v) { return (unsigned)v < (n) ? &table[v] : &table[0]; }   \
	bool prefix##_from_code(const char *code, type *out)                                                 \
	{                                                                                                    \
		int i;                                                                                       \
		if (!hg_code_find(table, (n), code, &i))                                                     \
			return false;                                                                        \
		*out = (type)i;                                                                              \
		return true;                                                                                 \
	}

LABEL_FUNCS(deadline_kind, deadline_kind, kinds, DEADLINE_KIND_COUNT)
LABEL_FUNCS(deadline_state, deadline_state, states, DEADLINE_STATE_COUNT)
LABEL_FUNCS(deadline_count, deadline_count, counts, DEADLINE_COUNT_KIND_COUNT)

deadline_rules deadline_rules_default(void)
{
	return (deadline_rules){.notice_hours = 24, .care_contact_days = 3, .sip_days = 3,
				.count = DEADLINE_COUNT_CALENDAR, .eves_are_holidays = false};
}

bool deadline_rules_equal(const deadline_rules *a, const deadline_rules *b)
{
	return a->notice_hours == b->notice_hours && a->care_contact_days == b->care_contact_days &&
	       a->sip_days == b->sip_days && a->count == b->count && a->eves_are_holidays == b->eves_are_holidays;
}

hg_status deadline_rules_validate(const deadline_rules *r)
{
	if (r->notice_hours < 1 || r->notice_hours > DEADLINE_HOURS_MAX)
		return HG_EINVAL;
	if (r->care_contact_days < 1 || r->care_contact_days > DEADLINE_DAYS_MAX)
		return HG_EINVAL;
	if (r->sip_days < 1 || r->sip_days > DEADLINE_DAYS_MAX)
		return HG_EINVAL;
	if ((unsigned)r->count >= DEADLINE_COUNT_KIND_COUNT)
		return HG_EINVAL;
	return HG_OK;
}

hg_instant deadline_day_end(hg_date from, int n, const deadline_rules *r)
{
	hg_date last = r->count == DEADLINE_COUNT_WEEKDAYS ? cal_nth_weekday_after(from, n, r->eves_are_holidays)
							    : from + n;
	return cal_local_midnight(last + 1) - 1;
}

/* State of an applicable deadline with a trigger, as of now. */
static void judge(deadline *d, hg_instant done_at, hg_instant now)
{
	if (done_at != HG_INSTANT_NONE && done_at <= now) {
		d->met_at = done_at;
		d->state = done_at <= d->due_at ? DEADLINE_MET : DEADLINE_MET_LATE;
	} else if (now > d->due_at) {
		d->state = DEADLINE_OVERDUE;
	} else if (cal_local_date(now) == cal_local_date(d->due_at)) {
		d->state = DEADLINE_DUE_TODAY;
	} else {
		d->state = DEADLINE_NOT_DUE_YET;
	}
}

static bool happened(hg_instant t, hg_instant now) { return t != HG_INSTANT_NONE && t <= now; }

/* A deadline that runs from the first ready notice; due_at may be cut by the discharge. */
static void from_ready(const deadline_inputs *in, deadline *d, int days, bool until_discharge, hg_instant done_at,
		       const deadline_rules *r, hg_instant now)
{
	if (!happened(in->ready_at, now)) {
		d->state = happened(in->discharged_at, now) ? DEADLINE_NOT_APPLICABLE : DEADLINE_NOT_DUE_YET;
		return;
	}
	d->starts_at = in->ready_at;
	d->due_at = deadline_day_end(cal_local_date(in->ready_at), days, r);
	if (until_discharge && happened(in->discharged_at, now) && in->discharged_at < d->due_at)
		d->due_at = in->discharged_at;
	judge(d, done_at, now);
}

void deadline_inputs_of(const episode_state *st, deadline_inputs *out)
{
	*out = (deadline_inputs){
		.applies = !st->cancelled && st->status != EPISODE_EMPTY,
		.admitted_at = st->admitted_at,
		.need_judged_at = st->need_judged_at,
		.notice_at = st->notice_at,
		.ready_at = st->ready_period_count > 0 ? st->ready_periods[0].start : HG_INSTANT_NONE,
		.discharged_at = st->discharged_at,
		.care_contact_at = st->care_contact_first_at,
		.sip_called_at = st->sip_called_at,
		.green = st->track_is_set && st->track == TRACK_GREEN,
		.care_plan = episode_has_care_plan(st),
		.care_plan_called_at = st->care_plan_called_at,
	};
}

hg_status deadline_evaluate(const episode_state *st, const deadline_rules *r, hg_instant now,
			    deadline out[static DEADLINE_KIND_COUNT])
{
	deadline_inputs in;
	deadline_inputs_of(st, &in);
	return deadline_evaluate_inputs(&in, r, now, out);
}

hg_status deadline_in_force(const episode_state *st, hg_instant now, deadline out[static DEADLINE_KIND_COUNT])
{
	deadline_inputs in;
	deadline_inputs_of(st, &in);
	return deadline_in_force_inputs(&in, now, out);
}

hg_status deadline_in_force_inputs(const deadline_inputs *in, hg_instant now, deadline out[static DEADLINE_KIND_COUNT])
{
	deadline_rules rules = deadline_rules_default();
	return deadline_evaluate_inputs(in, &rules, now, out);
}

hg_status deadline_evaluate_inputs(const deadline_inputs *in, const deadline_rules *r, hg_instant now,
				  deadline out[static DEADLINE_KIND_COUNT])
{
	if (deadline_rules_validate(r))
		return HG_EINVAL;
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++)
		out[k] = (deadline){.kind = (deadline_kind)k, .state = DEADLINE_NOT_APPLICABLE,
				    .starts_at = HG_INSTANT_NONE, .due_at = HG_INSTANT_NONE, .met_at = HG_INSTANT_NONE};
	if (!in->applies || !happened(in->admitted_at, now))
		return HG_OK;

	/* Admission notice: 24 elapsed hours from admission, or from when the need was judged. */
	deadline *d = &out[DEADLINE_ADMISSION_NOTICE];
	d->starts_at = in->need_judged_at != HG_INSTANT_NONE ? in->need_judged_at : in->admitted_at;
	d->due_at = d->starts_at + (hg_instant)r->notice_hours * 3600;
	if (!happened(in->notice_at, now) && happened(in->discharged_at, now) && in->discharged_at <= d->due_at)
		d->state = DEADLINE_NOT_APPLICABLE; /* out before the deadline, no need identified */
	else
		judge(d, in->notice_at, now);

	from_ready(in, &out[DEADLINE_CARE_CONTACT], r->care_contact_days, true, in->care_contact_at, r, now);

	if (in->care_plan) {
		/* LPT/LRV: the plan instead of the SIP, whatever the track; established before the patient leaves */
		from_ready(in, &out[DEADLINE_CARE_PLAN_CALL], r->sip_days, true, in->care_plan_called_at, r, now);
		return HG_OK;
	}
	if (in->green)
		return HG_OK; /* no SIP on the green track: stays not_applicable */
	from_ready(in, &out[DEADLINE_SIP_CALL], r->sip_days, false, in->sip_called_at, r, now);
	return HG_OK;
}
