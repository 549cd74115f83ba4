/*
 * episode.c - the episode fold: the sequence rules of docs/events.md and the
 * state they build (see episode.h).
 *
 * Two layers. The ordinary layer checks and applies one event that is neither
 * a correction nor a cancellation against the current state, in O(1) with
 * respect to the history. The raw layer handles corrections and cancellations:
 * it checks what they point to in the stored history, then computes the
 * effective sequence (cancelled events and what hangs on them dropped, each
 * correction in the place and with the seq of what it corrects) and replays it
 * with the ordinary layer. episode_fold() is episode_append() over every prefix,
 * so a fold and a run of appends can never disagree.
 */
#include "core/episode.h"

#include <stddef.h>
#include <stdio.h> /* snprintf only */
#include <string.h>

#include "core/calendar.h"
#include "core/text.h"

static const hg_code_label statuses[EPISODE_STATUS_COUNT] = {
	[EPISODE_EMPTY] = {"empty", "ej inskriven", "not admitted"},
	[EPISODE_ADMITTED] = {"admitted", "inskriven", "admitted"},
	[EPISODE_READY] = {"ready", "utskrivningsklar", "ready for discharge"},
	[EPISODE_DISCHARGED] = {"discharged", "utskriven", "discharged"},
	[EPISODE_CANCELLED] = {"cancelled", "makulerat", "cancelled"},
};

const hg_code_label *episode_status_label(episode_status s)
{
	return (unsigned)s < EPISODE_STATUS_COUNT ? &statuses[s] : &statuses[EPISODE_EMPTY];
}

bool episode_status_from_code(const char *code, episode_status *out)
{
	int i;
	if (!hg_code_find(statuses, EPISODE_STATUS_COUNT, code, &i))
		return false;
	*out = (episode_status)i;
	return true;
}

void episode_init(episode_state *st)
{
	memset(st, 0, sizeof *st);
	st->status = EPISODE_EMPTY;
	st->admitted_at = HG_INSTANT_NONE;
	st->leave_started_at = HG_INSTANT_NONE;
	st->notice_at = HG_INSTANT_NONE;
	st->need_judged_at = HG_INSTANT_NONE;
	st->expected_date = HG_DATE_NONE;
	st->first_expected_date = HG_DATE_NONE;
	st->ready_at = HG_INSTANT_NONE;
	st->track_set_at = HG_INSTANT_NONE;
	st->care_contact_at = HG_INSTANT_NONE;
	st->care_contact_first_at = HG_INSTANT_NONE;
	st->sip_called_at = HG_INSTANT_NONE;
	st->sip_meeting_at = HG_INSTANT_NONE;
	st->sip_held_at = HG_INSTANT_NONE;
	st->sip_follow_up_date = HG_DATE_NONE;
	st->municipality_ready_at = HG_INSTANT_NONE;
	st->care_plan_called_at = HG_INSTANT_NONE;
	st->care_plan_meeting_at = HG_INSTANT_NONE;
	st->care_plan_established_at = HG_INSTANT_NONE;
	st->care_plan_follow_up_date = HG_DATE_NONE;
	st->chief_physician_applied_at = HG_INSTANT_NONE;
	st->municipal_report_at = HG_INSTANT_NONE;
	st->municipal_contact_at = HG_INSTANT_NONE;
	st->municipal_application_at = HG_INSTANT_NONE;
	st->municipal_decision_at = HG_INSTANT_NONE;
	st->municipal_plan_at = HG_INSTANT_NONE;
	st->municipal_can_receive_on = HG_DATE_NONE;
	st->home_care_started_at = HG_INSTANT_NONE;
	st->information_transferred_at = HG_INSTANT_NONE;
	st->patient_informed_at = HG_INSTANT_NONE;
	st->responsibility_taken_over_at = HG_INSTANT_NONE;
	st->children_as_relatives_at = HG_INSTANT_NONE;
	st->discharged_at = HG_INSTANT_NONE;
}

/* ---- small lookups ---- */

int episode_recipient_index(const episode_state *st, const char *unit)
{
	for (int i = 0; i < st->recipient_count; i++)
		if (strcmp(st->recipients[i].party.unit, unit) == 0)
			return i;
	return -1;
}

bool episode_is_party(const episode_state *st, const char *unit)
{
	if (unit[0] == '\0')
		return false;
	return strcmp(st->admitting_ward, unit) == 0 || strcmp(st->ward, unit) == 0 ||
	       episode_recipient_index(st, unit) >= 0;
}

static const episode_notice *find_notice(const episode_state *st, int32_t seq)
{
	for (int i = 0; i < st->notice_count; i++)
		if (st->notices[i].seq == seq || st->notices[i].version_seq == seq)
			return &st->notices[i];
	return NULL;
}

static const episode_request *find_request(const episode_state *st, int32_t seq)
{
	for (int i = 0; i < st->request_count; i++)
		if (st->requests[i].seq == seq || st->requests[i].version_seq == seq)
			return &st->requests[i];
	return NULL;
}

static int consent_index(const episode_state *st, const char *org)
{
	for (int i = 0; i < st->consent_count; i++)
		if (strcmp(st->consents[i].org, org) == 0)
			return i;
	return -1;
}

const episode_consent *episode_consent_of(const episode_state *st, const char *org)
{
	int i = consent_index(st, org);
	return i < 0 ? NULL : &st->consents[i];
}

/* Recipients a ready notice goes to: its own list, or everyone an admission notice went to. */
static void ready_recipients(const episode_state *st, const event *ev, event_recipients *out)
{
	const event_recipients *own = &ev->u.ready_for_discharge.recipients;
	if (own->count > 0) {
		*out = *own;
		return;
	}
	memset(out, 0, sizeof *out);
	for (int i = 0; i < st->recipient_count && out->count < EVENT_RECIPIENTS_MAX; i++)
		if (st->recipients[i].notified_at != HG_INSTANT_NONE)
			out->to[out->count++] = st->recipients[i].party;
}

/* How many units in r are not yet recipients of the episode. */
static int new_recipients(const episode_state *st, const event_recipients *r)
{
	int fresh = 0;
	for (int i = 0; i < r->count; i++)
		if (episode_recipient_index(st, r->to[i].unit) < 0)
			fresh++;
	return fresh;
}

