/*
 * fhir_plan.c - a FHIR message Bundle as one hemgang event (fhir_plan.h): the
 * activity table, the readers of the message's resources and the plan. Pure:
 * what the store knows comes in as fhir_lookups, nothing here does I/O.
 *
 * A message names one activity: a MedCom HospitalNotification activity
 * (Provenance.activity, e.g. admit-inpatient, cancel-discharge-inpatient-home)
 * or one of hemgang's own event codes (MessageHeader.eventCoding, e.g.
 * ready-for-discharge). The activity table says which event it becomes and
 * whether it is new, a revision (a correction of the latest live event of that
 * type) or a cancellation. MessageHeader.sender names the acting unit, which
 * must be one of the caller's units.
 */
#include "fhir/fhir_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "core/text.h"

/* Activities: MedCom HospitalNotification's and hemgang's own. */
static const fhir_activity activities[] = {
    {"admit-inpatient", true, EVENT_ADMITTED, FHIR_NEW, DEST_OTHER},
    {"revise-admit-inpatient", true, EVENT_ADMITTED, FHIR_REVISE, DEST_OTHER},
    {"cancel-admit-inpatient", true, EVENT_ADMITTED, FHIR_CANCEL, DEST_OTHER},
    {"start-leave-inpatient", true, EVENT_LEAVE_STARTED, FHIR_NEW, DEST_OTHER},
    {"revise-start-leave-inpatient", true, EVENT_LEAVE_STARTED, FHIR_REVISE, DEST_OTHER},
    {"cancel-start-leave-inpatient", true, EVENT_LEAVE_STARTED, FHIR_CANCEL, DEST_OTHER},
    {"end-leave-inpatient", true, EVENT_LEAVE_ENDED, FHIR_NEW, DEST_OTHER},
    {"revise-end-leave-inpatient", true, EVENT_LEAVE_ENDED, FHIR_REVISE, DEST_OTHER},
    {"cancel-end-leave-inpatient", true, EVENT_LEAVE_ENDED, FHIR_CANCEL, DEST_OTHER},
    {"discharge-inpatient-home", true, EVENT_DISCHARGED, FHIR_NEW, DEST_OWN_HOME},
    {"revise-discharge-inpatient-home", true, EVENT_DISCHARGED, FHIR_REVISE, DEST_OWN_HOME},
    {"cancel-discharge-inpatient-home", true, EVENT_DISCHARGED, FHIR_CANCEL, DEST_OWN_HOME},
    {"deceased-inpatient", true, EVENT_DISCHARGED, FHIR_NEW, DEST_DECEASED},
    {"revise-deceased-inpatient", true, EVENT_DISCHARGED, FHIR_REVISE, DEST_DECEASED},
    {"cancel-deceased-inpatient", true, EVENT_DISCHARGED, FHIR_CANCEL, DEST_DECEASED},
    {"admission-notice", false, EVENT_ADMISSION_NOTICE, FHIR_NEW, DEST_OTHER},
    {"expected-date-changed", false, EVENT_EXPECTED_DATE_CHANGED, FHIR_NEW, DEST_OTHER},
    {"ready-for-discharge", false, EVENT_READY_FOR_DISCHARGE, FHIR_NEW, DEST_OTHER},
    {"ready-withdrawn", false, EVENT_READY_WITHDRAWN, FHIR_NEW, DEST_OTHER},
    {"care-contact-appointed", false, EVENT_CARE_CONTACT_APPOINTED, FHIR_NEW, DEST_OTHER},
    {"sip-called", false, EVENT_SIP_CALLED, FHIR_NEW, DEST_OTHER},
    {"transferred", false, EVENT_TRANSFERRED, FHIR_NEW, DEST_OTHER},
    {"discharged", false, EVENT_DISCHARGED, FHIR_NEW, DEST_OTHER},
    /* the care process (issue 14): the ward's record sends the legal form, the care plan and the discharge step */
    {"legal-form-set", false, EVENT_LEGAL_FORM_SET, FHIR_NEW, DEST_OTHER},
    {"care-plan-called", false, EVENT_CARE_PLAN_CALLED, FHIR_NEW, DEST_OTHER},
    {"care-plan-established", false, EVENT_CARE_PLAN_ESTABLISHED, FHIR_NEW, DEST_OTHER},
    {"chief-physician-applied", false, EVENT_CHIEF_PHYSICIAN_APPLIED, FHIR_NEW, DEST_OTHER},
    {"information-transferred", false, EVENT_INFORMATION_TRANSFERRED, FHIR_NEW, DEST_OTHER},
    {"patient-informed", false, EVENT_PATIENT_INFORMED, FHIR_NEW, DEST_OTHER},
};

