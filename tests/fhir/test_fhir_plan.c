/*
 * test_fhir_plan.c - the pure plan of a FHIR message (fhir_plan.h), without a
 * server or a store: each row is a message Bundle with what the store would
 * say about it (the sender unit found or not, the episode and its events, the
 * receivers), and the event it becomes or the fault the answer names (reason
 * code and FHIRPath expression), in the order the plan judges them. The whole
 * path over HTTP is tests/fhir/test_fhir.py.
 */
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/text.h"
#include "fhir/fhir_plan.h"
#include "test.h"

#define H   "https://hemgang.se/fhir/CodeSystem/event"
#define MC  "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messagingEventCodes"
#define MCA "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
/* A message Bundle: the header's eventCoding (system, code), its destinations, then further entries. */
#define MSG(sys, code, dest, entries)                                                                                  \
	"{\"resourceType\":\"Bundle\",\"id\":\"b1\",\"type\":\"message\",\"timestamp\":\"2024-05-03T08:00:00Z\","      \
	"\"entry\":[{\"fullUrl\":\"urn:uuid:h\",\"resource\":{\"resourceType\":\"MessageHeader\",\"id\":\"h1\","       \
	"\"eventCoding\":{\"system\":\"" sys "\",\"code\":\"" code "\"},\"sender\":{\"reference\":\"urn:uuid:s\"},"    \
	"\"destination\":[" dest "]}},"                                                                                \
	"{\"fullUrl\":\"urn:uuid:s\",\"resource\":{\"resourceType\":\"Organization\",\"identifier\":[{\"value\":"      \
	"\"ward1\"}]}}," entries "]}"
#define ORG(n, unit)                                                                                                   \
	"{\"fullUrl\":\"urn:uuid:" n "\",\"resource\":{\"resourceType\":\"Organization\",\"identifier\":[{\"value\":"  \
	"\"" unit "\"}]}}"
#define DEST(n) "{\"endpoint\":\"x\",\"receiver\":{\"reference\":\"urn:uuid:" n "\"}}"
#define PATIENT(pnr)                                                                                                   \
	"{\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:oid:1.2.752.129.2.1.3.1\","     \
	"\"value\":\"" pnr "\"}],\"name\":[{\"family\":\"Svensson\",\"given\":[\"Anna\"]}],\"address\":[{"             \
	"\"district\":\"2080\"}]}}"
#define ENC(body) "{\"resource\":{\"resourceType\":\"Encounter\"" body "}}"
#define PROV(activity)                                                                                                 \
	"{\"resource\":{\"resourceType\":\"Provenance\",\"activity\":{\"coding\":[{\"system\":\"" MCA "\","            \
	"\"code\":\"" activity "\"}]}}}"
#define EXT(url, kind, v) "{\"url\":\"https://hemgang.se/fhir/StructureDefinition/" url "\",\"" kind "\":\"" v "\"}"

enum { FOUND = 0, NO_SENDER, NOT_WARD, NO_EPISODE };
enum { HIST_NONE = 0, HIST_OURS, HIST_THEIRS };

static hg_instant at(const char *iso)
{
	hg_instant t;
	if (!iso)
		return HG_INSTANT_NONE;
	if (instant_parse_iso(iso, &t) != HG_OK)
		abort();
	return t;
}