/* The reason for an event that comes before the admission (in order or in time). */
static event_reason before_admission_reason(event_type t)
{
	switch (t) {
	case EVENT_ADMISSION_NOTICE:
		return EVR_NOTICE_BEFORE_ADMISSION;
	case EVENT_READY_FOR_DISCHARGE:
		return EVR_READY_BEFORE_ADMISSION;
	case EVENT_DISCHARGED:
		return EVR_DISCHARGE_BEFORE_ADMISSION;
	default:
		return EVR_EVENT_BEFORE_ADMISSION;
	}
}

static bool is_ordinary(const event *ev) { return ev->type != EVENT_CANCELLED && ev->corrects_seq == 0; }

/* ---- the ordinary layer: rules ---- */

/* Type-specific rules; the common ones have passed. */
static hg_status check_type_rules(const episode_state *st, const event *ev, event_error *err)
{
	hg_date admitted_date = cal_local_date(st->admitted_at);
	switch (ev->type) {
	case EVENT_ADMISSION_NOTICE: {
		const struct event_admission_notice *n = &ev->u.admission_notice;
		if (n->expected_discharge_date < admitted_date)
			return event_error_set(err, EVR_EXPECTED_DATE_BEFORE_ADMISSION, "expected_discharge_date");
		if (n->expected_discharge_date < cal_local_date(ev->occurred_at))
			return event_error_set(err, EVR_EXPECTED_DATE_BEFORE_NOTICE, "expected_discharge_date");
		if (n->need_judged_at != HG_INSTANT_NONE && n->need_judged_at < st->admitted_at)
			return event_error_set(err, EVR_TIME_OUT_OF_ORDER, "need_judged_at");
		if (st->recipient_count + new_recipients(st, &n->recipients) > EPISODE_RECIPIENTS_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "recipients");
		if (st->notice_count >= EPISODE_NOTICES_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "type");
		return HG_OK;
	}
	case EVENT_EXPECTED_DATE_CHANGED: {
		hg_date d = ev->u.expected_date_changed.date;
		if (st->notice_at == HG_INSTANT_NONE)
			return event_error_set(err, EVR_NO_ADMISSION_NOTICE, "type");
		if (d < admitted_date)
			return event_error_set(err, EVR_EXPECTED_DATE_BEFORE_ADMISSION, "expected_discharge_date");
		if (d < cal_local_date(ev->occurred_at))
			return event_error_set(err, EVR_EXPECTED_DATE_BEFORE_NOTICE, "expected_discharge_date");
		if (d == st->expected_date)
			return event_error_set(err, EVR_EXPECTED_DATE_UNCHANGED, "expected_discharge_date");
		if (st->notice_count >= EPISODE_NOTICES_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "type");
		return HG_OK;
	}
	case EVENT_ACKNOWLEDGED: {
		int32_t seq = ev->u.acknowledged.ack_seq;
		if (seq > st->last_seq)
			return event_error_set(err, EVR_ACK_UNKNOWN_SEQ, "ack_seq");
		const episode_notice *n = find_notice(st, seq);
		if (!n)
			return event_error_set(err, EVR_ACK_NOT_A_NOTICE, "ack_seq");
		int r = episode_recipient_index(st, ev->author_unit);
		if (r < 0 || !(n->to & (1u << r)))
			return event_error_set(err, EVR_ACK_NOT_ADDRESSED, "author_unit");
		if (n->acked & (1u << r))
			return event_error_set(err, EVR_ACK_DUPLICATE, "ack_seq");
		return HG_OK;
	}
	case EVENT_INFO_REQUESTED:
		if (st->request_count >= EPISODE_REQUESTS_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "type");
		return HG_OK;
	case EVENT_INFO_REPLIED: {
		const episode_request *q = find_request(st, ev->u.info_replied.reply_to_seq);
		if (!q || strcmp(q->to.unit, ev->author_unit) != 0)
			return event_error_set(err, EVR_REPLY_UNKNOWN_REQUEST, "reply_to_seq");
		return HG_OK;
	}
	case EVENT_CONSENT_RECORDED:
		if (consent_index(st, ev->author_org) < 0 && st->consent_count >= EPISODE_CONSENTS_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "author_org");
		return HG_OK;
	case EVENT_READY_FOR_DISCHARGE: {
		if (st->status == EPISODE_READY)
			return event_error_set(err, EVR_ALREADY_READY, "type");
		if (st->ready_period_count > 0 &&
		    ev->occurred_at < st->ready_periods[st->ready_period_count - 1].end)
			return event_error_set(err, EVR_TIME_OUT_OF_ORDER, "occurred_at");
		if (st->ready_period_count >= EPISODE_READY_PERIODS_MAX || st->notice_count >= EPISODE_NOTICES_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "type");
		event_recipients to;
		ready_recipients(st, ev, &to);
		if (to.count == 0)
			return event_error_set(err, EVR_NO_ADMISSION_NOTICE, "recipients");
		if (st->recipient_count + new_recipients(st, &to) > EPISODE_RECIPIENTS_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "recipients");
		return HG_OK;
	}
	case EVENT_READY_WITHDRAWN:
		if (st->status != EPISODE_READY)
			return event_error_set(err, EVR_NOT_READY, "type");
		if (ev->occurred_at < st->ready_at)
			return event_error_set(err, EVR_TIME_OUT_OF_ORDER, "occurred_at");
		if (st->notice_count >= EPISODE_NOTICES_MAX)
			return event_error_set(err, EVR_LIMIT_REACHED, "type");
		return HG_OK;
	case EVENT_DISCHARGED:
		if (st->status == EPISODE_READY && ev->occurred_at < st->ready_at)
			return event_error_set(err, EVR_TIME_OUT_OF_ORDER, "occurred_at");
		if (st->notice_count >= EPISODE_NOTICES_MAX) /* the discharge is a notice to the parties */
			return event_error_set(err, EVR_LIMIT_REACHED, "type");
		return HG_OK;
	case EVENT_CARE_PLAN_CALLED:
	case EVENT_CARE_PLAN_ESTABLISHED:
		if (st->legal_form == LEGAL_FORM_NONE)
			return event_error_set(err, EVR_NO_LEGAL_FORM, "type");
		return HG_OK;
	case EVENT_CHIEF_PHYSICIAN_APPLIED:
		if (st->legal_form == LEGAL_FORM_NONE)
			return event_error_set(err, EVR_NO_LEGAL_FORM, "type");
		if (st->care_plan_established_at == HG_INSTANT_NONE)
			return event_error_set(err, EVR_CARE_PLAN_NOT_ESTABLISHED, "type");
		return HG_OK;
	case EVENT_MUNICIPAL_DECISION:
		if (st->municipal_application_at == HG_INSTANT_NONE)
			return event_error_set(err, EVR_NO_APPLICATION, "type");
		return HG_OK;
	case EVENT_HOME_CARE_STARTED:
		if (st->municipal_decision_at == HG_INSTANT_NONE || st->municipal_decision_outcome == DECISION_REJECTED)
			return event_error_set(err, EVR_NO_DECISION, "type");
		return HG_OK;
	case EVENT_RESPONSIBILITY_TAKEN_OVER:
		if (st->care_contact_at == HG_INSTANT_NONE)
			return event_error_set(err, EVR_NO_CARE_CONTACT, "type");
		if (st->status != EPISODE_DISCHARGED)
			return event_error_set(err, EVR_NOT_DISCHARGED, "type");
		return HG_OK;
	case EVENT_LEAVE_STARTED:
		if (st->on_leave)
			return event_error_set(err, EVR_ALREADY_ON_LEAVE, "type");
		return HG_OK;
	case EVENT_LEAVE_ENDED:
		if (!st->on_leave)
			return event_error_set(err, EVR_NOT_ON_LEAVE, "type");
		if (ev->occurred_at < st->leave_started_at)
			return event_error_set(err, EVR_TIME_OUT_OF_ORDER, "occurred_at");
		return HG_OK;
	default:
		return HG_OK;
	}
}

