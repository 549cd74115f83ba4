/*
 * test_episode.c - the episode fold: a full flow, every sequence rule as its
 * own row, corrections and cancellations, fold == incremental append over
 * generated sequences, and the facts liability needs.
 *
 * Times are Europe/Stockholm local. The standard episode: admitted Thursday
 * 2024-05-02 08:00 at ward W12 (region "20"); admission notice at 14:00 to the
 * municipality of Falun (unit MUN, org 2080) and the primary care centre VC
 * (org 20), expected discharge 2024-05-08; ready for discharge Monday
 * 2024-05-06 10:00.
 */
#include <stdlib.h>

#include "core/calendar.h"
#include "core/billing.h"
#include "core/deadline.h"
#include "core/episode.h"
#include "core/todo.h"
#include "test.h"

#define MAX_EVENTS 96

static hg_instant at(const char *local)
{
	hg_instant t;
	if (cal_parse_local(local, &t) != HG_OK) {
		fprintf(stderr, "bad test instant %s\n", local);
		abort();
	}
	return t;
}

static hg_date day(const char *s)
{
	hg_date d;
	if (date_parse(s, &d) != HG_OK)
		abort();
	return d;
}

/* ---- event builders ---- */

static void set_author(event *ev, const char *unit, unit_kind kind, const char *org)
{
	(void)snprintf(ev->author_unit, sizeof ev->author_unit, "%s", unit);
	ev->author_kind = kind;
	(void)snprintf(ev->author_org, sizeof ev->author_org, "%s", org);
}

static void set_party(event_party *p, const char *unit, unit_kind kind, const char *org)
{
	(void)snprintf(p->unit, sizeof p->unit, "%s", unit);
	p->kind = kind;
	(void)snprintf(p->org, sizeof p->org, "%s", org);
}

static event base(event_type type, const char *when)
{
	event ev;
	event_init(&ev, type);
	ev.occurred_at = at(when);
	set_author(&ev, "W12", UNIT_WARD, "20");
	return ev;
}

/* The authors used in the tests. */
enum who { WARD, MUN, VC, VC9, MUNH };
static event by(event ev, enum who w)
{
	static const struct { const char *unit; unit_kind kind; const char *org; } who[] = {
		[WARD] = {"W12", UNIT_WARD, "20"},
		[MUN] = {"MUN", UNIT_MUNICIPAL_SOCIAL, "2080"},
		[VC] = {"VC", UNIT_PRIMARY_CARE, "20"},
		[VC9] = {"VC9", UNIT_PRIMARY_CARE, "20"},
		[MUNH] = {"MUNH", UNIT_MUNICIPAL_HEALTH, "2080"},
	};
	set_author(&ev, who[w].unit, who[w].kind, who[w].org);
	return ev;
}

static event admitted(const char *when)
{
	event ev = base(EVENT_ADMITTED, when);
	struct event_admitted *a = &ev.u.admitted;
	(void)snprintf(a->patient.personnummer, sizeof a->patient.personnummer, "19121212-1212");
	(void)snprintf(a->patient.name, sizeof a->patient.name, "Tolvan Tolvansson");
	(void)snprintf(a->patient.registered_municipality, sizeof a->patient.registered_municipality, "2080");
	(void)snprintf(a->patient.primary_care_unit, sizeof a->patient.primary_care_unit, "VC");
	(void)snprintf(a->patient.address, sizeof a->patient.address, "Storgatan 1, 791 31 Falun");
	(void)snprintf(a->hospital, sizeof a->hospital, "FALU");
	(void)snprintf(a->ward, sizeof a->ward, "W12");
	a->care = CARE_SOMATIC;
	return ev;
}

static event notice(const char *when, const char *expected)
{
	event ev = base(EVENT_ADMISSION_NOTICE, when);
	struct event_admission_notice *n = &ev.u.admission_notice;
	n->recipients.count = 2;
	set_party(&n->recipients.to[0], "MUN", UNIT_MUNICIPAL_SOCIAL, "2080");
	set_party(&n->recipients.to[1], "VC", UNIT_PRIMARY_CARE, "20");
	n->expected_discharge_date = day(expected);
	n->reason = ADMISSION_REASON_FALL_INJURY;
	return ev;
}

static event date_changed(const char *when, const char *date)
{
	event ev = base(EVENT_EXPECTED_DATE_CHANGED, when);
	ev.u.expected_date_changed.date = day(date);
	return ev;
}

static event ack(enum who w, int32_t seq, const char *when)
{
	event ev = by(base(EVENT_ACKNOWLEDGED, when), w);
	ev.u.acknowledged.ack_seq = seq;
	return ev;
}

static event ready(const char *when) { return base(EVENT_READY_FOR_DISCHARGE, when); }
static event withdrawn(const char *when) { return base(EVENT_READY_WITHDRAWN, when); }
static event plain(event_type type, const char *when) { return base(type, when); }

static event discharged(const char *when)
{
	event ev = base(EVENT_DISCHARGED, when);
	ev.u.discharged.destination = DEST_OWN_HOME;
	return ev;
}

static event track(const char *when, track_colour c)
{
	event ev = base(EVENT_TRACK_SET, when);
	ev.u.track_set.colour = c;
	return ev;
}

static event contact(enum who w, const char *when, const char *name)
{
	event ev = by(base(EVENT_CARE_CONTACT_APPOINTED, when), w);
	(void)snprintf(ev.u.care_contact_appointed.name, HG_NAME_MAX, "%s", name);
	(void)snprintf(ev.u.care_contact_appointed.phone, EVENT_PHONE_MAX, "023-49 00 00");
	return ev;
}

static event sip_called(const char *when, const char *meeting)
{
	event ev = by(base(EVENT_SIP_CALLED, when), VC);
	ev.u.sip_called.meeting_at = at(meeting);
	ev.u.sip_called.place = SIP_HOME;
	return ev;
}

static event sip_held(const char *when)
{
	event ev = by(base(EVENT_SIP_HELD, when), VC);
	ev.u.sip_held.held_at = at(when);
	ev.u.sip_held.place = SIP_HOME;
	ev.u.sip_held.participants = EVENT_SIP_PARTY_BIT(SIP_PARTY_PATIENT) | EVENT_SIP_PARTY_BIT(SIP_PARTY_PRIMARY_CARE);
	ev.u.sip_held.follow_up_date = cal_local_date(ev.u.sip_held.held_at) + 30;
	return ev;
}

static event consent(enum who w, const char *when, consent_state s)
{
	event ev = by(base(EVENT_CONSENT_RECORDED, when), w);
	ev.u.consent_recorded.state = s;
	(void)snprintf(ev.u.consent_recorded.scope, HG_ID_MAX, "care_planning");
	ev.u.consent_recorded.how = CONSENT_HOW_VERBAL;
	return ev;
}

static event request(enum who w, const char *when, const char *to_unit)
{
	event ev = by(base(EVENT_INFO_REQUESTED, when), w);
	set_party(&ev.u.info_requested.to, to_unit, UNIT_PRIMARY_CARE, "20");
	return ev;
}

static event reply(enum who w, const char *when, int32_t seq)
{
	event ev = by(base(EVENT_INFO_REPLIED, when), w);
	ev.u.info_replied.reply_to_seq = seq;
	return ev;
}

static event deviation(enum who w, const char *when)
{
	event ev = by(base(EVENT_DEVIATION, when), w);
	ev.u.deviation.category = DEVIATION_NOTICE_LATE;
	(void)snprintf(ev.u.deviation.against_org, HG_ID_MAX, "20");
	return ev;
}

static event cancel(enum who w, int32_t seq, const char *when)
{
	event ev = by(base(EVENT_CANCELLED, when), w);
	ev.u.cancelled.cancels_seq = seq;
	return ev;
}

static event correcting(event ev, int32_t seq)
{
	ev.corrects_seq = seq;
	return ev;
}

/* ---- an episode under construction ---- */

struct world {
	event evs[MAX_EVENTS];
	size_t n;
	episode_state st;
};

static void world_init(struct world *w)
{
	w->n = 0;
	episode_init(&w->st);
}

/* Appends like the store: seq and recorded_at assigned. Returns the status. */
static hg_status world_try(struct world *w, event ev, event_error *err)
{
	ev.seq = (int32_t)w->n + 1;
	ev.recorded_at = ev.occurred_at + 60;
	hg_status rc = episode_append(&w->st, w->evs, w->n, &ev, err);
	if (rc == HG_OK)
		w->evs[w->n++] = ev;
	return rc;
}

static void world_add(struct test *t, struct world *w, event ev)
{
	event_error err;
	hg_status rc = world_try(w, ev, &err);
	T_TRUE(t, rc == HG_OK, "setup append of %s as seq %zu: %s (%s)", event_type_code(ev.type), w->n + 1, err.code,
	       err.field);
}

/* Standard prefixes. */
enum setup {
	S_EMPTY,
	S_ADMITTED,     /* 1 admitted */
	S_NOTICED,      /* 2 notice */
	S_READY,        /* 3 ready */
	S_DISCHARGED,   /* 4 discharged */
	S_WITHDRAWN,    /* 4 withdrawn 2024-05-07 09:00 */
	S_ACKED,        /* 3 MUN acknowledges 2 */
	S_ON_LEAVE,     /* 2 leave started */
	S_REQUESTED,    /* 3 MUN asks VC for information */
	S_READY_CANCELLED, /* 4 cancels 3 */
	S_EPISODE_CANCELLED, /* 2 cancels 1 */
	S_CORRECTED_NOTICE, /* 3 corrects 2 (new expected date) */
	S_NO_ADDRESS,       /* 1 admitted without a registered address */
	S_PROTECTED,        /* 1 admitted with a protected identity and no address */
	S_DECLINED,         /* 3 MUN records that the patient declines consent */
	S_REQUESTED_DECLINED, /* 3 MUN asks VC, 4 MUN records declined */
	S_DECLINED_EXCEPTION, /* 3 MUN declined, 4 MUN records an exception (emergency) */
};

static void setup(struct test *t, struct world *w, enum setup s)
{
	world_init(w);
	if (s == S_EMPTY)
		return;
	if (s == S_NO_ADDRESS || s == S_PROTECTED) {
		event a = admitted("2024-05-02 08:00");
		a.u.admitted.patient.address[0] = '\0';
		a.u.admitted.patient.protected_identity = s == S_PROTECTED;
		world_add(t, w, a);
		return;
	}
	world_add(t, w, admitted("2024-05-02 08:00"));
	if (s == S_ADMITTED)
		return;
	if (s == S_ON_LEAVE) {
		world_add(t, w, plain(EVENT_LEAVE_STARTED, "2024-05-03 10:00"));
		return;
	}
	if (s == S_EPISODE_CANCELLED) {
		world_add(t, w, cancel(WARD, 1, "2024-05-02 09:00"));
		return;
	}
	world_add(t, w, notice("2024-05-02 14:00", "2024-05-08"));
	switch (s) {
	case S_ACKED:
		world_add(t, w, ack(MUN, 2, "2024-05-02 15:00"));
		return;
	case S_REQUESTED:
		world_add(t, w, request(MUN, "2024-05-03 09:00", "VC"));
		return;
	case S_CORRECTED_NOTICE:
		world_add(t, w, correcting(notice("2024-05-02 14:00", "2024-05-09"), 2));
		return;
	case S_NOTICED:
		return;
	case S_DECLINED:
	case S_DECLINED_EXCEPTION:
		world_add(t, w, consent(MUN, "2024-05-02 16:00", CONSENT_DECLINED));
		if (s == S_DECLINED_EXCEPTION) {
			event x = consent(MUN, "2024-05-03 08:00", CONSENT_EXCEPTION);
			x.u.consent_recorded.how = CONSENT_HOW_EMERGENCY;
			world_add(t, w, x);
		}
		return;
	case S_REQUESTED_DECLINED:
		world_add(t, w, request(MUN, "2024-05-03 09:00", "VC"));
		world_add(t, w, consent(MUN, "2024-05-03 10:00", CONSENT_DECLINED));
		return;
	default:
		break;
	}
	world_add(t, w, ready("2024-05-06 10:00"));
	if (s == S_DISCHARGED)
		world_add(t, w, discharged("2024-05-08 11:00"));
	else if (s == S_WITHDRAWN)
		world_add(t, w, withdrawn("2024-05-07 09:00"));
	else if (s == S_READY_CANCELLED)
		world_add(t, w, cancel(WARD, 3, "2024-05-06 10:30"));
}

