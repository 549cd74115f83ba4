/* test_event.c - the event type table, the code tables, the reasons, and field validation. */
#include <stdlib.h>

#include "core/calendar.h"
#include "core/event.h"
#include "test.h"

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

static bool snake_case(const char *s)
{
	if (!s || s[0] < 'a' || s[0] > 'z')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static void test_type_table(struct test *t)
{
	int notices = 0;
	for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
		const event_type_info *info = event_info((event_type)i);
		T_TRUE(t, info && info->code && info->sv && info->en && info->sv[0] && info->en[0], "row %d complete", i);
		if (!info || !info->code)
			continue;
		T_TRUE(t, snake_case(info->code), "code %s is snake_case", info->code);
		T_TRUE(t, info->author_kinds != 0, "%s has authors", info->code);
		T_TRUE(t, !(info->author_kinds & EVENT_KIND_BIT(UNIT_ADMIN)), "%s not authored by admin", info->code);
		event_type back;
		T_TRUE(t, event_type_from_code(info->code, &back) && back == (event_type)i, "%s round-trips", info->code);
		T_EQ_STR(t, event_type_code((event_type)i), info->code, "code of %d", i);
		for (int j = 0; j < i; j++)
			T_TRUE(t, strcmp(event_info((event_type)j)->code, info->code) != 0, "%s unique", info->code);
		notices += info->is_notice;
	}
	T_EQ_INT(t, notices, 5, "notices: admission, date change, ready, withdrawn, discharge");
	T_TRUE(t, event_info(EVENT_TYPE_COUNT) == NULL, "no row past the end");
	T_EQ_STR(t, event_type_code(EVENT_TYPE_COUNT), "unknown", "code past the end");
	event_type x;
	T_TRUE(t, !event_type_from_code("Admitted", &x) && !event_type_from_code(NULL, &x) &&
			  !event_type_from_code("", &x),
	       "unknown codes");

	/* Who may author what: the rules of the task, row by row. */
	enum { W = 1 << UNIT_WARD, P = 1 << UNIT_PRIMARY_CARE, S = 1 << UNIT_SPECIALIST_OUTPATIENT,
	       MS = 1 << UNIT_MUNICIPAL_SOCIAL, MH = 1 << UNIT_MUNICIPAL_HEALTH, I = 1 << UNIT_MUNICIPAL_IFO };
	static const struct { event_type type; unsigned kinds; bool after_discharge; } rows[] = {
		{EVENT_ADMITTED, W, false},
		{EVENT_TRANSFERRED, W, false},
		{EVENT_ADMISSION_NOTICE, W, false},
		{EVENT_EXPECTED_DATE_CHANGED, W, false},
		{EVENT_READY_FOR_DISCHARGE, W, false},
		{EVENT_READY_WITHDRAWN, W, false},
		{EVENT_DISCHARGED, W, false},
		{EVENT_CARE_CONTACT_APPOINTED, P | S, false},
		{EVENT_SIP_CALLED, P | S | MS | MH | I, true}, /* issue 14: the municipality may call the SIP */
		{EVENT_SIP_HELD, P | S | MS | MH | I, true},
		{EVENT_MUNICIPALITY_READY, MS | MH | I, false},
		{EVENT_ACKNOWLEDGED, W | P | S | MS | MH | I, true},
		{EVENT_DEVIATION, W | P | S | MS | MH | I, true},
		{EVENT_INFO_REQUESTED, W | P | S | MS | MH | I, false},
		{EVENT_INFO_REPLIED, W | P | S | MS | MH | I, true},
		{EVENT_CONSENT_RECORDED, W | P | S | MS | MH | I, true},
		{EVENT_CANCELLED, W | P | S | MS | MH | I, true},
		{EVENT_TRACK_SET, W | P | S, false},
		{EVENT_LEAVE_STARTED, W, false},
		{EVENT_LEAVE_ENDED, W, false},
		/* issue 14.1: the samordnad vårdplan of LPT/LRV; established before the patient leaves */
		{EVENT_LEGAL_FORM_SET, W, false},
		{EVENT_CARE_PLAN_CALLED, W | P | S | MS | MH | I, false},
		{EVENT_CARE_PLAN_ESTABLISHED, W | P | S, false},
		{EVENT_CHIEF_PHYSICIAN_APPLIED, W, false},
		/* issue 14.3 and 18.3: the municipality's own steps */
		{EVENT_MUNICIPAL_REPORT_RECEIVED, MS | MH | I, true},
		{EVENT_MUNICIPAL_PATIENT_CONTACTED, MS | MH | I, true},
		{EVENT_MUNICIPAL_APPLICATION_RECEIVED, MS | MH | I, true},
		{EVENT_MUNICIPAL_DECISION, MS | MH | I, true},
		{EVENT_MUNICIPAL_PLAN, MS | MH | I, false},
		{EVENT_HOME_CARE_STARTED, MS | MH | I, true},
		/* issue 14.4: the discharge step */
		{EVENT_INFORMATION_TRANSFERRED, W, true},
		{EVENT_PATIENT_INFORMED, W, true},
		{EVENT_RESPONSIBILITY_TAKEN_OVER, P | S, true},
		/* issue 14.7 */
		{EVENT_CHILDREN_AS_RELATIVES, W | P | S | MS | MH | I, true},
	};
	T_EQ_INT(t, sizeof rows / sizeof rows[0], EVENT_TYPE_COUNT, "every type has a rule row");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const event_type_info *info = event_info(rows[i].type);
		T_EQ_INT(t, info->author_kinds, rows[i].kinds, "authors of %s", info->code);
		T_EQ_INT(t, info->after_discharge, rows[i].after_discharge, "after discharge: %s", info->code);
	}
}