static void test_plan(struct test *t)
{
	static const struct {
		const char *bundle;
		int store; /* FOUND, NO_SENDER, NOT_WARD (the sender is a primary care unit), NO_EPISODE */
		int hist;  /* the episode's events: none, a discharge by ward1, a discharge by ward2 */
		role role;
		const char *reason; /* NULL: planned */
		const char *expression;
		event_type type; /* when planned */
		const char *occurred;
		int64_t episode; /* planned episode: the one found (a new admission: the one its encounter opened) */
	} rows[] = {
	    /* 0 */ {"{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"MessageHeader\"}}]}",
	             FOUND, HIST_NONE, ROLE_INTEGRATION, "required", "MessageHeader.eventCoding", 0, NULL, 0},
	    /* 1 */
	    {MSG(MC, "other-message", "", ENC("")), FOUND, HIST_NONE, ROLE_INTEGRATION, "unknown_event_code",
	     "MessageHeader.eventCoding.code", 0, NULL, 0},
	    /* 2 */
	    {MSG("urn:x", "ready-for-discharge", "", ENC("")), FOUND, HIST_NONE, ROLE_INTEGRATION, "unknown_event_code",
	     "MessageHeader.eventCoding.system", 0, NULL, 0},
	    /* 3 */
	    {MSG(MC, "hospital-notification-message", "", ENC("")), FOUND, HIST_NONE, ROLE_INTEGRATION, "required",
	     "Provenance.activity", 0, NULL, 0},
	    /* 4 */
	    {MSG(H, "no-such-thing", "", ENC("")), FOUND, HIST_NONE, ROLE_INTEGRATION, "unknown_activity",
	     "MessageHeader.eventCoding.code", 0, NULL, 0},
	    /* 5 */
	    {MSG(H, "ready-for-discharge", "", ENC("")), FOUND, HIST_NONE, ROLE_ANALYST, "role_forbidden",
	     "MessageHeader.sender", 0, NULL, 0},
	    /* 6 */
	    {MSG(H, "ready-for-discharge", "", ENC("")), NO_SENDER, HIST_NONE, ROLE_INTEGRATION, "sender_not_yours",
	     "MessageHeader.sender", 0, NULL, 0},
	    /* 7: the sender is judged before the time */
	    /* 7 */
	    {MSG(H, "ready-for-discharge", "",
	         "{\"resource\":{\"resourceType\":\"Provenance\","
	         "\"occurredDateTime\":\"soon\"}}"),
	     NO_SENDER, HIST_NONE, ROLE_INTEGRATION, "sender_not_yours", "MessageHeader.sender", 0, NULL, 0},
	    /* 8 */
	    {MSG(H, "ready-for-discharge", "",
	         "{\"resource\":{\"resourceType\":\"Provenance\","
	         "\"occurredDateTime\":\"soon\"}}"),
	     FOUND, HIST_NONE, ROLE_INTEGRATION, "bad_instant", "Provenance.occurredDateTime", 0, NULL, 0},
	    /* 9: the patient is judged before the episode */
	    /* 9 */
	    {MSG(H, "ready-for-discharge", "", PATIENT("19121212-1213")), NO_EPISODE, HIST_NONE, ROLE_INTEGRATION,
	     "bad_personnummer", "Patient.identifier.value", 0, NULL, 0},
	    /* 10 */
	    {MSG(H, "ready-for-discharge", "", ENC(",\"period\":{\"start\":\"x\"}")), FOUND, HIST_NONE,
	     ROLE_INTEGRATION, "bad_instant", "Encounter.period.start", 0, NULL, 0},
	    /* 11 */
	    {MSG(H, "ready-for-discharge", "", ENC("")), NO_EPISODE, HIST_NONE, ROLE_INTEGRATION, "no_episode",
	     "Encounter", 0, NULL, 0},
	    /* 12 */
	    {MSG(H, "ready-for-discharge", DEST("r1"), ORG("r1", "pc1") "," ENC("")), FOUND, HIST_NONE,
	     ROLE_INTEGRATION, NULL, NULL, EVENT_READY_FOR_DISCHARGE, "2024-05-03T08:00:00Z", 7},
	    /* 13 */
	    {MSG(H, "ready-for-discharge", DEST("r1") "," DEST("r2"),
	         ORG("r1", "pc1") "," ORG("r2", "nowhere") "," ENC("")),
	     FOUND, HIST_NONE, ROLE_INTEGRATION, "unknown_unit", "MessageHeader.destination.receiver", 0, NULL, 0},
	    /* 14 */
	    {MSG(MC, "hospital-notification-message", "",
	         PROV("admit-inpatient") "," PATIENT("19121212-1212") "," ENC(
	             ",\"period\":{\"start\":\"2024-05-02T06:00:00Z\"},"
	             "\"identifier\":[{\"value\":\"v1\"}]")),
	     FOUND, HIST_NONE, ROLE_INTEGRATION, NULL, NULL, EVENT_ADMITTED, "2024-05-02T06:00:00Z", 7},
	    /* 15 */
	    {MSG(MC, "hospital-notification-message", "", PROV("admit-inpatient") "," ENC("")), FOUND, HIST_NONE,
	     ROLE_INTEGRATION, "required", "Patient", 0, NULL, 0},
	    /* 16 */
	    {MSG(MC, "hospital-notification-message", "", PROV("admit-inpatient") "," PATIENT("19121212-1212")),
	     NOT_WARD, HIST_NONE, ROLE_INTEGRATION, "not_a_ward", "MessageHeader.sender", 0, NULL, 0},
	    /* 17 */
	    {MSG(MC, "hospital-notification-message", "", PROV("cancel-discharge-inpatient-home") "," ENC("")), FOUND,
	     HIST_OURS, ROLE_INTEGRATION, NULL, NULL, EVENT_CANCELLED, "2024-05-03T08:00:00Z", 7},
	    /* 18 */
	    {MSG(MC, "hospital-notification-message", "", PROV("cancel-discharge-inpatient-home") "," ENC("")), FOUND,
	     HIST_NONE, ROLE_INTEGRATION, "nothing_to_revise", "Provenance.activity", 0, NULL, 0},
	    /* 19 */
	    {MSG(MC, "hospital-notification-message", "", PROV("revise-discharge-inpatient-home") "," ENC("")), FOUND,
	     HIST_THEIRS, ROLE_INTEGRATION, "not_original_author", "MessageHeader.sender", 0, NULL, 0},
	    /* 20: a revision keeps the discharge and takes the new end */
	    /* 20 */
	    {MSG(MC, "hospital-notification-message", "",
	         PROV("revise-discharge-inpatient-home") "," ENC(",\"period\":{\"end\":\"2024-05-03T10:00:00Z\"}")),
	     FOUND, HIST_OURS, ROLE_INTEGRATION, NULL, NULL, EVENT_DISCHARGED, "2024-05-03T10:00:00Z", 7},
	    /* 21 */
	    {MSG(MC, "hospital-notification-message", "",
	         PROV("discharge-inpatient-home") "," ENC(",\"hospitalization\":{\"dischargeDisposition\":{"
	                                                  "\"coding\":[{\"code\":\"nowhere\"}]}}")),
	     FOUND, HIST_NONE, ROLE_INTEGRATION, "bad_code", "Encounter.hospitalization.dischargeDisposition", 0, NULL,
	     0},
	    /* 22 */
	    {MSG(H, "care-contact-appointed", "", ENC("")), FOUND, HIST_NONE, ROLE_INTEGRATION, "required",
	     "Practitioner.name.text", 0, NULL, 0},
	    /* 23 */
	    {MSG(H, "sip-called", "",
	         ENC("") ",{\"resource\":{\"resourceType\":\"Appointment\","
	                 "\"start\":\"2024-05-06T08:00:00Z\"}}"),
	     FOUND, HIST_NONE, ROLE_INTEGRATION, "bad_code", "Appointment.appointmentType", 0, NULL, 0},
	    /* 24 */
	    {MSG(H, "expected-date-changed", "",
	         ENC(",\"extension\":[" EXT("expected-discharge-date", "valueDate", "2024-13-01") "]")),
	     FOUND, HIST_NONE, ROLE_INTEGRATION, "bad_date", "Encounter.extension", 0, NULL, 0},
	    /* 25 */
	    {MSG(H, "legal-form-set", "", ENC(",\"extension\":[" EXT("legal-form", "valueCode", "lvm") "]")), FOUND,
	     HIST_NONE, ROLE_INTEGRATION, "bad_code", "Encounter.extension", 0, NULL, 0},
	    /* 26 */
	    {MSG(H, "legal-form-set", "", ENC(",\"extension\":[" EXT("legal-form", "valueCode", "lpt") "]")), FOUND,
	     HIST_NONE, ROLE_INTEGRATION, NULL, NULL, EVENT_LEGAL_FORM_SET, "2024-05-03T08:00:00Z", 7},
	};
	store_user user = {.username = "emr", .n_units = 1, .units = {"ward1"}};
	store_unit ward = {
	    .id = "ward1", .org = "R20", .kind = UNIT_WARD, .care = CARE_SOMATIC, .hospital = "Falu lasarett"};
	store_unit pc = {.id = "pc1", .org = "R20", .kind = UNIT_PRIMARY_CARE};
	hg_date today;
	if (date_parse("2024-05-03", &today) != HG_OK)
		abort();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_error_t jerr;
		json_t *bundle = json_loads(rows[i].bundle, 0, &jerr);
		T_TRUE(t, bundle != NULL, "row %zu parses: %s", i, bundle ? "" : jerr.text);
		if (!bundle)
			continue;
		json_t *header = json_object_get(json_array_get(json_object_get(bundle, "entry"), 0), "resource");
		event hist[1], ev;
		event_init(&hist[0], EVENT_DISCHARGED);
		hist[0].seq = 5;
		hist[0].occurred_at = at("2024-05-03T09:00:00Z");
		hist[0].u.discharged.destination = DEST_SPECIAL_HOUSING;
		hg_copy(hist[0].author_unit, sizeof hist[0].author_unit,
		        rows[i].hist == HIST_THEIRS ? "ward2" : "ward1");
		fhir_receiver receivers[FHIR_RECEIVERS_MAX] = {{.found = true, .unit = pc}};
		store_unit sender = rows[i].store == NOT_WARD ? pc : ward;
		fhir_lookups lk = {.sender = rows[i].store == NO_SENDER ? NULL : &sender,
		                   .episode_id = 7,
		                   .hist = hist,
		                   .n_hist = rows[i].hist == HIST_NONE ? 0 : 1,
		                   .receivers = receivers,
		                   .n_receivers = 2};
		if (rows[i].store == NO_EPISODE) {
			lk.episode_failed = true;
			(void)fhir_fail(&lk.episode_error, "not-found", "no_episode", "Encounter", "none");
		}
		fhir_planned out;
		fhir_error err;
		memset(&err, 0, sizeof err);
		user.role = rows[i].role;
		bool ok = fhir_plan(bundle, header, &user, today, &lk, &ev, &out, &err);
		if (rows[i].reason) {
			T_TRUE(t, !ok, "row %zu refused", i);
			T_EQ_STR(t, err.reason ? err.reason : "", rows[i].reason, "row %zu reason", i);
			T_EQ_STR(t, err.expression, rows[i].expression, "row %zu expression", i);
		} else {
			T_TRUE(t, ok, "row %zu planned (%s)", i, err.diagnostics);
			T_EQ_INT(t, ok ? ev.type : EVENT_TYPE_COUNT, rows[i].type, "row %zu type", i);
			T_EQ_INT(t, ok ? ev.occurred_at : 0, at(rows[i].occurred), "row %zu occurred", i);
			T_EQ_INT(t, ok ? out.episode_id : -1, rows[i].episode, "row %zu episode", i);
			T_EQ_STR(t, ok ? ev.author_unit : "", "ward1", "row %zu author", i);
			T_EQ_STR(t, ok ? ev.author_user : "", "emr", "row %zu author user", i);
		}
		json_decref(bundle);
	}
}

