/*
 * fhir_out.c - the FHIR messages hemgang sends to a subscriber (fhir_out.h).
 *
 * One notice becomes one message Bundle: MessageHeader (hemgang's event code,
 * the sending ward, the receiving unit, focus the Encounter), the two
 * Organizations, the Patient, the Encounter (the episode as the read side
 * renders it) and a Provenance with the notice's time. Full URLs are
 * urn:uuid's made from the delivery id, so every attempt sends the same
 * message. The receiver's answer is judged by what FHIR messaging says a
 * response is: MessageHeader.response.code ok / transient-error / fatal-error.
 */
#include "fhir/fhir_out.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"

#define SYS_PNR "urn:oid:1.2.752.129.2.1.3.1"
#define SYS_SNR "urn:oid:1.2.752.129.2.1.3.3"
#define SYS_HSA "urn:oid:1.2.752.129.2.1.4.1"
#define SYS_HEMGANG_EVENT "https://hemgang.se/fhir/CodeSystem/event"
#define EXT_EXPECTED "https://hemgang.se/fhir/StructureDefinition/expected-discharge-date"
#define EXT_READY "https://hemgang.se/fhir/StructureDefinition/ready-for-discharge"
#define FHIR_BASE "https://hemgang.se/fhir"

/* The entries of a message; the number is part of each entry's urn:uuid. */
enum entry { E_HEADER = 1, E_SENDER, E_RECEIVER, E_PATIENT, E_ENCOUNTER, E_PROVENANCE };

void fhir_out_ids(int64_t delivery_id, char bundle_id[40], char header_id[40])
{
	snprintf(bundle_id, 40, "hemgang-delivery-%" PRId64, delivery_id);
	snprintf(header_id, 40, "hemgang-delivery-%" PRId64 "-header", delivery_id);
}

static void entry_url(char out[64], enum entry e, int64_t delivery_id)
{
	snprintf(out, 64, "urn:uuid:%08x-0000-4000-8000-%012" PRIx64, (unsigned)e, (uint64_t)(delivery_id & 0xffffffffffff));
}

static json_t *ref(enum entry e, int64_t delivery_id)
{
	char u[64];
	entry_url(u, e, delivery_id);
	return json_pack("{s:s}", "reference", u);
}

static int append_entry(json_t *entries, enum entry e, int64_t delivery_id, json_t *resource)
{
	char u[64];
	entry_url(u, e, delivery_id);
	return resource ? json_array_append_new(entries, json_pack("{s:s, s:o}", "fullUrl", u, "resource", resource)) : -1;
}

/* hemgang's FHIR event code of an event type: the snake_case code with hyphens (admission-notice). */
static void event_code(event_type t, char out[HG_ID_MAX])
{
	snprintf(out, HG_ID_MAX, "%s", event_type_code(t));
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = '-';
}

static json_t *organization(const char *unit)
{
	return json_pack("{s:s, s:[{s:s, s:s}]}", "resourceType", "Organization", "identifier", "system", SYS_HSA,
			 "value", unit);
}

static json_t *instant(hg_instant t)
{
	char buf[21];
	return json_string(instant_format_utc(t, buf));
}

static json_t *patient(const event_patient *p)
{
	const char *sys = p->personnummer[6] >= '6' ? SYS_SNR : SYS_PNR; /* day + 60: samordningsnummer */
	json_t *pat = json_pack("{s:s, s:[{s:s, s:s}], s:[{s:s}]}", "resourceType", "Patient", "identifier", "system",
				sys, "value", p->personnummer, "name", "text", p->name);
	if (!pat)
		return NULL;
	if (p->protected_identity) {
		json_object_set_new(pat, "meta",
				    json_pack("{s:[{s:s, s:s}]}", "security", "system",
					      "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code", "R"));
	} else if (p->address[0] || p->registered_municipality[0]) {
		json_t *addr = json_object();
		if (p->address[0])
			json_object_set_new(addr, "text", json_string(p->address));
		if (p->registered_municipality[0])
			json_object_set_new(addr, "district", json_string(p->registered_municipality));
		json_object_set_new(pat, "address", json_pack("[o]", addr));
	}
	if (p->primary_care_unit[0])
		json_object_set_new(pat, "generalPractitioner",
				    json_pack("[{s:{s:s, s:s}}]", "identifier", "system", SYS_HSA, "value", p->primary_care_unit));
	return pat;
}

static json_t *encounter(const episode_state *st, const event *notice, int64_t delivery_id)
{
	char id[24], d[11];
	snprintf(id, sizeof id, "%" PRId64, st->id);
	const char *status = st->cancelled ? "entered-in-error"
			     : st->status == EPISODE_DISCHARGED ? "finished"
			     : st->on_leave ? "onleave"
					    : "in-progress";
	json_t *enc = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:s, s:s}, s:s}}", "resourceType",
				"Encounter", "id", id, "status", status, "class", "system",
				"http://terminology.hl7.org/CodeSystem/v3-ActCode", "code", "IMP", "display",
				"inpatient encounter", "subject", ref(E_PATIENT, delivery_id), "serviceProvider",
				"identifier", "system", SYS_HSA, "value", st->ward, "display", st->hospital);
	if (!enc)
		return NULL;
	if (st->admitted_at != HG_INSTANT_NONE)
		json_object_set_new(enc, "period", json_pack("{s:o}", "start", instant(st->admitted_at)));
	/* the date the notice itself carries, else the episode's current one */
	hg_date expected = notice->type == EVENT_ADMISSION_NOTICE ? notice->u.admission_notice.expected_discharge_date
			   : notice->type == EVENT_EXPECTED_DATE_CHANGED ? notice->u.expected_date_changed.date
									   : st->expected_date;
	json_t *ext = json_array();
	if (expected != HG_DATE_NONE)
		json_array_append_new(ext, json_pack("{s:s, s:s}", "url", EXT_EXPECTED, "valueDate", date_format(expected, d)));
	if (notice->type == EVENT_READY_FOR_DISCHARGE)
		json_array_append_new(ext, json_pack("{s:s, s:o}", "url", EXT_READY, "valueDateTime", instant(notice->occurred_at)));
	if (json_array_size(ext))
		json_object_set_new(enc, "extension", ext);
	else
		json_decref(ext);
	return enc;
}

