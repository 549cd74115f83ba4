/*
 * hl7_api.c - /api/v1/hl7/...: what an administrator needs to run the HL7 v2
 * feed of a region (hl7_api.h). Every handler authenticates, requires the
 * administrator role, limits itself to the caller's organisation, audits and
 * answers JSON; the work is done by interop_store.h and hl7_service.h.
 */
#include "hl7/hl7_api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/text.h"
#include "hl7/hl7_service.h"
#include "http/api.h"
#include "store/interop_store.h"

/* Authenticates an administrator of a region; replies and returns false otherwise. */
static bool region_admin(http_request *req, http_response *res, api_app *app, api_caller *c)
{
	store_org org;
	if (!api_authenticate(req, res, app, c))
		return false;
	if (!access_role_is_admin(c->user.role)) {
		IGNORE(http_reply_problem(res, 403, "role_forbidden", NULL, NULL, "Endast administratörer."));
		return false;
	}
	hg_status rc = store_org_get(app->store, c->user.org, &org);
	if (rc != HG_OK) {
		IGNORE(api_problem_store(res, rc));
		return false;
	}
	if (org.kind != ORG_REGION) {
		IGNORE(http_reply_problem(res, 403, "region_only", NULL, NULL,
					 "HL7-flödet förvaltas av regionens administratörer."));
		return false;
	}
	return true;
}

static json_t *facility_json(const interop_facility *f)
{
	json_t *addrs = json_array();
	char buf[INTEROP_ADDRESSES_MAX];
	hg_copy(buf, sizeof buf, f->addresses);
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(addrs, json_string(tok));
	json_t *rules = json_array();
	adt_pid_rules pr;
	if (adt_pid_rules_parse(f->pid_rules, &pr) == HG_OK)
		for (size_t i = 0; i < pr.n; i++) {
			char text[ADT_PID_RULE_TEXT_MAX];
			adt_pid_rule_format(&pr.rule[i], text, sizeof text);
			json_array_append_new(rules, json_string(text));
		}
	return json_pack("{s:s, s:s, s:s, s:o, s:b, s:o}", "facility", f->facility, "organisation", f->org, "name",
			 f->name, "addresses", addrs, "a16_ready", f->a16_ready, "pid_rules", rules);
}

static hg_status get_facilities(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	interop_facility *rows = NULL;
	size_t n = 0;
	if (!region_admin(req, res, app, &c))
		return HG_OK;
	hg_status rc = interop_facilities_list(app->store, &rows, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].org, c.user.org) == 0)
			json_array_append_new(arr, facility_json(&rows[i]));
	hg_free(rows);
	return http_reply_json(res, 200, json_pack("{s:o}", "facilities", arr));
}

/* PUT /api/v1/hl7/facilities/{facility} {"name", "addresses": [...], "a16_ready", "pid_rules": [...]} */
static hg_status put_facility(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	interop_facility f, old;
	const char *id = http_request_param(req, "facility");
	if (!region_admin(req, res, app, &c))
		return HG_OK;
	json_t *body = http_request_json(req, res);
	if (!body)
		return HG_OK;
	memset(&f, 0, sizeof f);
	if (!id || strlen(id) >= sizeof f.facility)
		return http_reply_problem(res, 400, "validation", NULL, "facility", "Ogiltig avsändare (MSH-4).");
	hg_status rc = interop_facility_get(app->store, id, &old);
	if (rc == HG_OK && strcmp(old.org, c.user.org) != 0)
		return http_reply_problem(res, 409, "facility_of_other_region", NULL, "facility",
					  "Avsändaren '%s' tillhör en annan region.", id);
	if (rc != HG_OK && rc != HG_ENOTFOUND)
		return api_problem_store(res, rc);
	hg_copy(f.facility, sizeof f.facility, id);
	hg_copy(f.org, sizeof f.org, c.user.org);
	const char *name = json_string_value(json_object_get(body, "name"));
	if (name && strlen(name) >= sizeof f.name)
		return http_reply_problem(res, 422, "too_long", NULL, "name", "Namnet är för långt.");
	hg_copy(f.name, sizeof f.name, name && name[0] ? name : id);
	json_t *addrs = json_object_get(body, "addresses"), *a;
	size_t i;
	if (addrs && !json_is_array(addrs))
		return http_reply_problem(res, 422, "validation", NULL, "addresses", "addresses ska vara en lista.");
	json_array_foreach(addrs, i, a)
	{
		const char *s = json_string_value(a);
		size_t used = strlen(f.addresses);
		if (!s || !s[0] || strchr(s, ' ') || used + strlen(s) + 2 > sizeof f.addresses)
			return http_reply_problem(res, 422, "validation", NULL, "addresses", "Ogiltig adress nr %zu.", i + 1);
		snprintf(f.addresses + used, sizeof f.addresses - used, "%s%s", used ? " " : "", s);
	}
	f.a16_ready = json_is_true(json_object_get(body, "a16_ready"));
	json_t *rules = json_object_get(body, "pid_rules");
	if (rules && (!json_is_array(rules) || json_array_size(rules) > ADT_PID_RULES_MAX))
		return http_reply_problem(res, 422, "validation", NULL, "pid_rules", "pid_rules ska vara en lista med högst %d regler.",
					  ADT_PID_RULES_MAX);
	json_array_foreach(rules, i, a)
	{
		adt_pid_rule r;
		char text[ADT_PID_RULE_TEXT_MAX];
		size_t used = strlen(f.pid_rules);
		if (adt_pid_rule_parse(json_string_value(a), &r) != HG_OK)
			return http_reply_problem(res, 422, "validation", NULL, "pid_rules",
						  "Regel nr %zu är inte [reserve:]AUKTORITET^TYP.", i + 1);
		adt_pid_rule_format(&r, text, sizeof text);
		snprintf(f.pid_rules + used, sizeof f.pid_rules - used, "%s%s", used ? " " : "", text);
	}
	rc = interop_facility_put(app->store, &f, api_now());
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!api_audit(req, res, app, &c, "hl7.facility.put", 0, f.facility))
		return HG_OK;
	return http_reply_json(res, 200, facility_json(&f));
}

