/*
 * fhir.c - FHIR R4 messaging and the Encounter read side (fhir.h).
 *
 * A message Bundle names one activity: a MedCom HospitalNotification activity
 * (Provenance.activity, e.g. admit-inpatient, cancel-discharge-inpatient-home)
 * or one of hemgang's own event codes (MessageHeader.eventCoding, e.g.
 * ready-for-discharge). The activity table below says which event it becomes
 * and whether it is new, a revision (a correction of the latest live event of
 * that type) or a cancellation. MessageHeader.sender names the acting unit,
 * which must be one of the caller's units. The answer is a response message
 * (ok / transient-error / fatal-error with an OperationOutcome); it is kept
 * under (Bundle.id, MessageHeader.id), so a repeated message gets the original
 * answer and changes nothing.
 */
#include "fhir/fhir.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "http/api.h"
#include "store/interop_store.h"

#define FHIR_CT "application/fhir+json; charset=utf-8"
#define FHIR_MAX_DEPTH 32
#define SYS_PNR "urn:oid:1.2.752.129.2.1.3.1"
#define SYS_SNR "urn:oid:1.2.752.129.2.1.3.3"
#define SYS_MEDCOM_EVENT "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messagingEventCodes"
#define SYS_MEDCOM_ACTIVITY "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
#define SYS_HEMGANG_EVENT "https://hemgang.se/fhir/CodeSystem/event"
#define SYS_HEMGANG_REASON "https://hemgang.se/fhir/CodeSystem/reason"
#define SYS_DESTINATION "https://hemgang.se/fhir/CodeSystem/discharge-destination"
#define EXT_EXPECTED "https://hemgang.se/fhir/StructureDefinition/expected-discharge-date"
#define EXT_READY "https://hemgang.se/fhir/StructureDefinition/ready-for-discharge"
#define EXT_LEGAL_FORM "https://hemgang.se/fhir/StructureDefinition/legal-form"
#define EXT_INFO_ITEM "https://hemgang.se/fhir/StructureDefinition/information-item"
#define FHIR_BASE "https://hemgang.se/fhir"

enum variant { NEW = 0, REVISE, CANCEL };

/* Activities: MedCom HospitalNotification's and hemgang's own. */
static const struct activity {
	const char *code;
	bool medcom;
	event_type type;
	enum variant variant;
	discharge_destination dest;
} activities[] = {
	{"admit-inpatient", true, EVENT_ADMITTED, NEW, DEST_OTHER},
	{"revise-admit-inpatient", true, EVENT_ADMITTED, REVISE, DEST_OTHER},
	{"cancel-admit-inpatient", true, EVENT_ADMITTED, CANCEL, DEST_OTHER},
	{"start-leave-inpatient", true, EVENT_LEAVE_STARTED, NEW, DEST_OTHER},
	{"revise-start-leave-inpatient", true, EVENT_LEAVE_STARTED, REVISE, DEST_OTHER},
	{"cancel-start-leave-inpatient", true, EVENT_LEAVE_STARTED, CANCEL, DEST_OTHER},
	{"end-leave-inpatient", true, EVENT_LEAVE_ENDED, NEW, DEST_OTHER},
	{"revise-end-leave-inpatient", true, EVENT_LEAVE_ENDED, REVISE, DEST_OTHER},
	{"cancel-end-leave-inpatient", true, EVENT_LEAVE_ENDED, CANCEL, DEST_OTHER},
	{"discharge-inpatient-home", true, EVENT_DISCHARGED, NEW, DEST_OWN_HOME},
	{"revise-discharge-inpatient-home", true, EVENT_DISCHARGED, REVISE, DEST_OWN_HOME},
	{"cancel-discharge-inpatient-home", true, EVENT_DISCHARGED, CANCEL, DEST_OWN_HOME},
	{"deceased-inpatient", true, EVENT_DISCHARGED, NEW, DEST_DECEASED},
	{"revise-deceased-inpatient", true, EVENT_DISCHARGED, REVISE, DEST_DECEASED},
	{"cancel-deceased-inpatient", true, EVENT_DISCHARGED, CANCEL, DEST_DECEASED},
	{"admission-notice", false, EVENT_ADMISSION_NOTICE, NEW, DEST_OTHER},
	{"expected-date-changed", false, EVENT_EXPECTED_DATE_CHANGED, NEW, DEST_OTHER},
	{"ready-for-discharge", false, EVENT_READY_FOR_DISCHARGE, NEW, DEST_OTHER},
	{"ready-withdrawn", false, EVENT_READY_WITHDRAWN, NEW, DEST_OTHER},
	{"care-contact-appointed", false, EVENT_CARE_CONTACT_APPOINTED, NEW, DEST_OTHER},
	{"sip-called", false, EVENT_SIP_CALLED, NEW, DEST_OTHER},
	{"transferred", false, EVENT_TRANSFERRED, NEW, DEST_OTHER},
	{"discharged", false, EVENT_DISCHARGED, NEW, DEST_OTHER},
	/* the care process (issue 14): the ward's record sends the legal form, the care plan and the discharge step */
	{"legal-form-set", false, EVENT_LEGAL_FORM_SET, NEW, DEST_OTHER},
	{"care-plan-called", false, EVENT_CARE_PLAN_CALLED, NEW, DEST_OTHER},
	{"care-plan-established", false, EVENT_CARE_PLAN_ESTABLISHED, NEW, DEST_OTHER},
	{"chief-physician-applied", false, EVENT_CHIEF_PHYSICIAN_APPLIED, NEW, DEST_OTHER},
	{"information-transferred", false, EVENT_INFORMATION_TRANSFERRED, NEW, DEST_OTHER},
	{"patient-informed", false, EVENT_PATIENT_INFORMED, NEW, DEST_OTHER},
};