/* ---- candidates for the rule rows ---- */

typedef event (*make_fn)(void);
#define MAKE(name, expr)                                                                                     \
	static event name(void) { return expr; }

MAKE(c_admitted, admitted("2024-05-02 09:00"))
MAKE(c_notice, notice("2024-05-02 14:00", "2024-05-08"))
MAKE(c_notice_early, notice("2024-05-02 07:00", "2024-05-08"))
MAKE(c_notice_date_before_admission, notice("2024-05-04 09:00", "2024-05-01"))
MAKE(c_notice_date_past, notice("2024-05-04 09:00", "2024-05-03"))
MAKE(c_ready, ready("2024-05-06 10:00"))
MAKE(c_ready_early, ready("2024-05-01 10:00"))
MAKE(c_ready_before_withdrawal, ready("2024-05-07 08:00"))
MAKE(c_ready_after_withdrawal, ready("2024-05-07 12:00"))
MAKE(c_ready_by_vc, by(ready("2024-05-06 10:00"), VC))
MAKE(c_discharged, discharged("2024-05-08 11:00"))
MAKE(c_discharged_early, discharged("2024-05-02 07:59"))
MAKE(c_discharged_before_ready, discharged("2024-05-06 09:00"))
MAKE(c_withdrawn, withdrawn("2024-05-07 09:00"))
MAKE(c_withdrawn_before_ready, withdrawn("2024-05-06 09:59"))
MAKE(c_track, track("2024-05-03 09:00", TRACK_YELLOW))
MAKE(c_track_early, track("2024-05-01 09:00", TRACK_YELLOW))
MAKE(c_date, date_changed("2024-05-03 09:00", "2024-05-10"))
MAKE(c_date_same, date_changed("2024-05-03 09:00", "2024-05-08"))
MAKE(c_date_before_admission, date_changed("2024-05-03 09:00", "2024-04-30"))
MAKE(c_date_past, date_changed("2024-05-03 09:00", "2024-05-02"))
MAKE(c_contact_vc, contact(VC, "2024-05-06 15:00", "Anna"))
MAKE(c_contact_ward, contact(WARD, "2024-05-06 15:00", "Anna"))
MAKE(c_contact_mun, contact(MUN, "2024-05-06 15:00", "Anna"))
MAKE(c_contact_vc9, contact(VC9, "2024-05-06 15:00", "Anna"))
MAKE(c_mun_ready_ward, plain(EVENT_MUNICIPALITY_READY, "2024-05-07 09:00"))
MAKE(c_mun_ready_munh, by(plain(EVENT_MUNICIPALITY_READY, "2024-05-07 09:00"), MUNH))
MAKE(c_ack_future, ack(MUN, 9, "2024-05-03 09:00"))
MAKE(c_ack_admitted, ack(MUN, 1, "2024-05-03 09:00"))
MAKE(c_ack_notice_mun, ack(MUN, 2, "2024-05-03 09:00"))
MAKE(c_ack_notice_vc9, ack(VC9, 2, "2024-05-03 09:00"))
MAKE(c_ack_notice_ward, ack(WARD, 2, "2024-05-03 09:00"))
MAKE(c_ack_correction_mun, ack(MUN, 3, "2024-05-03 09:00"))
MAKE(c_ack_ready_late, ack(VC, 3, "2024-05-09 09:00"))
MAKE(c_deviation_late, deviation(MUN, "2024-05-09 09:00"))
MAKE(c_sip_held_late, sip_held("2024-05-10 09:00"))
MAKE(c_sip_called_late, sip_called("2024-05-09 09:00", "2024-05-12 10:00"))
MAKE(c_date_late, date_changed("2024-05-09 09:00", "2024-05-10"))
MAKE(c_track_late, track("2024-05-09 09:00", TRACK_RED))
MAKE(c_reply_vc, reply(VC, "2024-05-03 12:00", 3))
MAKE(c_reply_vc9, reply(VC9, "2024-05-03 12:00", 3))
MAKE(c_reply_notice, reply(VC, "2024-05-03 12:00", 2))
MAKE(c_leave_start, plain(EVENT_LEAVE_STARTED, "2024-05-03 12:00"))
MAKE(c_leave_end, plain(EVENT_LEAVE_ENDED, "2024-05-03 12:00"))
MAKE(c_leave_end_early, plain(EVENT_LEAVE_ENDED, "2024-05-03 09:00"))
MAKE(c_cancel_9, cancel(WARD, 9, "2024-05-07 10:00"))
MAKE(c_cancel_3, cancel(WARD, 3, "2024-05-07 10:00"))
MAKE(c_cancel_4, cancel(WARD, 4, "2024-05-07 10:00"))
MAKE(c_cancel_3_by_mun, cancel(MUN, 3, "2024-05-07 10:00"))
MAKE(c_cancel_1, cancel(WARD, 1, "2024-05-07 10:00"))
MAKE(c_cancel_2, cancel(WARD, 2, "2024-05-07 10:00"))
MAKE(c_correct_9, correcting(ready("2024-05-06 11:00"), 9))
MAKE(c_correct_ready_as_track, correcting(track("2024-05-06 11:00", TRACK_RED), 3))
MAKE(c_correct_ready, correcting(ready("2024-05-06 11:00"), 3))
MAKE(c_correct_ready_late, correcting(ready("2024-05-07 10:00"), 3))
MAKE(c_correct_ready_early, correcting(ready("2024-05-01 11:00"), 3))
MAKE(c_correct_ready_by_vc, correcting(by(ready("2024-05-06 11:00"), VC), 3))
MAKE(c_correct_ack_as_mun, correcting(ack(MUN, 2, "2024-05-02 15:30"), 3))
MAKE(c_correct_admission_late, correcting(admitted("2024-05-02 15:00"), 1))
MAKE(c_deviation, deviation(MUN, "2024-05-03 09:00"))
MAKE(c_correct_ack_unknown, correcting(ack(MUN, 99, "2024-05-02 15:30"), 3))
MAKE(c_correct_ack_not_notice, correcting(ack(MUN, 1, "2024-05-02 15:30"), 3))

/* Issue 14: the notice's content and consent that counts. */
static event notice_with(admission_reason why, const char *address, int n, const unit_kind *kinds)
{
	static const struct { const char *unit; const char *org; } by_kind[UNIT_KIND_COUNT] = {
		[UNIT_PRIMARY_CARE] = {"VC", "20"},
		[UNIT_MUNICIPAL_SOCIAL] = {"MUN", "2080"},
		[UNIT_MUNICIPAL_HEALTH] = {"MUNH", "2080"},
	};
	event ev = notice("2024-05-02 14:00", "2024-05-08");
	struct event_admission_notice *a = &ev.u.admission_notice;
	a->reason = why;
	(void)snprintf(a->address, sizeof a->address, "%s", address);
	a->recipients.count = n;
	for (int i = 0; i < n; i++)
		set_party(&a->recipients.to[i], by_kind[kinds[i]].unit, kinds[i], by_kind[kinds[i]].org);
	return ev;
}
static const unit_kind K_MS_PC[] = {UNIT_MUNICIPAL_SOCIAL, UNIT_PRIMARY_CARE};
static const unit_kind K_MH[] = {UNIT_MUNICIPAL_HEALTH};
static const unit_kind K_MH_PC[] = {UNIT_MUNICIPAL_HEALTH, UNIT_PRIMARY_CARE};
static const unit_kind K_MS_MH[] = {UNIT_MUNICIPAL_SOCIAL, UNIT_MUNICIPAL_HEALTH};
static event consent_how_of(consent_state st, consent_how how)
{
	event ev = consent(MUN, "2024-05-03 11:00", st);
	ev.u.consent_recorded.how = how;
	return ev;
}
static event request_to_mun(enum who w)
{
	event ev = by(base(EVENT_INFO_REQUESTED, "2024-05-03 12:00"), w);
	set_party(&ev.u.info_requested.to, "MUN", UNIT_MUNICIPAL_SOCIAL, "2080");
	return ev;
}
static event sip_held_with(unsigned participants, sip_place place, bool follow_up)
{
	event ev = sip_held("2024-05-07 10:00");
	ev.u.sip_held.participants = participants;
	ev.u.sip_held.place = place;
	if (!follow_up)
		ev.u.sip_held.follow_up_date = HG_DATE_NONE;
	return ev;
}
#define PB(p) EVENT_SIP_PARTY_BIT(SIP_PARTY_##p)
MAKE(c_sip_held_nobody, sip_held_with(0, SIP_HOME, true))
MAKE(c_sip_held_hospital_no_ward, sip_held_with(PB(PATIENT) | PB(PRIMARY_CARE), SIP_HOSPITAL, true))
MAKE(c_sip_held_hospital, sip_held_with(PB(PATIENT) | PB(WARD) | PB(PRIMARY_CARE), SIP_HOSPITAL, true))
MAKE(c_sip_held_no_follow_up, sip_held_with(PB(PATIENT) | PB(RELATIVE), SIP_HOME, false))
MAKE(c_sip_held_by_mun, by(sip_held_with(PB(PATIENT) | PB(MUNICIPAL_SOCIAL), SIP_HOME, true), MUN))
MAKE(c_sip_called_by_mun, by(sip_called("2024-05-06 15:00", "2024-05-08 10:00"), MUN))
MAKE(c_sip_called_by_munh, by(sip_called("2024-05-06 15:00", "2024-05-08 10:00"), MUNH))
MAKE(c_sip_called_by_ward, by(sip_called("2024-05-06 15:00", "2024-05-08 10:00"), WARD))
MAKE(c_notice_unstated, notice_with(ADMISSION_REASON_UNSTATED, "", 2, K_MS_PC))
MAKE(c_notice_other, notice_with(ADMISSION_REASON_OTHER, "", 2, K_MS_PC))
MAKE(c_notice_own_address, notice_with(ADMISSION_REASON_STROKE, "Åsgatan 2, 791 71 Falun", 2, K_MS_PC))
MAKE(c_notice_mh_only, notice_with(ADMISSION_REASON_INFECTION, "", 1, K_MH))
MAKE(c_notice_ms_mh, notice_with(ADMISSION_REASON_INFECTION, "", 2, K_MS_MH))
MAKE(c_notice_mh_pc, notice_with(ADMISSION_REASON_INFECTION, "", 2, K_MH_PC))
MAKE(c_request_vc_to_mun, request_to_mun(VC))
MAKE(c_request_mun_to_vc, request(MUN, "2024-05-03 12:00", "VC"))
MAKE(c_reply_vc_declined, reply(VC, "2024-05-03 12:00", 3))
MAKE(c_consent_given, consent(MUN, "2024-05-03 11:00", CONSENT_GIVEN))
MAKE(c_consent_exception_verbal, consent_how_of(CONSENT_EXCEPTION, CONSENT_HOW_VERBAL))
MAKE(c_consent_given_emergency, consent_how_of(CONSENT_GIVEN, CONSENT_HOW_EMERGENCY))
MAKE(c_consent_exception_unable, consent_how_of(CONSENT_EXCEPTION, CONSENT_HOW_UNABLE))
MAKE(c_consent_exception_presumed, consent_how_of(CONSENT_EXCEPTION, CONSENT_HOW_PRESUMED))
MAKE(c_consent_given_presumed, consent_how_of(CONSENT_GIVEN, CONSENT_HOW_PRESUMED))