/* PUT /api/v1/hl7/facilities/{facility}/wards/{code} {"unit": "..."} */
static hg_status put_ward(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	interop_facility f;
	store_unit u;
	const char *fac = http_request_param(req, "facility"), *code = http_request_param(req, "code");
	if (!region_admin(req, res, app, &c))
		return HG_OK;
	json_t *body = http_request_json(req, res);
	if (!body)
		return HG_OK;
	const char *unit = json_string_value(json_object_get(body, "unit"));
	if (!code || strlen(code) >= HG_ID_MAX)
		return http_reply_problem(res, 400, "validation", NULL, "code", "Ogiltig avdelningskod (PV1-3).");
	hg_status rc = interop_facility_get(app->store, fac, &f);
	if (rc == HG_ENOTFOUND || (rc == HG_OK && strcmp(f.org, c.user.org) != 0))
		return http_reply_problem(res, 404, "not_found", NULL, "facility", "Avsändaren '%s' finns inte.", fac);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!unit || strlen(unit) >= HG_ID_MAX || store_unit_get(app->store, unit, &u) != HG_OK ||
	    strcmp(u.org, c.user.org) != 0 || u.kind != UNIT_WARD)
		return http_reply_problem(res, 422, "unknown_unit", NULL, "unit",
					  "Ange en avdelning (unit) i din region.");
	rc = interop_ward_put(app->store, fac, code, unit);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!api_audit(req, res, app, &c, "hl7.ward.put", 0, code))
		return HG_OK;
	return http_reply_json(res, 200, json_pack("{s:s, s:s, s:s}", "facility", fac, "code", code, "unit", unit));
}

static json_t *instant_json(hg_instant t)
{
	char buf[21];
	return t == HG_INSTANT_NONE ? json_null() : json_string(instant_format_utc(t, buf));
}

/* True when the caller's organisation owns the row's facility, or the facility is unknown. */
static bool row_visible(api_app *app, const api_caller *c, const interop_quarantined *q)
{
	interop_facility f;
	hg_status rc = interop_facility_get(app->store, q->facility, &f);
	return rc == HG_ENOTFOUND || (rc == HG_OK && strcmp(f.org, c->user.org) == 0);
}

static json_t *quarantined_json(const interop_quarantined *q)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", (json_int_t)q->id,
			 "received_at", instant_json(q->received_at), "facility", q->facility, "control_id", q->control_id,
			 "trigger", q->trigger, "visit", q->visit, "ward_code", q->ward_code, "personnummer_masked",
			 q->pnr_masked, "reason", q->reason, "peer", q->peer, "state", q->state, "resolved_at",
			 instant_json(q->resolved_at), "resolved_by", q->resolved_by, "result", q->result);
}