/* Encounter.hospitalization.dischargeDisposition (FHIR's example codes) to destinations. */
static const struct disposition_row {
	const char *code;
	discharge_destination dest;
} dispositions[] = {
	{"home", DEST_OWN_HOME},           {"aadvice", DEST_OWN_HOME},      {"other-hcf", DEST_OTHER_HOSPITAL},
	{"psy", DEST_OTHER_HOSPITAL},      {"rehab", DEST_OTHER_HOSPITAL},  {"snf", DEST_SPECIAL_HOUSING},
	{"long", DEST_SPECIAL_HOUSING},    {"hosp", DEST_OTHER},            {"oth", DEST_OTHER},
	{"exp", DEST_DECEASED},
};

/* ---- small helpers ---- */

static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
		n--;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static const char *str(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

static int json_depth(const json_t *j, int limit)
{
	int d = 0;
	if (limit <= 0)
		return 1;
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v)
		{
			int x = json_depth(v, limit - 1);
			if (x > d)
				d = x;
		}
		return d + 1;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
		{
			int x = json_depth(v, limit - 1);
			if (x > d)
				d = x;
		}
		return d + 1;
	}
	return 1;
}

/* Replies with a FHIR resource (the reference is stolen). */
static hg_status reply_fhir(http_response *res, int status, json_t *body)
{
	if (!body)
		return HG_ENOMEM;
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		return HG_ENOMEM;
	hg_status rc = http_reply_text(res, status, FHIR_CT, text, strlen(text));
	free(text); /* Jansson's allocation */
	return rc;
}

static json_t *operation_outcome(const char *issue_code, const char *reason, const char *diagnostics,
				 const char *expression)
{
	json_t *issue = json_pack("{s:s, s:s, s:s}", "severity", "error", "code", issue_code, "diagnostics",
				  diagnostics ? diagnostics : "");
	if (reason)
		json_object_set_new(issue, "details",
				    json_pack("{s:[{s:s, s:s}]}", "coding", "system", SYS_HEMGANG_REASON, "code", reason));
	if (expression && expression[0])
		json_object_set_new(issue, "expression", json_pack("[s]", expression));
	return json_pack("{s:s, s:[o]}", "resourceType", "OperationOutcome", "issue", issue);
}

static hg_status reply_outcome(http_response *res, int status, const char *issue_code, const char *reason,
			       const char *expression, const char *diagnostics)
{
	return reply_fhir(res, status, operation_outcome(issue_code, reason, diagnostics, expression));
}

static json_t *json_instant(hg_instant t)
{
	char buf[21];
	return t == HG_INSTANT_NONE ? NULL : json_string(instant_format_utc(t, buf));
}

/* A random resource id (32 hex digits). */
static void new_id(char out[33])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof b);
	sodium_bin2hex(out, 33, b, sizeof b);
}

/* ---- the message bundle ---- */

/* The resource a reference points to: by fullUrl, or "Type/id". */
static json_t *resolve(json_t *bundle, json_t *refobj)
{
	const char *ref = str(refobj, "reference");
	json_t *entries = json_object_get(bundle, "entry"), *e;
	size_t i;
	if (!ref)
		return NULL;
	json_array_foreach(entries, i, e)
	{
		json_t *r = json_object_get(e, "resource");
		const char *full = str(e, "fullUrl"), *type = str(r, "resourceType"), *id = str(r, "id");
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
		const char *t = str(r, "resourceType");
		if (t && strcmp(t, type) == 0)
			return r;
	}
	return NULL;
}

/* Organization.identifier[0].value: the unit id (HSA-id). */
static const char *org_unit(json_t *org) { return str(json_array_get(json_object_get(org, "identifier"), 0), "value"); }

typedef struct fhir_error {
	const char *issue;  /* FHIR issue type: invalid, not-supported, code-invalid, security, not-found, business-rule */
	const char *reason; /* hemgang's reason code */
	char expression[96];
	char diagnostics[256];
	bool transient;
} fhir_error;

__attribute__((format(printf, 5, 6))) static bool fail(fhir_error *e, const char *issue, const char *reason,
						       const char *expression, const char *fmt, ...)
{
	va_list ap;
	e->issue = issue;
	e->reason = reason;
	copy(e->expression, sizeof e->expression, expression);
	va_start(ap, fmt);
	vsnprintf(e->diagnostics, sizeof e->diagnostics, fmt, ap);
	va_end(ap);
	return false;
}

/* Where a core rejection points in the message. */
static const char *expression_of(const char *field)
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
static bool read_patient(json_t *pat, event_patient *p, fhir_error *err)
{
	json_t *ids = json_object_get(pat, "identifier"), *id;
	size_t i;
	const char *value = NULL;
	memset(p, 0, sizeof *p);
	json_array_foreach(ids, i, id)
	{
		const char *sys = str(id, "system");
		if (sys && (strcmp(sys, SYS_PNR) == 0 || strcmp(sys, SYS_SNR) == 0)) {
			value = str(id, "value");
			break;
		}
	}
	if (!value)
		return fail(err, "invalid", "wrong_identifier_system", "Patient.identifier.system",
			    "The patient needs an identifier with system %s (personnummer) or %s (samordningsnummer).",
			    SYS_PNR, SYS_SNR);
	pnr_options opt = pnr_options_default(cal_local_date(api_now()));
	pnr parsed;
	pnr_reason why;
	if (pnr_parse(value, &opt, &parsed, &why) != HG_OK)
		return fail(err, "invalid", "bad_personnummer", "Patient.identifier.value", "%s", pnr_reason_label(why)->en);
	copy(p->personnummer, sizeof p->personnummer, parsed.normal);
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
	const char *family = str(name, "family");
	if (family && n < sizeof full)
		n += (size_t)snprintf(full + n, sizeof full - n, "%s%s", n ? " " : "", family);
	if (n >= sizeof p->name)
		return fail(err, "invalid", "too_long", "Patient.name", "The name is too long.");
	copy(p->name, sizeof p->name, full);
	json_t *addr = json_array_get(json_object_get(pat, "address"), 0);
	char text[EVENT_ADDRESS_MAX * 2] = "";
	n = 0;
	json_array_foreach(json_object_get(addr, "line"), i, g)
	{
		const char *s = json_string_value(g);
		if (s && n < sizeof text)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", n ? ", " : "", s);
	}
	const char *zip = str(addr, "postalCode"), *city = str(addr, "city"), *district = str(addr, "district");
	if ((zip || city) && n < sizeof text)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s%s%s", n ? ", " : "", zip ? zip : "",
				      zip && city ? " " : "", city ? city : "");
	if (n >= sizeof p->address)
		return fail(err, "invalid", "too_long", "Patient.address", "The address is too long.");
	copy(p->address, sizeof p->address, text);
	if (district && strlen(district) >= sizeof p->registered_municipality)
		return fail(err, "invalid", "bad_municipality_code", "Patient.address.district",
			    "Patient.address.district must be the 4-digit municipality code (kommunkod).");
	copy(p->registered_municipality, sizeof p->registered_municipality, district);
	const char *gp = str(json_object_get(json_array_get(json_object_get(pat, "generalPractitioner"), 0), "identifier"),
			     "value");
	copy(p->primary_care_unit, sizeof p->primary_care_unit, gp);
	json_t *sec;
	json_array_foreach(json_object_get(json_object_get(pat, "meta"), "security"), i, sec)
	{
		const char *code = str(sec, "code");
		if (code && strcmp(code, "R") == 0)
			p->protected_identity = true;
	}
	return true;
}