/* Every payload code table: complete, unique, round-trips, rejects unknown codes. */
#define WRAP(prefix, type)                                                                                   \
	static const hg_code_label *prefix##_l(int v) { return prefix##_label((type)v); }                      \
	static bool prefix##_f(const char *c, int *o)                                                        \
	{                                                                                                    \
		type v;                                                                                      \
		if (!prefix##_from_code(c, &v))                                                              \
			return false;                                                                        \
		*o = (int)v;                                                                                 \
		return true;                                                                                 \
	}
WRAP(consent_state, consent_state)
WRAP(consent_how, consent_how)
WRAP(track_colour, track_colour)
WRAP(sip_place, sip_place)
WRAP(discharge_destination, discharge_destination)
WRAP(deviation_category, deviation_category)
WRAP(admission_reason, admission_reason)
WRAP(legal_form, legal_form)
WRAP(decision_outcome, decision_outcome)
WRAP(municipal_service, municipal_service)
WRAP(discharge_item, discharge_item)

static void test_payload_codes(struct test *t)
{
	static const struct {
		const char *name;
		int count;
		const hg_code_label *(*label)(int);
		bool (*from)(const char *, int *);
		const char *sample; /* a code that must exist */
	} tabs[] = {
		{"consent_state", CONSENT_STATE_COUNT, consent_state_l, consent_state_f, "withdrawn"},
		{"consent_how", CONSENT_HOW_COUNT, consent_how_l, consent_how_f, "written"},
		{"track_colour", TRACK_COLOUR_COUNT, track_colour_l, track_colour_f, "yellow"},
		{"sip_place", SIP_PLACE_COUNT, sip_place_l, sip_place_f, "video"},
		{"discharge_destination", DEST_COUNT, discharge_destination_l, discharge_destination_f, "special_housing"},
		{"deviation_category", DEVIATION_CATEGORY_COUNT, deviation_category_l, deviation_category_f,
		 "notice_late"},
		{"admission_reason", ADMISSION_REASON_COUNT, admission_reason_l, admission_reason_f, "other"},
		{"legal_form", LEGAL_FORM_COUNT, legal_form_l, legal_form_f, "lpt"},
		{"legal_form", LEGAL_FORM_COUNT, legal_form_l, legal_form_f, "lrv"},
		{"decision_outcome", DECISION_OUTCOME_COUNT, decision_outcome_l, decision_outcome_f, "partly_granted"},
		{"municipal_service", MUNICIPAL_SERVICE_COUNT, municipal_service_l, municipal_service_f, "home_care"},
		{"discharge_item", DISCHARGE_ITEM_COUNT, discharge_item_l, discharge_item_f, "medication_list"},
	};
	for (size_t k = 0; k < sizeof tabs / sizeof tabs[0]; k++) {
		int v;
		for (int i = 0; i < tabs[k].count; i++) {
			const hg_code_label *l = tabs[k].label(i);
			T_TRUE(t, l && snake_case(l->code) && l->sv[0] && l->en[0], "%s row %d complete", tabs[k].name, i);
			T_TRUE(t, tabs[k].from(l->code, &v) && v == i, "%s %s round-trips", tabs[k].name, l->code);
		}
		T_TRUE(t, tabs[k].from(tabs[k].sample, &v), "%s has %s", tabs[k].name, tabs[k].sample);
		T_TRUE(t, !tabs[k].from("nonsense", &v) && !tabs[k].from(NULL, &v), "%s rejects unknown", tabs[k].name);
		T_TRUE(t, tabs[k].label(tabs[k].count) == tabs[k].label(0), "%s: out of range gives row 0", tabs[k].name);
	}
}

static void test_reasons(struct test *t)
{
	for (int i = 0; i < EVR_COUNT; i++) {
		const event_reason_info *r = event_reason_get((event_reason)i);
		T_TRUE(t, snake_case(r->code) && r->message_en && r->message_sv && r->message_en[0] && r->message_sv[0],
		       "reason %d complete", i);
		T_TRUE(t, (i == EVR_OK) == (r->status == HG_OK), "reason %s status", r->code);
		event_reason back;
		T_TRUE(t, event_reason_from_code(r->code, &back) && back == (event_reason)i, "reason %s round-trips",
		       r->code);
		for (int j = 0; j < i; j++)
			T_TRUE(t, strcmp(event_reason_get((event_reason)j)->code, r->code) != 0, "reason %s unique", r->code);
	}
	event_error e;
	hg_status rc = event_error_set(&e, EVR_READY_BEFORE_ADMISSION, "occurred_at");
	T_EQ_INT(t, rc, HG_ECONFLICT, "set returns the status");
	T_EQ_STR(t, e.code, "ready_before_admission", "set code");
	T_EQ_STR(t, e.field, "occurred_at", "set field");
	event_error_clear(&e);
	T_EQ_STR(t, e.code, "ok", "cleared");
	T_EQ_INT(t, event_error_set(NULL, EVR_REQUIRED, "x"), HG_EINVAL, "NULL err is allowed");
}

/* ---- field validation ---- */

static void set_author(event *ev, const char *unit, unit_kind kind, const char *org)
{
	(void)snprintf(ev->author_unit, sizeof ev->author_unit, "%s", unit);
	ev->author_kind = kind;
	(void)snprintf(ev->author_org, sizeof ev->author_org, "%s", org);
	(void)snprintf(ev->author_user, sizeof ev->author_user, "%s", "user1");
}

static void set_party(event_party *p, const char *unit, unit_kind kind, const char *org)
{
	(void)snprintf(p->unit, sizeof p->unit, "%s", unit);
	p->kind = kind;
	(void)snprintf(p->org, sizeof p->org, "%s", org);
}

/* A valid event of each type, written by a unit allowed to write it. */
static event valid(event_type type)
{
	event ev;
	event_init(&ev, type);
	ev.seq = 10;
	ev.occurred_at = at("2024-05-03 10:00");
	ev.recorded_at = at("2024-05-03 10:05");
	set_author(&ev, "SE2321000032-W12", UNIT_WARD, "20");
	switch (type) {
	case EVENT_ADMITTED:
		snprintf(ev.u.admitted.patient.personnummer, EVENT_PNR_SIZE, "19121212-1212");
		snprintf(ev.u.admitted.patient.name, HG_NAME_MAX, "Tolvan Tolvansson");
		snprintf(ev.u.admitted.patient.registered_municipality, EVENT_MUNICIPALITY_SIZE, "2080");
		snprintf(ev.u.admitted.hospital, HG_ID_MAX, "FALU");
		snprintf(ev.u.admitted.ward, HG_ID_MAX, "SE2321000032-W12");
		break;
	case EVENT_TRANSFERRED:
		snprintf(ev.u.transferred.ward, HG_ID_MAX, "W14");
		ev.u.transferred.care = CARE_GERIATRIC;
		break;
	case EVENT_ADMISSION_NOTICE:
		ev.u.admission_notice.recipients.count = 2;
		set_party(&ev.u.admission_notice.recipients.to[0], "MUN-2080", UNIT_MUNICIPAL_SOCIAL, "2080");
		set_party(&ev.u.admission_notice.recipients.to[1], "VC-1", UNIT_PRIMARY_CARE, "20");
		ev.u.admission_notice.expected_discharge_date = day("2024-05-08");
		break;
	case EVENT_EXPECTED_DATE_CHANGED:
		ev.u.expected_date_changed.date = day("2024-05-10");
		break;
	case EVENT_ACKNOWLEDGED:
		set_author(&ev, "MUN-2080", UNIT_MUNICIPAL_SOCIAL, "2080");
		ev.u.acknowledged.ack_seq = 3;
		break;
	case EVENT_INFO_REQUESTED:
		set_party(&ev.u.info_requested.to, "VC-1", UNIT_PRIMARY_CARE, "20");
		break;
	case EVENT_INFO_REPLIED:
		ev.u.info_replied.reply_to_seq = 4;
		break;
	case EVENT_CONSENT_RECORDED:
		ev.u.consent_recorded.state = CONSENT_GIVEN;
		snprintf(ev.u.consent_recorded.scope, HG_ID_MAX, "care_planning");
		break;
	case EVENT_TRACK_SET:
		ev.u.track_set.colour = TRACK_YELLOW;
		break;
	case EVENT_CARE_CONTACT_APPOINTED:
		set_author(&ev, "VC-1", UNIT_PRIMARY_CARE, "20");
		snprintf(ev.u.care_contact_appointed.name, HG_NAME_MAX, "Anna Andersson");
		break;
	case EVENT_SIP_CALLED:
		set_author(&ev, "VC-1", UNIT_PRIMARY_CARE, "20");
		ev.u.sip_called.meeting_at = at("2024-05-06 13:00");
		break;
	case EVENT_SIP_HELD:
		set_author(&ev, "VC-1", UNIT_PRIMARY_CARE, "20");
		ev.u.sip_held.held_at = at("2024-05-03 09:00");
		ev.u.sip_held.follow_up_date = day("2024-06-03");
		break;
	case EVENT_DEVIATION:
		ev.u.deviation.category = DEVIATION_NOTICE_LATE;
		snprintf(ev.u.deviation.against_org, HG_ID_MAX, "20");
		break;
	case EVENT_CANCELLED:
		ev.u.cancelled.cancels_seq = 5;
		break;
	case EVENT_LEGAL_FORM_SET:
		ev.u.legal_form_set.form = LEGAL_FORM_LPT;
		break;
	case EVENT_CARE_PLAN_CALLED:
		ev.u.care_plan_called.meeting_at = at("2024-05-06 13:00");
		ev.u.care_plan_called.place = SIP_HOSPITAL;
		break;
	case EVENT_MUNICIPAL_REPORT_RECEIVED:
	case EVENT_MUNICIPAL_PATIENT_CONTACTED:
	case EVENT_MUNICIPAL_APPLICATION_RECEIVED:
	case EVENT_HOME_CARE_STARTED:
		set_author(&ev, "MUN-2080", UNIT_MUNICIPAL_SOCIAL, "2080");
		break;
	case EVENT_MUNICIPAL_DECISION:
		set_author(&ev, "IFO-2080", UNIT_MUNICIPAL_IFO, "2080");
		ev.u.municipal_decision.services = EVENT_SERVICE_BIT(SERVICE_HOME_CARE);
		break;
	case EVENT_MUNICIPAL_PLAN:
		set_author(&ev, "MUN-2080", UNIT_MUNICIPAL_SOCIAL, "2080");
		ev.u.municipal_plan.can_receive_on = day("2024-05-07");
		break;
	case EVENT_RESPONSIBILITY_TAKEN_OVER:
		set_author(&ev, "VC-1", UNIT_PRIMARY_CARE, "20");
		break;
	case EVENT_INFORMATION_TRANSFERRED:
		ev.u.information_transferred.items = EVENT_ITEMS_ALL;
		break;
	case EVENT_CHILDREN_AS_RELATIVES:
		ev.u.children_as_relatives.present = true;
		break;
	default:
		break;
	}
	return ev;
}

typedef void (*mutate_fn)(event *);

#define MUT(name, body)                                                                                      \
	static void name(event *ev) { body; }
MUT(m_none, (void)ev)
MUT(m_type_bad, ev->type = EVENT_TYPE_COUNT)
MUT(m_seq_negative, ev->seq = -1)
MUT(m_no_occurred, ev->occurred_at = HG_INSTANT_NONE)
MUT(m_occurred_1999, ev->occurred_at = at("1999-12-31 12:00"))
MUT(m_future, ev->occurred_at = ev->recorded_at + 16 * 60)
MUT(m_small_skew, ev->occurred_at = ev->recorded_at + 14 * 60)
MUT(m_no_unit, ev->author_unit[0] = '\0')
MUT(m_unit_unterminated, memset(ev->author_unit, 'x', sizeof ev->author_unit))
MUT(m_kind_bad, ev->author_kind = UNIT_KIND_COUNT)
MUT(m_no_org, ev->author_org[0] = '\0')
MUT(m_note_unterminated, memset(ev->note, 'n', sizeof ev->note))
MUT(m_corrects_later, ev->corrects_seq = ev->seq)
MUT(m_corrects_negative, ev->corrects_seq = -2)
MUT(m_corrects_earlier, ev->corrects_seq = 9)
MUT(m_pnr_bad_check, snprintf(ev->u.admitted.patient.personnummer, EVENT_PNR_SIZE, "19121212-1213"))
MUT(m_pnr_not_normal, snprintf(ev->u.admitted.patient.personnummer, EVENT_PNR_SIZE, "191212121212"))
MUT(m_pnr_empty, ev->u.admitted.patient.personnummer[0] = '\0')
MUT(m_name_empty, ev->u.admitted.patient.name[0] = '\0')
MUT(m_muni_letters, snprintf(ev->u.admitted.patient.registered_municipality, EVENT_MUNICIPALITY_SIZE, "20x0"))
MUT(m_muni_short, snprintf(ev->u.admitted.patient.registered_municipality, EVENT_MUNICIPALITY_SIZE, "208"))
MUT(m_muni_long, memset(ev->u.admitted.patient.registered_municipality, '1', EVENT_MUNICIPALITY_SIZE))
MUT(m_no_hospital, ev->u.admitted.hospital[0] = '\0')
MUT(m_no_ward, ev->u.admitted.ward[0] = '\0')
MUT(m_care_bad, ev->u.admitted.care = CARE_TYPE_COUNT)
MUT(m_transfer_no_ward, ev->u.transferred.ward[0] = '\0')
MUT(m_no_recipients, ev->u.admission_notice.recipients.count = 0)
MUT(m_too_many, ev->u.admission_notice.recipients.count = EVENT_RECIPIENTS_MAX + 1)
MUT(m_negative_count, ev->u.admission_notice.recipients.count = -1)
MUT(m_dup_recipient, ev->u.admission_notice.recipients.to[1] = ev->u.admission_notice.recipients.to[0])
MUT(m_recipient_no_unit, ev->u.admission_notice.recipients.to[1].unit[0] = '\0')
MUT(m_recipient_kind, ev->u.admission_notice.recipients.to[1].kind = (unit_kind)-1)
MUT(m_recipient_no_org, ev->u.admission_notice.recipients.to[0].org[0] = '\0')
MUT(m_no_expected, ev->u.admission_notice.expected_discharge_date = HG_DATE_NONE)
MUT(m_expected_past, ev->u.admission_notice.expected_discharge_date = day("2024-05-02"))
MUT(m_expected_today, ev->u.admission_notice.expected_discharge_date = day("2024-05-03"))
MUT(m_expected_year, ev->u.admission_notice.expected_discharge_date = day("2025-05-04"))
MUT(m_expected_too_far, ev->u.admission_notice.expected_discharge_date = day("2025-05-05"))
MUT(m_expected_2300, ev->u.admission_notice.expected_discharge_date = day("2300-01-01"))
MUT(m_judged_after, ev->u.admission_notice.need_judged_at = at("2024-05-03 11:00"))
MUT(m_judged_before, ev->u.admission_notice.need_judged_at = at("2024-05-02 11:00"))
MUT(m_change_past, ev->u.expected_date_changed.date = day("2024-04-30"))
MUT(m_change_none, ev->u.expected_date_changed.date = HG_DATE_NONE)
MUT(m_ack_zero, ev->u.acknowledged.ack_seq = 0)
MUT(m_ack_self, ev->u.acknowledged.ack_seq = ev->seq)
MUT(m_ack_unassigned_seq, (ev->seq = 0, ev->u.acknowledged.ack_seq = 99))
MUT(m_request_no_unit, ev->u.info_requested.to.unit[0] = '\0')
MUT(m_reply_zero, ev->u.info_replied.reply_to_seq = 0)
MUT(m_consent_state, ev->u.consent_recorded.state = CONSENT_STATE_COUNT)
MUT(m_consent_how, ev->u.consent_recorded.how = CONSENT_HOW_COUNT)
MUT(m_exception_verbal, ev->u.consent_recorded.state = CONSENT_EXCEPTION)
MUT(m_exception_emergency, (ev->u.consent_recorded.state = CONSENT_EXCEPTION, ev->u.consent_recorded.how = CONSENT_HOW_EMERGENCY))
MUT(m_declined_unable, (ev->u.consent_recorded.state = CONSENT_DECLINED, ev->u.consent_recorded.how = CONSENT_HOW_UNABLE))
MUT(m_given_presumed, ev->u.consent_recorded.how = CONSENT_HOW_PRESUMED)
MUT(m_participants_bad, ev->u.sip_held.participants = 1u << SIP_PARTY_COUNT)
MUT(m_action_ok, (ev->u.sip_held.actions.count = 1, snprintf(ev->u.sip_held.actions.items[0].what, EVENT_SIP_ACTION_MAX, "Hemtjänst"), ev->u.sip_held.actions.items[0].responsible = SIP_PARTY_MUNICIPAL_SOCIAL, ev->u.sip_held.actions.items[0].due = day("2024-05-10")))
MUT(m_action_no_what, (ev->u.sip_held.actions.count = 1, ev->u.sip_held.actions.items[0].due = day("2024-05-10")))
MUT(m_action_no_due, (ev->u.sip_held.actions.count = 1, snprintf(ev->u.sip_held.actions.items[0].what, EVENT_SIP_ACTION_MAX, "x"), ev->u.sip_held.actions.items[0].due = HG_DATE_NONE))
MUT(m_action_due_before, (ev->u.sip_held.actions.count = 1, snprintf(ev->u.sip_held.actions.items[0].what, EVENT_SIP_ACTION_MAX, "x"), ev->u.sip_held.actions.items[0].due = day("2024-04-01")))
MUT(m_action_who_bad, (ev->u.sip_held.actions.count = 1, snprintf(ev->u.sip_held.actions.items[0].what, EVENT_SIP_ACTION_MAX, "x"), ev->u.sip_held.actions.items[0].due = day("2024-05-10"), ev->u.sip_held.actions.items[0].responsible = SIP_PARTY_COUNT))
MUT(m_actions_too_many, ev->u.sip_held.actions.count = EVENT_SIP_ACTIONS_MAX + 1)
MUT(m_reason_bad, ev->u.admission_notice.reason = ADMISSION_REASON_COUNT)
MUT(m_reason_other, ev->u.admission_notice.reason = ADMISSION_REASON_OTHER)
MUT(m_notice_address_long, memset(ev->u.admission_notice.address, 'a', EVENT_ADDRESS_MAX))
MUT(m_scope_empty, ev->u.consent_recorded.scope[0] = '\0')
MUT(m_scope_upper, snprintf(ev->u.consent_recorded.scope, HG_ID_MAX, "Care"))
MUT(m_scope_space, snprintf(ev->u.consent_recorded.scope, HG_ID_MAX, "care planning"))
MUT(m_colour, ev->u.track_set.colour = (track_colour)7)
MUT(m_contact_no_name, ev->u.care_contact_appointed.name[0] = '\0')
MUT(m_contact_phone, memset(ev->u.care_contact_appointed.phone, '7', EVENT_PHONE_MAX))
MUT(m_meeting_none, ev->u.sip_called.meeting_at = HG_INSTANT_NONE)
MUT(m_meeting_past, ev->u.sip_called.meeting_at = at("2024-05-02 13:00"))
MUT(m_place, ev->u.sip_called.place = SIP_PLACE_COUNT)
MUT(m_held_future, ev->u.sip_held.held_at = at("2024-05-04 09:00"))
MUT(m_meeting_year, ev->u.sip_called.meeting_at = at("2025-05-04 13:00"))
MUT(m_meeting_too_far, ev->u.sip_called.meeting_at = at("2025-05-05 09:00"))
MUT(m_legal_none, ev->u.legal_form_set.form = LEGAL_FORM_NONE)
MUT(m_legal_bad, ev->u.legal_form_set.form = LEGAL_FORM_COUNT)
MUT(m_plan_meeting_none, ev->u.care_plan_called.meeting_at = HG_INSTANT_NONE)
MUT(m_plan_meeting_past, ev->u.care_plan_called.meeting_at = at("2024-05-02 13:00"))
MUT(m_plan_meeting_far, ev->u.care_plan_called.meeting_at = at("2026-01-01 13:00"))
MUT(m_plan_follow_up_before, ev->u.care_plan_established.follow_up_date = day("2024-05-02"))
MUT(m_plan_follow_up_ok, ev->u.care_plan_established.follow_up_date = day("2024-08-01"))
MUT(m_decision_no_services, ev->u.municipal_decision.services = 0)
MUT(m_decision_rejected, ev->u.municipal_decision.outcome = DECISION_REJECTED; ev->u.municipal_decision.services = 0)
MUT(m_decision_outcome_bad, ev->u.municipal_decision.outcome = DECISION_OUTCOME_COUNT)
MUT(m_decision_services_bad, ev->u.municipal_decision.services = 1u << MUNICIPAL_SERVICE_COUNT)
MUT(m_plan_no_date, ev->u.municipal_plan.can_receive_on = HG_DATE_NONE)
MUT(m_plan_date_far, ev->u.municipal_plan.can_receive_on = day("2025-05-05"))
MUT(m_plan_services_bad, ev->u.municipal_plan.services = 1u << MUNICIPAL_SERVICE_COUNT)
MUT(m_items_none, ev->u.information_transferred.items = 0)
MUT(m_items_bad, ev->u.information_transferred.items = 1u << DISCHARGE_ITEM_COUNT)
MUT(m_follow_up_before, ev->u.sip_held.follow_up_date = day("2024-05-02"))
MUT(m_follow_up_none, ev->u.sip_held.follow_up_date = HG_DATE_NONE)
MUT(m_ready_too_many, ev->u.ready_for_discharge.recipients.count = 9)
MUT(m_destination, ev->u.discharged.destination = DEST_COUNT)
MUT(m_category, ev->u.deviation.category = DEVIATION_CATEGORY_COUNT)
MUT(m_against_empty, ev->u.deviation.against_org[0] = '\0')
MUT(m_cancel_zero, ev->u.cancelled.cancels_seq = 0)
MUT(m_cancel_self, ev->u.cancelled.cancels_seq = ev->seq)
MUT(m_cancel_corrects, ev->corrects_seq = 3)

static void test_validate(struct test *t)
{
	static const struct {
		event_type type;
		mutate_fn mutate;
		const char *reason; /* expected code; "ok" for a valid event */
		const char *field;
	} rows[] = {
		{EVENT_ADMITTED, m_none, "ok", ""},
		{EVENT_ADMITTED, m_type_bad, "unknown_type", "type"},
		{EVENT_ADMITTED, m_seq_negative, "bad_seq", "seq"},
		{EVENT_ADMITTED, m_no_occurred, "required", "occurred_at"},
		{EVENT_ADMITTED, m_occurred_1999, "bad_instant", "occurred_at"},
		{EVENT_ADMITTED, m_future, "occurred_in_future", "occurred_at"},
		{EVENT_ADMITTED, m_small_skew, "ok", ""},
		{EVENT_ADMITTED, m_no_unit, "required", "author_unit"},
		{EVENT_ADMITTED, m_unit_unterminated, "too_long", "author_unit"},
		{EVENT_ADMITTED, m_kind_bad, "bad_code", "author_kind"},
		{EVENT_ADMITTED, m_no_org, "required", "author_org"},
		{EVENT_ADMITTED, m_note_unterminated, "too_long", "note"},
		{EVENT_ADMITTED, m_corrects_later, "ok", ""} /* existence is an episode rule */,
		{EVENT_ADMITTED, m_corrects_negative, "bad_correction", "corrects_seq"},
		{EVENT_ADMITTED, m_corrects_earlier, "ok", ""},
		{EVENT_ADMITTED, m_pnr_bad_check, "bad_personnummer", "patient.personnummer"},
		{EVENT_ADMITTED, m_pnr_not_normal, "bad_personnummer", "patient.personnummer"},
		{EVENT_ADMITTED, m_pnr_empty, "required", "patient.personnummer"},
		{EVENT_ADMITTED, m_name_empty, "required", "patient.name"},
		{EVENT_ADMITTED, m_muni_letters, "bad_municipality_code", "patient.registered_municipality"},
		{EVENT_ADMITTED, m_muni_short, "bad_municipality_code", "patient.registered_municipality"},
		{EVENT_ADMITTED, m_muni_long, "bad_municipality_code", "patient.registered_municipality"},
		{EVENT_ADMITTED, m_no_hospital, "required", "hospital"},
		{EVENT_ADMITTED, m_no_ward, "required", "ward"},
		{EVENT_ADMITTED, m_care_bad, "bad_code", "care_type"},
		{EVENT_TRANSFERRED, m_none, "ok", ""},
		{EVENT_TRANSFERRED, m_transfer_no_ward, "required", "ward"},
		{EVENT_ADMISSION_NOTICE, m_none, "ok", ""},
		{EVENT_ADMISSION_NOTICE, m_reason_bad, "bad_code", "reason"},
		{EVENT_ADMISSION_NOTICE, m_reason_other, "ok", ""},
		{EVENT_ADMISSION_NOTICE, m_notice_address_long, "too_long", "address"},
		{EVENT_ADMISSION_NOTICE, m_no_recipients, "no_recipients", "recipients"},
		{EVENT_ADMISSION_NOTICE, m_too_many, "too_many_recipients", "recipients"},
		{EVENT_ADMISSION_NOTICE, m_negative_count, "too_many_recipients", "recipients"},
		{EVENT_ADMISSION_NOTICE, m_dup_recipient, "duplicate_recipient", "recipients[1]"},
		{EVENT_ADMISSION_NOTICE, m_recipient_no_unit, "required", "recipients[1].unit"},
		{EVENT_ADMISSION_NOTICE, m_recipient_kind, "bad_code", "recipients[1].kind"},
		{EVENT_ADMISSION_NOTICE, m_recipient_no_org, "required", "recipients[0].org"},
		{EVENT_ADMISSION_NOTICE, m_no_expected, "required", "expected_discharge_date"},
		{EVENT_ADMISSION_NOTICE, m_expected_past, "ok", ""},
		{EVENT_ADMISSION_NOTICE, m_expected_today, "ok", ""},
		{EVENT_ADMISSION_NOTICE, m_expected_year, "ok", ""},
		{EVENT_ADMISSION_NOTICE, m_expected_too_far, "expected_date_too_far", "expected_discharge_date"},
		{EVENT_ADMISSION_NOTICE, m_expected_2300, "bad_date", "expected_discharge_date"},
		{EVENT_ADMISSION_NOTICE, m_judged_after, "time_out_of_order", "need_judged_at"},
		{EVENT_ADMISSION_NOTICE, m_judged_before, "ok", ""},
		{EVENT_EXPECTED_DATE_CHANGED, m_none, "ok", ""},
		{EVENT_EXPECTED_DATE_CHANGED, m_change_past, "ok", ""},
		{EVENT_EXPECTED_DATE_CHANGED, m_change_none, "required", "expected_discharge_date"},
		{EVENT_ACKNOWLEDGED, m_none, "ok", ""},
		{EVENT_ACKNOWLEDGED, m_ack_zero, "bad_seq", "ack_seq"},
		{EVENT_ACKNOWLEDGED, m_ack_self, "ok", ""},
		{EVENT_ACKNOWLEDGED, m_ack_unassigned_seq, "ok", ""},
		{EVENT_INFO_REQUESTED, m_none, "ok", ""},
		{EVENT_INFO_REQUESTED, m_request_no_unit, "required", "to.unit"},
		{EVENT_INFO_REPLIED, m_none, "ok", ""},
		{EVENT_INFO_REPLIED, m_reply_zero, "bad_seq", "reply_to_seq"},
		{EVENT_CONSENT_RECORDED, m_none, "ok", ""},
		{EVENT_CONSENT_RECORDED, m_consent_state, "bad_code", "state"},
		{EVENT_CONSENT_RECORDED, m_consent_how, "bad_code", "how"},
		{EVENT_CONSENT_RECORDED, m_exception_verbal, "consent_exception_how", "how"},
		{EVENT_CONSENT_RECORDED, m_exception_emergency, "ok", ""},
		{EVENT_CONSENT_RECORDED, m_declined_unable, "consent_exception_how", "how"},
		{EVENT_CONSENT_RECORDED, m_given_presumed, "ok", ""},
		{EVENT_CONSENT_RECORDED, m_scope_empty, "required", "scope"},
		{EVENT_CONSENT_RECORDED, m_scope_upper, "bad_code_text", "scope"},
		{EVENT_CONSENT_RECORDED, m_scope_space, "bad_code_text", "scope"},
		{EVENT_TRACK_SET, m_none, "ok", ""},
		{EVENT_TRACK_SET, m_colour, "bad_code", "colour"},
		{EVENT_CARE_CONTACT_APPOINTED, m_none, "ok", ""},
		{EVENT_CARE_CONTACT_APPOINTED, m_contact_no_name, "required", "name"},
		{EVENT_CARE_CONTACT_APPOINTED, m_contact_phone, "too_long", "phone"},
		{EVENT_SIP_CALLED, m_none, "ok", ""},
		{EVENT_SIP_CALLED, m_meeting_none, "required", "meeting_at"},
		{EVENT_SIP_CALLED, m_meeting_past, "time_out_of_order", "meeting_at"},
		{EVENT_SIP_CALLED, m_place, "bad_code", "place"},
		{EVENT_SIP_HELD, m_none, "ok", ""},
		{EVENT_SIP_HELD, m_held_future, "time_out_of_order", "held_at"},
		{EVENT_SIP_HELD, m_follow_up_before, "time_out_of_order", "follow_up_date"},
		{EVENT_SIP_HELD, m_follow_up_none, "ok", ""},
		{EVENT_SIP_HELD, m_participants_bad, "bad_code", "participants"},
		{EVENT_SIP_HELD, m_action_ok, "ok", ""},
		{EVENT_SIP_HELD, m_action_no_what, "required", "actions[0].what"},
		{EVENT_SIP_HELD, m_action_no_due, "required", "actions[0].due"},
		{EVENT_SIP_HELD, m_action_due_before, "time_out_of_order", "actions[0].due"},
		{EVENT_SIP_HELD, m_action_who_bad, "bad_code", "actions[0].responsible"},
		{EVENT_SIP_HELD, m_actions_too_many, "too_many_actions", "actions"},
		{EVENT_READY_FOR_DISCHARGE, m_none, "ok", ""},
		{EVENT_READY_FOR_DISCHARGE, m_ready_too_many, "too_many_recipients", "recipients"},
		{EVENT_READY_WITHDRAWN, m_none, "ok", ""},
		{EVENT_MUNICIPALITY_READY, m_none, "ok", ""},
		{EVENT_DISCHARGED, m_none, "ok", ""},
		{EVENT_DISCHARGED, m_destination, "bad_code", "destination"},
		{EVENT_DEVIATION, m_none, "ok", ""},
		{EVENT_DEVIATION, m_category, "bad_code", "category"},
		{EVENT_DEVIATION, m_against_empty, "required", "against_org"},
		{EVENT_CANCELLED, m_none, "ok", ""},
		{EVENT_CANCELLED, m_cancel_zero, "bad_seq", "cancels_seq"},
		{EVENT_CANCELLED, m_cancel_self, "ok", ""},
		{EVENT_CANCELLED, m_cancel_corrects, "bad_correction", "corrects_seq"},
		{EVENT_LEAVE_STARTED, m_none, "ok", ""},
		{EVENT_LEAVE_ENDED, m_none, "ok", ""},
		/* issue 18.4: a meeting more than a year ahead has its own reason, not "before an earlier event" */
		{EVENT_SIP_CALLED, m_meeting_year, "ok", ""},
		{EVENT_SIP_CALLED, m_meeting_too_far, "meeting_too_far", "meeting_at"},
		{EVENT_LEGAL_FORM_SET, m_none, "ok", ""},
		{EVENT_LEGAL_FORM_SET, m_legal_none, "bad_code", "legal_form"},
		{EVENT_LEGAL_FORM_SET, m_legal_bad, "bad_code", "legal_form"},
		{EVENT_CARE_PLAN_CALLED, m_none, "ok", ""},
		{EVENT_CARE_PLAN_CALLED, m_plan_meeting_none, "required", "meeting_at"},
		{EVENT_CARE_PLAN_CALLED, m_plan_meeting_past, "time_out_of_order", "meeting_at"},
		{EVENT_CARE_PLAN_CALLED, m_plan_meeting_far, "meeting_too_far", "meeting_at"},
		{EVENT_CARE_PLAN_ESTABLISHED, m_none, "ok", ""},
		{EVENT_CARE_PLAN_ESTABLISHED, m_plan_follow_up_ok, "ok", ""},
		{EVENT_CARE_PLAN_ESTABLISHED, m_plan_follow_up_before, "time_out_of_order", "follow_up_date"},
		{EVENT_CHIEF_PHYSICIAN_APPLIED, m_none, "ok", ""},
		{EVENT_MUNICIPAL_REPORT_RECEIVED, m_none, "ok", ""},
		{EVENT_MUNICIPAL_PATIENT_CONTACTED, m_none, "ok", ""},
		{EVENT_MUNICIPAL_APPLICATION_RECEIVED, m_none, "ok", ""},
		{EVENT_MUNICIPAL_DECISION, m_none, "ok", ""},
		{EVENT_MUNICIPAL_DECISION, m_decision_no_services, "required", "services"},
		{EVENT_MUNICIPAL_DECISION, m_decision_rejected, "ok", ""},
		{EVENT_MUNICIPAL_DECISION, m_decision_outcome_bad, "bad_code", "outcome"},
		{EVENT_MUNICIPAL_DECISION, m_decision_services_bad, "bad_code", "services"},
		{EVENT_MUNICIPAL_PLAN, m_none, "ok", ""},
		{EVENT_MUNICIPAL_PLAN, m_plan_no_date, "required", "can_receive_on"},
		{EVENT_MUNICIPAL_PLAN, m_plan_date_far, "meeting_too_far", "can_receive_on"},
		{EVENT_MUNICIPAL_PLAN, m_plan_services_bad, "bad_code", "services"},
		{EVENT_HOME_CARE_STARTED, m_none, "ok", ""},
		{EVENT_INFORMATION_TRANSFERRED, m_none, "ok", ""},
		{EVENT_INFORMATION_TRANSFERRED, m_items_none, "ok", ""}, /* nothing sent: every item is a deviation */
		{EVENT_INFORMATION_TRANSFERRED, m_items_bad, "bad_code", "items"},
		{EVENT_PATIENT_INFORMED, m_none, "ok", ""},
		{EVENT_RESPONSIBILITY_TAKEN_OVER, m_none, "ok", ""},
		{EVENT_CHILDREN_AS_RELATIVES, m_none, "ok", ""},
	};
	bool type_seen[EVENT_TYPE_COUNT] = {0};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		event ev = valid(rows[i].type);
		rows[i].mutate(&ev);
		event_error err;
		hg_status rc = event_validate_fields(&ev, &err);
		T_EQ_STR(t, err.code, rows[i].reason, "row %zu (%s) reason", i, event_type_code(rows[i].type));
		T_EQ_STR(t, err.field, rows[i].field, "row %zu (%s) field", i, event_type_code(rows[i].type));
		T_EQ_INT(t, rc, event_reason_get(err.reason)->status, "row %zu status", i);
		if (rows[i].mutate == m_none)
			type_seen[rows[i].type] = true;
	}
	for (int k = 0; k < EVENT_TYPE_COUNT; k++)
		T_TRUE(t, type_seen[k], "a valid row for %s", event_type_code((event_type)k));
}

static void test_init(struct test *t)
{
	event ev;
	event_init(&ev, EVENT_SIP_HELD);
	T_EQ_INT(t, ev.u.sip_held.follow_up_date, HG_DATE_NONE, "follow-up none");
	T_EQ_INT(t, ev.recorded_at, HG_INSTANT_NONE, "recorded none");
	event_init(&ev, EVENT_ADMISSION_NOTICE);
	T_EQ_INT(t, ev.u.admission_notice.need_judged_at, HG_INSTANT_NONE, "need judged none");
	T_EQ_INT(t, ev.id, 0, "id 0");
}

int main(void)
{
	struct test t = {.name = "test_event"};
	test_type_table(&t);
	test_payload_codes(&t);
	test_reasons(&t);
	test_validate(&t);
	test_init(&t);
	return test_report(&t);
}