static void test_rules(struct test *t)
{
	static const struct {
		enum setup setup;
		make_fn make;
		const char *reason; /* "ok": allowed */
		const char *field;
		int32_t seq; /* err.seq expected (for *_breaks_later) */
	} rows[] = {
		/* 1-4: before the admission, in order */
		{S_EMPTY, c_notice, "notice_before_admission", "type", 0},
		{S_EMPTY, c_ready, "ready_before_admission", "type", 0},
		{S_EMPTY, c_discharged, "discharge_before_admission", "type", 0},
		{S_EMPTY, c_track, "event_before_admission", "type", 0},
		{S_EMPTY, c_admitted, "ok", "", 0},
		/* 6-9: before the admission, in time */
		{S_ADMITTED, c_notice_early, "notice_before_admission", "occurred_at", 0},
		{S_NOTICED, c_ready_early, "ready_before_admission", "occurred_at", 0},
		{S_ADMITTED, c_discharged_early, "discharge_before_admission", "occurred_at", 0},
		{S_ADMITTED, c_track_early, "event_before_admission", "occurred_at", 0},
		{S_ADMITTED, c_admitted, "already_admitted", "type", 0},
		/* after the discharge */
		{S_DISCHARGED, c_ready, "after_discharge", "type", 0},
		{S_DISCHARGED, c_date_late, "after_discharge", "type", 0},
		{S_DISCHARGED, c_track_late, "after_discharge", "type", 0},
		{S_DISCHARGED, c_discharged, "after_discharge", "type", 0},
		{S_DISCHARGED, c_ack_ready_late, "ok", "", 0},
		{S_DISCHARGED, c_deviation_late, "ok", "", 0},
		{S_DISCHARGED, c_sip_held_late, "ok", "", 0},
		{S_DISCHARGED, c_sip_called_late, "ok", "", 0},
		{S_DISCHARGED, c_cancel_4, "ok", "", 0},
		{S_DISCHARGED, c_correct_ready, "ok", "", 0},
		/* expected discharge date */
		{S_ADMITTED, c_notice_date_before_admission, "expected_date_before_admission", "expected_discharge_date", 0},
		{S_ADMITTED, c_notice_date_past, "expected_date_in_past", "expected_discharge_date", 0},
		{S_NOTICED, c_date_before_admission, "expected_date_before_admission", "expected_discharge_date", 0},
		{S_NOTICED, c_date_past, "expected_date_in_past", "expected_discharge_date", 0},
		{S_ADMITTED, c_date, "no_admission_notice", "type", 0},
		{S_NOTICED, c_date_same, "expected_date_unchanged", "expected_discharge_date", 0},
		{S_NOTICED, c_date, "ok", "", 0},
		/* authors */
		{S_READY, c_contact_ward, "author_kind_not_allowed", "author_kind", 0},
		{S_READY, c_contact_mun, "author_kind_not_allowed", "author_kind", 0},
		{S_READY, c_contact_vc9, "author_not_party", "author_unit", 0},
		{S_READY, c_contact_vc, "ok", "", 0},
		{S_READY, c_mun_ready_ward, "author_kind_not_allowed", "author_kind", 0},
		{S_READY, c_mun_ready_munh, "author_not_party", "author_unit", 0},
		{S_NOTICED, c_ready_by_vc, "author_kind_not_allowed", "author_kind", 0},
		{S_EMPTY, c_ready_by_vc, "author_kind_not_allowed", "author_kind", 0},
		/* ready, withdrawn, discharged */
		{S_READY, c_ready, "already_ready", "type", 0},
		{S_NOTICED, c_withdrawn, "not_ready", "type", 0},
		{S_WITHDRAWN, c_withdrawn, "not_ready", "type", 0},
		{S_READY, c_withdrawn_before_ready, "time_out_of_order", "occurred_at", 0},
		{S_READY, c_discharged_before_ready, "time_out_of_order", "occurred_at", 0},
		{S_WITHDRAWN, c_ready_before_withdrawal, "time_out_of_order", "occurred_at", 0},
		{S_WITHDRAWN, c_ready_after_withdrawal, "ok", "", 0},
		{S_ADMITTED, c_ready, "no_admission_notice", "recipients", 0},
		{S_NOTICED, c_discharged, "ok", "", 0},
		/* acknowledgements */
		{S_NOTICED, c_ack_future, "ack_unknown_seq", "ack_seq", 0},
		{S_NOTICED, c_ack_admitted, "ack_not_a_notice", "ack_seq", 0},
		{S_NOTICED, c_ack_notice_vc9, "ack_not_addressed", "author_unit", 0},
		{S_NOTICED, c_ack_notice_ward, "ack_not_addressed", "author_unit", 0},
		{S_ACKED, c_ack_notice_mun, "ack_duplicate", "ack_seq", 0},
		{S_NOTICED, c_ack_notice_mun, "ok", "", 0},
		{S_READY_CANCELLED, c_ack_ready_late, "ack_not_a_notice", "ack_seq", 0},
		{S_CORRECTED_NOTICE, c_ack_correction_mun, "ok", "", 0},
		/* information requests */
		{S_REQUESTED, c_reply_vc, "ok", "", 0},
		{S_REQUESTED, c_reply_vc9, "reply_unknown_request", "reply_to_seq", 0},
		{S_NOTICED, c_reply_notice, "reply_unknown_request", "reply_to_seq", 0},
		/* leave */
		{S_ADMITTED, c_leave_end, "not_on_leave", "type", 0},
		{S_ON_LEAVE, c_leave_start, "already_on_leave", "type", 0},
		{S_ON_LEAVE, c_leave_end_early, "time_out_of_order", "occurred_at", 0},
		{S_ON_LEAVE, c_leave_end, "ok", "", 0},
		/* cancellations */
		{S_READY, c_cancel_9, "cancel_unknown_seq", "cancels_seq", 0},
		{S_READY_CANCELLED, c_cancel_4, "cancel_not_cancellable", "cancels_seq", 0},
		{S_READY_CANCELLED, c_cancel_3, "cancel_already_cancelled", "cancels_seq", 0},
		{S_READY, c_cancel_3_by_mun, "not_original_author", "author_unit", 0},
		{S_WITHDRAWN, c_cancel_3, "cancel_breaks_later", "cancels_seq", 4},
		{S_READY, c_cancel_3, "ok", "", 0},
		{S_ACKED, c_cancel_2, "ok", "", 0},
		{S_EPISODE_CANCELLED, c_deviation, "episode_cancelled", "type", 0},
		{S_EPISODE_CANCELLED, c_cancel_1, "episode_cancelled", "type", 0},
		{S_EPISODE_CANCELLED, c_notice, "episode_cancelled", "type", 0},
		/* corrections */
		{S_READY, c_correct_9, "correction_unknown_seq", "corrects_seq", 0},
		{S_READY, c_correct_ready_as_track, "correction_type_mismatch", "corrects_seq", 0},
		{S_READY_CANCELLED, c_correct_ready, "correction_of_cancelled", "corrects_seq", 0},
		{S_READY, c_correct_ready_by_vc, "not_original_author", "author_unit", 0},
		{S_WITHDRAWN, c_correct_ready_late, "correction_breaks_later", "corrects_seq", 4},
		{S_READY, c_correct_ready_early, "ready_before_admission", "occurred_at", 0},
		{S_READY, c_correct_admission_late, "correction_breaks_later", "corrects_seq", 2},
		{S_ACKED, c_correct_ack_as_mun, "ok", "", 0},
		{S_ACKED, c_correct_ack_unknown, "ack_unknown_seq", "ack_seq", 0},
		{S_ACKED, c_correct_ack_not_notice, "ack_not_a_notice", "ack_seq", 0},
		{S_WITHDRAWN, c_correct_ready, "ok", "", 0},
		/* issue 14, item 6: the admission notice's content (recording rules) */
		{S_ADMITTED, c_notice_unstated, "required", "reason", 0},
		{S_ADMITTED, c_notice_other, "ok", "", 0},
		{S_NO_ADDRESS, c_notice_other, "required", "address", 0},
		{S_NO_ADDRESS, c_notice_own_address, "ok", "", 0},
		{S_PROTECTED, c_notice_other, "ok", "", 0}, /* a protected address is not spread in notices */
		{S_ADMITTED, c_notice_mh_only, "primary_care_required", "recipients", 0},
		{S_ADMITTED, c_notice_ms_mh, "primary_care_required", "recipients", 0},
		{S_ADMITTED, c_notice_mh_pc, "ok", "", 0},
		{S_NOTICED, c_notice_mh_only, "ok", "", 0}, /* primary care already has a notice */
		/* issue 14, item 2: the SIP with content, called by primary care or the municipality */
		{S_READY, c_sip_held_nobody, "required", "participants", 0},
		{S_READY, c_sip_held_hospital_no_ward, "sip_ward_required", "participants", 0},
		{S_READY, c_sip_held_hospital, "ok", "", 0},
		{S_READY, c_sip_held_no_follow_up, "required", "follow_up_date", 0},
		{S_READY, c_sip_held_by_mun, "ok", "", 0},
		{S_READY, c_sip_called_by_mun, "ok", "", 0},
		{S_READY, c_sip_called_by_munh, "author_not_party", "author_unit", 0},
		{S_READY, c_sip_called_by_ward, "author_kind_not_allowed", "author_kind", 0},
		/* issue 14, item 5: consent that counts */
		{S_DECLINED, c_request_vc_to_mun, "consent_declined", "to", 0},
		{S_DECLINED, c_request_mun_to_vc, "ok", "", 0},
		{S_REQUESTED_DECLINED, c_reply_vc_declined, "consent_declined", "reply_to_seq", 0},
		{S_REQUESTED, c_reply_vc_declined, "ok", "", 0},
		{S_DECLINED_EXCEPTION, c_request_vc_to_mun, "ok", "", 0},
		{S_NOTICED, c_request_vc_to_mun, "ok", "", 0},
		{S_DECLINED, c_consent_given, "ok", "", 0},
		{S_NOTICED, c_consent_exception_verbal, "consent_exception_how", "how", 0},
		{S_NOTICED, c_consent_given_emergency, "consent_exception_how", "how", 0},
		{S_NOTICED, c_consent_exception_unable, "ok", "", 0},
		{S_DECLINED, c_consent_exception_unable, "ok", "", 0},
		{S_DECLINED, c_consent_exception_presumed, "consent_presumed_after_declined", "how", 0},
		{S_DECLINED, c_consent_given_presumed, "consent_presumed_after_declined", "how", 0},
		{S_NOTICED, c_consent_exception_presumed, "ok", "", 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct world w;
		setup(t, &w, rows[i].setup);
		episode_state before = w.st;
		event_error err;
		event ev = rows[i].make();
		hg_status rc = world_try(&w, ev, &err);
		T_EQ_STR(t, err.code, rows[i].reason, "row %zu (%s) reason", i, event_type_code(ev.type));
		T_EQ_STR(t, err.field, rows[i].field, "row %zu (%s) field", i, event_type_code(ev.type));
		T_EQ_INT(t, err.seq, rows[i].seq, "row %zu seq", i);
		T_EQ_INT(t, rc, event_reason_get(err.reason)->status, "row %zu status", i);
		if (rc != HG_OK)
			T_TRUE(t, memcmp(&before, &w.st, sizeof before) == 0, "row %zu: state unchanged on failure", i);
	}
}

/* Functions without history refuse corrections and cancellations; stale seqs are refused. */
static void test_entry_points(struct test *t)
{
	struct world w;
	event_error err;
	setup(t, &w, S_READY);
	event ev = cancel(WARD, 3, "2024-05-07 10:00");
	T_EQ_INT(t, episode_apply(&w.st, &ev, &err), HG_EINTERNAL, "apply: cancellation");
	T_EQ_STR(t, err.code, "history_required", "apply: cancellation reason");
	ev = correcting(ready("2024-05-06 11:00"), 3);
	T_EQ_INT(t, episode_check_append(&w.st, &ev, &err), HG_EINTERNAL, "check: correction");
	T_EQ_STR(t, err.field, "corrects_seq", "check: correction field");
	ev = withdrawn("2024-05-07 09:00");
	ev.seq = 7;
	T_EQ_INT(t, episode_check_append(&w.st, &ev, &err), HG_ECONFLICT, "check: wrong seq");
	T_EQ_STR(t, err.code, "seq_out_of_order", "check: wrong seq reason");
	ev.seq = 4;
	T_EQ_INT(t, episode_check_append(&w.st, &ev, &err), HG_OK, "check: right seq");
	T_EQ_INT(t, w.st.status, EPISODE_READY, "check does not change the state");
	T_EQ_INT(t, episode_apply(&w.st, &ev, &err), HG_OK, "apply: withdrawal");
	T_EQ_INT(t, w.st.status, EPISODE_ADMITTED, "apply changed the state");
	T_EQ_INT(t, w.st.last_seq, 4, "apply: last seq");
	/* append with a state that does not match the history length */
	ev = ready("2024-05-07 12:00");
	T_EQ_INT(t, episode_append(&w.st, w.evs, 2, &ev, &err), HG_ECONFLICT, "append: stale state");
	T_EQ_STR(t, err.code, "seq_out_of_order", "append: stale state reason");
	/* field errors come first */
	ev = notice("2024-05-02 14:00", "2024-05-08");
	ev.u.admission_notice.recipients.count = 0;
	T_EQ_INT(t, episode_check_append(&w.st, &ev, &err), HG_EINVAL, "check: field error");
	T_EQ_STR(t, err.code, "no_recipients", "check: field error reason");
}

static const char *state_diff(const episode_state *a, const episode_state *b);

/*
 * Recording rules judge a new event only: a history stored before them (a
 * notice without a reason, to municipal health care alone, a reply after a
 * declined consent) still folds, while the same events as new ones are refused.
 */
static void test_recording_replay(struct test *t)
{
	event evs[6];
	evs[0] = admitted("2024-05-02 08:00");
	evs[0].u.admitted.patient.address[0] = '\0';
	evs[1] = notice_with(ADMISSION_REASON_UNSTATED, "", 1, K_MH);
	evs[2] = request(MUN, "2024-05-03 09:00", "VC");
	evs[3] = consent(MUN, "2024-05-03 10:00", CONSENT_DECLINED);
	evs[4] = reply(VC, "2024-05-03 12:00", 3);
	evs[5] = request_to_mun(VC);
	for (int i = 0; i < 6; i++) {
		evs[i].seq = i + 1;
		evs[i].recorded_at = evs[i].occurred_at + 60;
	}
	episode_state st;
	event_error err;
	st.id = 0;
	T_EQ_INT(t, episode_fold(evs, 6, &st, &err), HG_OK, "a stored history from before the rules folds (%s)", err.code);
	T_EQ_INT(t, st.info_replies, 1, "the stored reply counts");
	T_EQ_INT(t, st.notice_reason, ADMISSION_REASON_UNSTATED, "the stored notice states no reason");
	/* the same events, recorded now, one at a time */
	static const char *const refused[6] = {"ok", "required", "", "", "", ""};
	struct world w;
	world_init(&w);
	T_EQ_INT(t, world_try(&w, evs[0], &err), HG_OK, "admission without an address");
	T_EQ_INT(t, world_try(&w, evs[1], &err), HG_EINVAL, "new notice without a reason");
	T_EQ_STR(t, err.code, refused[1], "reason");
	T_EQ_STR(t, err.field, "reason", "field");
	evs[1].u.admission_notice.reason = ADMISSION_REASON_OTHER;
	T_EQ_INT(t, world_try(&w, evs[1], &err), HG_EINVAL, "other reason, no address");
	T_EQ_STR(t, err.field, "address", "field");
	(void)snprintf(evs[1].u.admission_notice.address, EVENT_ADDRESS_MAX, "Storgatan 1");
	T_EQ_INT(t, world_try(&w, evs[1], &err), HG_EINVAL, "to municipal health care alone");
	T_EQ_STR(t, err.code, "primary_care_required", "reason");
	T_EQ_INT(t, world_try(&w, notice_with(ADMISSION_REASON_OTHER, "Storgatan 1", 2, K_MH_PC), &err), HG_OK,
		 "the notice with primary care (%s)", err.code);
	T_EQ_STR(t, w.st.patient.address, "Storgatan 1", "the notice's address is the registered address");
	T_EQ_INT(t, w.st.notice_reason, ADMISSION_REASON_OTHER, "the reason is kept");
	T_EQ_INT(t, world_try(&w, evs[2], &err), HG_OK, "request");
	T_EQ_INT(t, world_try(&w, evs[3], &err), HG_OK, "declined");
	T_EQ_INT(t, world_try(&w, evs[4], &err), HG_ECONFLICT, "reply to the declining party");
	T_EQ_STR(t, err.code, "consent_declined", "reason");
	T_EQ_STR(t, err.field, "reply_to_seq", "field");
	/* episode_apply and episode_check_append apply them too */
	event r = evs[5];
	r.seq = 0;
	T_EQ_INT(t, episode_check_append(&w.st, &r, &err), HG_ECONFLICT, "check: request to the declining party");
	T_EQ_STR(t, err.field, "to", "check: field");
	T_EQ_INT(t, episode_apply(&w.st, &r, &err), HG_ECONFLICT, "apply: request to the declining party");
}

/* The whole process, and the state it builds. */
static void test_happy_path(struct test *t)
{
	struct world w;
	world_init(&w);
	world_add(t, &w, admitted("2024-05-02 08:00"));                 /* 1 */
	world_add(t, &w, notice("2024-05-02 14:00", "2024-05-08"));     /* 2 */
	world_add(t, &w, ack(MUN, 2, "2024-05-02 15:00"));              /* 3 */
	world_add(t, &w, ack(VC, 2, "2024-05-03 08:00"));               /* 4 */
	world_add(t, &w, track("2024-05-03 10:00", TRACK_YELLOW));      /* 5 */
	world_add(t, &w, consent(MUN, "2024-05-03 11:00", CONSENT_GIVEN)); /* 6 */
	world_add(t, &w, request(MUN, "2024-05-03 11:05", "VC"));       /* 7 */
	world_add(t, &w, reply(VC, "2024-05-03 13:00", 7));             /* 8 */
	world_add(t, &w, date_changed("2024-05-04 09:00", "2024-05-10")); /* 9 */
	world_add(t, &w, ack(MUN, 9, "2024-05-04 10:00"));              /* 10 */
	world_add(t, &w, ready("2024-05-06 10:00"));                    /* 11 */
	world_add(t, &w, ack(MUN, 11, "2024-05-06 11:00"));             /* 12 */
	world_add(t, &w, contact(VC, "2024-05-06 15:00", "Anna Andersson")); /* 13 */
	world_add(t, &w, sip_called("2024-05-07 09:00", "2024-05-13 10:00")); /* 14 */
	world_add(t, &w, by(plain(EVENT_MUNICIPALITY_READY, "2024-05-08 16:00"), MUN)); /* 15 */
	world_add(t, &w, discharged("2024-05-09 11:00"));               /* 16 */
	world_add(t, &w, sip_held("2024-05-13 10:00"));                 /* 17 */
	world_add(t, &w, deviation(MUN, "2024-05-14 09:00"));           /* 18 */
	const episode_state *s = &w.st;
	T_EQ_INT(t, s->status, EPISODE_DISCHARGED, "status");
	T_EQ_INT(t, s->last_seq, 18, "last seq");
	T_EQ_STR(t, s->patient.personnummer, "19121212-1212", "patient");
	T_EQ_STR(t, s->ward, "W12", "ward");
	T_EQ_INT(t, s->admitted_at, at("2024-05-02 08:00"), "admitted at");
	T_EQ_INT(t, s->notice_at, at("2024-05-02 14:00"), "notice at");
	T_EQ_INT(t, s->recipient_count, 2, "recipients");
	T_EQ_INT(t, s->recipients[0].notice_ack_at, at("2024-05-02 15:00"), "MUN acknowledged the notice");
	T_EQ_INT(t, s->recipients[1].notice_ack_at, at("2024-05-03 08:00"), "VC acknowledged the notice");
	T_EQ_INT(t, s->recipients[0].ready_ack_at, at("2024-05-06 11:00"), "MUN acknowledged the ready notice");
	T_EQ_INT(t, s->recipients[1].ready_ack_at, HG_INSTANT_NONE, "VC did not acknowledge the ready notice");
	T_EQ_INT(t, s->expected_date, day("2024-05-10"), "expected date");
	T_EQ_INT(t, s->first_expected_date, day("2024-05-08"), "first expected date");
	T_EQ_INT(t, s->date_changes, 1, "date changes");
	T_TRUE(t, s->track_is_set && s->track == TRACK_YELLOW, "track yellow");
	T_EQ_INT(t, episode_consent_of(s, "2080")->state, CONSENT_GIVEN, "consent of 2080");
	T_EQ_INT(t, s->info_requests, 1, "requests");
	T_EQ_INT(t, s->info_replies, 1, "replies");
	T_EQ_INT(t, s->ready_period_count, 1, "ready periods");
	T_EQ_INT(t, s->ready_periods[0].end, at("2024-05-09 11:00"), "ready period ends at the discharge");
	T_EQ_INT(t, s->ready_periods[0].end_seq, 16, "ready period end seq");
	T_EQ_INT(t, s->ready_at, HG_INSTANT_NONE, "no open ready period");
	T_EQ_STR(t, s->care_contact_name, "Anna Andersson", "care contact");
	T_EQ_STR(t, s->care_contact_unit, "VC", "care contact unit");
	T_EQ_INT(t, s->sip_called_at, at("2024-05-07 09:00"), "SIP called");
	T_EQ_INT(t, s->sip_meeting_at, at("2024-05-13 10:00"), "SIP meeting");
	T_EQ_INT(t, s->sip_held_at, at("2024-05-13 10:00"), "SIP held after discharge");
	T_EQ_INT(t, s->municipality_ready_at, at("2024-05-08 16:00"), "municipality ready");
	T_EQ_STR(t, s->municipality_ready_org, "2080", "municipality ready org");
	T_EQ_INT(t, s->discharged_at, at("2024-05-09 11:00"), "discharged");
	T_EQ_INT(t, s->deviations, 1, "deviations");
	T_EQ_INT(t, s->notice_count, 4, "notices: admission, date change, ready, discharge (issue 18.4)");
	T_EQ_INT(t, episode_ready_date(s), day("2024-05-06"), "ready date");
	T_EQ_INT(t, episode_ready_days_at(s, day("2024-06-01")), 3, "ready days (6, 7, 8)");
	T_EQ_INT(t, episode_ready_days_at(s, day("2024-05-07")), 1, "ready days as of the 7th");
	T_TRUE(t, episode_is_party(s, "VC") && episode_is_party(s, "W12") && !episode_is_party(s, "VC9"), "parties");

	episode_state folded;
	folded.id = 42;
	event_error err;
	T_EQ_INT(t, episode_fold(w.evs, w.n, &folded, &err), HG_OK, "fold of the happy path");
	T_EQ_INT(t, folded.id, 42, "fold keeps the id");
	folded.id = 0;
	T_TRUE(t, state_diff(&folded, &w.st) == NULL, "fold == appends");
}

/* Corrections and cancellations change the state as if history were different. */
static void test_corrections(struct test *t)
{
	struct world w;
	event_error err;

	/* A cancelled ready notice: the patient was never ready; a new one starts afresh. */
	setup(t, &w, S_READY);
	world_add(t, &w, cancel(WARD, 3, "2024-05-06 10:30"));
	T_EQ_INT(t, w.st.status, EPISODE_ADMITTED, "cancelled ready: status");
	T_EQ_INT(t, w.st.ready_period_count, 0, "cancelled ready: no period");
	T_EQ_INT(t, w.st.cancellations, 1, "cancellations counted");
	world_add(t, &w, ready("2024-05-07 10:00"));
	T_EQ_INT(t, episode_ready_date(&w.st), day("2024-05-07"), "new ready date");
	T_EQ_INT(t, w.st.ready_periods[0].start_seq, 5, "new period seq");

	/* A corrected ready time keeps the original seq. */
	setup(t, &w, S_READY);
	world_add(t, &w, correcting(ready("2024-05-05 16:00"), 3));
	T_EQ_INT(t, w.st.ready_at, at("2024-05-05 16:00"), "corrected ready time");
	T_EQ_INT(t, w.st.ready_periods[0].start_seq, 3, "corrected ready keeps seq 3");
	T_EQ_INT(t, w.st.corrections, 1, "corrections counted");
	T_EQ_INT(t, w.st.last_seq, 4, "last seq counts the correction");
	/* a second correction of the correction: the latest wins */
	world_add(t, &w, correcting(ready("2024-05-05 18:00"), 4));
	T_EQ_INT(t, w.st.ready_at, at("2024-05-05 18:00"), "second correction");
	/* cancelling the second correction brings back the first */
	world_add(t, &w, cancel(WARD, 5, "2024-05-06 12:00"));
	T_EQ_INT(t, w.st.ready_at, at("2024-05-05 16:00"), "cancelled correction: previous version");
	/* cancelling the original drops all versions */
	world_add(t, &w, cancel(WARD, 3, "2024-05-06 12:00"));
	T_EQ_INT(t, w.st.status, EPISODE_ADMITTED, "cancelled original: not ready");

	/* Corrected patient data. */
	setup(t, &w, S_NOTICED);
	event fix = correcting(admitted("2024-05-02 08:00"), 1);
	(void)snprintf(fix.u.admitted.patient.name, HG_NAME_MAX, "Tolvan Tolvansson-Berg");
	world_add(t, &w, fix);
	T_EQ_STR(t, w.st.patient.name, "Tolvan Tolvansson-Berg", "corrected name");
	T_EQ_INT(t, w.st.notice_at, at("2024-05-02 14:00"), "notice survives the correction");

	/* A cancelled date change does not count. */
	setup(t, &w, S_NOTICED);
	world_add(t, &w, date_changed("2024-05-03 09:00", "2024-05-10"));
	world_add(t, &w, date_changed("2024-05-04 09:00", "2024-05-12"));
	T_EQ_INT(t, w.st.date_changes, 2, "two changes");
	world_add(t, &w, cancel(WARD, 4, "2024-05-04 09:05"));
	T_EQ_INT(t, w.st.date_changes, 1, "one change after the cancellation");
	T_EQ_INT(t, w.st.expected_date, day("2024-05-10"), "date reverts");

	/* A cancelled notice takes its acknowledgements with it. */
	setup(t, &w, S_ACKED);
	world_add(t, &w, cancel(WARD, 2, "2024-05-02 16:00"));
	T_EQ_INT(t, w.st.notice_at, HG_INSTANT_NONE, "cancelled notice: none sent");
	T_EQ_INT(t, w.st.recipient_count, 0, "cancelled notice: no recipients");
	event_error e2;
	T_EQ_INT(t, world_try(&w, ack(MUN, 2, "2024-05-02 17:00"), &e2), HG_ECONFLICT, "ack of a cancelled notice");
	T_EQ_STR(t, e2.code, "ack_not_a_notice", "ack of a cancelled notice: reason");
	world_add(t, &w, notice("2024-05-02 17:00", "2024-05-09"));
	T_EQ_INT(t, w.st.recipients[0].notice_seq, 5, "new notice");

	/* Acknowledging a corrected notice by the correction's seq; then the original is a duplicate. */
	setup(t, &w, S_CORRECTED_NOTICE);
	T_EQ_INT(t, w.st.expected_date, day("2024-05-09"), "corrected expected date");
	T_EQ_INT(t, w.st.date_changes, 0, "a correction is not a change");
	world_add(t, &w, ack(MUN, 3, "2024-05-02 15:00"));
	T_EQ_INT(t, w.st.recipients[0].notice_ack_at, at("2024-05-02 15:00"), "ack via the correction");
	T_EQ_INT(t, world_try(&w, ack(MUN, 2, "2024-05-02 16:00"), &err), HG_ECONFLICT, "ack of the original too");
	T_EQ_STR(t, err.code, "ack_duplicate", "same notice");
	/* a second correction keeps the acknowledgement that named the first one */
	world_add(t, &w, correcting(notice("2024-05-02 14:00", "2024-05-10"), 3));
	T_EQ_INT(t, w.st.recipients[0].notice_ack_at, at("2024-05-02 15:00"), "ack survives a new version");

	/* Cancelling the admission cancels the episode. */
	setup(t, &w, S_READY);
	world_add(t, &w, cancel(WARD, 1, "2024-05-06 12:00"));
	T_EQ_INT(t, w.st.status, EPISODE_CANCELLED, "episode cancelled");
	T_TRUE(t, w.st.cancelled, "cancelled flag");
	T_EQ_INT(t, w.st.last_seq, 4, "cancelled episode: last seq");
}


/* ---- generated sequences ---- */

/* Field-wise equality of two states (padding bytes are not part of a value). */
static const char *state_diff(const episode_state *a, const episode_state *b)
{
#define SAME(f)                                                                                              \
	if (a->f != b->f)                                                                                    \
		return #f;
#define SAME_STR(f)                                                                                          \
	if (strcmp(a->f, b->f) != 0)                                                                         \
		return #f;
	SAME(id) SAME(status) SAME(cancelled) SAME(last_seq) SAME_STR(patient.personnummer) SAME_STR(patient.name)
	SAME_STR(hospital) SAME_STR(admitting_ward) SAME_STR(ward) SAME(care) SAME(admitted_at) SAME(transfers)
	SAME(on_leave) SAME(leave_started_at) SAME(leaves) SAME(notice_at) SAME(notice_seq) SAME(need_judged_at)
	SAME(notices_sent) SAME(recipient_count) SAME(expected_date) SAME(first_expected_date) SAME(date_changes)
	SAME(date_history_count) SAME(ready_at) SAME(ready_period_count) SAME(withdrawals) SAME(track_is_set)
	SAME(track) SAME(track_set_at) SAME(track_changes) SAME(consent_count) SAME_STR(care_contact_name)
	SAME_STR(care_contact_unit) SAME(care_contact_at) SAME(care_contact_first_at) SAME(sip_called_at)
	SAME(sip_meeting_at) SAME(sip_place) SAME(sip_held_at) SAME(sip_follow_up_date) SAME(municipality_ready_at)
	SAME_STR(municipality_ready_org) SAME(discharged_at) SAME(destination) SAME(deviations) SAME(info_requests)
	SAME(info_replies) SAME(cancellations) SAME(corrections) SAME(notice_count) SAME(request_count)
	for (int i = 0; i < a->recipient_count; i++) {
		SAME_STR(recipients[i].party.unit) SAME(recipients[i].notified_at) SAME(recipients[i].notice_seq)
		SAME(recipients[i].notice_ack_at) SAME(recipients[i].ready_notified_at) SAME(recipients[i].ready_seq)
		SAME(recipients[i].ready_ack_at)
	}
	for (int i = 0; i < a->date_history_count; i++) {
		SAME(date_history[i].date) SAME(date_history[i].changed_at) SAME(date_history[i].seq)
	}
	for (int i = 0; i < a->ready_period_count; i++) {
		SAME(ready_periods[i].start) SAME(ready_periods[i].end) SAME(ready_periods[i].start_seq)
		SAME(ready_periods[i].end_seq) SAME(ready_periods[i].notified)
	}
	for (int i = 0; i < a->consent_count; i++) {
		SAME_STR(consents[i].org) SAME(consents[i].state) SAME(consents[i].at)
	}
	for (int i = 0; i < a->notice_count; i++) {
		SAME(notices[i].seq) SAME(notices[i].type) SAME(notices[i].sent_at) SAME(notices[i].to)
		SAME(notices[i].acked)
	}
	for (int i = 0; i < a->request_count; i++) {
		SAME(requests[i].seq) SAME_STR(requests[i].to.unit) SAME(requests[i].replies)
	}
	return NULL;
#undef SAME
#undef SAME_STR
}

struct rng {
	uint64_t s;
};

static unsigned rnd(struct rng *r, unsigned n)
{
	r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(r->s >> 33) % n;
}

/* A plausible next event at time now: mostly valid, sometimes not. */
static event generate(struct rng *r, const struct world *w, hg_instant now)
{
	static const enum who authors[] = {WARD, MUN, VC, VC9, MUNH};
	event ev;
	switch (rnd(r, 17)) {
	case 0: ev = notice("2024-05-02 14:00", "2024-05-20"); break;
	case 1: ev = date_changed("2024-05-02 14:00", "2024-05-20"); ev.u.expected_date_changed.date += (int)rnd(r, 8); break;
	case 2: case 3: ev = ack(authors[rnd(r, 5)], (int32_t)rnd(r, (unsigned)w->n + 1) + 1, "2024-05-02 14:00"); break;
	case 4: ev = ready("2024-05-02 14:00"); break;
	case 5: ev = withdrawn("2024-05-02 14:00"); break;
	case 6: ev = track("2024-05-02 14:00", (track_colour)rnd(r, TRACK_COLOUR_COUNT)); break;
	case 7: ev = contact(rnd(r, 2) ? VC : VC9, "2024-05-02 14:00", "Anna"); break;
	case 8: ev = consent(authors[rnd(r, 5)], "2024-05-02 14:00", (consent_state)rnd(r, CONSENT_STATE_COUNT)); break;
	case 9: ev = request(authors[rnd(r, 5)], "2024-05-02 14:00", rnd(r, 2) ? "VC" : "MUN"); break;
	case 10: ev = reply(authors[rnd(r, 5)], "2024-05-02 14:00", (int32_t)rnd(r, (unsigned)w->n + 1) + 1); break;
	case 11: ev = plain(rnd(r, 2) ? EVENT_LEAVE_STARTED : EVENT_LEAVE_ENDED, "2024-05-02 14:00"); break;
	case 12: ev = rnd(r, 4) ? deviation(MUN, "2024-05-02 14:00") : discharged("2024-05-02 14:00"); break;
	case 13: ev = by(plain(EVENT_MUNICIPALITY_READY, "2024-05-02 14:00"), rnd(r, 2) ? MUN : MUNH); break;
	case 14: case 15: {
		/* cancel something, usually as its author */
		int32_t target = (int32_t)rnd(r, (unsigned)w->n) + 1;
		ev = cancel(WARD, target, "2024-05-02 14:00");
		if (rnd(r, 8))
			set_author(&ev, w->evs[target - 1].author_unit, w->evs[target - 1].author_kind,
				   w->evs[target - 1].author_org);
		break;
	}
	default: {
		/* correct something: same event, time moved */
		int32_t target = (int32_t)rnd(r, (unsigned)w->n) + 1;
		ev = w->evs[target - 1];
		if (ev.type == EVENT_CANCELLED)
			return deviation(VC, "2024-05-02 14:00");
		ev.corrects_seq = target;
		ev.occurred_at += ((hg_instant)rnd(r, 5) - 2) * 3600;
		return ev;
	}
	}
	ev.occurred_at = now;
	if (ev.type == EVENT_ADMISSION_NOTICE)
		ev.u.admission_notice.expected_discharge_date = cal_local_date(now) + (int)rnd(r, 10);
	if (ev.type == EVENT_EXPECTED_DATE_CHANGED)
		ev.u.expected_date_changed.date = cal_local_date(now) + (int)rnd(r, 10);
	return ev;
}

/* Index of the version in force of the event at index i (the latest correction not cancelled). */
static size_t current_version(const struct world *w, size_t i)
{
	size_t root[MAX_EVENTS], best = i;
	bool gone[MAX_EVENTS] = {0};
	for (size_t k = 0; k < w->n; k++)
		if (w->evs[k].type == EVENT_CANCELLED)
			gone[w->evs[k].u.cancelled.cancels_seq - 1] = true;
	for (size_t k = 0; k < w->n; k++) {
		root[k] = k;
		if (w->evs[k].type != EVENT_CANCELLED && w->evs[k].corrects_seq) {
			root[k] = root[w->evs[k].corrects_seq - 1];
			if (root[k] == i && !gone[k])
				best = k;
		}
	}
	return best;
}

static void test_generated(struct test *t)
{
	struct rng r = {12345};
	int accepted = 0, raw = 0, rejected = 0, mismatches = 0, refold_mismatches = 0, apply_mismatches = 0;
	for (int run = 0; run < 300; run++) {
		struct world w;
		world_init(&w);
		world_add(t, &w, admitted("2024-05-02 08:00"));
		hg_instant now = at("2024-05-02 08:00");
		/* the same sequence through episode_apply alone, while no correction or cancellation came */
		episode_state plain_st = w.st;
		bool plain_ok = true;
		int steps = 10 + (int)rnd(&r, 50);
		for (int k = 0; k < steps && w.n < MAX_EVENTS; k++) {
			now += (hg_instant)rnd(&r, 8 * 3600);
			event ev = generate(&r, &w, now);
			event_error err;
			if (world_try(&w, ev, &err) != HG_OK) {
				rejected++;
				continue;
			}
			accepted++;
			if (ev.type == EVENT_CANCELLED || ev.corrects_seq)
				raw++, plain_ok = false;
			if (plain_ok) {
				event e = w.evs[w.n - 1];
				if (episode_apply(&plain_st, &e, &err) != HG_OK || state_diff(&plain_st, &w.st))
					apply_mismatches++;
			}
		}
		/* fold == appends */
		episode_state folded;
		folded.id = 0;
		event_error err;
		if (episode_fold(w.evs, w.n, &folded, &err) != HG_OK || state_diff(&folded, &w.st)) {
			mismatches++;
			fprintf(stderr, "run %d: fold differs (%s, %s)\n", run, err.code, state_diff(&folded, &w.st));
		}
		/* an identity correction of the admission re-folds everything: same state */
		if (!w.st.cancelled && w.n < MAX_EVENTS) {
			episode_state before = w.st;
			event same = w.evs[current_version(&w, 0)];
			same.corrects_seq = 1;
			if (world_try(&w, same, &err) != HG_OK) {
				refold_mismatches++;
				fprintf(stderr, "run %d: identity correction refused: %s\n", run, err.code);
			} else {
				before.last_seq++;
				before.corrections++;
				const char *d = state_diff(&before, &w.st);
				if (d) {
					refold_mismatches++;
					fprintf(stderr, "run %d: refold differs in %s\n", run, d);
				}
			}
		}
	}
	T_EQ_INT(t, mismatches, 0, "fold == appends over generated sequences");
	T_EQ_INT(t, refold_mismatches, 0, "ordinary appends == full refold");
	T_EQ_INT(t, apply_mismatches, 0, "episode_apply == episode_append");
	T_TRUE(t, accepted > 2000 && rejected > 1000 && raw > 100, "generator covers much (%d accepted, %d rejected, %d raw)",
	       accepted, rejected, raw);
}

/* ---- facts and bounded lists ---- */

static void test_facts(struct test *t)
{
	struct world w;
	setup(t, &w, S_NOTICED);
	/* expected date changes: counted without bound, the latest 16 kept */
	hg_date d = day("2024-05-09");
	for (int i = 0; i < 20; i++) {
		event ev = date_changed("2024-05-03 09:00", "2024-05-09");
		ev.u.expected_date_changed.date = d + i;
		world_add(t, &w, ev);
	}
	T_EQ_INT(t, w.st.date_changes, 20, "20 changes counted");
	T_EQ_INT(t, w.st.date_history_count, EPISODE_DATE_HISTORY_MAX, "history bounded");
	T_EQ_INT(t, w.st.date_history[EPISODE_DATE_HISTORY_MAX - 1].date, d + 19, "latest kept last");
	T_EQ_INT(t, w.st.first_expected_date, day("2024-05-08"), "first expected date kept");
	/* a second admission notice with another date counts as a change and adds a recipient */
	event n2 = notice("2024-05-04 09:00", "2024-05-30");
	set_party(&n2.u.admission_notice.recipients.to[1], "SPEC", UNIT_SPECIALIST_OUTPATIENT, "20");
	world_add(t, &w, n2);
	T_EQ_INT(t, w.st.date_changes, 21, "second notice changes the date");
	T_EQ_INT(t, w.st.recipient_count, 3, "specialist clinic added");
	T_EQ_INT(t, w.st.recipients[0].notice_seq, 2, "MUN keeps its first notice");
	T_EQ_INT(t, w.st.notices_sent, 2, "two notices");

	/* consent per party */
	setup(t, &w, S_NOTICED);
	world_add(t, &w, consent(MUN, "2024-05-03 09:00", CONSENT_GIVEN));
	world_add(t, &w, consent(VC, "2024-05-03 10:00", CONSENT_DECLINED));
	world_add(t, &w, consent(MUNH, "2024-05-03 11:00", CONSENT_WITHDRAWN)); /* same org 2080 as MUN */
	T_EQ_INT(t, w.st.consent_count, 2, "two parties");
	T_EQ_INT(t, episode_consent_of(&w.st, "2080")->state, CONSENT_WITHDRAWN, "2080: latest is withdrawn");
	T_EQ_INT(t, episode_consent_of(&w.st, "20")->state, CONSENT_DECLINED, "20: declined");
	T_TRUE(t, episode_consent_of(&w.st, "9999") == NULL, "no record for 9999");

	/* track colour */
	world_add(t, &w, track("2024-05-03 12:00", TRACK_YELLOW));
	world_add(t, &w, by(track("2024-05-04 12:00", TRACK_RED), VC));
	world_add(t, &w, track("2024-05-04 13:00", TRACK_RED));
	T_EQ_INT(t, w.st.track, TRACK_RED, "track red");
	T_EQ_INT(t, w.st.track_changes, 1, "one change of colour");
	T_EQ_INT(t, w.st.track_set_at, at("2024-05-04 13:00"), "track set at");

	/* withdrawal periods and the facts liability needs */
	setup(t, &w, S_READY);                                      /* ready Mon 6 May 10:00 */
	world_add(t, &w, ack(MUN, 3, "2024-05-06 11:00"));
	world_add(t, &w, withdrawn("2024-05-08 09:00"));            /* 5 */
	T_EQ_INT(t, w.st.recipients[0].ready_ack_at, at("2024-05-06 11:00"), "ready ack");
	event r2 = ready("2024-05-10 08:00");                       /* 6: to MUN only */
	r2.u.ready_for_discharge.recipients.count = 1;
	set_party(&r2.u.ready_for_discharge.recipients.to[0], "MUN", UNIT_MUNICIPAL_SOCIAL, "2080");
	world_add(t, &w, r2);
	T_EQ_INT(t, w.st.recipients[0].ready_ack_at, HG_INSTANT_NONE, "new ready notice: not yet acknowledged");
	T_EQ_INT(t, w.st.recipients[0].ready_seq, 6, "MUN's latest ready notice");
	T_EQ_INT(t, w.st.recipients[1].ready_seq, 3, "VC's latest ready notice");
	world_add(t, &w, discharged("2024-05-13 14:00"));
	T_EQ_INT(t, w.st.ready_period_count, 2, "two periods");
	T_EQ_INT(t, w.st.withdrawals, 1, "one withdrawal");
	T_EQ_INT(t, w.st.ready_periods[0].end, at("2024-05-08 09:00"), "first period ends at the withdrawal");
	T_EQ_INT(t, w.st.ready_periods[0].end_seq, 5, "first period end seq");
	T_EQ_INT(t, w.st.ready_periods[1].end_seq, 7, "second period ends at the discharge");
	T_EQ_INT(t, episode_ready_date(&w.st), day("2024-05-06"), "ready date is the first");
	T_EQ_INT(t, episode_ready_days_at(&w.st, day("2024-12-31")), 2 + 3, "ready days 6,7 + 10,11,12");
	T_EQ_INT(t, episode_ready_days_at(&w.st, day("2024-05-11")), 2 + 1, "ready days as of the 11th");
	T_EQ_INT(t, episode_ready_days_at(&w.st, day("2024-05-06")), 0, "ready days on the ready day");
	hg_instant when = 0;
	T_TRUE(t, episode_notice_sent_to_org(&w.st, "2080", &when) && when == at("2024-05-02 14:00"), "notice to 2080");
	T_TRUE(t, !episode_notice_sent_to_org(&w.st, "2081", &when), "no notice to 2081");
	T_TRUE(t, episode_ready_notice_sent_to_org(&w.st, 0, "20", &when) && when == at("2024-05-06 10:00"),
	       "first ready notice to region 20");
	T_TRUE(t, !episode_ready_notice_sent_to_org(&w.st, 1, "20", &when), "second ready notice not to 20");
	T_TRUE(t, episode_ready_notice_sent_to_org(&w.st, 1, "2080", &when) && when == at("2024-05-10 08:00"),
	       "second ready notice to 2080");
	T_TRUE(t, !episode_ready_notice_sent_to_org(&w.st, 2, "2080", &when), "no third period");
	T_EQ_INT(t, episode_recipient_index(&w.st, "VC"), 1, "recipient index");

	/* a stored sequence that breaks a rule is found by the fold, with its seq */
	event bad[4];
	bad[0] = admitted("2024-05-02 08:00");
	bad[1] = notice("2024-05-02 14:00", "2024-05-08");
	bad[2] = ready("2024-05-06 10:00");
	bad[3] = ready("2024-05-07 10:00");
	for (int i = 0; i < 4; i++)
		bad[i].seq = i + 1, bad[i].recorded_at = bad[i].occurred_at + 60;
	episode_state out;
	event_error err;
	out.id = 0;
	T_EQ_INT(t, episode_fold(bad, 4, &out, &err), HG_ECONFLICT, "stored double ready");
	T_EQ_STR(t, err.code, "already_ready", "stored double ready: reason");
	T_EQ_INT(t, err.seq, 4, "stored double ready: seq");
	T_EQ_INT(t, out.last_seq, 3, "state before the bad event");
	bad[2].seq = 5;
	T_EQ_INT(t, episode_fold(bad, 4, &out, &err), HG_ECONFLICT, "gap in seq");
	T_EQ_STR(t, err.code, "seq_out_of_order", "gap in seq: reason");
	T_EQ_INT(t, err.seq, 3, "gap in seq: position");
	T_EQ_INT(t, episode_fold(&bad[2], 1, &out, &err), HG_ECONFLICT, "stored ready first");
	T_EQ_INT(t, episode_fold(bad, 0, &out, &err), HG_OK, "empty fold");
	T_EQ_INT(t, out.status, EPISODE_EMPTY, "empty fold: status");

	/* bounded lists refuse the event that would overflow them */
	setup(t, &w, S_ADMITTED);
	for (int k = 0; k < 3; k++) {
		event nn = notice("2024-05-02 14:00", "2024-05-08");
		nn.u.admission_notice.recipients.count = k < 2 ? EVENT_RECIPIENTS_MAX : 1;
		for (int i = 0; i < nn.u.admission_notice.recipients.count; i++) {
			char unit[16];
			(void)snprintf(unit, sizeof unit, "U%d", k * 10 + i);
			set_party(&nn.u.admission_notice.recipients.to[i], unit, UNIT_PRIMARY_CARE, "20");
		}
		if (k < 2) {
			world_add(t, &w, nn);
		} else {
			T_EQ_INT(t, world_try(&w, nn, &err), HG_ERANGE, "17th recipient");
			T_EQ_STR(t, err.code, "limit_reached", "17th recipient: reason");
			T_EQ_STR(t, err.field, "recipients", "17th recipient: field");
		}
	}
	T_EQ_INT(t, w.st.recipient_count, EPISODE_RECIPIENTS_MAX, "16 recipients");
	setup(t, &w, S_NOTICED);
	for (int k = 0; k < EPISODE_READY_PERIODS_MAX; k++) {
		event rr = ready("2024-05-03 10:00"), ww = withdrawn("2024-05-03 10:30");
		rr.occurred_at += k * 3600;
		ww.occurred_at += k * 3600;
		world_add(t, &w, rr);
		world_add(t, &w, ww);
	}
	T_EQ_INT(t, w.st.withdrawals, EPISODE_READY_PERIODS_MAX, "16 withdrawals");
	T_EQ_INT(t, world_try(&w, ready("2024-05-04 10:00"), &err), HG_ERANGE, "17th ready period");
	T_EQ_STR(t, err.code, "limit_reached", "17th ready period: reason");

	/* status codes */
	for (int i = 0; i < EPISODE_STATUS_COUNT; i++) {
		episode_status s;
		T_TRUE(t, episode_status_from_code(episode_status_label((episode_status)i)->code, &s) && s == (episode_status)i,
		       "status %d round-trips", i);
	}
}

/* Which appends need the stored events: corrections and cancellations only. */
static void test_needs_history(struct test *t)
{
	static const struct {
		event_type type;
		int32_t corrects;
		bool needs;
	} rows[] = {
		{EVENT_ADMISSION_NOTICE, 0, false}, {EVENT_READY_FOR_DISCHARGE, 0, false}, {EVENT_DEVIATION, 0, false},
		{EVENT_ACKNOWLEDGED, 0, false},     {EVENT_ADMISSION_NOTICE, 2, true},     {EVENT_EXPECTED_DATE_CHANGED, 3, true},
		{EVENT_CANCELLED, 0, true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		event ev;
		event_init(&ev, rows[i].type);
		ev.corrects_seq = rows[i].corrects;
		T_TRUE(t, episode_append_needs_history(&ev) == rows[i].needs, "needs history row %zu (%s, corrects %d)", i,
		       event_type_code(rows[i].type), rows[i].corrects);
	}
}

/* The history questions the records-system adapters ask: which notice is the live one, and is an event
 * cancelled. History: 1 admission, 2 notice, 3 correction of 2, 4 notice, 5 cancels 4, 6 date change. */
static void test_latest_live(struct test *t)
{
	event h[6];
	static const event_type types[] = {EVENT_ADMITTED, EVENT_ADMISSION_NOTICE, EVENT_ADMISSION_NOTICE,
					   EVENT_ADMISSION_NOTICE, EVENT_CANCELLED, EVENT_EXPECTED_DATE_CHANGED};
	for (int i = 0; i < 6; i++) {
		event_init(&h[i], types[i]);
		h[i].seq = i + 1;
	}
	h[2].corrects_seq = 2;
	h[4].u.cancelled.cancels_seq = 4;
	static const struct {
		size_t n; /* history length */
		event_type type;
		int32_t live_seq; /* 0: none */
	} rows[] = {
		{6, EVENT_ADMISSION_NOTICE, 2},     {4, EVENT_ADMISSION_NOTICE, 4},  {1, EVENT_ADMISSION_NOTICE, 0},
		{6, EVENT_ADMITTED, 1},             {6, EVENT_EXPECTED_DATE_CHANGED, 6}, {6, EVENT_READY_FOR_DISCHARGE, 0},
		{0, EVENT_ADMITTED, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const event *e = episode_latest_live(h, rows[i].n, rows[i].type);
		T_EQ_INT(t, e ? e->seq : 0, rows[i].live_seq, "latest live row %zu", i);
	}
	static const struct {
		size_t n;
		int32_t seq;
		bool cancelled;
	} crow[] = {{6, 4, true}, {4, 4, false}, {6, 2, false}, {6, 5, false}, {0, 1, false}};
	for (size_t i = 0; i < sizeof crow / sizeof crow[0]; i++)
		T_TRUE(t, episode_event_cancelled(h, crow[i].n, crow[i].seq) == crow[i].cancelled, "cancelled row %zu", i);
}

/* ---- issue 14 and 18: the care process steps ---- */

static event by_ifo(event ev)
{
	set_author(&ev, "IFO", UNIT_MUNICIPAL_IFO, "2080");
	return ev;
}
static event legal_form_ev(legal_form f)
{
	event ev = base(EVENT_LEGAL_FORM_SET, "2024-05-06 11:00");
	ev.u.legal_form_set.form = f;
	return ev;
}
static event plan_called(enum who w, const char *meeting)
{
	event ev = by(base(EVENT_CARE_PLAN_CALLED, "2024-05-06 12:00"), w);
	ev.u.care_plan_called.meeting_at = at(meeting);
	ev.u.care_plan_called.place = SIP_HOSPITAL;
	return ev;
}
static event decision(enum who w, decision_outcome o)
{
	event ev = by(base(EVENT_MUNICIPAL_DECISION, "2024-05-07 10:00"), w);
	ev.u.municipal_decision.outcome = o;
	ev.u.municipal_decision.services = o == DECISION_REJECTED ? 0 : EVENT_SERVICE_BIT(SERVICE_HOME_CARE);
	return ev;
}
static event mplan(const char *when, const char *date)
{
	event ev = by(base(EVENT_MUNICIPAL_PLAN, when), MUN);
	ev.u.municipal_plan.can_receive_on = day(date);
	ev.u.municipal_plan.services = EVENT_SERVICE_BIT(SERVICE_HOME_CARE) | EVENT_SERVICE_BIT(SERVICE_SAFETY_ALARM);
	return ev;
}
static event transferred_items(const char *when, unsigned items)
{
	event ev = base(EVENT_INFORMATION_TRANSFERRED, when);
	ev.u.information_transferred.items = items;
	return ev;
}

MAKE(c_lpt, legal_form_ev(LEGAL_FORM_LPT))
MAKE(c_lrv_by_vc, by(legal_form_ev(LEGAL_FORM_LRV), VC))
MAKE(c_plan_called_ward, plan_called(WARD, "2024-05-07 13:00"))
MAKE(c_plan_called_vc, plan_called(VC, "2024-05-07 13:00"))
MAKE(c_plan_called_mun, plan_called(MUN, "2024-05-07 13:00"))
MAKE(c_plan_called_vc9, plan_called(VC9, "2024-05-07 13:00"))
MAKE(c_plan_established, base(EVENT_CARE_PLAN_ESTABLISHED, "2024-05-07 15:00"))
MAKE(c_plan_established_mun, by(base(EVENT_CARE_PLAN_ESTABLISHED, "2024-05-07 15:00"), MUN))
MAKE(c_chief_applied, base(EVENT_CHIEF_PHYSICIAN_APPLIED, "2024-05-07 16:00"))
MAKE(c_report_mun, by(base(EVENT_MUNICIPAL_REPORT_RECEIVED, "2024-05-02 16:00"), MUN))
MAKE(c_report_vc, by(base(EVENT_MUNICIPAL_REPORT_RECEIVED, "2024-05-02 16:00"), VC))
MAKE(c_report_ifo, by_ifo(base(EVENT_MUNICIPAL_REPORT_RECEIVED, "2024-05-02 16:00")))
MAKE(c_decision_mun, decision(MUN, DECISION_GRANTED))
MAKE(c_home_care, by(base(EVENT_HOME_CARE_STARTED, "2024-05-09 10:00"), MUN))
MAKE(c_mplan, mplan("2024-05-06 14:00", "2024-05-08"))
MAKE(c_taken_over, by(base(EVENT_RESPONSIBILITY_TAKEN_OVER, "2024-05-08 15:00"), VC))
MAKE(c_taken_over_early, by(base(EVENT_RESPONSIBILITY_TAKEN_OVER, "2024-05-06 15:00"), VC))
MAKE(c_info_all, transferred_items("2024-05-08 10:00", EVENT_ITEMS_ALL))
MAKE(c_patient_informed_late, base(EVENT_PATIENT_INFORMED, "2024-05-08 12:00"))
static event children(void)
{
	event ev = base(EVENT_CHILDREN_AS_RELATIVES, "2024-05-03 10:00");
	ev.u.children_as_relatives.present = true;
	return ev;
}
MAKE(c_children_ifo, by_ifo(children()))
MAKE(c_children_mun, by(children(), MUN))
MAKE(c_sip_called_far, sip_called("2024-05-06 15:00", "2025-05-08 10:00"))
MAKE(c_ack_discharge_mun, ack(MUN, 4, "2024-05-08 12:00"))

/* Prefixes of the care process: each is a standard setup plus the events named. */
enum care_setup { CS_READY, CS_LPT, CS_LPT_PLAN, CS_LPT_DISCHARGED, CS_NOTICED, CS_APPLIED, CS_REJECTED,
		  CS_CONTACT, CS_CONTACT_DISCHARGED, CS_DISCHARGED };

static void care_setup(struct test *t, struct world *w, enum care_setup s)
{
	bool out = s == CS_LPT_DISCHARGED || s == CS_CONTACT_DISCHARGED || s == CS_DISCHARGED;
	setup(t, w, s == CS_NOTICED || s == CS_APPLIED || s == CS_REJECTED ? S_NOTICED
		    : s == CS_DISCHARGED			  ? S_DISCHARGED
								  : S_READY);
	if (s == CS_LPT || s == CS_LPT_PLAN || s == CS_LPT_DISCHARGED)
		world_add(t, w, c_lpt());
	if (s == CS_LPT_PLAN) {
		world_add(t, w, c_plan_called_ward());
		world_add(t, w, c_plan_established());
	}
	if (s == CS_APPLIED || s == CS_REJECTED)
		world_add(t, w, by(base(EVENT_MUNICIPAL_APPLICATION_RECEIVED, "2024-05-03 10:00"), MUN));
	if (s == CS_REJECTED)
		world_add(t, w, decision(MUN, DECISION_REJECTED));
	if (s == CS_CONTACT || s == CS_CONTACT_DISCHARGED)
		world_add(t, w, contact(VC, "2024-05-06 15:00", "Anna"));
	if (out && s != CS_DISCHARGED)
		world_add(t, w, discharged("2024-05-08 11:00"));
}

static void test_care_rules(struct test *t)
{
	static const struct {
		enum care_setup setup;
		make_fn make;
		const char *reason;
		const char *field;
	} rows[] = {
		/* 14.1: the legal form and the samordnad vårdplan */
		{CS_READY, c_lpt, "ok", ""},
		{CS_READY, c_lrv_by_vc, "author_kind_not_allowed", "author_kind"},
		{CS_READY, c_plan_called_ward, "no_legal_form", "type"},
		{CS_READY, c_plan_established, "no_legal_form", "type"},
		{CS_LPT, c_plan_called_ward, "ok", ""},
		{CS_LPT, c_plan_called_vc, "ok", ""},
		{CS_LPT, c_plan_called_mun, "ok", ""},
		{CS_LPT, c_plan_called_vc9, "author_not_party", "author_unit"},
		{CS_LPT, c_plan_established, "ok", ""},
		{CS_LPT, c_plan_established_mun, "author_kind_not_allowed", "author_kind"},
		{CS_LPT, c_chief_applied, "care_plan_not_established", "type"},
		{CS_LPT_PLAN, c_chief_applied, "ok", ""},
		{CS_LPT_DISCHARGED, c_plan_established, "after_discharge", "type"}, /* before the patient leaves */
		/* 14.3 and 18.3: the municipality's steps, IFO among them (14.7) */
		{CS_NOTICED, c_report_mun, "ok", ""},
		{CS_NOTICED, c_report_vc, "author_kind_not_allowed", "author_kind"},
		{CS_NOTICED, c_report_ifo, "author_not_party", "author_unit"}, /* IFO got no notice here */
		{CS_NOTICED, c_decision_mun, "no_application", "type"},
		{CS_APPLIED, c_decision_mun, "ok", ""},
		{CS_APPLIED, c_home_care, "no_decision", "type"},
		{CS_REJECTED, c_home_care, "no_decision", "type"},
		{CS_READY, c_mplan, "ok", ""},
		{CS_DISCHARGED, c_mplan, "after_discharge", "type"},
		/* 14.4: the discharge step */
		{CS_READY, c_taken_over_early, "no_care_contact", "type"},
		{CS_CONTACT, c_taken_over_early, "not_discharged", "type"},
		{CS_CONTACT_DISCHARGED, c_taken_over, "ok", ""},
		{CS_DISCHARGED, c_info_all, "ok", ""},
		{CS_DISCHARGED, c_patient_informed_late, "ok", ""},
		/* 18.4: the discharge is a notice the parties acknowledge; a meeting a year ahead has its own reason */
		{CS_DISCHARGED, c_ack_discharge_mun, "ok", ""},
		{CS_READY, c_sip_called_far, "meeting_too_far", "meeting_at"},
		/* 14.7 */
		{CS_NOTICED, c_children_mun, "ok", ""},
		{CS_NOTICED, c_children_ifo, "author_not_party", "author_unit"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct world w;
		care_setup(t, &w, rows[i].setup);
		event_error err;
		event ev = rows[i].make();
		hg_status rc = world_try(&w, ev, &err);
		T_EQ_STR(t, err.code, rows[i].reason, "care row %zu (%s) reason", i, event_type_code(ev.type));
		T_EQ_STR(t, err.field, rows[i].field, "care row %zu (%s) field", i, event_type_code(ev.type));
		T_EQ_INT(t, rc, event_reason_get(err.reason)->status, "care row %zu status", i);
	}
}

/* What the fold keeps of the steps, the to-dos a worklist shows, and the warnings of a discharge. */
static void test_care_state(struct test *t)
{
	struct world w;
	care_setup(t, &w, CS_LPT);
	T_TRUE(t, episode_has_care_plan(&w.st), "LPT: a samordnad vårdplan");
	unsigned todos = episode_care_todos(&w.st, day("2024-05-06"));
	T_TRUE(t, todos & TODO_BIT(TODO_CARE_PLAN_MISSING), "ready without the plan: to do");
	T_TRUE(t, todos & TODO_BIT(TODO_MUNICIPALITY_NOT_READY), "ready, the municipality not ready");
	T_EQ_INT(t, episode_discharge_warnings(&w.st), 1u << WARNING_CARE_PLAN_MISSING, "discharge warns: no plan");
	world_add(t, &w, c_plan_called_ward());
	world_add(t, &w, c_plan_established());
	T_EQ_INT(t, w.st.care_plan_called_at, at("2024-05-06 12:00"), "plan called");
	T_EQ_INT(t, w.st.care_plan_established_at, at("2024-05-07 15:00"), "plan established");
	T_TRUE(t, !(episode_care_todos(&w.st, day("2024-05-07")) & TODO_BIT(TODO_CARE_PLAN_MISSING)), "plan in place");
	T_EQ_INT(t, episode_discharge_warnings(&w.st), 0, "no warning");

	/* the municipality's plan: hemgångsklar from the date it can receive the patient */
	world_add(t, &w, c_mplan());
	T_TRUE(t, !episode_municipality_ready_on(&w.st, day("2024-05-07")), "not ready the day before");
	T_TRUE(t, episode_municipality_ready_on(&w.st, day("2024-05-08")), "ready on the date");
	T_EQ_INT(t, w.st.municipal_plan_services,
		 EVENT_SERVICE_BIT(SERVICE_HOME_CARE) | EVENT_SERVICE_BIT(SERVICE_SAFETY_ALARM), "services planned");

	/* the discharge step: a missing item of the information transfer is a deviation on the worklist */
	care_setup(t, &w, CS_CONTACT);
	world_add(t, &w, sip_called("2024-05-06 16:00", "2024-05-07 10:00"));
	T_EQ_INT(t, episode_discharge_warnings(&w.st), 1u << WARNING_SIP_NOT_HELD, "discharge warns: SIP not held");
	world_add(t, &w, transferred_items("2024-05-08 10:00", EVENT_ITEM_BIT(DISCHARGE_ITEM_MEDICATION_LIST)));
	world_add(t, &w, transferred_items("2024-05-08 10:30", EVENT_ITEM_BIT(DISCHARGE_ITEM_AIDS)));
	world_add(t, &w, discharged("2024-05-08 11:00"));
	T_EQ_INT(t, episode_information_missing(&w.st),
		 EVENT_ITEM_BIT(DISCHARGE_ITEM_DISCHARGE_INFORMATION) | EVENT_ITEM_BIT(DISCHARGE_ITEM_APPOINTMENTS),
		 "two items missing");
	todos = episode_care_todos(&w.st, day("2024-05-08"));
	T_EQ_INT(t, todos,
		 TODO_BIT(TODO_INFORMATION_MISSING) | TODO_BIT(TODO_PATIENT_NOT_INFORMED) |
			 TODO_BIT(TODO_NOT_TAKEN_OVER) | TODO_BIT(TODO_SIP_NOT_HELD),
		 "discharged: the deviation and what is left");
	world_add(t, &w, c_info_all());
	world_add(t, &w, c_patient_informed_late());
	world_add(t, &w, c_taken_over());
	world_add(t, &w, sip_held("2024-05-08 16:00"));
	T_EQ_INT(t, episode_care_todos(&w.st, day("2024-05-09")), 0, "nothing left");
	T_EQ_STR(t, w.st.responsibility_unit, "VC", "primary care took over");
	T_EQ_INT(t, w.st.notice_count, 3, "admission, ready, discharge notices");
	T_EQ_INT(t, w.st.discharge_notice_seq, 8, "the discharge is the notice");

	/* the municipality's steps */
	care_setup(t, &w, CS_NOTICED);
	world_add(t, &w, c_report_mun());
	T_TRUE(t, episode_care_todos(&w.st, day("2024-05-03")) & TODO_BIT(TODO_MUNICIPAL_NO_CONTACT), "no contact yet");
	world_add(t, &w, by(base(EVENT_MUNICIPAL_PATIENT_CONTACTED, "2024-05-03 09:00"), MUN));
	world_add(t, &w, by(base(EVENT_MUNICIPAL_APPLICATION_RECEIVED, "2024-05-03 10:00"), MUN));
	T_EQ_INT(t, episode_care_todos(&w.st, day("2024-05-03")), TODO_BIT(TODO_MUNICIPAL_NO_DECISION), "not decided");
	world_add(t, &w, c_decision_mun());
	T_EQ_INT(t, episode_care_todos(&w.st, day("2024-05-07")), 0, "decided");
	T_EQ_INT(t, w.st.municipal_decision_at, at("2024-05-07 10:00"), "decision time");
	world_add(t, &w, c_children_mun());
	T_TRUE(t, w.st.children_as_relatives, "children as relatives");
}

/* The care plan's deadline replaces the SIP's for LPT/LRV, and billing follows the plan (issue 14.1). */
static void test_care_plan_deadline(struct test *t)
{
	static const struct {
		bool lpt;
		bool call;
		const char *now;
		deadline_state sip, plan;
	} rows[] = {
		{false, false, "2024-05-10 12:00", DEADLINE_OVERDUE, DEADLINE_NOT_APPLICABLE},
		{true, false, "2024-05-10 12:00", DEADLINE_NOT_APPLICABLE, DEADLINE_OVERDUE}, /* never "SIP overdue" */
		{true, false, "2024-05-09 12:00", DEADLINE_NOT_APPLICABLE, DEADLINE_DUE_TODAY},
		{true, true, "2024-05-10 12:00", DEADLINE_NOT_APPLICABLE, DEADLINE_MET},
	};
	deadline_rules r = deadline_rules_default();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct world w;
		care_setup(t, &w, rows[i].lpt ? CS_LPT : CS_READY);
		if (rows[i].call)
			world_add(t, &w, c_plan_called_ward());
		deadline dl[DEADLINE_KIND_COUNT];
		T_EQ_INT(t, deadline_evaluate(&w.st, &r, at(rows[i].now), dl), HG_OK, "row %zu evaluated", i);
		T_EQ_STR(t, deadline_state_label(dl[DEADLINE_SIP_CALL].state)->code, deadline_state_label(rows[i].sip)->code,
			 "row %zu SIP call", i);
		T_EQ_STR(t, deadline_state_label(dl[DEADLINE_CARE_PLAN_CALL].state)->code,
			 deadline_state_label(rows[i].plan)->code, "row %zu care plan call", i);

		liability_period periods[LIABILITY_PERIODS_MAX];
		liability_input in;
		T_EQ_INT(t, billing_input(&w.st, "2080", day("2024-05-20"), periods, &in), HG_OK, "row %zu billing input", i);
		T_TRUE(t, in.sip_needed && in.care_plan == rows[i].lpt, "row %zu: the plan is needed", i);
		T_TRUE(t, in.sip_called == rows[i].call, "row %zu: called as the plan (or SIP) is", i);
	}
}

int main(void)
{
	struct test t = {.name = "test_episode"};
	test_care_rules(&t);
	test_care_state(&t);
	test_care_plan_deadline(&t);
	test_needs_history(&t);
	test_latest_live(&t);
	test_rules(&t);
	test_entry_points(&t);
	test_recording_replay(&t);
	test_happy_path(&t);
	test_corrections(&t);
	test_generated(&t);
	test_facts(&t);
	return test_report(&t);
}