/* The rules for an ordinary event whose fields are valid and whose seq is st->last_seq + 1. */
static hg_status check_ordinary(const episode_state *st, const event *ev, event_error *err)
{
	const event_type_info *info = event_info(ev->type);
	if (!(info->author_kinds & EVENT_KIND_BIT(ev->author_kind)))
		return event_error_set(err, EVR_AUTHOR_KIND_NOT_ALLOWED, "author_kind");
	if (st->cancelled)
		return event_error_set(err, EVR_EPISODE_CANCELLED, "type");
	if (st->status == EPISODE_EMPTY)
		return ev->type == EVENT_ADMITTED ? HG_OK : event_error_set(err, before_admission_reason(ev->type), "type");
	if (ev->type == EVENT_ADMITTED)
		return event_error_set(err, EVR_ALREADY_ADMITTED, "type");
	if (st->status == EPISODE_DISCHARGED && !info->after_discharge)
		return event_error_set(err, EVR_AFTER_DISCHARGE, "type");
	if (ev->occurred_at < st->admitted_at)
		return event_error_set(err, before_admission_reason(ev->type), "occurred_at");
	/* A party: a recipient of a notice, or the ward itself (the care plan is made in hospital). */
	if (info->needs_party && !episode_is_party(st, ev->author_unit))
		return event_error_set(err, EVR_AUTHOR_NOT_PARTY, "author_unit");
	return check_type_rules(st, ev, err);
}

/* ---- recording rules (episode.h): a new event only, never a replay ---- */

/* True when the latest consent record of org stops information going to it. */
static bool consent_blocks(const episode_state *st, const char *org)
{
	const episode_consent *k = episode_consent_of(st, org);
	return k && (k->state == CONSENT_DECLINED || k->state == CONSENT_WITHDRAWN);
}

static bool recipients_have_kind(const event_recipients *r, unit_kind kind)
{
	for (int i = 0; i < r->count; i++)
		if (r->to[i].kind == kind)
			return true;
	return false;
}

static bool notified_kind(const episode_state *st, unit_kind kind)
{
	for (int i = 0; i < st->recipient_count; i++)
		if (st->recipients[i].notified_at != HG_INSTANT_NONE && st->recipients[i].party.kind == kind)
			return true;
	return false;
}

static hg_status check_recording(const episode_state *st, const event *ev, event_error *err)
{
	switch (ev->type) {
	case EVENT_ADMISSION_NOTICE: {
		const struct event_admission_notice *n = &ev->u.admission_notice;
		if (n->reason == ADMISSION_REASON_UNSTATED)
			return event_error_set(err, EVR_REQUIRED, "reason");
		/* A protected identity's address is not spread in notices (design.md §2). */
		if (n->address[0] == '\0' && st->patient.address[0] == '\0' && !st->patient.protected_identity)
			return event_error_set(err, EVR_REQUIRED, "address");
		/* Municipal health care needed: primary care must know too (in this notice or an earlier one). */
		if (recipients_have_kind(&n->recipients, UNIT_MUNICIPAL_HEALTH) &&
		    !recipients_have_kind(&n->recipients, UNIT_PRIMARY_CARE) && !notified_kind(st, UNIT_PRIMARY_CARE))
			return event_error_set(err, EVR_PRIMARY_CARE_REQUIRED, "recipients");
		return HG_OK;
	}
	case EVENT_INFO_REQUESTED:
		if (consent_blocks(st, ev->u.info_requested.to.org))
			return event_error_set(err, EVR_CONSENT_DECLINED, "to");
		return HG_OK;
	case EVENT_INFO_REPLIED: {
		const episode_request *q = find_request(st, ev->u.info_replied.reply_to_seq);
		if (q && consent_blocks(st, q->from_org))
			return event_error_set(err, EVR_CONSENT_DECLINED, "reply_to_seq");
		return HG_OK;
	}
	case EVENT_SIP_HELD: {
		const struct event_sip_held *h = &ev->u.sip_held;
		if (h->participants == 0)
			return event_error_set(err, EVR_REQUIRED, "participants");
		if (h->place == SIP_HOSPITAL && !(h->participants & EVENT_SIP_PARTY_BIT(SIP_PARTY_WARD)))
			return event_error_set(err, EVR_SIP_WARD_REQUIRED, "participants");
		if (h->follow_up_date == HG_DATE_NONE)
			return event_error_set(err, EVR_REQUIRED, "follow_up_date");
		return HG_OK;
	}
	case EVENT_CONSENT_RECORDED: {
		const struct event_consent_recorded *k = &ev->u.consent_recorded;
		if (k->how == CONSENT_HOW_PRESUMED && consent_blocks(st, ev->author_org))
			return event_error_set(err, EVR_CONSENT_PRESUMED_AFTER_DECLINED, "how");
		return HG_OK;
	}
	default:
		return HG_OK;
	}
}