/* Encounter.hospitalization.dischargeDisposition (FHIR's example codes) to destinations. */
static const struct disposition_row {
	const char *code;
	discharge_destination dest;
} dispositions[] = {
    {"home", DEST_OWN_HOME},        {"aadvice", DEST_OWN_HOME},     {"other-hcf", DEST_OTHER_HOSPITAL},
    {"psy", DEST_OTHER_HOSPITAL},   {"rehab", DEST_OTHER_HOSPITAL}, {"snf", DEST_SPECIAL_HOUSING},
    {"long", DEST_SPECIAL_HOUSING}, {"hosp", DEST_OTHER},           {"oth", DEST_OTHER},
    {"exp", DEST_DECEASED},
};

/* ---- small helpers ---- */

const char *fhir_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- the message bundle ---- */

/* The resource a reference points to: by fullUrl, or "Type/id". */
static json_t *resolve(json_t *bundle, json_t *refobj)
{
	const char *ref = fhir_str(refobj, "reference");
	json_t *entries = json_object_get(bundle, "entry"), *e;
	size_t i;
	if (!ref)
		return NULL;
	json_array_foreach(entries, i, e)
	{
		json_t *r = json_object_get(e, "resource");
		const char *full = fhir_str(e, "fullUrl"), *type = fhir_str(r, "resourceType"), *id = fhir_str(r, "id");
		char local[160];
		if (full && strcmp(full, ref) == 0)
			return r;
		if (type && id && snprintf(local, sizeof local, "%s/%s", type, id) < (int)sizeof local &&
		    strcmp(local, ref) == 0)
			return r;
	}
	return NULL;
}

/* The first resource of a type in the bundle, or NULL. */
static json_t *first_of(json_t *bundle, const char *type)
{
	json_t *entries = json_object_get(bundle, "entry"), *e;
	size_t i;
	json_array_foreach(entries, i, e)
	{
		json_t *r = json_object_get(e, "resource");
		const char *t = fhir_str(r, "resourceType");
		if (t && strcmp(t, type) == 0)
			return r;
	}
	return NULL;
}

/* Organization.identifier[0].value: the unit id (HSA-id). */
static const char *org_unit(json_t *org)
{
	return fhir_str(json_array_get(json_object_get(org, "identifier"), 0), "value");
}

bool fhir_fail(fhir_error *e, const char *issue, const char *reason, const char *expression, const char *fmt, ...)
{
	va_list ap;
	e->issue = issue;
	e->reason = reason;
	hg_copy(e->expression, sizeof e->expression, expression);
	va_start(ap, fmt);
	vsnprintf(e->diagnostics, sizeof e->diagnostics, fmt, ap);
	va_end(ap);
	return false;
}