static bool parse_instant(const char *s, hg_instant *out)
{
	return s && (instant_parse_iso(s, out) == HG_OK || cal_parse_local(s, out) == HG_OK);
}

static bool caller_has_unit(const api_caller *c, const char *unit)
{
	for (int i = 0; i < c->user.n_units; i++)
		if (unit && strcmp(c->user.units[i], unit) == 0)
			return true;
	return false;
}

/* Fills recipients from MessageHeader.destination[].receiver (Organizations with a unit identifier). */
static bool read_recipients(api_app *app, json_t *bundle, json_t *header, event_recipients *r, fhir_error *err)
{
	json_t *dests = json_object_get(header, "destination"), *d;
	size_t i;
	r->count = 0;
	json_array_foreach(dests, i, d)
	{
		json_t *org = resolve(bundle, json_object_get(d, "receiver"));
		const char *unit = org_unit(org);
		store_unit u;
		if (!unit)
			continue; /* a destination without a receiver unit: the endpoint only */
		if (r->count == EVENT_RECIPIENTS_MAX)
			return fail(err, "invalid", "too_many_recipients", "MessageHeader.destination", "At most %d receivers.",
				    EVENT_RECIPIENTS_MAX);
		if (strlen(unit) >= HG_ID_MAX || store_unit_get(app->store, unit, &u) != HG_OK)
			return fail(err, "invalid", "unknown_unit", "MessageHeader.destination.receiver",
				    "Receiver unit '%s' does not exist.", unit);
		event_party *p = &r->to[r->count++];
		copy(p->unit, sizeof p->unit, u.id);
		p->kind = u.kind;
		copy(p->org, sizeof p->org, u.org);
	}
	return true;
}