/* ---- the ordinary layer: effects ---- */

static int add_recipient(episode_state *st, const event_party *p)
{
	int i = episode_recipient_index(st, p->unit);
	if (i >= 0)
		return i;
	/* check_type_rules made room; NEVER full here */
	i = st->recipient_count++;
	episode_recipient *r = &st->recipients[i];
	memset(r, 0, sizeof *r);
	r->party = *p;
	r->notified_at = HG_INSTANT_NONE;
	r->notice_ack_at = HG_INSTANT_NONE;
	r->ready_notified_at = HG_INSTANT_NONE;
	r->ready_ack_at = HG_INSTANT_NONE;
	return i;
}

static void add_notice(episode_state *st, const event *ev, int32_t version_seq, uint32_t to)
{
	episode_notice *n = &st->notices[st->notice_count++];
	n->seq = ev->seq;
	n->version_seq = version_seq;
	n->type = ev->type;
	n->sent_at = ev->occurred_at;
	n->to = to;
	n->acked = 0;
}

/* Mask of the recipients an admission notice went to. */
static uint32_t notified_mask(const episode_state *st)
{
	uint32_t m = 0;
	for (int i = 0; i < st->recipient_count; i++)
		if (st->recipients[i].notified_at != HG_INSTANT_NONE)
			m |= 1u << i;
	return m;
}

static void push_expected_date(episode_state *st, hg_date d, const event *ev)
{
	if (st->date_history_count == EPISODE_DATE_HISTORY_MAX) {
		memmove(&st->date_history[0], &st->date_history[1],
			sizeof st->date_history[0] * (EPISODE_DATE_HISTORY_MAX - 1));
		st->date_history_count--;
	}
	st->date_history[st->date_history_count++] = (episode_date_change){d, ev->occurred_at, ev->seq};
	st->expected_date = d;
}

/* Ends the open ready period at ev. */
static void close_ready_period(episode_state *st, const event *ev)
{
	episode_ready_period *p = &st->ready_periods[st->ready_period_count - 1];
	p->end = ev->occurred_at;
	p->end_seq = ev->seq;
	st->ready_at = HG_INSTANT_NONE;
}

/* The steps of the care process that are a time only (the first one kept), and where the state keeps it. */
static const struct step_field {
	event_type type;
	size_t offset;
} step_fields[] = {
	{EVENT_CHIEF_PHYSICIAN_APPLIED, offsetof(episode_state, chief_physician_applied_at)},
	{EVENT_MUNICIPAL_REPORT_RECEIVED, offsetof(episode_state, municipal_report_at)},
	{EVENT_MUNICIPAL_PATIENT_CONTACTED, offsetof(episode_state, municipal_contact_at)},
	{EVENT_MUNICIPAL_APPLICATION_RECEIVED, offsetof(episode_state, municipal_application_at)},
	{EVENT_HOME_CARE_STARTED, offsetof(episode_state, home_care_started_at)},
	{EVENT_PATIENT_INFORMED, offsetof(episode_state, patient_informed_at)},
};

/* The time field of a step of step_fields[]; every caller passes a type of the table. */
static hg_instant *step_time(episode_state *st, event_type t)
{
	size_t i = 0;
	while (i + 1 < sizeof step_fields / sizeof step_fields[0] && step_fields[i].type != t)
		i++;
	return (hg_instant *)(void *)((char *)st + step_fields[i].offset);
}

/* Keeps the earliest time of a step: *at = ev's time unless an earlier one is kept. */
static void first_at(hg_instant *at, const event *ev)
{
	if (*at == HG_INSTANT_NONE || ev->occurred_at < *at)
		*at = ev->occurred_at;
}

