/*
 * episode_json.c - renders an episode state (the fold of core/episode.h) as
 * the JSON the API returns, with or without the patient's identity.
 *
 * The two forms differ only in what they leave out, so both are built by the
 * same code with a `who` switch: the identified form carries the patient's
 * personnummer, name, birth date and age, the care contact's name and phone,
 * and the address unless it must be hidden; the anonymous form (for analysts)
 * carries none of them, only the age at admission. Every NONE instant or date
 * is null; instants are UTC "YYYY-MM-DDTHH:MM:SSZ", dates "YYYY-MM-DD". An
 * enum member comes with its Swedish label in a "<name>_sv" sibling, so the
 * web UI never spells a label itself. docs/api-events.md shows an example.
 */
#include "wire/episode_json.h"

#include <stdio.h> /* snprintf */
#include <string.h>

#include "core/calendar.h"
#include "core/pnr.h"
#include "core/todo.h"

/* What the caller may see. */
struct view {
	bool identity;     /* personnummer, name, birth date, care contact's name and phone */
	bool address;      /* the registered address */
	hg_date today;     /* for the age and the ready-days so far; HG_DATE_NONE: leave them out */
};

/*
 * Sets obj[key] = v, taking v's reference. Remembers a failure in *ok (v NULL
 * when out of memory), so a builder checks once at its end.
 */
static void put(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

static json_t *text(const char *s, size_t size) { return json_stringn(s, strnlen(s, size)); }
#define TEXT(field) text((field), sizeof(field))

static json_t *date_value(hg_date d)
{
	char buf[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, buf));
}

static json_t *instant_value(hg_instant t)
{
	char buf[21];
	return t == HG_INSTANT_NONE ? json_null() : json_string(instant_format_utc(t, buf));
}

/* Puts key = the code and key_sv = the Swedish label, or null for both when label is NULL. */
static void put_code(json_t *obj, const char *key, const hg_code_label *label, bool *ok)
{
	char key_sv[48];
	(void)snprintf(key_sv, sizeof key_sv, "%s_sv", key);
	put(obj, key, label ? json_string(label->code) : json_null(), ok);
	put(obj, key_sv, label ? json_string(label->sv) : json_null(), ok);
}

/* Code labels that are NULL outside their tables (the core's own return row 0 there). */
static const hg_code_label *status_label(const episode_state *st)
{
	return (unsigned)st->status < EPISODE_STATUS_COUNT ? episode_status_label(st->status) : NULL;
}
static const hg_code_label *care_label(care_type c) { return (unsigned)c < CARE_TYPE_COUNT ? care_type_label(c) : NULL; }
static const hg_code_label *kind_label(unit_kind k) { return (unsigned)k < UNIT_KIND_COUNT ? unit_kind_label(k) : NULL; }
static const hg_code_label *place_label(sip_place p) { return (unsigned)p < SIP_PLACE_COUNT ? sip_place_label(p) : NULL; }

/* The patient's identity number parsed with reference date ref; false when it cannot be (empty, reserve). */
static bool patient_pnr(const episode_state *st, hg_date ref, pnr *out)
{
	pnr_reason why;
	if (ref == HG_DATE_NONE || !memchr(st->patient.personnummer, '\0', sizeof st->patient.personnummer))
		return false;
	pnr_options opt = pnr_options_default(ref);
	opt.accept_reserve = true;
	return pnr_parse(st->patient.personnummer, &opt, out, &why) == HG_OK;
}

/* Age in whole years at `at`, or null. */
static json_t *age_value(const episode_state *st, hg_date at)
{
	pnr p;
	int age;
	if (!patient_pnr(st, at, &p) || pnr_age_at(&p, at, &age) != HG_OK)
		return json_null();
	return json_integer(age);
}