/* Where a core rejection points in the message. */
const char *fhir_expression_of(const char *field)
{
	static const struct {
		const char *prefix, *expr;
	} map[] = {
	    {"patient.personnummer", "Patient.identifier"},
	    {"patient.name", "Patient.name"},
	    {"patient.registered_municipality", "Patient.address.district"},
	    {"patient.", "Patient"},
	    {"expected_discharge_date", "Encounter.extension"},
	    {"occurred_at", "Provenance.occurredDateTime"},
	    {"recipients", "MessageHeader.destination"},
	    {"ward", "MessageHeader.sender"},
	    {"author_unit", "MessageHeader.sender"},
	    {"name", "Practitioner.name"},
	    {"meeting_at", "Appointment.start"},
	    {"destination", "Encounter.hospitalization.dischargeDisposition"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(field, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].expr;
	return "MessageHeader.eventCoding";
}

/* Reads the patient: identifier (personnummer or samordningsnummer system), name, address, GP, protection. */
static bool read_patient(json_t *pat, hg_date today, event_patient *p, fhir_error *err)
{
	json_t *ids = json_object_get(pat, "identifier"), *id;
	size_t i;
	const char *value = NULL;
	memset(p, 0, sizeof *p);
	json_array_foreach(ids, i, id)
	{
		const char *sys = fhir_str(id, "system");
		if (sys && (strcmp(sys, SYS_PNR) == 0 || strcmp(sys, SYS_SNR) == 0)) {
			value = fhir_str(id, "value");
			break;
		}
	}
	if (!value)
		return fhir_fail(
		    err, "invalid", "wrong_identifier_system", "Patient.identifier.system",
		    "The patient needs an identifier with system %s (personnummer) or %s (samordningsnummer).", SYS_PNR,
		    SYS_SNR);
	pnr_options opt = pnr_options_default(today);
	pnr parsed;
	pnr_reason why;
	if (pnr_parse(value, &opt, &parsed, &why) != HG_OK)
		return fhir_fail(err, "invalid", "bad_personnummer", "Patient.identifier.value", "%s",
		                 pnr_reason_label(why)->en);
	hg_copy(p->personnummer, sizeof p->personnummer, parsed.normal);
	json_t *name = json_array_get(json_object_get(pat, "name"), 0), *g;
	char full[HG_NAME_MAX * 2] = "";
	size_t n = 0;
	json_array_foreach(json_object_get(name, "given"), i, g)
	{
		const char *s = json_string_value(g);
		if (s)
			n += (size_t)snprintf(full + n, sizeof full - n, "%s%s", n ? " " : "", s);
		if (n >= sizeof full)
			break;
	}
	const char *family = fhir_str(name, "family");
	if (family && n < sizeof full)
		n += (size_t)snprintf(full + n, sizeof full - n, "%s%s", n ? " " : "", family);
	if (n >= sizeof p->name)
		return fhir_fail(err, "invalid", "too_long", "Patient.name", "The name is too long.");
	hg_copy(p->name, sizeof p->name, full);
	json_t *addr = json_array_get(json_object_get(pat, "address"), 0);
	char text[EVENT_ADDRESS_MAX * 2] = "";
	n = 0;
	json_array_foreach(json_object_get(addr, "line"), i, g)
	{
		const char *s = json_string_value(g);
		if (s && n < sizeof text)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", n ? ", " : "", s);
	}
	const char *zip = fhir_str(addr, "postalCode"), *city = fhir_str(addr, "city"),
	           *district = fhir_str(addr, "district");
	if ((zip || city) && n < sizeof text)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s%s%s", n ? ", " : "", zip ? zip : "",
		                      zip && city ? " " : "", city ? city : "");
	if (n >= sizeof p->address)
		return fhir_fail(err, "invalid", "too_long", "Patient.address", "The address is too long.");
	hg_copy(p->address, sizeof p->address, text);
	if (district && strlen(district) >= sizeof p->registered_municipality)
		return fhir_fail(err, "invalid", "bad_municipality_code", "Patient.address.district",
		                 "Patient.address.district must be the 4-digit municipality code (kommunkod).");
	hg_copy(p->registered_municipality, sizeof p->registered_municipality, district);
	const char *gp = fhir_str(
	    json_object_get(json_array_get(json_object_get(pat, "generalPractitioner"), 0), "identifier"), "value");
	hg_copy(p->primary_care_unit, sizeof p->primary_care_unit, gp);
	json_t *sec;
	json_array_foreach(json_object_get(json_object_get(pat, "meta"), "security"), i, sec)
	{
		const char *code = fhir_str(sec, "code");
		if (code && strcmp(code, "R") == 0)
			p->protected_identity = true;
	}
	return true;
}

static bool parse_instant(const char *s, hg_instant *out)
{
	return s && (instant_parse_iso(s, out) == HG_OK || cal_parse_local(s, out) == HG_OK);
}

bool fhir_user_has_unit(const store_user *user, const char *unit)
{
	for (int i = 0; i < user->n_units; i++)
		if (unit && strcmp(user->units[i], unit) == 0)
			return true;
	return false;
}

static hg_date expected_date_of(json_t *enc, bool *given, bool *bad)
{
	json_t *x;
	size_t i;
	*given = *bad = false;
	json_array_foreach(json_object_get(enc, "extension"), i, x)
	{
		const char *url = fhir_str(x, "url"), *v = fhir_str(x, "valueDate");
		hg_date d;
		if (!url || strcmp(url, EXT_EXPECTED) != 0)
			continue;
		*given = true;
		if (v && date_parse(v, &d) == HG_OK)
			return d;
		*bad = true;
	}
	return HG_DATE_NONE;
}

static void set_author(event *ev, const store_unit *u, const store_user *user)
{
	hg_copy(ev->author_unit, sizeof ev->author_unit, u->id);
	ev->author_kind = u->kind;
	hg_copy(ev->author_org, sizeof ev->author_org, u->org);
	hg_copy(ev->author_user, sizeof ev->author_user, user->username);
}

/* The MessageHeader.destination[].receiver units, in order, up to FHIR_RECEIVERS_MAX (destinations without a
 * receiver unit are the endpoint only). */
static size_t receiver_units(json_t *bundle, json_t *header, const char *units[FHIR_RECEIVERS_MAX])
{
	json_t *d;
	size_t i, n = 0;
	json_array_foreach(json_object_get(header, "destination"), i, d)
	{
		const char *unit = org_unit(resolve(bundle, json_object_get(d, "receiver")));
		if (unit && n < FHIR_RECEIVERS_MAX)
			units[n++] = unit;
	}
	return n;
}

/* Fills recipients from the receiver units as the store knows them. */
static bool plan_recipients(json_t *bundle, json_t *header, const fhir_lookups *lk, event_recipients *r,
                            fhir_error *err)
{
	const char *units[FHIR_RECEIVERS_MAX];
	size_t n = receiver_units(bundle, header, units);
	r->count = 0;
	for (size_t i = 0; i < n; i++) {
		if (r->count == EVENT_RECIPIENTS_MAX)
			return fhir_fail(err, "invalid", "too_many_recipients", "MessageHeader.destination",
			                 "At most %d receivers.", EVENT_RECIPIENTS_MAX);
		if (strlen(units[i]) >= HG_ID_MAX || i >= lk->n_receivers || !lk->receivers[i].found)
			return fhir_fail(err, "invalid", "unknown_unit", "MessageHeader.destination.receiver",
			                 "Receiver unit '%s' does not exist.", units[i]);
		const store_unit *u = &lk->receivers[i].unit;
		event_party *p = &r->to[r->count++];
		hg_copy(p->unit, sizeof p->unit, u->id);
		p->kind = u->kind;
		hg_copy(p->org, sizeof p->org, u->org);
	}
	return true;
}

/* The activity the message names: MessageHeader.eventCoding, and for MedCom Provenance.activity. */
static bool read_activity(json_t *bundle, json_t *header, const fhir_activity **act, fhir_error *err)
{
	json_t *coding = json_object_get(header, "eventCoding");
	const char *sys = fhir_str(coding, "system"), *code = fhir_str(coding, "code");
	*act = NULL;
	if (!sys || !code)
		return fhir_fail(err, "required", "required", "MessageHeader.eventCoding",
		                 "MessageHeader.eventCoding is required.");
	bool medcom = strcmp(sys, SYS_MEDCOM_EVENT) == 0;
	if (medcom && strcmp(code, "hospital-notification-message") != 0)
		return fhir_fail(err, "not-supported", "unknown_event_code", "MessageHeader.eventCoding.code",
		                 "MedCom event '%s' is not supported (hospital-notification-message is).", code);
	if (!medcom && strcmp(sys, SYS_HEMGANG_EVENT) != 0)
		return fhir_fail(err, "not-supported", "unknown_event_code", "MessageHeader.eventCoding.system",
		                 "Event code system '%s' is not supported.", sys);
	const char *acode = code, *expr = "MessageHeader.eventCoding.code";
	if (medcom) {
		json_t *cd;
		size_t i;
		acode = NULL;
		expr = "Provenance.activity";
		json_array_foreach(
		    json_object_get(json_object_get(first_of(bundle, "Provenance"), "activity"), "coding"), i,
		    cd) if (fhir_str(cd, "system") && strcmp(fhir_str(cd, "system"), SYS_MEDCOM_ACTIVITY) == 0) acode =
		    fhir_str(cd, "code");
		if (!acode)
			return fhir_fail(err, "required", "required", expr,
			                 "A HospitalNotification needs Provenance.activity.");
	}
	for (size_t i = 0; i < sizeof activities / sizeof activities[0]; i++)
		if (strcmp(activities[i].code, acode) == 0 && activities[i].medcom == medcom)
			*act = &activities[i];
	if (!*act)
		return fhir_fail(err, "code-invalid", "unknown_activity", expr, "Activity '%s' is not supported.",
		                 acode);
	return true;
}

static bool is_new_admission(const fhir_activity *act)
{
	return act->type == EVENT_ADMITTED && act->variant == FHIR_NEW;
}

void fhir_read_keys(json_t *bundle, json_t *header, hg_date today, fhir_keys *k)
{
	fhir_error ignored;
	json_t *pat = first_of(bundle, "Patient"), *enc = first_of(bundle, "Encounter");
	memset(k, 0, sizeof *k);
	if (read_activity(bundle, header, &k->act, &ignored))
		k->new_admission = is_new_admission(k->act);
	k->sender_unit = org_unit(resolve(bundle, json_object_get(header, "sender")));
	k->encounter_id = fhir_str(enc, "id");
	k->encounter_ident = fhir_str(json_array_get(json_object_get(enc, "identifier"), 0), "value");
	k->have_patient = pat != NULL;
	k->patient_ok = pat && read_patient(pat, today, &k->patient, &ignored);
	k->n_receivers = receiver_units(bundle, header, k->receivers);
}

/* What the plan has read of the message, for the steps that build the event. */
typedef struct message {
	json_t *bundle, *header, *enc;
	const fhir_activity *act;
	hg_instant occurred;   /* Provenance.occurredDateTime, else Bundle.timestamp */
	hg_instant start, end; /* Encounter.period, or NONE */
	bool have_patient;
	event_patient patient;
} message;

/* When it happened: Provenance.occurredDateTime, else Bundle.timestamp; one is required. */
static bool read_when(message *m, fhir_error *err)
{
	const char *when = fhir_str(first_of(m->bundle, "Provenance"), "occurredDateTime");
	m->occurred = HG_INSTANT_NONE;
	if (when && !parse_instant(when, &m->occurred))
		return fhir_fail(err, "invalid", "bad_instant", "Provenance.occurredDateTime",
		                 "Not a date and time: '%s'.", when);
	when = fhir_str(m->bundle, "timestamp");
	if (m->occurred == HG_INSTANT_NONE && when && !parse_instant(when, &m->occurred))
		return fhir_fail(err, "invalid", "bad_instant", "Bundle.timestamp", "Not a date and time: '%s'.", when);
	if (m->occurred == HG_INSTANT_NONE)
		return fhir_fail(err, "required", "required", "Provenance.occurredDateTime",
		                 "Give Provenance.occurredDateTime or Bundle.timestamp.");
	return true;
}

/* The patient (optional) and Encounter.period. */
static bool read_patient_and_period(message *m, hg_date today, fhir_error *err)
{
	json_t *pat = first_of(m->bundle, "Patient"), *period = json_object_get(m->enc, "period");
	m->have_patient = pat != NULL;
	if (pat && !read_patient(pat, today, &m->patient, err))
		return false;
	m->start = m->end = HG_INSTANT_NONE;
	if (fhir_str(period, "start") && !parse_instant(fhir_str(period, "start"), &m->start))
		return fhir_fail(err, "invalid", "bad_instant", "Encounter.period.start", "Not a date and time.");
	if (fhir_str(period, "end") && !parse_instant(fhir_str(period, "end"), &m->end))
		return fhir_fail(err, "invalid", "bad_instant", "Encounter.period.end", "Not a date and time.");
	return true;
}

/* A new admission at the sender's ward. */
static bool plan_admission(const message *m, const store_unit *unit, event *ev, fhir_error *err)
{
	if (!m->have_patient)
		return fhir_fail(err, "required", "required", "Patient", "An admission needs a Patient.");
	if (unit->kind != UNIT_WARD)
		return fhir_fail(err, "invalid", "not_a_ward", "MessageHeader.sender", "Unit '%s' is not a ward.",
		                 unit->id);
	ev->u.admitted.patient = m->patient;
	hg_copy(ev->u.admitted.hospital, sizeof ev->u.admitted.hospital, unit->hospital);
	hg_copy(ev->u.admitted.ward, sizeof ev->u.admitted.ward, unit->id);
	ev->u.admitted.care = unit->care;
	if (m->start != HG_INSTANT_NONE)
		ev->occurred_at = m->start;
	return true;
}

/* A revision or cancellation of the latest live event of the activity's type, by the unit that wrote it. */
static bool plan_revision(const message *m, const store_user *user, const fhir_lookups *lk, event *ev, fhir_error *err)
{
	const fhir_activity *act = m->act;
	const event *target = episode_latest_live(lk->hist, lk->n_hist, act->type);
	if (!target)
		return fhir_fail(err, "business-rule", "nothing_to_revise", "Provenance.activity",
		                 "The episode has no %s to revise or cancel.", event_type_code(act->type));
	if (!fhir_user_has_unit(user, target->author_unit))
		return fhir_fail(err, "security", "not_original_author", "MessageHeader.sender",
		                 "Only the unit that wrote it (%s) may revise or cancel it.", target->author_unit);
	if (act->variant == FHIR_CANCEL) {
		event_init(ev, EVENT_CANCELLED);
		ev->u.cancelled.cancels_seq = target->seq;
		ev->occurred_at = m->occurred;
	} else {
		*ev = *target;
		ev->id = 0;
		ev->seq = 0;
		ev->recorded_at = HG_INSTANT_NONE;
		ev->corrects_seq = target->seq;
		ev->occurred_at = m->occurred;
		if (act->type == EVENT_ADMITTED) {
			if (m->have_patient)
				ev->u.admitted.patient = m->patient;
			ev->occurred_at = m->start != HG_INSTANT_NONE ? m->start : target->occurred_at;
		} else if (act->type == EVENT_DISCHARGED && m->end != HG_INSTANT_NONE) {
			ev->occurred_at = m->end;
		}
	}
	hg_copy(ev->author_unit, sizeof ev->author_unit, target->author_unit);
	ev->author_kind = target->author_kind;
	hg_copy(ev->author_org, sizeof ev->author_org, target->author_org);
	hg_copy(ev->author_user, sizeof ev->author_user, user->username);
	return true;
}

/* Encounter.hospitalization.dischargeDisposition (hemgang's codes or FHIR's) and Encounter.period.end. */
static bool read_destination(const message *m, event *ev, fhir_error *err)
{
	const char *dc =
	    fhir_str(json_array_get(json_object_get(json_object_get(json_object_get(m->enc, "hospitalization"),
	                                                            "dischargeDisposition"),
	                                            "coding"),
	                            0),
	             "code");
	ev->u.discharged.destination = m->act->dest;
	if (dc) {
		bool found = discharge_destination_from_code(dc, &ev->u.discharged.destination);
		for (size_t i = 0; !found && i < sizeof dispositions / sizeof dispositions[0]; i++)
			if (strcmp(dispositions[i].code, dc) == 0) {
				ev->u.discharged.destination = dispositions[i].dest;
				found = true;
			}
		if (!found)
			return fhir_fail(err, "code-invalid", "bad_code",
			                 "Encounter.hospitalization.dischargeDisposition",
			                 "Unknown discharge disposition '%s'.", dc);
	}
	if (m->act->dest == DEST_DECEASED)
		ev->u.discharged.destination = DEST_DECEASED;
	if (m->end != HG_INSTANT_NONE)
		ev->occurred_at = m->end;
	return true;
}

/* The care contact: Practitioner.name.text (required), qualification and phone. */
static bool read_care_contact(const message *m, event *ev, fhir_error *err)
{
	json_t *pr = first_of(m->bundle, "Practitioner"), *t;
	json_t *nm = json_array_get(json_object_get(pr, "name"), 0);
	size_t i;
	const char *text = fhir_str(nm, "text");
	if (!text || strlen(text) >= HG_NAME_MAX)
		return fhir_fail(err, "required", "required", "Practitioner.name.text",
		                 "The care contact needs Practitioner.name.text (at most %d bytes).", HG_NAME_MAX - 1);
	hg_copy(ev->u.care_contact_appointed.name, HG_NAME_MAX, text);
	hg_copy(ev->u.care_contact_appointed.title, HG_NAME_MAX,
	        fhir_str(json_object_get(json_array_get(json_object_get(pr, "qualification"), 0), "code"), "text"));
	json_array_foreach(json_object_get(pr, "telecom"), i, t) if (fhir_str(t, "system") &&
	                                                             strcmp(fhir_str(t, "system"), "phone") == 0 &&
	                                                             fhir_str(t, "value"))
	    hg_copy(ev->u.care_contact_appointed.phone, EVENT_PHONE_MAX, fhir_str(t, "value"));
	return true;
}

/* Encounter.extension: legal-form (valueCode lpt or lrv), information-item (valueCode, repeated). */
static bool read_codes(const message *m, event *ev, fhir_error *err)
{
	json_t *x;
	size_t i;
	bool legal = m->act->type == EVENT_LEGAL_FORM_SET;
	json_array_foreach(json_object_get(m->enc, "extension"), i, x)
	{
		const char *url = fhir_str(x, "url"), *v = fhir_str(x, "valueCode");
		legal_form f;
		discharge_item it;
		if (!url || strcmp(url, legal ? EXT_LEGAL_FORM : EXT_INFO_ITEM) != 0)
			continue;
		if (legal && v && legal_form_from_code(v, &f))
			ev->u.legal_form_set.form = f;
		else if (!legal && v && discharge_item_from_code(v, &it))
			ev->u.information_transferred.items |= EVENT_ITEM_BIT(it);
		else
			return fhir_fail(err, "code-invalid", "bad_code", "Encounter.extension", "Unknown code '%s'.",
			                 v ? v : "");
	}
	return true;
}

/* A SIP's or a care plan's call: Appointment.start and the place (appointmentType). */
static bool read_appointment(const message *m, event *ev, fhir_error *err)
{
	json_t *ap = first_of(m->bundle, "Appointment");
	const char *place =
	    fhir_str(json_array_get(json_object_get(json_object_get(ap, "appointmentType"), "coding"), 0), "code");
	hg_instant meeting;
	sip_place where;
	if (!parse_instant(fhir_str(ap, "start"), &meeting))
		return fhir_fail(err, "required", "required", "Appointment.start", "The call needs Appointment.start.");
	if (!place || !sip_place_from_code(place, &where))
		return fhir_fail(err, "code-invalid", "bad_code", "Appointment.appointmentType",
		                 "The meeting place is home, hospital, video or other.");
	if (m->act->type == EVENT_SIP_CALLED)
		ev->u.sip_called = (struct event_sip_called){meeting, where};
	else
		ev->u.care_plan_called = (struct event_care_plan_called){meeting, where};
	return true;
}

/* The fields of a new or revised event of an existing episode, by its type. */
static bool plan_fields(const message *m, const store_unit *unit, const fhir_lookups *lk, event *ev, fhir_error *err)
{
	bool given, bad;
	hg_date d = expected_date_of(m->enc, &given, &bad);
	if (bad)
		return fhir_fail(err, "invalid", "bad_date", "Encounter.extension",
		                 "expected-discharge-date must be a date.");
	switch (m->act->type) {
	case EVENT_DISCHARGED:
		return read_destination(m, ev, err);
	case EVENT_TRANSFERRED:
		hg_copy(ev->u.transferred.ward, sizeof ev->u.transferred.ward, unit->id);
		ev->u.transferred.care = unit->care;
		return true;
	case EVENT_ADMISSION_NOTICE:
		ev->u.admission_notice.expected_discharge_date = d;
		/* The reason is required (issue 14); mapping Encounter.reasonCode is a follow-up (docs/interop.md). */
		ev->u.admission_notice.reason = ADMISSION_REASON_OTHER;
		return plan_recipients(m->bundle, m->header, lk, &ev->u.admission_notice.recipients, err);
	case EVENT_EXPECTED_DATE_CHANGED:
		ev->u.expected_date_changed.date = d;
		return true;
	case EVENT_READY_FOR_DISCHARGE:
		return plan_recipients(m->bundle, m->header, lk, &ev->u.ready_for_discharge.recipients, err);
	case EVENT_CARE_CONTACT_APPOINTED:
		return read_care_contact(m, ev, err);
	case EVENT_LEGAL_FORM_SET:
	case EVENT_INFORMATION_TRANSFERRED:
		return read_codes(m, ev, err);
	case EVENT_CARE_PLAN_CALLED:
	case EVENT_SIP_CALLED:
		return read_appointment(m, ev, err);
	default:
		return true;
	}
}

bool fhir_plan(json_t *bundle, json_t *header, const store_user *user, hg_date today, const fhir_lookups *lk, event *ev,
               fhir_planned *out, fhir_error *err)
{
	message m = {.bundle = bundle, .header = header, .enc = first_of(bundle, "Encounter")};
	memset(out, 0, sizeof *out);
	if (!read_activity(bundle, header, &m.act, err))
		return false;
	const fhir_activity *act = m.act;
	event_type sends = act->variant == FHIR_CANCEL ? EVENT_CANCELLED : act->type;
	if (!access_role_may_send(user->role, sends) || !access_role_may_send(user->role, act->type))
		return fhir_fail(err, "security", "role_forbidden", "MessageHeader.sender",
		                 "The role %s may not send %s.", role_label(user->role)->code,
		                 event_type_code(act->type));
	if (!lk->sender)
		return fhir_fail(err, "security", "sender_not_yours", "MessageHeader.sender",
		                 "MessageHeader.sender must be an Organization whose identifier is one of your units.");
	if (!read_when(&m, err) || !read_patient_and_period(&m, today, err))
		return false;

	event_init(ev, act->type);
	ev->occurred_at = m.occurred;
	set_author(ev, lk->sender, user);
	if (is_new_admission(act)) {
		if (!plan_admission(&m, lk->sender, ev, err))
			return false;
		/* the sender's encounter already opened an episode (lk): the core judges the second admission */
		const char *ident = fhir_str(json_array_get(json_object_get(m.enc, "identifier"), 0), "value");
		out->episode_id = lk->episode_id;
		out->visit = ident && strlen(ident) < HG_ID_MAX ? ident : NULL;
	} else {
		if (lk->episode_failed) {
			*err = lk->episode_error;
			return false;
		}
		out->episode_id = lk->episode_id;
		if (act->variant != FHIR_NEW && !plan_revision(&m, user, lk, ev, err))
			return false;
		if (act->variant != FHIR_CANCEL && !plan_fields(&m, lk->sender, lk, ev, err))
			return false;
	}
	out->act = act;
	return true;
}