/* Applies an ordinary event that passed check_ordinary. version_seq: the stored event it came from. */
static void apply_ordinary(episode_state *st, const event *ev, int32_t version_seq)
{
	switch (ev->type) {
	case EVENT_ADMITTED: {
		const struct event_admitted *a = &ev->u.admitted;
		st->status = EPISODE_ADMITTED;
		st->patient = a->patient;
		hg_copy(st->hospital, sizeof st->hospital, a->hospital);
		hg_copy(st->admitting_ward, sizeof st->admitting_ward, a->ward);
		hg_copy(st->ward, sizeof st->ward, a->ward);
		st->care = a->care;
		st->admitted_care = a->care;
		st->admitted_at = ev->occurred_at;
		break;
	}
	case EVENT_TRANSFERRED:
		hg_copy(st->ward, sizeof st->ward, ev->u.transferred.ward);
		if (ev->u.transferred.care != st->care) {
			/* Bounded: past the ceiling the last entry takes the latest change. */
			if (st->care_change_count < EPISODE_CARE_CHANGES_MAX)
				st->care_change_count++;
			st->care_changes[st->care_change_count - 1] =
				(episode_care_change){ev->occurred_at, ev->u.transferred.care};
		}
		st->care = ev->u.transferred.care;
		st->transfers++;
		break;
	case EVENT_ADMISSION_NOTICE: {
		const struct event_admission_notice *n = &ev->u.admission_notice;
		uint32_t to = 0;
		if (n->reason != ADMISSION_REASON_UNSTATED)
			st->notice_reason = n->reason;
		if (n->address[0])
			hg_copy(st->patient.address, sizeof st->patient.address, n->address);
		if (st->notice_at == HG_INSTANT_NONE) {
			st->notice_at = ev->occurred_at;
			st->notice_seq = ev->seq;
			st->need_judged_at = n->need_judged_at;
			st->first_expected_date = n->expected_discharge_date;
		}
		st->notices_sent++;
		for (int i = 0; i < n->recipients.count; i++) {
			int r = add_recipient(st, &n->recipients.to[i]);
			to |= 1u << r;
			if (st->recipients[r].notified_at == HG_INSTANT_NONE) {
				st->recipients[r].notified_at = ev->occurred_at;
				st->recipients[r].notice_seq = ev->seq;
			}
		}
		add_notice(st, ev, version_seq, to);
		/* A later notice with another date is a change of the expected date. */
		if (st->expected_date != n->expected_discharge_date) {
			if (st->expected_date != HG_DATE_NONE)
				st->date_changes++;
			push_expected_date(st, n->expected_discharge_date, ev);
		}
		break;
	}
	case EVENT_EXPECTED_DATE_CHANGED:
		st->date_changes++;
		push_expected_date(st, ev->u.expected_date_changed.date, ev);
		add_notice(st, ev, version_seq, notified_mask(st));
		break;
	case EVENT_ACKNOWLEDGED: {
		episode_notice *n = (episode_notice *)find_notice(st, ev->u.acknowledged.ack_seq);
		int r = episode_recipient_index(st, ev->author_unit);
		n->acked |= 1u << r;
		episode_recipient *rc = &st->recipients[r];
		if (n->type == EVENT_ADMISSION_NOTICE && n->seq == rc->notice_seq)
			rc->notice_ack_at = ev->occurred_at;
		if (n->type == EVENT_READY_FOR_DISCHARGE && n->seq == rc->ready_seq)
			rc->ready_ack_at = ev->occurred_at;
		break;
	}
	case EVENT_INFO_REQUESTED: {
		episode_request *q = &st->requests[st->request_count++];
		q->seq = ev->seq;
		q->version_seq = version_seq;
		q->to = ev->u.info_requested.to;
		hg_copy(q->from_org, sizeof q->from_org, ev->author_org);
		q->replies = 0;
		st->info_requests++;
		break;
	}
	case EVENT_INFO_REPLIED:
		((episode_request *)find_request(st, ev->u.info_replied.reply_to_seq))->replies++;
		st->info_replies++;
		break;
	case EVENT_CONSENT_RECORDED: {
		int i = consent_index(st, ev->author_org);
		if (i < 0)
			i = st->consent_count++;
		episode_consent *k = &st->consents[i];
		hg_copy(k->org, sizeof k->org, ev->author_org);
		k->state = ev->u.consent_recorded.state;
		hg_copy(k->scope, sizeof k->scope, ev->u.consent_recorded.scope);
		k->how = ev->u.consent_recorded.how;
		k->at = ev->occurred_at;
		k->seq = ev->seq;
		break;
	}
	case EVENT_TRACK_SET:
		if (st->track_is_set && st->track != ev->u.track_set.colour)
			st->track_changes++;
		st->track_is_set = true;
		st->track = ev->u.track_set.colour;
		st->track_set_at = ev->occurred_at;
		break;
	case EVENT_CARE_CONTACT_APPOINTED: {
		const struct event_care_contact_appointed *k = &ev->u.care_contact_appointed;
		hg_copy(st->care_contact_name, sizeof st->care_contact_name, k->name);
		hg_copy(st->care_contact_title, sizeof st->care_contact_title, k->title);
		hg_copy(st->care_contact_phone, sizeof st->care_contact_phone, k->phone);
		hg_copy(st->care_contact_unit, sizeof st->care_contact_unit, ev->author_unit);
		st->care_contact_at = ev->occurred_at;
		if (st->care_contact_first_at == HG_INSTANT_NONE || ev->occurred_at < st->care_contact_first_at)
			st->care_contact_first_at = ev->occurred_at;
		break;
	}
	case EVENT_SIP_CALLED:
		if (st->sip_called_at == HG_INSTANT_NONE || ev->occurred_at < st->sip_called_at)
			st->sip_called_at = ev->occurred_at;
		st->sip_meeting_at = ev->u.sip_called.meeting_at;
		st->sip_place = ev->u.sip_called.place;
		hg_copy(st->sip_called_by, sizeof st->sip_called_by, ev->author_unit);
		break;
	case EVENT_SIP_HELD:
		st->sip_held_at = ev->u.sip_held.held_at;
		st->sip_held_place = ev->u.sip_held.place;
		st->sip_follow_up_date = ev->u.sip_held.follow_up_date;
		st->sip_participants = ev->u.sip_held.participants;
		st->sip_actions = ev->u.sip_held.actions;
		break;
	case EVENT_READY_FOR_DISCHARGE: {
		event_recipients to;
		uint32_t mask = 0;
		ready_recipients(st, ev, &to);
		for (int i = 0; i < to.count; i++) {
			int r = add_recipient(st, &to.to[i]);
			mask |= 1u << r;
			st->recipients[r].ready_notified_at = ev->occurred_at;
			st->recipients[r].ready_seq = ev->seq;
			st->recipients[r].ready_ack_at = HG_INSTANT_NONE;
		}
		st->status = EPISODE_READY;
		st->ready_at = ev->occurred_at;
		st->ready_periods[st->ready_period_count++] =
			(episode_ready_period){ev->occurred_at, HG_INSTANT_NONE, ev->seq, 0, mask};
		add_notice(st, ev, version_seq, mask);
		break;
	}
	case EVENT_READY_WITHDRAWN: {
		uint32_t mask = st->ready_periods[st->ready_period_count - 1].notified;
		close_ready_period(st, ev);
		st->status = EPISODE_ADMITTED;
		st->withdrawals++;
		add_notice(st, ev, version_seq, mask);
		break;
	}
	case EVENT_MUNICIPALITY_READY:
		if (st->municipality_ready_at == HG_INSTANT_NONE) {
			st->municipality_ready_at = ev->occurred_at;
			hg_copy(st->municipality_ready_org, sizeof st->municipality_ready_org, ev->author_org);
		}
		break;
	case EVENT_DISCHARGED: {
		/* The discharge notice (issue 18.4): to every party that had a notice; each acknowledges it. */
		uint32_t mask = 0;
		for (int i = 0; i < st->recipient_count; i++)
			mask |= 1u << i;
		add_notice(st, ev, version_seq, mask);
		st->discharge_notice_seq = ev->seq;
		if (st->status == EPISODE_READY)
			close_ready_period(st, ev);
		st->status = EPISODE_DISCHARGED;
		st->discharged_at = ev->occurred_at;
		st->destination = ev->u.discharged.destination;
		if (st->on_leave && st->leave_count > 0)
			st->leave_periods[st->leave_count - 1].end = ev->occurred_at;
		st->on_leave = false;
		break;
	}
	case EVENT_LEGAL_FORM_SET:
		st->legal_form = ev->u.legal_form_set.form;
		break;
	case EVENT_CARE_PLAN_CALLED:
		first_at(&st->care_plan_called_at, ev);
		st->care_plan_meeting_at = ev->u.care_plan_called.meeting_at;
		st->care_plan_place = ev->u.care_plan_called.place;
		break;
	case EVENT_CARE_PLAN_ESTABLISHED:
		st->care_plan_established_at = ev->occurred_at;
		st->care_plan_follow_up_date = ev->u.care_plan_established.follow_up_date;
		break;
	case EVENT_MUNICIPAL_DECISION:
		first_at(&st->municipal_decision_at, ev);
		st->municipal_decision_outcome = ev->u.municipal_decision.outcome;
		st->municipal_decision_services = ev->u.municipal_decision.services;
		break;
	case EVENT_MUNICIPAL_PLAN:
		st->municipal_plan_at = ev->occurred_at;
		st->municipal_plan_services = ev->u.municipal_plan.services;
		st->municipal_can_receive_on = ev->u.municipal_plan.can_receive_on;
		st->municipal_short_term_care = ev->u.municipal_plan.short_term_care;
		break;
	case EVENT_INFORMATION_TRANSFERRED:
		st->information_transferred_at = ev->occurred_at;
		st->information_items |= ev->u.information_transferred.items;
		break;
	case EVENT_RESPONSIBILITY_TAKEN_OVER:
		first_at(&st->responsibility_taken_over_at, ev);
		hg_copy(st->responsibility_unit, sizeof st->responsibility_unit, ev->author_unit);
		break;
	case EVENT_CHILDREN_AS_RELATIVES:
		st->children_as_relatives = ev->u.children_as_relatives.present;
		st->children_as_relatives_at = ev->occurred_at;
		break;
	case EVENT_CHIEF_PHYSICIAN_APPLIED:
	case EVENT_MUNICIPAL_REPORT_RECEIVED:
	case EVENT_MUNICIPAL_PATIENT_CONTACTED:
	case EVENT_MUNICIPAL_APPLICATION_RECEIVED:
	case EVENT_HOME_CARE_STARTED:
	case EVENT_PATIENT_INFORMED:
		first_at(step_time(st, ev->type), ev);
		break;
	case EVENT_DEVIATION:
		st->deviations++;
		break;
	case EVENT_LEAVE_STARTED:
		st->on_leave = true;
		st->leave_started_at = ev->occurred_at;
		st->leaves++;
		/* Bounded: past the ceiling the last period stretches from its start to the latest return. */
		if (st->leave_count < EPISODE_LEAVES_MAX)
			st->leave_periods[st->leave_count++] = (episode_leave){ev->occurred_at, HG_INSTANT_NONE};
		else
			st->leave_periods[st->leave_count - 1].end = HG_INSTANT_NONE;
		break;
	case EVENT_LEAVE_ENDED:
		st->on_leave = false;
		if (st->leave_count > 0)
			st->leave_periods[st->leave_count - 1].end = ev->occurred_at;
		break;
	case EVENT_CANCELLED:
	case EVENT_TYPE_COUNT:
		break; /* NEVER: not ordinary */
	}
	st->last_seq = ev->seq;
}