static json_t *patient_json(const episode_state *st, const struct view *v)
{
	bool ok = true;
	const event_patient *p = &st->patient;
	json_t *o = json_object();
	if (!o)
		return NULL;
	hg_date admitted = st->admitted_at == HG_INSTANT_NONE ? HG_DATE_NONE : cal_local_date(st->admitted_at);
	if (v->identity) {
		pnr parsed;
		bool known = patient_pnr(st, v->today != HG_DATE_NONE ? v->today : admitted, &parsed);
		bool show = v->address; /* who may see a protected address is access.h's rule, decided by the caller */
		put(o, "personnummer", TEXT(p->personnummer), &ok);
		put(o, "identity_kind", known ? json_string(pnr_kind_label(parsed.kind)->code) : json_null(), &ok);
		put(o, "name", TEXT(p->name), &ok);
		put(o, "birth_date", known ? date_value(parsed.birth) : json_null(), &ok);
		put(o, "age", v->today != HG_DATE_NONE ? age_value(st, v->today) : json_null(), &ok);
		put(o, "protected_identity", json_boolean(p->protected_identity), &ok);
		put(o, "address", show ? TEXT(p->address) : json_null(), &ok);
		put(o, "address_hidden", json_boolean(!show), &ok);
	}
	put(o, "age_at_admission", admitted != HG_DATE_NONE ? age_value(st, admitted) : json_null(), &ok);
	put(o, "registered_municipality", TEXT(p->registered_municipality), &ok);
	put(o, "primary_care_unit", TEXT(p->primary_care_unit), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *recipient_json(const episode_recipient *r)
{
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "unit", TEXT(r->party.unit), &ok);
	put_code(o, "kind", kind_label(r->party.kind), &ok);
	put(o, "org", TEXT(r->party.org), &ok);
	put(o, "notified_at", instant_value(r->notified_at), &ok);
	put(o, "notice_seq", json_integer(r->notice_seq), &ok);
	put(o, "acknowledged_at", instant_value(r->notice_ack_at), &ok);
	put(o, "ready_notified_at", instant_value(r->ready_notified_at), &ok);
	put(o, "ready_seq", json_integer(r->ready_seq), &ok);
	put(o, "ready_acknowledged_at", instant_value(r->ready_ack_at), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *notice_json(const episode_state *st)
{
	bool ok = true;
	json_t *o = json_object(), *arr = json_array();
	int n = st->recipient_count < 0 ? 0 : st->recipient_count;
	if (n > EPISODE_RECIPIENTS_MAX)
		n = EPISODE_RECIPIENTS_MAX;
	for (int i = 0; arr && i < n && ok; i++)
		ok = json_array_append_new(arr, recipient_json(&st->recipients[i])) == 0;
	if (!o || !arr || !ok) {
		json_decref(o);
		json_decref(arr);
		return NULL;
	}
	put(o, "at", instant_value(st->notice_at), &ok);
	put(o, "seq", json_integer(st->notice_seq), &ok);
	put(o, "need_judged_at", instant_value(st->need_judged_at), &ok);
	put(o, "sent", json_integer(st->notices_sent), &ok);
	put_code(o, "reason",
		 st->notice_reason != ADMISSION_REASON_UNSTATED && (unsigned)st->notice_reason < ADMISSION_REASON_COUNT
			 ? admission_reason_label(st->notice_reason)
			 : NULL,
		 &ok);
	put(o, "recipients", arr, &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *date_history_json(const episode_state *st)
{
	json_t *arr = json_array();
	int n = st->date_history_count < 0 ? 0 : st->date_history_count;
	if (n > EPISODE_DATE_HISTORY_MAX)
		n = EPISODE_DATE_HISTORY_MAX;
	for (int i = 0; arr && i < n; i++) {
		const episode_date_change *c = &st->date_history[i];
		bool ok = true;
		json_t *o = json_object();
		put(o, "date", date_value(c->date), &ok);
		put(o, "changed_at", instant_value(c->changed_at), &ok);
		put(o, "seq", json_integer(c->seq), &ok);
		if (!o || !ok || json_array_append_new(arr, o) != 0) {
			if (ok && o)
				o = NULL; /* json_array_append_new took (and dropped) it */
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *ready_periods_json(const episode_state *st)
{
	json_t *arr = json_array();
	int n = st->ready_period_count < 0 ? 0 : st->ready_period_count;
	if (n > EPISODE_READY_PERIODS_MAX)
		n = EPISODE_READY_PERIODS_MAX;
	for (int i = 0; arr && i < n; i++) {
		const episode_ready_period *p = &st->ready_periods[i];
		bool ok = true;
		json_t *o = json_object(), *to = json_array();
		for (int r = 0; to && r < st->recipient_count && r < EPISODE_RECIPIENTS_MAX && ok; r++)
			if (p->notified & (1u << r))
				ok = json_array_append_new(to, TEXT(st->recipients[r].party.unit)) == 0;
		if (!o || !to || !ok) {
			json_decref(o);
			json_decref(to);
			json_decref(arr);
			return NULL;
		}
		put(o, "start", instant_value(p->start), &ok);
		put(o, "end", instant_value(p->end), &ok);
		put(o, "start_seq", json_integer(p->start_seq), &ok);
		put(o, "end_seq", json_integer(p->end_seq), &ok);
		put(o, "notified", to, &ok);
		if (!ok || json_array_append_new(arr, o) != 0) {
			if (ok)
				o = NULL; /* json_array_append_new took (and dropped) it */
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *consents_json(const episode_state *st)
{
	json_t *arr = json_array();
	int n = st->consent_count < 0 ? 0 : st->consent_count;
	if (n > EPISODE_CONSENTS_MAX)
		n = EPISODE_CONSENTS_MAX;
	for (int i = 0; arr && i < n; i++) {
		const episode_consent *k = &st->consents[i];
		bool ok = true;
		json_t *o = json_object();
		if (!o) {
			json_decref(arr);
			return NULL;
		}
		put(o, "org", TEXT(k->org), &ok);
		put_code(o, "state", (unsigned)k->state < CONSENT_STATE_COUNT ? consent_state_label(k->state) : NULL, &ok);
		put(o, "scope", TEXT(k->scope), &ok);
		put_code(o, "how", (unsigned)k->how < CONSENT_HOW_COUNT ? consent_how_label(k->how) : NULL, &ok);
		put(o, "at", instant_value(k->at), &ok);
		put(o, "seq", json_integer(k->seq), &ok);
		if (!ok || json_array_append_new(arr, o) != 0) {
			if (ok)
				o = NULL;
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* null while no track is set. */
static json_t *track_json(const episode_state *st)
{
	bool ok = true;
	if (!st->track_is_set)
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	put_code(o, "colour", (unsigned)st->track < TRACK_COLOUR_COUNT ? track_colour_label(st->track) : NULL, &ok);
	put(o, "set_at", instant_value(st->track_set_at), &ok);
	put(o, "changes", json_integer(st->track_changes), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* null while no care contact is appointed. */
static json_t *care_contact_json(const episode_state *st, const struct view *v)
{
	bool ok = true;
	if (st->care_contact_at == HG_INSTANT_NONE)
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (v->identity) {
		put(o, "name", TEXT(st->care_contact_name), &ok);
		put(o, "title", TEXT(st->care_contact_title), &ok);
		put(o, "phone", TEXT(st->care_contact_phone), &ok);
	}
	put(o, "unit", TEXT(st->care_contact_unit), &ok);
	put(o, "appointed_at", instant_value(st->care_contact_at), &ok);
	put(o, "first_appointed_at", instant_value(st->care_contact_first_at), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *sip_json(const episode_state *st)
{
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	bool called = st->sip_called_at != HG_INSTANT_NONE, held = st->sip_held_at != HG_INSTANT_NONE;
	put(o, "called_at", instant_value(st->sip_called_at), &ok);
	put(o, "meeting_at", instant_value(called ? st->sip_meeting_at : HG_INSTANT_NONE), &ok);
	put_code(o, "place", called ? place_label(st->sip_place) : NULL, &ok);
	put(o, "held_at", instant_value(st->sip_held_at), &ok);
	put_code(o, "held_place", held ? place_label(st->sip_held_place) : NULL, &ok);
	put(o, "follow_up_date", date_value(held ? st->sip_follow_up_date : HG_DATE_NONE), &ok);
	put(o, "called_by", TEXT(st->sip_called_by), &ok);
	json_t *who = json_array(), *acts = json_array();
	for (int p = 0; who && p < SIP_PARTY_COUNT; p++)
		if (st->sip_participants & EVENT_SIP_PARTY_BIT(p))
			ok = ok && json_array_append_new(who, json_string(sip_party_label((sip_party)p)->code)) == 0;
	int n = st->sip_actions.count < 0 ? 0 : st->sip_actions.count;
	for (int i = 0; acts && i < n && i < EVENT_SIP_ACTIONS_MAX; i++) {
		const event_sip_action *a = &st->sip_actions.items[i];
		json_t *x = json_object();
		if (!x) {
			ok = false;
			break;
		}
		put(x, "what", TEXT(a->what), &ok);
		put_code(x, "responsible", (unsigned)a->responsible < SIP_PARTY_COUNT ? sip_party_label(a->responsible) : NULL, &ok);
		put(x, "due", date_value(a->due), &ok);
		ok = ok && json_array_append_new(acts, x) == 0;
	}
	put(o, "participants", who, &ok);
	put(o, "actions", acts, &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The codes of a bit set over a code table (label(i) for bit i), in table order. */
static json_t *code_set_json(unsigned bits, int count, const hg_code_label *(*label)(int))
{
	json_t *arr = json_array();
	for (int i = 0; arr && i < count; i++)
		if ((bits & (1u << i)) && json_array_append_new(arr, json_string(label(i)->code)) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}
static const hg_code_label *service_label_i(int i) { return municipal_service_label((municipal_service)i); }
static const hg_code_label *item_label_i(int i) { return discharge_item_label((discharge_item)i); }

/* Code and both labels of each set bit: to-dos and warnings, which the UI shows as they are. */
static json_t *labels_json(unsigned bits, int count, const hg_code_label *(*label)(int))
{
	json_t *arr = json_array();
	for (int i = 0; arr && i < count; i++) {
		if (!(bits & (1u << i)))
			continue;
		const hg_code_label *l = label(i);
		if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", l->code, "sv", l->sv, "en", l->en)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
static const hg_code_label *todo_label_i(int i) { return episode_todo_label((episode_todo)i); }
static const hg_code_label *warning_label_i(int i) { return episode_warning_label((episode_warning)i); }

/* null for voluntary care; the samordnad vårdplan's steps for LPT/LRV (issue 14.1). */
static json_t *care_plan_json(const episode_state *st)
{
	bool ok = true;
	if (!episode_has_care_plan(st))
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	bool called = st->care_plan_called_at != HG_INSTANT_NONE;
	put(o, "called_at", instant_value(st->care_plan_called_at), &ok);
	put(o, "meeting_at", instant_value(called ? st->care_plan_meeting_at : HG_INSTANT_NONE), &ok);
	put_code(o, "place", called ? place_label(st->care_plan_place) : NULL, &ok);
	put(o, "established_at", instant_value(st->care_plan_established_at), &ok);
	put(o, "follow_up_date", date_value(st->care_plan_follow_up_date), &ok);
	put(o, "chief_physician_applied_at", instant_value(st->chief_physician_applied_at), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The municipality's own steps and its plan (issues 14.3, 18.3). */
static json_t *municipal_json(const episode_state *st, const struct view *v)
{
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	bool decided = st->municipal_decision_at != HG_INSTANT_NONE, planned = st->municipal_plan_at != HG_INSTANT_NONE;
	put(o, "report_at", instant_value(st->municipal_report_at), &ok);
	put(o, "contact_at", instant_value(st->municipal_contact_at), &ok);
	put(o, "application_at", instant_value(st->municipal_application_at), &ok);
	put(o, "decision_at", instant_value(st->municipal_decision_at), &ok);
	put_code(o, "decision_outcome",
		 decided && (unsigned)st->municipal_decision_outcome < DECISION_OUTCOME_COUNT
			 ? decision_outcome_label(st->municipal_decision_outcome)
			 : NULL,
		 &ok);
	put(o, "decision_services", code_set_json(st->municipal_decision_services, MUNICIPAL_SERVICE_COUNT, service_label_i), &ok);
	put(o, "plan_at", instant_value(st->municipal_plan_at), &ok);
	put(o, "plan_services", code_set_json(st->municipal_plan_services, MUNICIPAL_SERVICE_COUNT, service_label_i), &ok);
	put(o, "can_receive_on", date_value(planned ? st->municipal_can_receive_on : HG_DATE_NONE), &ok);
	put(o, "short_term_care", json_boolean(planned && st->municipal_short_term_care), &ok);
	put(o, "home_care_started_at", instant_value(st->home_care_started_at), &ok);
	if (v->today != HG_DATE_NONE)
		put(o, "ready_to_receive", json_boolean(episode_municipality_ready_on(st, v->today)), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The discharge step (issue 14.4) and the discharge notice (issue 18.4). */
static json_t *discharge_step_json(const episode_state *st)
{
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "information_transferred_at", instant_value(st->information_transferred_at), &ok);
	put(o, "items", code_set_json(st->information_items, DISCHARGE_ITEM_COUNT, item_label_i), &ok);
	put(o, "missing", code_set_json(episode_information_missing(st), DISCHARGE_ITEM_COUNT, item_label_i), &ok);
	put(o, "patient_informed_at", instant_value(st->patient_informed_at), &ok);
	put(o, "responsibility_taken_over_at", instant_value(st->responsibility_taken_over_at), &ok);
	put(o, "responsibility_unit", TEXT(st->responsibility_unit), &ok);
	put(o, "notice_seq", json_integer(st->discharge_notice_seq), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *render(const episode_state *st, const struct view *v)
{
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	bool discharged = st->discharged_at != HG_INSTANT_NONE;
	put(o, "id", json_integer(st->id), &ok);
	put_code(o, "status", status_label(st), &ok);
	put(o, "cancelled", json_boolean(st->cancelled), &ok);
	put(o, "last_seq", json_integer(st->last_seq), &ok);

	put(o, "patient", patient_json(st, v), &ok);
	put(o, "hospital", TEXT(st->hospital), &ok);
	put(o, "admitting_ward", TEXT(st->admitting_ward), &ok);
	put(o, "ward", TEXT(st->ward), &ok);
	put_code(o, "care_type", st->status == EPISODE_EMPTY ? NULL : care_label(st->care), &ok);
	put(o, "admitted_at", instant_value(st->admitted_at), &ok);
	put(o, "transfers", json_integer(st->transfers), &ok);

	put(o, "on_leave", json_boolean(st->on_leave), &ok);
	put(o, "leave_started_at", instant_value(st->on_leave ? st->leave_started_at : HG_INSTANT_NONE), &ok);
	put(o, "leaves", json_integer(st->leaves), &ok);

	put(o, "notice", notice_json(st), &ok);

	put(o, "expected_discharge_date", date_value(st->expected_date), &ok);
	put(o, "first_expected_discharge_date", date_value(st->first_expected_date), &ok);
	put(o, "date_changes", json_integer(st->date_changes), &ok);
	put(o, "date_history", date_history_json(st), &ok);

	put(o, "ready_at", instant_value(st->ready_at), &ok);
	if (v->today != HG_DATE_NONE)
		put(o, "ready_days", json_integer(episode_ready_days_at(st, v->today)), &ok);
	put(o, "ready_periods", ready_periods_json(st), &ok);
	put(o, "withdrawals", json_integer(st->withdrawals), &ok);

	put(o, "track", track_json(st), &ok);
	put(o, "consents", consents_json(st), &ok);
	put(o, "care_contact", care_contact_json(st, v), &ok);
	put(o, "sip", sip_json(st), &ok);

	put(o, "municipality_ready_at", instant_value(st->municipality_ready_at), &ok);
	put(o, "municipality_ready_org", TEXT(st->municipality_ready_org), &ok);
	put_code(o, "legal_form",
		 episode_has_care_plan(st) && (unsigned)st->legal_form < LEGAL_FORM_COUNT ? legal_form_label(st->legal_form)
											: NULL,
		 &ok);
	put(o, "care_plan", care_plan_json(st), &ok);
	put(o, "municipal", municipal_json(st, v), &ok);
	put(o, "discharge_step", discharge_step_json(st), &ok);
	put(o, "children_as_relatives", json_boolean(st->children_as_relatives), &ok);
	put(o, "children_as_relatives_at", instant_value(st->children_as_relatives_at), &ok);
	if (v->today != HG_DATE_NONE)
		put(o, "todos", labels_json(episode_care_todos(st, v->today), TODO_COUNT, todo_label_i), &ok);
	put(o, "discharge_warnings",
	    labels_json(st->status == EPISODE_DISCHARGED ? 0 : episode_discharge_warnings(st), WARNING_COUNT, warning_label_i),
	    &ok);
	put(o, "discharged_at", instant_value(st->discharged_at), &ok);
	put_code(o, "destination",
		 discharged && (unsigned)st->destination < DEST_COUNT ? discharge_destination_label(st->destination) : NULL,
		 &ok);

	put(o, "deviations", json_integer(st->deviations), &ok);
	put(o, "info_requests", json_integer(st->info_requests), &ok);
	put(o, "info_replies", json_integer(st->info_replies), &ok);
	put(o, "cancellations", json_integer(st->cancellations), &ok);
	put(o, "corrections", json_integer(st->corrections), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *episode_state_to_json(const episode_state *st, bool show_address, hg_date today)
{
	struct view v = {.identity = true, .address = show_address, .today = today};
	return render(st, &v);
}

json_t *episode_state_to_json_anonymous(const episode_state *st)
{
	struct view v = {.identity = false, .address = false, .today = HG_DATE_NONE};
	return render(st, &v);
}