static hg_date expected_date_of(json_t *enc, bool *given, bool *bad)
{
	json_t *x;
	size_t i;
	*given = *bad = false;
	json_array_foreach(json_object_get(enc, "extension"), i, x)
	{
		const char *url = str(x, "url"), *v = str(x, "valueDate");
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

/* The episode a non-admission message is about, visible to the caller. */
static bool find_episode(api_app *app, const api_caller *c, json_t *enc, const event_patient *p, bool have_patient,
			 int64_t *id, fhir_error *err)
{
	const char (*units)[HG_ID_MAX] = (const char (*)[HG_ID_MAX])c->user.units;
	bool visible = false;
	const char *eid = str(enc, "id");
	char *end;
	*id = 0;
	if (eid && *eid) {
		long long v = strtoll(eid, &end, 10);
		if (!*end && v > 0 && store_episode_visible(app->store, v, units, (size_t)c->user.n_units, &visible) == HG_OK &&
		    visible) {
			*id = v;
			return true;
		}
	}
	const char *ident = str(json_array_get(json_object_get(enc, "identifier"), 0), "value");
	if (ident) {
		char fac[HG_ID_MAX];
		int64_t v = 0;
		snprintf(fac, sizeof fac, "fhir:%.40s", c->user.username);
		if (interop_visit_get(app->store, fac, ident, &v) == HG_OK &&
		    store_episode_visible(app->store, v, units, (size_t)c->user.n_units, &visible) == HG_OK && visible) {
			*id = v;
			return true;
		}
	}
	if (have_patient) {
		store_query q;
		store_episode_row *rows = NULL;
		size_t n = 0, total = 0;
		store_query_init(&q);
		q.units = units;
		q.n_units = (size_t)c->user.n_units;
		q.pnr = p->personnummer;
		if (store_episodes_query(app->store, &q, &rows, &n, &total) != HG_OK) {
			err->transient = true;
			return fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
		}
		hg_instant best = HG_INSTANT_NONE;
		for (size_t i = 0; i < n; i++)
			if (rows[i].status != EPISODE_CANCELLED && (best == HG_INSTANT_NONE || rows[i].admitted_at > best)) {
				best = rows[i].admitted_at;
				*id = rows[i].id;
			}
		hg_free(rows);
		if (*id)
			return true;
	}
	return fail(err, "not-found", "no_episode", "Encounter", "No episode of this patient is visible to the sender.");
}

static void set_author(event *ev, const store_unit *u, const api_caller *c)
{
	copy(ev->author_unit, sizeof ev->author_unit, u->id);
	ev->author_kind = u->kind;
	copy(ev->author_org, sizeof ev->author_org, u->org);
	copy(ev->author_user, sizeof ev->author_user, c->user.username);
}

/*
 * Turns the message into one event and appends it. *episode_id gets the
 * episode. False with *err filled when the message cannot be applied.
 */
static bool process(api_app *app, const api_caller *c, json_t *bundle, json_t *header, const char *header_id,
		    http_request *req, int64_t *episode_id, fhir_error *err)
{
	json_t *coding = json_object_get(header, "eventCoding");
	const char *sys = str(coding, "system"), *code = str(coding, "code");
	json_t *prov = first_of(bundle, "Provenance");
	const struct activity *act = NULL;
	*episode_id = 0;
	if (!sys || !code)
		return fail(err, "required", "required", "MessageHeader.eventCoding", "MessageHeader.eventCoding is required.");
	bool medcom = strcmp(sys, SYS_MEDCOM_EVENT) == 0;
	if (medcom && strcmp(code, "hospital-notification-message") != 0)
		return fail(err, "not-supported", "unknown_event_code", "MessageHeader.eventCoding.code",
			    "MedCom event '%s' is not supported (hospital-notification-message is).", code);
	if (!medcom && strcmp(sys, SYS_HEMGANG_EVENT) != 0)
		return fail(err, "not-supported", "unknown_event_code", "MessageHeader.eventCoding.system",
			    "Event code system '%s' is not supported.", sys);
	const char *acode = code, *expr = "MessageHeader.eventCoding.code";
	if (medcom) {
		json_t *cd;
		size_t i;
		acode = NULL;
		expr = "Provenance.activity";
		json_array_foreach(json_object_get(json_object_get(prov, "activity"), "coding"), i, cd)
			if (str(cd, "system") && strcmp(str(cd, "system"), SYS_MEDCOM_ACTIVITY) == 0)
				acode = str(cd, "code");
		if (!acode)
			return fail(err, "required", "required", expr, "A HospitalNotification needs Provenance.activity.");
	}
	for (size_t i = 0; i < sizeof activities / sizeof activities[0]; i++)
		if (strcmp(activities[i].code, acode) == 0 && activities[i].medcom == medcom)
			act = &activities[i];
	if (!act)
		return fail(err, "code-invalid", "unknown_activity", expr, "Activity '%s' is not supported.", acode);
	event_type sends = act->variant == CANCEL ? EVENT_CANCELLED : act->type;
	if (!access_role_may_send(c->user.role, sends) || !access_role_may_send(c->user.role, act->type))
		return fail(err, "security", "role_forbidden", "MessageHeader.sender", "The role %s may not send %s.",
			    role_label(c->user.role)->code, event_type_code(act->type));

	/* the acting unit */
	const char *unit_id = org_unit(resolve(bundle, json_object_get(header, "sender")));
	store_unit unit;
	if (!unit_id || !caller_has_unit(c, unit_id) || store_unit_get(app->store, unit_id, &unit) != HG_OK)
		return fail(err, "security", "sender_not_yours", "MessageHeader.sender",
			    "MessageHeader.sender must be an Organization whose identifier is one of your units.");

	/* when */
	hg_instant occurred = HG_INSTANT_NONE;
	const char *when = str(prov, "occurredDateTime");
	if (when && !parse_instant(when, &occurred))
		return fail(err, "invalid", "bad_instant", "Provenance.occurredDateTime", "Not a date and time: '%s'.", when);
	when = str(bundle, "timestamp");
	if (occurred == HG_INSTANT_NONE && when && !parse_instant(when, &occurred))
		return fail(err, "invalid", "bad_instant", "Bundle.timestamp", "Not a date and time: '%s'.", when);
	if (occurred == HG_INSTANT_NONE)
		return fail(err, "required", "required", "Provenance.occurredDateTime",
			    "Give Provenance.occurredDateTime or Bundle.timestamp.");

	json_t *pat = first_of(bundle, "Patient"), *enc = first_of(bundle, "Encounter");
	event_patient patient;
	bool have_patient = pat != NULL;
	if (pat && !read_patient(pat, &patient, err))
		return false;
	json_t *period = json_object_get(enc, "period");
	hg_instant start = HG_INSTANT_NONE, end = HG_INSTANT_NONE;
	if (str(period, "start") && !parse_instant(str(period, "start"), &start))
		return fail(err, "invalid", "bad_instant", "Encounter.period.start", "Not a date and time.");
	if (str(period, "end") && !parse_instant(str(period, "end"), &end))
		return fail(err, "invalid", "bad_instant", "Encounter.period.end", "Not a date and time.");

	event *ev = hg_malloc(sizeof *ev);
	event *hist = NULL;
	size_t n = 0;
	episode_state *st = NULL;
	bool ok = false;
	if (!ev) {
		err->transient = true;
		return fail(err, "transient", "out_of_memory", "", "Out of memory.");
	}
	event_init(ev, act->type);
	ev->occurred_at = occurred;
	set_author(ev, &unit, c);
	if (act->type == EVENT_ADMITTED && act->variant == NEW) {
		if (!have_patient) {
			fail(err, "required", "required", "Patient", "An admission needs a Patient.");
			goto out;
		}
		if (unit.kind != UNIT_WARD) {
			fail(err, "invalid", "not_a_ward", "MessageHeader.sender", "Unit '%s' is not a ward.", unit.id);
			goto out;
		}
		ev->u.admitted.patient = patient;
		copy(ev->u.admitted.hospital, sizeof ev->u.admitted.hospital, unit.hospital);
		copy(ev->u.admitted.ward, sizeof ev->u.admitted.ward, unit.id);
		ev->u.admitted.care = unit.care;
		if (start != HG_INSTANT_NONE)
			ev->occurred_at = start;
		/* the sender's encounter already opened an episode: the core judges the second admission */
		const char *ident = str(json_array_get(json_object_get(enc, "identifier"), 0), "value");
		char fac[HG_ID_MAX];
		int64_t known = 0;
		snprintf(fac, sizeof fac, "fhir:%.40s", c->user.username);
		st = hg_malloc(sizeof *st);
		if (ident && st && interop_visit_get(app->store, fac, ident, &known) == HG_OK &&
		    store_episode_load(app->store, known, st, NULL, NULL) == HG_OK && !st->cancelled)
			*episode_id = known;
	} else {
		if (!find_episode(app, c, enc, &patient, have_patient, episode_id, err))
			goto out;
		st = hg_malloc(sizeof *st);
		if (!st || store_episode_load(app->store, *episode_id, st, &hist, &n) != HG_OK) {
			err->transient = true;
			fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
			goto out;
		}
		if (act->variant != NEW) {
			const event *target = episode_latest_live(hist, n, act->type);
			if (!target) {
				fail(err, "business-rule", "nothing_to_revise", "Provenance.activity",
				     "The episode has no %s to revise or cancel.", event_type_code(act->type));
				goto out;
			}
			if (!caller_has_unit(c, target->author_unit)) {
				fail(err, "security", "not_original_author", "MessageHeader.sender",
				     "Only the unit that wrote it (%s) may revise or cancel it.", target->author_unit);
				goto out;
			}
			if (act->variant == CANCEL) {
				event_init(ev, EVENT_CANCELLED);
				ev->u.cancelled.cancels_seq = target->seq;
				ev->occurred_at = occurred;
			} else {
				*ev = *target;
				ev->id = 0;
				ev->seq = 0;
				ev->recorded_at = HG_INSTANT_NONE;
				ev->corrects_seq = target->seq;
				if (act->type == EVENT_ADMITTED) {
					if (have_patient)
						ev->u.admitted.patient = patient;
					if (start != HG_INSTANT_NONE)
						ev->occurred_at = start;
				} else if (act->type == EVENT_DISCHARGED && end != HG_INSTANT_NONE) {
					ev->occurred_at = end;
				} else {
					ev->occurred_at = occurred;
				}
			}
			copy(ev->author_unit, sizeof ev->author_unit, target->author_unit);
			ev->author_kind = target->author_kind;
			copy(ev->author_org, sizeof ev->author_org, target->author_org);
			copy(ev->author_user, sizeof ev->author_user, c->user.username);
		}
		if (act->variant != CANCEL) {
			bool given, bad;
			hg_date d = expected_date_of(enc, &given, &bad);
			if (bad) {
				fail(err, "invalid", "bad_date", "Encounter.extension", "expected-discharge-date must be a date.");
				goto out;
			}
			switch (act->type) {
			case EVENT_DISCHARGED: {
				const char *dc = str(json_array_get(json_object_get(json_object_get(json_object_get(enc,
					"hospitalization"), "dischargeDisposition"), "coding"), 0), "code");
				ev->u.discharged.destination = act->dest;
				if (dc) {
					bool found = discharge_destination_from_code(dc, &ev->u.discharged.destination);
					for (size_t i = 0; !found && i < sizeof dispositions / sizeof dispositions[0]; i++)
						if (strcmp(dispositions[i].code, dc) == 0) {
							ev->u.discharged.destination = dispositions[i].dest;
							found = true;
						}
					if (!found) {
						fail(err, "code-invalid", "bad_code", "Encounter.hospitalization.dischargeDisposition",
						     "Unknown discharge disposition '%s'.", dc);
						goto out;
					}
				}
				if (act->dest == DEST_DECEASED)
					ev->u.discharged.destination = DEST_DECEASED;
				if (end != HG_INSTANT_NONE)
					ev->occurred_at = end;
				break;
			}
			case EVENT_TRANSFERRED:
				copy(ev->u.transferred.ward, sizeof ev->u.transferred.ward, unit.id);
				ev->u.transferred.care = unit.care;
				break;
			case EVENT_ADMISSION_NOTICE:
				ev->u.admission_notice.expected_discharge_date = d;
				/* The reason is required (issue 14); mapping Encounter.reasonCode is a follow-up (docs/interop.md). */
				ev->u.admission_notice.reason = ADMISSION_REASON_OTHER;
				if (!read_recipients(app, bundle, header, &ev->u.admission_notice.recipients, err))
					goto out;
				break;
			case EVENT_EXPECTED_DATE_CHANGED: ev->u.expected_date_changed.date = d; break;
			case EVENT_READY_FOR_DISCHARGE:
				if (!read_recipients(app, bundle, header, &ev->u.ready_for_discharge.recipients, err))
					goto out;
				break;
			case EVENT_CARE_CONTACT_APPOINTED: {
				json_t *pr = first_of(bundle, "Practitioner"), *t;
				json_t *nm = json_array_get(json_object_get(pr, "name"), 0);
				size_t i;
				const char *text = str(nm, "text");
				if (!text || strlen(text) >= HG_NAME_MAX) {
					fail(err, "required", "required", "Practitioner.name.text",
					     "The care contact needs Practitioner.name.text (at most %d bytes).", HG_NAME_MAX - 1);
					goto out;
				}
				copy(ev->u.care_contact_appointed.name, HG_NAME_MAX, text);
				copy(ev->u.care_contact_appointed.title, HG_NAME_MAX,
				     str(json_object_get(json_array_get(json_object_get(pr, "qualification"), 0), "code"), "text"));
				json_array_foreach(json_object_get(pr, "telecom"), i, t)
					if (str(t, "system") && strcmp(str(t, "system"), "phone") == 0 && str(t, "value"))
						copy(ev->u.care_contact_appointed.phone, EVENT_PHONE_MAX, str(t, "value"));
				break;
			}
			case EVENT_LEGAL_FORM_SET:
			case EVENT_INFORMATION_TRANSFERRED: {
				/* Encounter.extension: legal-form (valueCode lpt or lrv), information-item (valueCode, repeated) */
				json_t *x;
				size_t i;
				bool legal = act->type == EVENT_LEGAL_FORM_SET;
				json_array_foreach(json_object_get(enc, "extension"), i, x) {
					const char *url = str(x, "url"), *v = str(x, "valueCode");
					legal_form f;
					discharge_item it;
					if (!url || strcmp(url, legal ? EXT_LEGAL_FORM : EXT_INFO_ITEM) != 0)
						continue;
					if (legal && v && legal_form_from_code(v, &f))
						ev->u.legal_form_set.form = f;
					else if (!legal && v && discharge_item_from_code(v, &it))
						ev->u.information_transferred.items |= EVENT_ITEM_BIT(it);
					else {
						fail(err, "code-invalid", "bad_code", "Encounter.extension", "Unknown code '%s'.", v ? v : "");
						goto out;
					}
				}
				break;
			}
			case EVENT_CARE_PLAN_CALLED:
			case EVENT_SIP_CALLED: {
				json_t *ap = first_of(bundle, "Appointment");
				const char *place = str(json_array_get(json_object_get(json_object_get(ap, "appointmentType"),
											 "coding"), 0), "code");
				hg_instant meeting;
				sip_place where;
				if (!parse_instant(str(ap, "start"), &meeting)) {
					fail(err, "required", "required", "Appointment.start", "The call needs Appointment.start.");
					goto out;
				}
				if (!place || !sip_place_from_code(place, &where)) {
					fail(err, "code-invalid", "bad_code", "Appointment.appointmentType",
					     "The meeting place is home, hospital, video or other.");
					goto out;
				}
				if (act->type == EVENT_SIP_CALLED)
					ev->u.sip_called = (struct event_sip_called){meeting, where};
				else
					ev->u.care_plan_called = (struct event_care_plan_called){meeting, where};
				break;
			}
			default: break;
			}
		}
	}
	char key[STORE_KEY_MAX];
	store_append_result r;
	event_error everr;
	snprintf(key, sizeof key, "fhir:%.60s/%.60s", str(bundle, "id"), header_id);
	hg_status rc = store_append(app->store, *episode_id, ev, key, api_now(), &r, &everr);
	if (rc == HG_EINVAL || rc == HG_ECONFLICT || rc == HG_ERANGE) {
		fail(err, rc == HG_ECONFLICT ? "business-rule" : "invalid", everr.code ? everr.code : "invalid_event",
		     expression_of(everr.field), "%s", everr.message_en ? everr.message_en : "The event breaks a rule.");
		goto out;
	}
	if (rc != HG_OK) {
		err->transient = true;
		fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
		goto out;
	}
	*episode_id = r.episode_id;
	if (act->type == EVENT_ADMITTED && act->variant == NEW) {
		const char *ident = str(json_array_get(json_object_get(enc, "identifier"), 0), "value");
		char fac[HG_ID_MAX];
		snprintf(fac, sizeof fac, "fhir:%.40s", c->user.username);
		if (ident && strlen(ident) < HG_ID_MAX && interop_visit_put(app->store, fac, ident, r.episode_id) != HG_OK) {
			err->transient = true;
			fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
			goto out;
		}
	}
	store_audit a;
	memset(&a, 0, sizeof a);
	a.at = api_now();
	copy(a.username, sizeof a.username, c->user.username);
	copy(a.unit, sizeof a.unit, ev->author_unit);
	copy(a.action, sizeof a.action, r.replayed ? "event.append.replayed" : "event.append");
	a.episode_id = r.episode_id;
	snprintf(a.reason, sizeof a.reason, "FHIR %s %.100s", acode, header_id);
	(void)api_client_addr(req, app, a.client, sizeof a.client);
	if (store_audit_add(app->store, &a) != HG_OK) {
		err->transient = true;
		fail(err, "transient", "store_unavailable", "", "The audit log is unavailable; send again.");
		goto out;
	}
	ok = true;
out:
	hg_free(ev);
	hg_free(st);
	hg_free(hist);
	return ok;
}

/* The response message to the message (header): ok, or an error with an OperationOutcome. */
static json_t *response_message(json_t *header, const char *header_id, bool ok, const fhir_error *err, int64_t episode)
{
	char bid[33], hid[33], oid[33], ts[21];
	new_id(bid);
	new_id(hid);
	new_id(oid);
	json_t *resp = json_pack("{s:s, s:s}", "identifier", header_id, "code",
				 ok ? "ok" : err->transient ? "transient-error" : "fatal-error");
	json_t *mh = json_pack("{s:s, s:s, s:O, s:{s:s, s:s}, s:o}", "resourceType", "MessageHeader", "id", hid,
			       "eventCoding", json_object_get(header, "eventCoding"), "source", "name", "hemgang", "endpoint",
			       FHIR_BASE, "response", resp);
	json_t *entries = json_array();
	if (ok && episode) {
		char ref[48];
		snprintf(ref, sizeof ref, "Encounter/%" PRId64, episode);
		json_object_set_new(mh, "focus", json_pack("[{s:s}]", "reference", ref));
	}
	json_array_append_new(entries, json_pack("{s:s, s:o}", "fullUrl", "urn:uuid:response-header", "resource", mh));
	if (!ok) {
		json_t *oo = operation_outcome(err->issue, err->reason, err->diagnostics, err->expression);
		json_object_set_new(oo, "id", json_string(oid));
		json_array_append_new(entries, json_pack("{s:s, s:o}", "fullUrl", "urn:uuid:response-outcome", "resource", oo));
		json_object_set_new(resp, "details", json_pack("{s:s}", "reference", "urn:uuid:response-outcome"));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "resourceType", "Bundle", "id", bid, "type", "message", "timestamp",
			 instant_format_utc(api_now(), ts), "entry", entries);
}

static bool valid_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* POST /fhir/$process-message */
static hg_status post_process_message(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	size_t len = 0;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	/* messages come from records systems, each with its own integration user (issue 13.7) */
	if (c.user.role != ROLE_INTEGRATION)
		return reply_outcome(res, 403, "security", "role_forbidden", NULL,
				     "Only integration users (records systems, with an API token) may post messages.");
	const char *ct = http_request_header(req, "Content-Type");
	if (!ct || (strncmp(ct, "application/fhir+json", 21) != 0 && strncmp(ct, "application/json", 16) != 0))
		return reply_outcome(res, 415, "not-supported", "unsupported_media_type", NULL,
				     "Send application/fhir+json.");
	const char *body = http_request_body(req, &len);
	json_error_t jerr;
	json_t *bundle = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!bundle)
		return reply_outcome(res, 400, "structure", "invalid_json", NULL, jerr.text);
	hg_status rc = HG_OK;
	json_t *header = json_object_get(json_array_get(json_object_get(bundle, "entry"), 0), "resource");
	const char *bundle_id = str(bundle, "id"), *header_id = str(header, "id");
	if (json_depth(bundle, FHIR_MAX_DEPTH + 1) > FHIR_MAX_DEPTH) {
		rc = reply_outcome(res, 400, "too-costly", "json_too_deep", NULL, "The JSON is nested too deeply.");
		goto out;
	}
	if (!str(bundle, "resourceType") || strcmp(str(bundle, "resourceType"), "Bundle") != 0 || !str(bundle, "type") ||
	    strcmp(str(bundle, "type"), "message") != 0) {
		rc = reply_outcome(res, 400, "structure", "not_a_message", "Bundle.type",
				   "The body must be a Bundle of type message.");
		goto out;
	}
	if (!str(header, "resourceType") || strcmp(str(header, "resourceType"), "MessageHeader") != 0) {
		rc = reply_outcome(res, 400, "structure", "no_message_header", "Bundle.entry[0].resource",
				   "The first entry must be the MessageHeader.");
		goto out;
	}
	if (!valid_id(bundle_id) || !valid_id(header_id)) {
		rc = reply_outcome(res, 400, "required", "message_id_required", !valid_id(bundle_id) ? "Bundle.id" : "MessageHeader.id",
				   "Bundle.id and MessageHeader.id are required (reliable messaging): 1-64 of [A-Za-z0-9-.].");
		goto out;
	}
	/* reliable messaging: the same message of the same sender gets the same answer; ids are the sender's own */
	int status = 0;
	char *stored = NULL;
	rc = interop_fhir_get(app->store, c.user.username, bundle_id, header_id, &status, &stored);
	if (rc == HG_OK) {
		rc = http_reply_text(res, status, FHIR_CT, stored, strlen(stored));
		hg_free(stored);
		goto out;
	}
	if (rc != HG_ENOTFOUND) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	fhir_error err;
	int64_t episode = 0;
	memset(&err, 0, sizeof err);
	bool ok = process(app, &c, bundle, header, header_id, req, &episode, &err);
	json_t *answer = response_message(header, header_id, ok, &err, episode);
	char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
	json_decref(answer);
	if (!text) {
		rc = HG_ENOMEM;
		goto out;
	}
	if (!err.transient && interop_fhir_put(app->store, c.user.username, bundle_id, header_id, 200, text, api_now()) != HG_OK) {
		free(text);
		rc = api_problem_store(res, HG_EIO);
		goto out;
	}
	rc = http_reply_text(res, 200, FHIR_CT, text, strlen(text));
	free(text);
out:
	json_decref(bundle);
	return rc;
}

/* ---- the read side ---- */

static const char *encounter_status(const episode_state *st)
{
	if (st->cancelled)
		return "entered-in-error";
	if (st->status == EPISODE_DISCHARGED)
		return "finished";
	return st->on_leave ? "onleave" : "in-progress";
}

static json_t *encounter_json(const episode_state *st)
{
	char id[24];
	snprintf(id, sizeof id, "%" PRId64, st->id);
	json_t *enc = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "resourceType", "Encounter", "id", id, "status",
				encounter_status(st), "class", "system", "http://terminology.hl7.org/CodeSystem/v3-ActCode",
				"code", "IMP", "display", "inpatient encounter");
	if (!st->cancelled) {
		const char *sys = st->patient.personnummer[6] >= '6' ? SYS_SNR : SYS_PNR;
		json_object_set_new(enc, "subject", json_pack("{s:{s:s, s:s}, s:s}", "identifier", "system", sys, "value",
							      st->patient.personnummer, "display", st->patient.name));
		json_t *period = json_object();
		json_t *v;
		if ((v = json_instant(st->admitted_at)))
			json_object_set_new(period, "start", v);
		if ((v = json_instant(st->discharged_at)))
			json_object_set_new(period, "end", v);
		json_object_set_new(enc, "period", period);
		json_object_set_new(enc, "serviceProvider",
				    json_pack("{s:{s:s}, s:s}", "identifier", "value", st->ward, "display", st->hospital));
		json_t *ext = json_array();
		if (st->expected_date != HG_DATE_NONE) {
			char d[11];
			json_array_append_new(ext, json_pack("{s:s, s:s}", "url", EXT_EXPECTED, "valueDate",
							     date_format(st->expected_date, d)));
		}
		if ((v = json_instant(st->ready_at)))
			json_array_append_new(ext, json_pack("{s:s, s:o}", "url", EXT_READY, "valueDateTime", v));
		if (json_array_size(ext))
			json_object_set_new(enc, "extension", ext);
		else
			json_decref(ext);
		if (st->status == EPISODE_DISCHARGED)
			json_object_set_new(enc, "hospitalization",
					    json_pack("{s:{s:[{s:s, s:s, s:s}]}}", "dischargeDisposition", "coding", "system",
						      SYS_DESTINATION, "code", discharge_destination_label(st->destination)->code,
						      "display", discharge_destination_label(st->destination)->sv));
	}
	return enc;
}