json_t *fhir_out_message(const episode_state *st, const event *notice, const char *receiver_unit,
			 const char *endpoint, int64_t delivery_id, hg_instant now)
{
	char bid[40], hid[40], code[HG_ID_MAX];
	fhir_out_ids(delivery_id, bid, hid);
	event_code(notice->type, code);
	json_t *header = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:o}], s:o, s:{s:s, s:s}, s:[o]}",
				   "resourceType", "MessageHeader", "id", hid, "eventCoding", "system", SYS_HEMGANG_EVENT,
				   "code", code, "display", event_info(notice->type)->sv, "destination", "endpoint", endpoint,
				   "receiver", ref(E_RECEIVER, delivery_id), "sender", ref(E_SENDER, delivery_id), "source",
				   "name", "hemgang", "endpoint", FHIR_BASE, "focus", ref(E_ENCOUNTER, delivery_id));
	json_t *prov = json_pack("{s:s, s:[o], s:o, s:o, s:[{s:o}], s:{s:[{s:s, s:s}]}}", "resourceType", "Provenance",
				 "target", ref(E_ENCOUNTER, delivery_id), "occurredDateTime", instant(notice->occurred_at),
				 "recorded", instant(notice->recorded_at != HG_INSTANT_NONE ? notice->recorded_at : now),
				 "agent", "who", ref(E_SENDER, delivery_id), "activity", "coding", "system",
				 SYS_HEMGANG_EVENT, "code", code);
	json_t *entries = json_array();
	if (!entries)
		return NULL;
	int bad = append_entry(entries, E_HEADER, delivery_id, header);
	bad |= append_entry(entries, E_SENDER, delivery_id, organization(notice->author_unit));
	bad |= append_entry(entries, E_RECEIVER, delivery_id, organization(receiver_unit));
	bad |= append_entry(entries, E_PATIENT, delivery_id, patient(&st->patient));
	bad |= append_entry(entries, E_ENCOUNTER, delivery_id, encounter(st, notice, delivery_id));
	bad |= append_entry(entries, E_PROVENANCE, delivery_id, prov);
	if (bad) {
		json_decref(entries);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "resourceType", "Bundle", "id", bid, "type", "message",
			 "timestamp", instant(now), "entry", entries);
}

static void set_why(char *why, size_t cap, const char *text)
{
	if (why && cap)
		snprintf(why, cap, "%s", text ? text : "");
}

/* The first error or fatal issue of an OperationOutcome, or NULL when it has none. */
static json_t *outcome_error(json_t *oo)
{
	size_t i;
	json_t *issue;
	json_array_foreach(json_object_get(oo, "issue"), i, issue) {
		const char *sev = json_string_value(json_object_get(issue, "severity"));
		if (sev && (strcmp(sev, "error") == 0 || strcmp(sev, "fatal") == 0))
			return issue;
	}
	return NULL;
}

static const char *issue_text(json_t *issue)
{
	const char *t = json_string_value(json_object_get(issue, "diagnostics"));
	if (!t)
		t = json_string_value(json_object_get(json_object_get(issue, "details"), "text"));
	if (!t)
		t = json_string_value(json_object_get(issue, "code"));
	return t ? t : "error";
}

fhir_out_verdict fhir_out_judge(const char *body, size_t len, const char *header_id, char *why, size_t why_cap)
{
	set_why(why, why_cap, "");
	json_t *j = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	fhir_out_verdict v = FHIR_OUT_RECEIVED;
	const char *type = json_string_value(json_object_get(j, "resourceType"));
	if (type && strcmp(type, "OperationOutcome") == 0) {
		json_t *err = outcome_error(j);
		v = err ? FHIR_OUT_REFUSED : FHIR_OUT_ACKNOWLEDGED;
		if (err)
			set_why(why, why_cap, issue_text(err));
	} else if (type && strcmp(type, "Bundle") == 0) {
		json_t *mh = json_object_get(json_array_get(json_object_get(j, "entry"), 0), "resource");
		json_t *resp = json_object_get(mh, "response");
		const char *code = json_string_value(json_object_get(resp, "code"));
		const char *to = json_string_value(json_object_get(resp, "identifier"));
		if (!code || (to && strcmp(to, header_id) != 0)) {
			v = FHIR_OUT_RECEIVED; /* not an answer to this message */
		} else if (strcmp(code, "ok") == 0) {
			v = FHIR_OUT_ACKNOWLEDGED;
		} else if (strcmp(code, "transient-error") == 0) {
			v = FHIR_OUT_TRANSIENT;
			set_why(why, why_cap, "transient-error");
		} else {
			v = FHIR_OUT_REFUSED;
			set_why(why, why_cap, code);
		}
	}
	json_decref(j);
	return v;
}
