/*
 * fhir.c - FHIR R4 messaging and the Encounter read side (fhir.h).
 *
 * $process-message runs in the phases of fhir_plan.h: the keys of the message
 * are read, what they name is looked up in the store (the sender unit, the
 * episode and its events, the receivers), the pure plan decides the event,
 * and the store step appends it, records the sender's encounter of an
 * admission and writes the audit record. The answer is a response message
 * (ok / transient-error / fatal-error with an OperationOutcome); it is kept
 * under (Bundle.id, MessageHeader.id), so a repeated message gets the original
 * answer and changes nothing.
 */
#include "fhir/fhir.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "core/text.h"
#include "fhir/fhir_plan.h"
#include "http/api.h"
#include "store/interop_store.h"

#define FHIR_CT "application/fhir+json; charset=utf-8"
#define FHIR_MAX_DEPTH 32
#define FHIR_BASE "https://hemgang.se/fhir"

/* ---- small helpers ---- */

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

/* The episode a non-admission message is about, visible to the caller. */
static bool find_episode(api_app *app, const api_caller *c, const fhir_keys *k, int64_t *id, fhir_error *err)
{
	const char (*units)[HG_ID_MAX] = (const char (*)[HG_ID_MAX])c->user.units;
	bool visible = false;
	int64_t given;
	*id = 0;
	if (hg_parse_id(k->encounter_id, &given)) {
		if (store_episode_visible(app->store, given, units, (size_t)c->user.n_units, &visible) == HG_OK &&
		    visible) {
			*id = given;
			return true;
		}
	}
	const char *ident = k->encounter_ident;
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
	if (k->have_patient) {
		store_query q;
		store_episode_row *rows = NULL;
		size_t n = 0, total = 0;
		store_query_init(&q);
		q.units = units;
		q.n_units = (size_t)c->user.n_units;
		q.pnr = k->patient.personnummer;
		if (store_episodes_query(app->store, &q, &rows, &n, &total) != HG_OK) {
			err->transient = true;
			return fhir_fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
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
	return fhir_fail(err, "not-found", "no_episode", "Encounter", "No episode of this patient is visible to the sender.");
}

/* The sender's name for its encounters (interop_visit_*): "fhir:" and the integration user. */
static void visit_facility(const api_caller *c, char fac[HG_ID_MAX])
{
	snprintf(fac, HG_ID_MAX, "fhir:%.40s", c->user.username);
}

/*
 * Looks up what the plan needs (fhir_plan.h): the sender unit, the receivers of a notice, and the episode with
 * its events (a new admission: the episode the sender's encounter already opened). Nothing is looked up for
 * what the plan refuses before it needs it. st is the caller's; *hist hg_malloc'ed (caller frees).
 */
static void look_up(api_app *app, const api_caller *c, const fhir_keys *k, store_unit *sender,
		    fhir_receiver receivers[FHIR_RECEIVERS_MAX], episode_state *st, event **hist, fhir_lookups *lk)
{
	char fac[HG_ID_MAX];
	memset(lk, 0, sizeof *lk);
	if (k->sender_unit && fhir_user_has_unit(&c->user, k->sender_unit) &&
	    store_unit_get(app->store, k->sender_unit, sender) == HG_OK)
		lk->sender = sender;
	if (!k->act || !lk->sender || (k->have_patient && !k->patient_ok))
		return; /* refused before the plan needs an episode */
	if (k->act->variant != FHIR_CANCEL &&
	    (k->act->type == EVENT_ADMISSION_NOTICE || k->act->type == EVENT_READY_FOR_DISCHARGE)) {
		for (size_t i = 0; i < k->n_receivers; i++)
			receivers[i].found = strlen(k->receivers[i]) < HG_ID_MAX &&
					     store_unit_get(app->store, k->receivers[i], &receivers[i].unit) == HG_OK;
		lk->receivers = receivers;
		lk->n_receivers = k->n_receivers;
	}
	visit_facility(c, fac);
	if (k->new_admission) {
		int64_t known = 0;
		if (k->encounter_ident && interop_visit_get(app->store, fac, k->encounter_ident, &known) == HG_OK &&
		    store_episode_load(app->store, known, st, NULL, NULL) == HG_OK && !st->cancelled)
			lk->episode_id = known;
		return;
	}
	if (!find_episode(app, c, k, &lk->episode_id, &lk->episode_error)) {
		lk->episode_failed = true;
		return;
	}
	if (store_episode_load(app->store, lk->episode_id, st, hist, &lk->n_hist) != HG_OK) {
		lk->episode_failed = true;
		lk->episode_error.transient = true;
		(void)fhir_fail(&lk->episode_error, "transient", "store_unavailable", "",
				"The database is unavailable; send again.");
		return;
	}
	lk->hist = *hist;
}

/*
 * The store step: appends the planned event (the core judges it), records the sender's encounter of a new
 * admission and writes the audit record. *episode_id gets the episode.
 */
static bool store_planned(api_app *app, const api_caller *c, json_t *bundle, const char *header_id,
			  http_request *req, const event *ev, const fhir_planned *plan, int64_t *episode_id,
			  fhir_error *err)
{
	char key[STORE_KEY_MAX], fac[HG_ID_MAX];
	store_append_result r;
	event_error everr;
	snprintf(key, sizeof key, "fhir:%.60s/%.60s", fhir_str(bundle, "id"), header_id);
	hg_status rc = store_append(app->store, plan->episode_id, ev, key, api_now(), &r, &everr);
	if (rc == HG_EINVAL || rc == HG_ECONFLICT || rc == HG_ERANGE)
		return fhir_fail(err, rc == HG_ECONFLICT ? "business-rule" : "invalid",
				 everr.code ? everr.code : "invalid_event", fhir_expression_of(everr.field), "%s",
				 everr.message_en ? everr.message_en : "The event breaks a rule.");
	if (rc != HG_OK) {
		err->transient = true;
		return fhir_fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
	}
	*episode_id = r.episode_id;
	visit_facility(c, fac);
	if (plan->visit && interop_visit_put(app->store, fac, plan->visit, r.episode_id) != HG_OK) {
		err->transient = true;
		return fhir_fail(err, "transient", "store_unavailable", "", "The database is unavailable; send again.");
	}
	store_audit a;
	memset(&a, 0, sizeof a);
	a.at = api_now();
	hg_copy(a.username, sizeof a.username, c->user.username);
	hg_copy(a.unit, sizeof a.unit, ev->author_unit);
	hg_copy(a.action, sizeof a.action, r.replayed ? "event.append.replayed" : "event.append");
	a.episode_id = r.episode_id;
	snprintf(a.reason, sizeof a.reason, "FHIR %s %.100s", plan->act->code, header_id);
	(void)api_client_addr(req, app, a.client, sizeof a.client);
	if (store_audit_add(app->store, &a) != HG_OK) {
		err->transient = true;
		return fhir_fail(err, "transient", "store_unavailable", "", "The audit log is unavailable; send again.");
	}
	return true;
}

/*
 * Turns the message into one event and appends it: keys, look-ups, plan, store step. *episode_id gets the
 * episode. False with *err filled when the message cannot be applied.
 */
static bool process(api_app *app, const api_caller *c, json_t *bundle, json_t *header, const char *header_id,
		    http_request *req, int64_t *episode_id, fhir_error *err)
{
	hg_date today = cal_local_date(api_now());
	fhir_keys k;
	fhir_lookups lk;
	fhir_planned plan;
	store_unit sender;
	fhir_receiver receivers[FHIR_RECEIVERS_MAX];
	event *ev = hg_malloc(sizeof *ev), *hist = NULL;
	episode_state *st = hg_malloc(sizeof *st);
	bool ok = false;
	*episode_id = 0;
	if (!ev || !st) {
		err->transient = true;
		(void)fhir_fail(err, "transient", "out_of_memory", "", "Out of memory.");
		goto out;
	}
	fhir_read_keys(bundle, header, today, &k);
	look_up(app, c, &k, &sender, receivers, st, &hist, &lk);
	ok = fhir_plan(bundle, header, &c->user, today, &lk, ev, &plan, err) &&
	     store_planned(app, c, bundle, header_id, req, ev, &plan, episode_id, err);
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
	const char *bundle_id = fhir_str(bundle, "id"), *header_id = fhir_str(header, "id");
	if (json_depth(bundle, FHIR_MAX_DEPTH + 1) > FHIR_MAX_DEPTH) {
		rc = reply_outcome(res, 400, "too-costly", "json_too_deep", NULL, "The JSON is nested too deeply.");
		goto out;
	}
	if (!fhir_str(bundle, "resourceType") || strcmp(fhir_str(bundle, "resourceType"), "Bundle") != 0 || !fhir_str(bundle, "type") ||
	    strcmp(fhir_str(bundle, "type"), "message") != 0) {
		rc = reply_outcome(res, 400, "structure", "not_a_message", "Bundle.type",
				   "The body must be a Bundle of type message.");
		goto out;
	}
	if (!fhir_str(header, "resourceType") || strcmp(fhir_str(header, "resourceType"), "MessageHeader") != 0) {
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