/* Fields, then the seq, of a candidate; *copy gets the seq it will have. */
static hg_status prepare(const episode_state *st, const event *ev, event *copy, event_error *err)
{
	*copy = *ev;
	if (ev->seq != 0 && ev->seq != st->last_seq + 1)
		return event_error_set(err, EVR_SEQ_OUT_OF_ORDER, "seq");
	copy->seq = st->last_seq + 1;
	return event_validate_fields(copy, err);
}

hg_status episode_check_append(const episode_state *st, const event *ev, event_error *err)
{
	event copy;
	event_error_clear(err);
	hg_status rc = prepare(st, ev, &copy, err);
	if (rc)
		return rc;
	if (!is_ordinary(&copy))
		return event_error_set(err, EVR_HISTORY_REQUIRED, copy.type == EVENT_CANCELLED ? "cancels_seq" : "corrects_seq");
	if ((rc = check_ordinary(st, &copy, err)))
		return rc;
	return check_recording(st, &copy, err);
}

hg_status episode_apply(episode_state *st, const event *ev, event_error *err)
{
	event copy;
	event_error_clear(err);
	hg_status rc = prepare(st, ev, &copy, err);
	if (rc)
		return rc;
	if (!is_ordinary(&copy))
		return event_error_set(err, EVR_HISTORY_REQUIRED, copy.type == EVENT_CANCELLED ? "cancels_seq" : "corrects_seq");
	if ((rc = check_ordinary(st, &copy, err)) || (rc = check_recording(st, &copy, err)))
		return rc;
	apply_ordinary(st, &copy, copy.seq);
	return HG_OK;
}

/* ---- the raw layer: corrections and cancellations ---- */

/* The stored events plus the candidate, as one indexable sequence. */
struct raw {
	const event *history;
	size_t n;
	const event *last; /* the candidate, index n */
};

static const event *raw_at(const struct raw *w, size_t i) { return i < w->n ? &w->history[i] : w->last; }

/* What becomes of each stored event in the effective sequence. */
enum raw_role { ROLE_KEEP = 0, ROLE_CANCELLED, ROLE_DROPPED, ROLE_CORRECTION, ROLE_CANCELLATION };

struct effective {
	unsigned char role[EPISODE_EVENTS_MAX];
	int16_t source[EPISODE_EVENTS_MAX]; /* for a kept event: index of the version in force */
	int16_t root[EPISODE_EVENTS_MAX];   /* for a correction: index of the original */
};

/* Is the stored event at index i cancelled, or dropped with what it hangs on? */
static bool is_gone(const struct effective *e, size_t i) { return e->role[i] == ROLE_CANCELLED || e->role[i] == ROLE_DROPPED; }

/* The seq an acknowledgement or a reply refers to; 0 for other types. */
static int32_t reference_of(const event *ev)
{
	if (ev->type == EVENT_ACKNOWLEDGED)
		return ev->u.acknowledged.ack_seq;
	if (ev->type == EVENT_INFO_REPLIED)
		return ev->u.info_replied.reply_to_seq;
	return 0;
}