static hg_status get_quarantine(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	interop_quarantined *rows = NULL;
	size_t n = 0;
	const char *state = http_request_query(req, "state");
	if (!region_admin(req, res, app, &c))
		return HG_OK;
	if (state && strcmp(state, "pending") && strcmp(state, "replayed") && strcmp(state, "failed"))
		return http_reply_problem(res, 400, "validation", NULL, "state", "state: pending, replayed eller failed.");
	hg_status rc = interop_quarantine_list(app->store, state, 1000, &rows, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (row_visible(app, &c, &rows[i]))
			json_array_append_new(arr, quarantined_json(&rows[i]));
	hg_free(rows);
	if (!api_audit(req, res, app, &c, "hl7.quarantine.read", 0, NULL)) {
		json_decref(arr);
		return HG_OK;
	}
	return http_reply_json(res, 200, json_pack("{s:o}", "quarantine", arr));
}

/* POST /api/v1/hl7/quarantine/{id}/replay */
static hg_status post_replay(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	interop_quarantined q;
	int64_t id;
	if (!region_admin(req, res, app, &c))
		return HG_OK;
	if (!hg_parse_id(http_request_param(req, "id"), &id))
		return http_reply_problem(res, 404, "not_found", NULL, NULL, "Meddelandet finns inte.");
	hg_status rc = interop_quarantine_get(app->store, id, &q, NULL, NULL);
	if (rc == HG_OK && !row_visible(app, &c, &q))
		rc = HG_ENOTFOUND;
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	hl7_outcome *out = hg_malloc(sizeof *out);
	int replayed = 0;
	if (!out)
		return HG_ENOMEM;
	rc = hl7_quarantine_replay(app->store, id, c.user.username, app->demo, api_now(), out, &replayed);
	if (rc == HG_ECONFLICT) {
		hg_free(out);
		return http_reply_problem(res, 409, "not_replayable", NULL, NULL,
					  "Meddelandet väntar inte, eller ett tidigare meddelande för samma vårdtillfälle väntar.");
	}
	if (rc != HG_OK) {
		hg_free(out);
		return api_problem_store(res, rc);
	}
	if (!api_audit(req, res, app, &c, "hl7.quarantine.replay", out->episode_id, q.control_id)) {
		hg_free(out);
		return HG_OK;
	}
	json_t *body = json_pack("{s:I, s:s, s:s, s:i, s:o}", "id", (json_int_t)id, "outcome", out->outcome, "reason",
				 out->reason, "replayed", replayed, "episode_id",
				 out->episode_id ? json_integer(out->episode_id) : json_null());
	hg_free(out);
	return http_reply_json(res, 200, body);
}

static json_t *delivery_json(const interop_delivery *d)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:i, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:s, s:s}", "id",
			 (json_int_t)d->id, "subscription", d->subscription, "unit", d->unit, "protocol", d->protocol,
			 "endpoint", d->endpoint, "episode_id", (json_int_t)d->episode_id, "seq", d->seq, "type", d->type,
			 "state", d->state, "attempts", d->attempts, "created_at", instant_json(d->created_at),
			 "last_attempt_at", instant_json(d->last_attempt_at), "next_attempt_at",
			 d->state[0] == 'p' ? instant_json(d->next_attempt_at) : json_null(), "delivered_at",
			 instant_json(d->delivered_at), "last_error", d->last_error, "acknowledgement", d->ack);
}

/* GET /api/v1/hl7/deliveries?state=&subscription=: the messages out to the subscriptions of the caller's
 * organisation's units (issue 16.4), newest first; any organisation's administrators. */
static hg_status get_deliveries(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	interop_delivery *rows = NULL;
	size_t n = 0;
	const char *state = http_request_query(req, "state");
	const char *name = http_request_query(req, "subscription");
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	if (!access_role_is_admin(c.user.role))
		return http_reply_problem(res, 403, "role_forbidden", NULL, NULL, "Endast administratörer.");
	if (state && strcmp(state, "pending") && strcmp(state, "delivered") && strcmp(state, "failed"))
		return http_reply_problem(res, 400, "validation", NULL, "state", "state: pending, delivered eller failed.");
	hg_status rc = interop_deliveries_list(app->store, state, name, c.user.org, 1000, &rows, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, delivery_json(&rows[i]));
	hg_free(rows);
	if (!api_audit(req, res, app, &c, "hl7.deliveries.read", 0, NULL)) {
		json_decref(arr);
		return HG_OK;
	}
	return http_reply_json(res, 200, json_pack("{s:o}", "deliveries", arr));
}

static const http_route routes[] = {
	{HTTP_GET, "/api/v1/hl7/facilities", get_facilities, NULL},
	{HTTP_PUT, "/api/v1/hl7/facilities/{facility}", put_facility, NULL},
	{HTTP_PUT, "/api/v1/hl7/facilities/{facility}/wards/{code}", put_ward, NULL},
	{HTTP_GET, "/api/v1/hl7/quarantine", get_quarantine, NULL},
	{HTTP_POST, "/api/v1/hl7/quarantine/{id}/replay", post_replay, NULL},
	{HTTP_GET, "/api/v1/hl7/deliveries", get_deliveries, NULL},
};

const http_route *hl7_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