/* What the planned events carry beyond their type: rows 12, 14, 17, 20 and 26 of test_plan, looked at closer. */
static void test_fields(struct test *t)
{
	store_user user = {.username = "emr", .role = ROLE_INTEGRATION, .n_units = 1, .units = {"ward1"}};
	store_unit ward = {
	    .id = "ward1", .org = "R20", .kind = UNIT_WARD, .care = CARE_SOMATIC, .hospital = "Falu lasarett"};
	store_unit pc = {.id = "pc1", .org = "R20", .kind = UNIT_PRIMARY_CARE};
	fhir_receiver receivers[FHIR_RECEIVERS_MAX] = {{.found = true, .unit = pc}};
	event hist[1], ev;
	event_init(&hist[0], EVENT_DISCHARGED);
	hist[0].seq = 5;
	hist[0].u.discharged.destination = DEST_SPECIAL_HOUSING;
	hg_copy(hist[0].author_unit, sizeof hist[0].author_unit, "ward1");
	fhir_lookups lk = {
	    .sender = &ward, .episode_id = 7, .hist = hist, .n_hist = 1, .receivers = receivers, .n_receivers = 1};
	fhir_planned out;
	fhir_error err;
	hg_date today;
	if (date_parse("2024-05-03", &today) != HG_OK)
		abort();

	json_t *b = json_loads(MSG(H, "ready-for-discharge", DEST("r1"), ORG("r1", "pc1") "," ENC("")), 0, NULL);
	json_t *h = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
	T_TRUE(t, fhir_plan(b, h, &user, today, &lk, &ev, &out, &err), "ready");
	T_EQ_INT(t, ev.u.ready_for_discharge.recipients.count, 1, "one receiver");
	T_EQ_STR(t, ev.u.ready_for_discharge.recipients.to[0].unit, "pc1", "primary care");
	T_EQ_INT(t, ev.u.ready_for_discharge.recipients.to[0].kind, UNIT_PRIMARY_CARE, "its kind");
	T_EQ_STR(t, out.act->code, "ready-for-discharge", "the activity for the audit");
	T_TRUE(t, out.visit == NULL, "no encounter to record");
	fhir_keys k;
	fhir_read_keys(b, h, today, &k);
	T_TRUE(t,
	       k.act && !k.new_admission && k.n_receivers == 1 && strcmp(k.receivers[0], "pc1") == 0 && k.sender_unit &&
	           strcmp(k.sender_unit, "ward1") == 0 && !k.have_patient,
	       "the keys of a ready notice");
	json_decref(b);

	b = json_loads(MSG(MC, "hospital-notification-message", "",
	                   PROV("admit-inpatient") "," PATIENT("19121212-1212") "," ENC(
	                       ",\"id\":\"x\",\"identifier\":[{\"value\":\"v1\"}]")),
	               0, NULL);
	h = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
	lk.episode_id = 0;
	T_TRUE(t, fhir_plan(b, h, &user, today, &lk, &ev, &out, &err), "admission");
	T_EQ_STR(t, ev.u.admitted.patient.personnummer, "19121212-1212", "the personnummer, normalised");
	T_EQ_STR(t, ev.u.admitted.patient.name, "Anna Svensson", "the name");
	T_EQ_STR(t, ev.u.admitted.ward, "ward1", "the sender's ward");
	T_EQ_STR(t, ev.u.admitted.hospital, "Falu lasarett", "its hospital");
	T_EQ_STR(t, out.visit ? out.visit : "", "v1", "the sender's encounter to record");
	fhir_read_keys(b, h, today, &k);
	T_TRUE(t,
	       k.new_admission && k.patient_ok && strcmp(k.patient.personnummer, "19121212-1212") == 0 &&
	           k.encounter_id && strcmp(k.encounter_id, "x") == 0 && k.encounter_ident &&
	           strcmp(k.encounter_ident, "v1") == 0,
	       "the keys of an admission");
	json_decref(b);

	lk.episode_id = 7;
	b = json_loads(
	    MSG(MC, "hospital-notification-message", "", PROV("cancel-discharge-inpatient-home") "," ENC("")), 0, NULL);
	h = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
	T_TRUE(t, fhir_plan(b, h, &user, today, &lk, &ev, &out, &err), "cancellation");
	T_EQ_INT(t, ev.u.cancelled.cancels_seq, 5, "cancels the discharge");
	json_decref(b);

	b = json_loads(
	    MSG(MC, "hospital-notification-message", "",
	        PROV("revise-discharge-inpatient-home") "," ENC(",\"hospitalization\":{\"dischargeDisposition\":{"
	                                                        "\"coding\":[{\"code\":\"home\"}]}}")),
	    0, NULL);
	h = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
	T_TRUE(t, fhir_plan(b, h, &user, today, &lk, &ev, &out, &err), "revision");
	T_EQ_INT(t, ev.corrects_seq, 5, "corrects the discharge");
	T_EQ_INT(t, ev.u.discharged.destination, DEST_OWN_HOME, "to the new destination");
	json_decref(b);

	b = json_loads(MSG(MC, "hospital-notification-message", "", PROV("deceased-inpatient") "," ENC("")), 0, NULL);
	h = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
	T_TRUE(t, fhir_plan(b, h, &user, today, &lk, &ev, &out, &err), "deceased");
	T_EQ_INT(t, ev.u.discharged.destination, DEST_DECEASED, "deceased");
	json_decref(b);

	b = json_loads(MSG(H, "legal-form-set", "", ENC(",\"extension\":[" EXT("legal-form", "valueCode", "lrv") "]")),
	               0, NULL);
	h = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
	T_TRUE(t, fhir_plan(b, h, &user, today, &lk, &ev, &out, &err), "legal form");
	T_EQ_INT(t, ev.u.legal_form_set.form, LEGAL_FORM_LRV, "LRV");
	json_decref(b);
}

int main(void)
{
	struct test t = {.name = "test_fhir_plan"};
	test_plan(&t);
	test_fields(&t);
	return test_report(&t);
}