/* Roles of raw[0..count): marks cancellations, corrections and what hangs on a cancelled event. */
static void effective_build(const struct raw *w, size_t count, struct effective *e)
{
	for (size_t i = 0; i < count; i++) {
		const event *ev = raw_at(w, i);
		e->source[i] = (int16_t)i;
		e->root[i] = (int16_t)i;
		e->role[i] = ev->type == EVENT_CANCELLED ? ROLE_CANCELLATION
			     : ev->corrects_seq  ? ROLE_CORRECTION
						 : ROLE_KEEP;
	}
	for (size_t i = 0; i < count; i++) {
		const event *ev = raw_at(w, i);
		if (ev->type == EVENT_CANCELLED)
			e->role[ev->u.cancelled.cancels_seq - 1] = ROLE_CANCELLED;
	}
	/* In order: every reference points back, so its target's fate is already known. */
	for (size_t i = 0; i < count; i++) {
		const event *ev = raw_at(w, i);
		if (ev->type != EVENT_CANCELLED && ev->corrects_seq) {
			int r = e->root[ev->corrects_seq - 1];
			e->root[i] = (int16_t)r;
			if (e->role[i] != ROLE_CORRECTION)
				continue; /* the correction itself was cancelled: the previous version stands */
			if (is_gone(e, (size_t)r))
				e->role[i] = ROLE_DROPPED;
			else
				e->source[r] = (int16_t)i;
		} else if (e->role[i] == ROLE_KEEP) {
			int32_t target = reference_of(ev);
			if (target > 0 && is_gone(e, (size_t)target - 1))
				e->role[i] = ROLE_DROPPED;
		}
	}
}

/* Checks what a correction or cancellation (the candidate) points to, against the stored events. */
static hg_status check_reference(const struct raw *w, const struct effective *e, event_error *err)
{
	const event *ev = w->last;
	if (ev->type == EVENT_CANCELLED) {
		int32_t t = ev->u.cancelled.cancels_seq;
		if ((size_t)t > w->n)
			return event_error_set(err, EVR_CANCEL_UNKNOWN_SEQ, "cancels_seq");
		const event *target = raw_at(w, (size_t)t - 1);
		if (target->type == EVENT_CANCELLED)
			return event_error_set(err, EVR_CANCEL_NOT_CANCELLABLE, "cancels_seq");
		if (is_gone(e, (size_t)t - 1))
			return event_error_set(err, EVR_CANCEL_ALREADY_CANCELLED, "cancels_seq");
		if (strcmp(target->author_unit, ev->author_unit) != 0)
			return event_error_set(err, EVR_NOT_ORIGINAL_AUTHOR, "author_unit");
		return HG_OK;
	}
	int32_t c = ev->corrects_seq;
	if ((size_t)c > w->n)
		return event_error_set(err, EVR_CORRECTION_UNKNOWN_SEQ, "corrects_seq");
	const event *target = raw_at(w, (size_t)c - 1);
	if (target->type != ev->type)
		return event_error_set(err, EVR_CORRECTION_TYPE_MISMATCH, "corrects_seq");
	if (is_gone(e, (size_t)c - 1))
		return event_error_set(err, EVR_CORRECTION_OF_CANCELLED, "corrects_seq");
	if (strcmp(target->author_unit, ev->author_unit) != 0)
		return event_error_set(err, EVR_NOT_ORIGINAL_AUTHOR, "author_unit");
	return HG_OK;
}

/* The seq of the original that seq (a reference in an event, >= 1) stands for; unknown seqs stay as they are. */
static int32_t root_seq(const struct effective *e, size_t count, int32_t seq)
{
	return (size_t)seq <= count ? e->root[seq - 1] + 1 : seq;
}

/*
 * Folds the effective sequence of raw[0..count) into *out. On failure *bad is
 * the raw index whose version broke a rule, with err filled.
 */
static hg_status effective_fold(const struct raw *w, size_t count, const struct effective *e, int64_t id,
				episode_state *out, size_t *bad, event_error *err)
{
	episode_init(out);
	out->id = id;
	if (count > 0 && raw_at(w, 0)->type == EVENT_ADMITTED && is_gone(e, 0)) {
		/* The admission was recorded in error: so was the episode. */
		out->status = EPISODE_CANCELLED;
		out->cancelled = true;
	} else {
		for (size_t i = 0; i < count; i++) {
			if (e->role[i] != ROLE_KEEP)
				continue;
			size_t s = (size_t)e->source[i];
			event v = *raw_at(w, s);
			v.seq = (int32_t)i + 1;
			v.corrects_seq = 0;
			/* A reference to a corrected version means the event it corrects. */
			if (v.type == EVENT_ACKNOWLEDGED)
				v.u.acknowledged.ack_seq = root_seq(e, count, v.u.acknowledged.ack_seq);
			else if (v.type == EVENT_INFO_REPLIED)
				v.u.info_replied.reply_to_seq = root_seq(e, count, v.u.info_replied.reply_to_seq);
			out->last_seq = (int32_t)i;
			hg_status rc = check_ordinary(out, &v, err);
			if (rc) {
				*bad = e->source[i] == (int16_t)i ? i : s;
				return rc;
			}
			apply_ordinary(out, &v, raw_at(w, s)->seq);
		}
	}
	out->last_seq = (int32_t)count;
	for (size_t i = 0; i < count; i++) {
		if (e->role[i] == ROLE_CANCELLATION)
			out->cancellations++;
		else if (raw_at(w, i)->corrects_seq)
			out->corrections++;
	}
	return HG_OK;
}

bool episode_append_needs_history(const event *ev) { return !is_ordinary(ev); }