static hg_status get_encounter(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	if (!api_authenticate(req, res, app, &c) || !api_episode_access(req, res, app, &c, &id))
		return HG_OK;
	episode_state *st = hg_malloc(sizeof *st);
	if (!st)
		return HG_ENOMEM;
	hg_status rc = store_episode_load(app->store, id, st, NULL, NULL);
	if (rc == HG_OK && !api_audit(req, res, app, &c, "episode.read", id, "FHIR Encounter read")) {
		hg_free(st);
		return HG_OK;
	}
	if (rc != HG_OK) {
		hg_free(st);
		return api_problem_store(res, rc);
	}
	st->id = id;
	json_t *enc = encounter_json(st);
	hg_free(st);
	return reply_fhir(res, 200, enc);
}

/* GET /fhir/Encounter?patient.identifier=[system|]value */
static hg_status search_encounters(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	char sys[96] = "";
	const char *q = http_request_query(req, "patient.identifier"), *value = q;
	if (!api_authenticate(req, res, app, &c) || !api_require_patient_reader(res, &c))
		return HG_OK;
	if (!q || !*q)
		return reply_outcome(res, 400, "required", "required", "patient.identifier",
				     "Search by patient.identifier=system|value.");
	const char *bar = strchr(q, '|');
	if (bar) {
		if ((size_t)(bar - q) >= sizeof sys)
			return reply_outcome(res, 400, "invalid", "wrong_identifier_system", "patient.identifier", "Unknown system.");
		memcpy(sys, q, (size_t)(bar - q));
		sys[bar - q] = '\0';
		value = bar + 1;
		if (sys[0] && strcmp(sys, SYS_PNR) != 0 && strcmp(sys, SYS_SNR) != 0)
			return reply_outcome(res, 400, "invalid", "wrong_identifier_system", "patient.identifier",
					     "The identifier system must be " SYS_PNR " or " SYS_SNR ".");
	}
	pnr_options opt = pnr_options_default(cal_local_date(api_now()));
	opt.accept_reserve = true;
	pnr parsed;
	pnr_reason why;
	if (pnr_parse(value, &opt, &parsed, &why) != HG_OK)
		return reply_outcome(res, 400, "invalid", "bad_personnummer", "patient.identifier", pnr_reason_label(why)->en);
	store_query sq;
	store_episode_row *rows = NULL;
	size_t n = 0, total = 0;
	store_query_init(&sq);
	sq.units = (const char (*)[HG_ID_MAX])c.user.units;
	sq.n_units = (size_t)c.user.n_units;
	sq.pnr = parsed.normal;
	sq.limit = 50;
	hg_status rc = store_episodes_query(app->store, &sq, &rows, &n, &total);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!api_audit(req, res, app, &c, "search.pnr", 0, "FHIR Encounter search")) {
		hg_free(rows);
		return HG_OK;
	}
	json_t *entries = json_array();
	episode_state *st = hg_malloc(sizeof *st);
	for (size_t i = 0; st && i < n; i++) {
		if (store_episode_load(app->store, rows[i].id, st, NULL, NULL) != HG_OK)
			continue;
		st->id = rows[i].id;
		char url[96];
		snprintf(url, sizeof url, FHIR_BASE "/Encounter/%" PRId64, rows[i].id);
		json_array_append_new(entries, json_pack("{s:s, s:o, s:{s:s}}", "fullUrl", url, "resource", encounter_json(st),
							 "search", "mode", "match"));
	}
	hg_free(st);
	hg_free(rows);
	return reply_fhir(res, 200, json_pack("{s:s, s:s, s:I, s:o}", "resourceType", "Bundle", "type", "searchset", "total",
					      (json_int_t)total, "entry", entries));
}