/* episode_append; `recording`: ev is a new event (recording rules apply), not a replay of a stored one. */
static hg_status append(episode_state *st, const event *history, size_t n, const event *ev, bool recording,
			event_error *err)
{
	event copy;
	event_error_clear(err);
	if ((size_t)st->last_seq != n)
		return event_error_set(err, EVR_SEQ_OUT_OF_ORDER, "seq");
	hg_status rc = prepare(st, ev, &copy, err);
	if (rc)
		return rc;
	if (n + 1 > EPISODE_EVENTS_MAX)
		return event_error_set(err, EVR_LIMIT_REACHED, "seq");
	if (is_ordinary(&copy)) {
		if ((rc = check_ordinary(st, &copy, err)) || (recording && (rc = check_recording(st, &copy, err))))
			return rc;
		apply_ordinary(st, &copy, copy.seq);
		return HG_OK;
	}
	if (!history && n > 0)
		return event_error_set(err, EVR_HISTORY_REQUIRED, "seq");
	if (st->cancelled)
		return event_error_set(err, EVR_EPISODE_CANCELLED, "type");

	struct raw w = {history, n, &copy};
	struct effective e;
	effective_build(&w, n, &e);
	if ((rc = check_reference(&w, &e, err)))
		return rc;
	effective_build(&w, n + 1, &e);
	episode_state next;
	size_t bad = 0;
	event_error inner;
	event_error_clear(&inner);
	rc = effective_fold(&w, n + 1, &e, st->id, &next, &bad, &inner);
	if (rc) {
		if (bad == n) {
			/* The correction itself breaks a rule in its place. */
			if (err)
				*err = inner;
			return rc;
		}
		rc = event_error_set(err, copy.type == EVENT_CANCELLED ? EVR_CANCEL_BREAKS_LATER : EVR_CORRECTION_BREAKS_LATER,
				     copy.type == EVENT_CANCELLED ? "cancels_seq" : "corrects_seq");
		if (err)
			err->seq = (int32_t)bad + 1;
		return rc;
	}
	/* A correction carries new content: it meets the recording rules like a new event. */
	if (recording && copy.type != EVENT_CANCELLED && (rc = check_recording(st, &copy, err)))
		return rc;
	*st = next;
	return HG_OK;
}

hg_status episode_append(episode_state *st, const event *history, size_t n, const event *ev, event_error *err)
{
	return append(st, history, n, ev, true, err);
}

hg_status episode_fold(const event *evs, size_t n, episode_state *out, event_error *err)
{
	int64_t id = out->id;
	episode_init(out);
	out->id = id;
	event_error_clear(err);
	for (size_t i = 0; i < n; i++) {
		hg_status rc;
		if (evs[i].seq != (int32_t)i + 1)
			rc = event_error_set(err, EVR_SEQ_OUT_OF_ORDER, "seq");
		else
			rc = append(out, evs, i, &evs[i], false, err);
		if (rc) {
			if (err)
				err->seq = (int32_t)i + 1;
			return rc;
		}
	}
	return HG_OK;
}

/* ---- facts ---- */

hg_date episode_ready_date(const episode_state *st)
{
	return st->ready_period_count > 0 ? cal_local_date(st->ready_periods[0].start) : HG_DATE_NONE;
}

int episode_ready_days_at(const episode_state *st, hg_date at)
{
	int days = 0;
	for (int i = 0; i < st->ready_period_count; i++) {
		const episode_ready_period *p = &st->ready_periods[i];
		hg_date from = cal_local_date(p->start);
		hg_date to = p->end == HG_INSTANT_NONE ? at : cal_local_date(p->end);
		if (to > at)
			to = at;
		if (to > from)
			days += to - from;
	}
	return days;
}

bool episode_notice_sent_to_org(const episode_state *st, const char *org, hg_instant *at)
{
	bool found = false;
	for (int i = 0; i < st->recipient_count; i++) {
		const episode_recipient *r = &st->recipients[i];
		if (r->notified_at == HG_INSTANT_NONE || strcmp(r->party.org, org) != 0)
			continue;
		if (!found || r->notified_at < *at)
			*at = r->notified_at;
		found = true;
	}
	return found;
}

bool episode_ready_notice_sent_to_org(const episode_state *st, int period, const char *org, hg_instant *at)
{
	if (period < 0 || period >= st->ready_period_count)
		return false;
	const episode_ready_period *p = &st->ready_periods[period];
	for (int i = 0; i < st->recipient_count; i++) {
		if ((p->notified & (1u << i)) && strcmp(st->recipients[i].party.org, org) == 0) {
			*at = p->start;
			return true;
		}
	}
	return false;
}

/* ---- questions about a stored history ---- */

bool episode_event_cancelled(const event *history, size_t n, int32_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (history[i].type == EVENT_CANCELLED && history[i].u.cancelled.cancels_seq == seq)
			return true;
	return false;
}

const event *episode_latest_live(const event *history, size_t n, event_type type)
{
	for (size_t i = n; i-- > 0;)
		if (history[i].type == type && history[i].corrects_seq == 0 &&
		    !episode_event_cancelled(history, n, history[i].seq))
			return &history[i];
	return NULL;
}

/* ---- the care process: discharge warnings (its to-dos: todo.c) ---- */

static const hg_code_label warnings[WARNING_COUNT] = {
	[WARNING_SIP_NOT_HELD] = {"sip_not_held", "Kallad SIP är inte genomförd än.",
				  "The SIP meeting called has not been held yet."},
	[WARNING_CARE_PLAN_MISSING] = {"care_plan_missing",
				       "Den samordnade vårdplanen ska vara upprättad innan patienten lämnar sjukhuset.",
				       "The coordinated care plan must be established before the patient leaves."},
};

const hg_code_label *episode_warning_label(episode_warning w)
{
	return (unsigned)w < WARNING_COUNT ? &warnings[w] : &warnings[0];
}

bool episode_has_care_plan(const episode_state *st) { return st->legal_form != LEGAL_FORM_NONE; }

unsigned episode_information_missing(const episode_state *st) { return EVENT_ITEMS_ALL & ~st->information_items; }

bool episode_municipality_ready_on(const episode_state *st, hg_date today)
{
	return st->municipality_ready_at != HG_INSTANT_NONE ||
	       (st->municipal_can_receive_on != HG_DATE_NONE && st->municipal_can_receive_on <= today);
}

unsigned episode_discharge_warnings(const episode_state *st)
{
	unsigned w = 0;
	if (st->sip_called_at != HG_INSTANT_NONE && st->sip_held_at == HG_INSTANT_NONE)
		w |= 1u << WARNING_SIP_NOT_HELD;
	if (episode_has_care_plan(st) && st->care_plan_established_at == HG_INSTANT_NONE)
		w |= 1u << WARNING_CARE_PLAN_MISSING;
	return w;
}