/*
 * The base URL this server answers under, for the CapabilityStatement: the
 * request's Host (https behind TLS, i.e. with secure cookies), else FHIR_BASE.
 */
static void base_url(http_request *req, const api_app *app, char *out, size_t cap)
{
	const char *host = http_request_header(req, "Host");
	bool plain = host && host[0] && strlen(host) < 200;
	for (const char *p = host; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			strchr(".-:[]", *p) != NULL;
	if (plain)
		snprintf(out, cap, "%s://%s/fhir", app->secure_cookies ? "https" : "http", host);
	else
		snprintf(out, cap, "%s", FHIR_BASE);
}

static hg_status get_metadata(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	char now[21], base[256], address[300];
	base_url(req, app, base, sizeof base);
	snprintf(address, sizeof address, "%s/$process-message", base);
	json_t *cs = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:s, s:s}, s:{s:s, s:s}, s:["
		"{s:s, s:{s:b, s:[{s:[{s:s, s:s}]}], s:s}, s:[{s:s, s:[{s:s}, {s:s}], s:[{s:s, s:s, s:s}]}], "
		"s:[{s:s, s:s}]}], s:[{s:[{s:{s:s, s:s}, s:s}], s:[{s:s, s:s}], s:s}]}",
		"resourceType", "CapabilityStatement", "status", "active", "date", instant_format_utc(api_now(), now), "kind",
		"instance", "fhirVersion", "4.0.1", "publisher", "hemgang", "format", "application/fhir+json", "software",
		"name", "hemgang", "version", "1", "implementation", "description", "hemgang", "url", base, "rest", "mode",
		"server", "security", "cors", 0, "service", "coding", "system",
		"http://terminology.hl7.org/CodeSystem/restful-security-service", "code", "OAuth", "description",
		"Bearer API tokens of hemgang users (role integration for records systems); see docs/interop.md.", "resource",
		"type", "Encounter", "interaction", "code", "read", "code", "search-type", "searchParam", "name",
		"patient.identifier", "type", "token", "documentation",
		"urn:oid:1.2.752.129.2.1.3.1|YYYYMMDDNNNN (personnummer) or urn:oid:1.2.752.129.2.1.3.3 (samordningsnummer)",
		"operation", "name", "process-message", "definition", "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
		"messaging", "endpoint", "protocol", "system", "http://terminology.hl7.org/CodeSystem/message-transport", "code",
		"http", "address", address, "supportedMessage", "mode", "receiver", "definition",
		"http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalNotification-message",
		"documentation", "MedCom HospitalNotification activities and hemgang's own event codes; see docs/interop.md.");
	return reply_fhir(res, 200, cs);
}

static const http_route routes[] = {
	{HTTP_GET, "/fhir/metadata", get_metadata, NULL},
	{HTTP_POST, "/fhir/$process-message", post_process_message, NULL},
	{HTTP_GET, "/fhir/Encounter/{id}", get_encounter, NULL},
	{HTTP_GET, "/fhir/Encounter", search_encounters, NULL},
};

const http_route *fhir_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
